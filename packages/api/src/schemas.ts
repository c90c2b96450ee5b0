/** JSON schemas for the routes: they validate, serialise fast, and become the OpenAPI document at /docs. */

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'A stable machine-readable code, e.g. not_an_image.' },
    message: { type: 'string', description: 'One sentence for a person: what was wrong and what to do.' },
  },
} as const;

export const modelSchema = {
  $id: 'Model',
  type: 'object',
  required: ['version', 'architecture', 'inputSize', 'backend'],
  properties: {
    version: { type: 'string' },
    architecture: { type: 'string' },
    inputSize: { type: 'integer' },
    backend: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

export const classificationSchema = {
  $id: 'Classification',
  type: 'object',
  required: ['filename', 'predictions', 'in_distribution', 'input_message', 'model', 'timings_ms'],
  properties: {
    filename: { type: 'string' },
    predictions: {
      type: 'array',
      description: 'Every class, highest score first.',
      items: {
        type: 'object',
        required: ['class', 'score'],
        properties: { class: { type: 'string' }, score: { type: 'number' } },
      },
    },
    in_distribution: {
      type: ['boolean', 'null'],
      description:
        "Whether the image's statistics (brightness, contrast) lie within the training images' range; null when " +
        'the model has no training reference. false means the prediction is not meaningful.',
    },
    input_message: { type: 'string', description: 'One sentence explaining in_distribution.' },
    model: {
      $ref: 'Model#',
      description: 'The model that answered (during a model swap, the old or the new).',
    },
    explanation: {
      type: 'object',
      description: 'With `?explain=gradcam` only: where the network looked for the top class.',
      required: ['method', 'class', 'layer', 'heatmap', 'width', 'height'],
      properties: {
        method: { type: 'string', enum: ['gradcam'] },
        class: { type: 'string', description: 'The explained class (the top prediction).' },
        layer: {
          type: 'string',
          description: 'The last convolutional block, whose activations are weighted.',
        },
        heatmap: {
          type: 'string',
          description:
            'PNG data URL: heat as colour, transparent where cold; stretch it over the whole scan.',
        },
        width: { type: 'integer', description: "The heat map's pixels across (the model's input size)." },
        height: { type: 'integer' },
      },
    },
    timings_ms: {
      type: 'object',
      properties: {
        queue: { type: 'number', description: 'Waiting for a worker.' },
        preprocess: { type: 'number', description: "Decoding and resizing this image's batch." },
        inference: { type: 'number', description: "The batch's forward pass." },
        explain: { type: 'number', description: 'Computing the explanation, when asked for one.' },
        total: { type: 'number', description: 'Request received to answer ready.' },
      },
    },
    batch_size: { type: 'integer', description: 'Images that shared the forward pass.' },
  },
} as const;

export const sharedSchemas = [errorSchema, modelSchema, classificationSchema];

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { $ref: 'Error#' }]));
