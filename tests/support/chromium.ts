import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

// The browser tests drive the system's Chromium (Debian's `chromium` package in CI) through playwright-core,
// which downloads no browser of its own. CHROMIUM_PATH points them at another Chromium or Chrome.

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const chromiumPath: string | null = candidates.find((path) => path && existsSync(path)) ?? null;

export const chromiumMissingNotice =
  'Browser tests were NOT run: no Chromium at /usr/bin/chromium. Install it (Debian/Ubuntu: ' +
  '`sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome binary, then run the tests again.';

const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile that is deleted again on close. */
export async function launchChromium(viewport = { width: 1280, height: 860 }): Promise<BrowserSession> {
  if (chromiumPath === null) throw new Error(chromiumMissingNotice);
  const profile = await mkdtemp(join(tmpdir(), 'mri-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: launchArgs,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
