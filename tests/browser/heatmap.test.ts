import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPage, type RunningWebServer, startWebServer } from '@mri/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility.js';
import { type BrowserSession, chromiumPath, launchChromium } from '../support/chromium.js';
import { ensureSampleModel } from '../support/sample-model.js';
import { type RunningApi, startApiProcess } from './api-process.js';

// The upload page's Grad-CAM overlay, in Chromium, against the real API and the real sample model: the heat map is
// the API's own for those bytes, laid over the scan, and its opacity follows the slider, by keyboard too.

declare const document: { documentElement: { scrollWidth: number } };
declare const getComputedStyle: (element: unknown) => { opacity: string };

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshots = join(repoRoot, 'test-results', 'browser');
const mriDir = join(repoRoot, 'sample', 'brain-mri', 'Testing', 'glioma');

describe.skipIf(chromiumPath === null && !process.env.CI)('the Grad-CAM overlay in Chromium', () => {
  let api: RunningApi;
  let web: RunningWebServer;
  let browser: BrowserSession;
  let outDir: string;
  let mri: { path: string; bytes: Buffer };

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    const name = (await readdir(mriDir)).filter((file) => file.endsWith('.jpg')).sort()[0] ?? '';
    mri = { path: join(mriDir, name), bytes: await readFile(join(mriDir, name)) };
    outDir = await mkdtemp(join(tmpdir(), 'mri-heatmap-page-'));
    const [modelDir] = await Promise.all([ensureSampleModel(), buildPage({ outDir })]);
    api = await startApiProcess(modelDir);
    web = await startWebServer({ root: outDir, port: 0, host: '127.0.0.1', apiUrl: api.url });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([web?.close(), api?.stop()]);
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("lays the API's heat map for the top class over the scan, with an opacity control", async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(mri.bytes)], { type: 'image/jpeg' }), 'scan.jpg');
    const answer = (await (
      await fetch(`${api.url}/classify?explain=gradcam`, { method: 'POST', body: form })
    ).json()) as {
      predictions: { class: string }[];
      explanation: { heatmap: string; class: string };
    };
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
    await page.goto(web.url);
    await page.locator('input[type=file]').setInputFiles(mri.path);
    const overlay = page.locator('img.scan__heatmap');
    await overlay.waitFor({ timeout: 60_000 });
    expect(await overlay.getAttribute('src')).toBe(answer.explanation.heatmap);
    expect(answer.explanation.class).toBe(answer.predictions[0]?.class);
    // The overlay covers the scan exactly: the model saw the whole image, stretched to a square.
    const [scan, heat] = await Promise.all([
      page.getByRole('img', { name: /^Preview of/ }).boundingBox(),
      overlay.boundingBox(),
    ]);
    expect(heat).toEqual(scan);
    expect(await page.locator('.heatmap-note').textContent()).toContain('not where a tumour is');

    const slider = page.getByRole('slider', { name: 'Heat map opacity' });
    expect(Number(await overlay.evaluate((img) => getComputedStyle(img).opacity))).toBeCloseTo(0.6, 2);
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('.heatmap-controls output').textContent()).toBe('50 %');
    await expect
      .poll(async () => Number(await overlay.evaluate((img) => getComputedStyle(img).opacity)))
      .toBeCloseTo(0.5, 2);
    await page.keyboard.press('End');
    await expect.poll(() => page.locator('.heatmap-controls output').textContent()).toBe('100 %');
    await slider.fill('70');
    await page.screenshot({ path: join(screenshots, 'heatmap.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(screenshots, 'heatmap-phone.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
