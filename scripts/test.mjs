// The whole test suite, as the README's Quick start runs it: lint + format + typecheck, then every vitest project
// with coverage. Ends with a plain "N passed, N failed" line so any CI reader can tell what ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// Works the same run as `pnpm test` or as `node scripts/test.mjs`: the workspace's tools come first on PATH.
const binDir = join(import.meta.dirname, '..', 'node_modules', '.bin');
process.env.PATH = `${binDir}${delimiter}${process.env.PATH ?? ''}`;

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error)
    console.error(`Could not run ${command}: ${result.error.message}. Run \`pnpm install\` first.`);
  return result.status ?? 1;
}

const staticChecks = [
  ['biome', ['check', '.']],
  ['tsc', ['-p', 'tsconfig.json']],
  ['tsc', ['-p', 'packages/web/tsconfig.json']],
];
if (staticChecks.some(([command, args]) => run(command, args) !== 0)) {
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
// The browser tests skip themselves where no Chromium is installed (outside CI); say so where nobody can miss it.
// Same lookup as tests/support/chromium.ts.
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
if (!chromium.some((path) => path && existsSync(path))) {
  console.log(
    'Browser tests were NOT run: no Chromium at /usr/bin/chromium. To run them, install it ' +
      '(Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}
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
