import { describe, expect, it } from 'vitest';
import { parseClassification, parseErrorMessage, serverMilliseconds } from '../src/classify-response.js';

const answer = {
  filename: 'scan.jpg',
  predictions: [
    { class: 'meningioma', score: 0.1 },
    { class: 'glioma', score: 0.7 },
    { class: 'notumor', score: 0.05 },
    { class: 'pituitary', score: 0.15 },
  ],
  model: { version: 'simple-cnn-224@2', architecture: 'simple-cnn' },
  timings_ms: { decode: 2, inference: 30, total: 33.5, note: 'ignored' },
};

describe('parseClassification', () => {
  it('reads the documented answer, highest score first', () => {
    const parsed = parseClassification(answer);
    expect(parsed?.predictions.map((p) => p.class)).toEqual(['glioma', 'pituitary', 'meningioma', 'notumor']);
    expect(parsed?.model.version).toBe('simple-cnn-224@2');
    expect(parsed?.model.architecture).toBe('simple-cnn');
    expect(parsed?.timingsMs).toEqual({ decode: 2, inference: 30, total: 33.5 });
    expect(parsed?.filename).toBe('scan.jpg');
  });

  it.each([
    ['null', null],
    ['an array', [answer]],
    ['no predictions', { ...answer, predictions: [] }],
    ['a score that is not a number', { ...answer, predictions: [{ class: 'glioma', score: '0.7' }] }],
    ['a non-finite score', { ...answer, predictions: [{ class: 'glioma', score: Number.NaN }] }],
    ['no model version', { ...answer, model: { architecture: 'simple-cnn' } }],
    ['an error body', { error: 'not_an_image', message: 'nope' }],
  ])('refuses %s', (_, body) => {
    expect(parseClassification(body)).toBeNull();
  });

  it('reads whether the input looks like the training data, and its sentence', () => {
    const photo = { ...answer, in_distribution: false, input_message: 'This does not look like a scan.' };
    expect(parseClassification(photo)).toMatchObject({
      inDistribution: false,
      inputMessage: 'This does not look like a scan.',
    });
    expect(parseClassification(answer)).toMatchObject({ inDistribution: null, inputMessage: '' });
  });

  it('does without timings', () => {
    const { timings_ms: _, ...withoutTimings } = answer;
    expect(parseClassification(withoutTimings)?.timingsMs).toEqual({});
  });
});

describe('parseErrorMessage', () => {
  it("returns the API's sentence", () => {
    expect(parseErrorMessage({ error: 'too_large', message: 'The file is over 10 MB.' })).toBe(
      'The file is over 10 MB.',
    );
  });

  it.each([null, 'text', { error: 'x' }, { message: '  ' }, { message: 42 }])('finds none in %j', (body) => {
    expect(parseErrorMessage(body)).toBeNull();
  });
});

describe('serverMilliseconds', () => {
  it("prefers the server's own total", () => {
    expect(serverMilliseconds({ decode: 2, inference: 30, total: 40 })).toBe(40);
  });

  it('adds up the stages when there is no total', () => {
    expect(serverMilliseconds({ decode: 2, inference: 30 })).toBe(32);
  });

  it('is unknown without timings', () => {
    expect(serverMilliseconds({})).toBeNull();
  });
});
