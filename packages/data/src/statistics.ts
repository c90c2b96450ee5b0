/**
 * Per-image statistics of the tensor a model sees: the mean and the (population) standard deviation of its
 * normalised values. The trainer records their distribution over the training set as the drift reference and the
 * API computes them for every request, so both must come from this one function to compare like with like.
 */
export interface ImageStatistics {
  readonly mean: number;
  readonly std: number;
}

export function imageStatistics(values: ArrayLike<number>): ImageStatistics {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    sum += value;
    sumSquares += value * value;
  }
  const n = Math.max(values.length, 1);
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sumSquares / n - mean * mean)) };
}
