// The whole test suite, as the README's Quick start runs it: lint + format + typecheck, then every vitest project
// with coverage. Ends with a plain "N passed, N failed" line so any CI reader can tell what ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status ?? 1;
}

if (run('biome', ['check', '.']) !== 0 || run('tsc', ['-p', 'tsconfig.json']) !== 0) {
  console.error(
    'Static checks failed: run `pnpm fix` for formatting and lint fixes, then read what remains.',
  );
  process.exit(1);
}

const reportDir = mkdtempSync(join(tmpdir(), 'mri-tests-'));
const report = join(reportDir, 'vitest.json');
const status = run('vitest', [
  'run',
  '--coverage',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
try {
  const summary = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(
    `tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`,
  );
} catch {
  console.log('tests: 0 passed, 1 failed (vitest wrote no report)');
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
process.exit(status);
