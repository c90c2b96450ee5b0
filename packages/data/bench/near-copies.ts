/**
 * How the near-copy threshold was chosen: for each candidate threshold, the groups it makes on a dataset's training
 * images (how many, how many images, the largest) and how many near pairs join two different classes. Groups that
 * stay scan-sized and never cross classes are copies of one scan; a sudden giant group means the relation has
 * started linking different patients whose anatomy looks alike. One JSON line per threshold, then a Markdown table.
 *
 *   pnpm analyse:near-copies [ROOT] [THRESHOLD,...]   (default ROOT ../shared/datasets/brain-mri)
 */

import { GROUPING_SIZE } from '../src/duplicate-groups.js';
import { ensureProcessed, specFor } from '../src/index.js';
import { componentsOf, nearPairs, sameContentPairs, signaturesOf } from '../src/near-duplicates.js';
import { fromRepo } from '../src/paths.js';

const root = fromRepo(process.argv[2] ?? '../shared/datasets/brain-mri');
const thresholds = (process.argv[3] ?? '0.005,0.01,0.02,0.03,0.05,0.08').split(',').map(Number);

const { dataset } = await ensureProcessed({ root, spec: specFor(GROUPING_SIZE) });
const training = dataset.manifest.samples.flatMap((s, i) => (s.set === 'training' ? [i] : []));
const area = GROUPING_SIZE * GROUPING_SIZE;
const rowOf = (k: number) => {
  const i = training[k] as number;
  return dataset.pixels.subarray(i * area, (i + 1) * area);
};
const labelOf = (k: number) => dataset.labels[training[k] as number] as number;
const hashOf = (k: number) => (dataset.manifest.samples[training[k] as number] as { sha256: string }).sha256;

const started = performance.now();
const pairs = nearPairs(signaturesOf(rowOf, training.length, GROUPING_SIZE), Math.max(...thresholds));
const sameBytes = sameContentPairs(training.map((_, k) => hashOf(k)));
const rows = thresholds.map((threshold) => {
  const near = pairs.filter((p) => p[2] <= threshold);
  const { groups } = componentsOf(training.length, [...sameBytes, ...near]);
  return {
    threshold,
    groups: groups.length,
    images_in_groups: groups.reduce((n, g) => n + g.length, 0),
    largest: groups[0]?.length ?? 0,
    cross_class_pairs: near.filter(([a, b]) => labelOf(a) !== labelOf(b)).length,
  };
});
for (const row of rows) console.log(JSON.stringify({ root, images: training.length, ...row }));
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s for ${training.length} images)\n`);
console.log('| 1 - correlation | groups | images in groups | largest group | near pairs across classes |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.threshold} | ${r.groups} | ${r.images_in_groups} | ${r.largest} | ${r.cross_class_pairs} |`,
  );
}
