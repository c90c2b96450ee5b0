/**
 * Population stability index: sum over bins of (actual - expected) * ln(actual / expected). Common reading:
 * < 0.1 stable, 0.1-0.2 moderate shift, > 0.2 significant shift.
 */

/** Empty bins would make the logarithm infinite; this floor keeps one empty bin from dominating. */
const FLOOR = 1e-4;

export function psi(expected: readonly number[], actual: readonly number[]): number {
  let total = 0;
  expected.forEach((e, i) => {
    const p = Math.max(e, FLOOR);
    const q = Math.max(actual[i] ?? 0, FLOOR);
    total += (q - p) * Math.log(q / p);
  });
  return total;
}

/**
 * Proportions of `values` in the bins bounded by `edges` (bins = edges.length - 1). Values outside the edges
 * count in the first or last bin: the reference's range is the only one there is.
 */
export function proportions(values: readonly number[], edges: readonly number[]): number[] {
  const bins = Math.max(1, edges.length - 1);
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    let bin = 0;
    while (bin < bins - 1 && value >= (edges[bin + 1] ?? Number.POSITIVE_INFINITY)) bin++;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts.map((count) => (values.length > 0 ? count / values.length : 0));
}

/** Class counts as proportions, in the order of `classes`. */
export function classProportions(
  counts: Readonly<Record<string, number>>,
  classes: readonly string[],
): number[] {
  const total = classes.reduce((sum, name) => sum + (counts[name] ?? 0), 0);
  return classes.map((name) => (total > 0 ? (counts[name] ?? 0) / total : 0));
}
