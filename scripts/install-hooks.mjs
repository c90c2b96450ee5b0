// `pnpm install` runs this (the root `prepare` script) to install the pre-commit hook: biome on the staged files,
// configured under "simple-git-hooks" in package.json. It installs nothing where that would surprise someone:
// on CI, when SKIP_INSTALL_SIMPLE_GIT_HOOKS=1, outside a git checkout, and in a linked worktree or submodule
// (`.git` is a file there), whose hooks folder is shared with the main checkout and every other worktree.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

function reasonToSkip() {
  if (process.env.CI) return 'on CI';
  if (['1', 'true'].includes(process.env.SKIP_INSTALL_SIMPLE_GIT_HOOKS ?? ''))
    return 'SKIP_INSTALL_SIMPLE_GIT_HOOKS is set';
  try {
    if (statSync('.git').isFile()) {
      return 'a linked worktree shares its hooks with the main checkout: run `pnpm exec simple-git-hooks` there';
    }
  } catch {
    return 'not a git checkout';
  }
  return undefined;
}

const reason = reasonToSkip();
if (reason) {
  console.log(`[hooks] not installing the pre-commit hook: ${reason}.`);
} else {
  const result = spawnSync('simple-git-hooks', { stdio: 'inherit', shell: process.platform === 'win32' });
  // A hook that cannot be installed must never fail the install itself.
  if (result.status !== 0)
    console.log('[hooks] the pre-commit hook was not installed; run `pnpm exec simple-git-hooks`.');
}
