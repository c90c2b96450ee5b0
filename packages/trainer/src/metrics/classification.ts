/**
 * Classification metrics from labels and class probabilities: accuracy, per-class and macro/weighted precision,
 * recall and F1, one-vs-rest ROC curves and AUC, the confusion matrix. Conventions follow scikit-learn, so figures
 * compare with the reference's: a class never predicted has precision 0; the confusion matrix has true classes as
 * rows; an AUC that is undefined (a class with no positives or no negatives) is null.
 */

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
  readonly rocAuc: number | null;
}

export interface Averages {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly rocAuc: number | null;
}

export interface ClassificationReport {
  readonly count: number;
  readonly accuracy: number;
  /** Mean cross-entropy of the true class, natural log. */
  readonly loss: number;
  readonly classNames: readonly string[];
  readonly perClass: Readonly<Record<string, ClassScores>>;
  readonly macro: Averages;
  readonly weighted: Averages;
  /** confusion[true][predicted]. */
  readonly confusion: number[][];
}

export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
}

/** Index of the largest probability in each row of a row-major [count, k] matrix. */
export function argmaxRows(probs: Float32Array | readonly number[], k: number): Int32Array {
  const count = probs.length / k;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if ((probs[i * k + j] as number) > (probs[i * k + best] as number)) best = j;
    out[i] = best;
  }
  return out;
}

export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  k: number,
): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const row = m[labels[i] as number] as number[];
    const p = predicted[i] as number;
    row[p] = (row[p] as number) + 1;
  }
  return m;
}

export function classificationReport(
  labels: ArrayLike<number>,
  probs: Float32Array | readonly number[],
  classNames: readonly string[],
): ClassificationReport {
  const k = classNames.length;
  const count = labels.length;
  if (probs.length !== count * k)
    throw new Error(`Expected ${count * k} probabilities, got ${probs.length}.`);
  const predicted = argmaxRows(probs, k);
  const confusion = confusionMatrix(labels, predicted, k);
  const perClass: Record<string, ClassScores> = {};
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const row = confusion[c] as number[];
    const tp = row[c] as number;
    correct += tp;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, r) => a + (r[c] as number), 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    const scores = columnOf(probs, k, c);
    const positives = Array.from(labels, (y) => y === c);
    perClass[classNames[c] as string] = { precision, recall, f1, support, rocAuc: rocAuc(scores, positives) };
  }
  const rows = Object.values(perClass);
  return {
    count,
    accuracy: count === 0 ? 0 : correct / count,
    loss: crossEntropy(labels, probs, k),
    classNames,
    perClass,
    macro: average(rows, () => 1),
    weighted: average(rows, (r) => r.support),
    confusion,
  };
}

function average(rows: readonly ClassScores[], weight: (r: ClassScores) => number): Averages {
  const total = rows.reduce((a, r) => a + weight(r), 0);
  const mean = (pick: (r: ClassScores) => number) =>
    total === 0 ? 0 : rows.reduce((a, r) => a + weight(r) * pick(r), 0) / total;
  const aucs = rows.filter((r) => r.rocAuc !== null);
  const aucTotal = aucs.reduce((a, r) => a + weight(r), 0);
  const rocAuc =
    aucs.length === rows.length && aucTotal > 0
      ? aucs.reduce((a, r) => a + weight(r) * (r.rocAuc as number), 0) / aucTotal
      : null;
  return {
    precision: mean((r) => r.precision),
    recall: mean((r) => r.recall),
    f1: mean((r) => r.f1),
    rocAuc,
  };
}

function crossEntropy(labels: ArrayLike<number>, probs: ArrayLike<number>, k: number): number {
  if (labels.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < labels.length; i++)
    sum -= Math.log(Math.max(probs[i * k + (labels[i] as number)] as number, 1e-7));
  return sum / labels.length;
}

export function columnOf(probs: ArrayLike<number>, k: number, c: number): number[] {
  const out: number[] = [];
  for (let i = c; i < probs.length; i += k) out.push(probs[i] as number);
  return out;
}

/** One-vs-rest ROC: a point per distinct threshold, from (0,0) to (1,1); tied scores make one diagonal step. */
export function rocCurve(scores: readonly number[], positives: readonly boolean[]): RocCurve | null {
  const p = positives.filter(Boolean).length;
  const n = positives.length - p;
  if (p === 0 || n === 0) return null;
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    const idx = order[i] as number;
    if (positives[idx]) tp++;
    else fp++;
    const next = order[i + 1];
    if (next === undefined || scores[next] !== scores[idx]) {
      fpr.push(fp / n);
      tpr.push(tp / p);
    }
  }
  return { fpr, tpr };
}

/** Area under the ROC curve by the trapezoid rule, equal to the Mann-Whitney probability with ties counted half. */
export function rocAuc(scores: readonly number[], positives: readonly boolean[]): number | null {
  const curve = rocCurve(scores, positives);
  if (!curve) return null;
  let area = 0;
  for (let i = 1; i < curve.fpr.length; i++) {
    area +=
      (((curve.fpr[i] as number) - (curve.fpr[i - 1] as number)) *
        ((curve.tpr[i] as number) + (curve.tpr[i - 1] as number))) /
      2;
  }
  return area;
}
