/**
 * Does one input look like the training images? Its mean and std (of the tensor the model saw) against the range
 * the training images covered, from the histograms the trainer stores in the model's metadata (the same reference
 * /drift uses for the window as a whole). A blank image (std 0) or a bright photograph falls outside; a scan that
 * the model has seen the like of falls inside. It is a screen on two statistics, not proof: it says "unlike the
 * training data", never "an MRI".
 */
import type { TrainingReference } from '@mri/model';
import type { ImageStats } from '../inference/protocol.js';

export interface InputCheck {
  /** undefined when the model carries no reference to judge by. */
  readonly inDistribution: boolean | undefined;
  readonly message: string;
}

const FEATURES = { mean: 'brightness', std: 'contrast' } as const;

/** The training range is widened by this many histogram bins on each side, so borderline scans are not flagged. */
const SLACK_BINS = 1;

export function inputCheck(stats: ImageStats, reference: TrainingReference | undefined): InputCheck {
  if (!reference) {
    return {
      inDistribution: undefined,
      message: 'The model has no training reference, so the input cannot be compared with the training data.',
    };
  }
  const outside: string[] = [];
  for (const [feature, word] of Object.entries(FEATURES) as [keyof typeof FEATURES, string][]) {
    const histogram = reference.features[feature];
    if (!histogram || histogram.edges.length < 2) continue;
    const { edges } = histogram;
    const first = edges[0] as number;
    const last = edges[edges.length - 1] as number;
    const slack = ((last - first) / (edges.length - 1)) * SLACK_BINS;
    const value = stats[feature];
    if (value < first - slack) outside.push(`${word} is lower`);
    else if (value > last + slack) outside.push(`${word} is higher`);
  }
  if (outside.length === 0) {
    return {
      inDistribution: true,
      message: "The image's brightness and contrast are within the training range.",
    };
  }
  return {
    inDistribution: false,
    message:
      `This does not look like the brain MRI slices the model was trained on (its ${outside.join(' and its ')} ` +
      'than any training image); treat the prediction as meaningless.',
  };
}
