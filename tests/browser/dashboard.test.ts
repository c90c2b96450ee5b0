import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPage, dashboardHandler, type RunningWebServer, startWebServer } from '@mri/web';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility.js';
import { type BrowserSession, chromiumPath, launchChromium } from '../support/chromium.js';
import { ensureSampleRuns, type SampleRuns } from '../support/sample-runs.js';

// The runs dashboard's production build in Chromium, over real run folders and a real registry that the trainer's
// own commands wrote (two runs and a two-point sweep on the sample). Screenshots go to test-results/browser/.

declare const document: {
  activeElement: {
    getAttribute(name: string): string | null;
    tagName: string;
    id: string;
    textContent: string | null;
  } | null;
  documentElement: { scrollWidth: number };
};

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshots = join(repoRoot, 'test-results', 'browser');

interface Metrics {
  run_dir: string;
  metrics: Record<string, number>;
}

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

async function atPhoneWidth(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshots, name), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 860 });
}

/** Every chart drew an SVG with marks in it (vega-embed finished without an error). */
async function expectCharts(page: Page, count: number): Promise<void> {
  await expect
    .poll(() => page.locator('.vega-chart svg .mark-line, .vega-chart svg .mark-rect').count())
    .toBeGreaterThan(0);
  await expect.poll(() => page.locator('.vega-chart svg').count()).toBe(count);
}

describe.skipIf(chromiumPath === null && !process.env.CI)('the runs dashboard in Chromium', () => {
  let runs: SampleRuns;
  let registry: string;
  let outDir: string;
  let web: RunningWebServer;
  let empty: RunningWebServer;
  let browser: BrowserSession;
  let metrics: Metrics[];

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    outDir = await mkdtemp(join(tmpdir(), 'mri-dashboard-'));
    [runs] = await Promise.all([ensureSampleRuns(), buildPage({ outDir: join(outDir, 'page') })]);
    // Promoting changes the registry: the test works on a copy.
    registry = join(outDir, 'registry');
    await cp(runs.registry, registry, { recursive: true });
    const root = join(outDir, 'page');
    web = await startWebServer({
      root,
      port: 0,
      host: '127.0.0.1',
      dashboard: dashboardHandler({ runsUrl: runs.outputs, registryUrl: registry }),
    });
    empty = await startWebServer({
      root,
      port: 0,
      host: '127.0.0.1',
      dashboard: dashboardHandler({
        runsUrl: join(outDir, 'no-runs'),
        registryUrl: join(outDir, 'no-registry'),
      }),
    });
    const served = (await (await fetch(`${web.url}/api/runs`)).json()) as { id: string }[];
    metrics = await Promise.all(
      served.map(async ({ id }) =>
        JSON.parse(await readFile(join(runs.outputs, id, 'metrics.json'), 'utf8')),
      ),
    );
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([web?.close(), empty?.close()]);
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('lists every run, filters and sorts by keyboard, and announces what it shows', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${web.url}/dashboard.html`);
    const rows = page.locator('table.data-table tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    await page.screenshot({ path: join(screenshots, 'dashboard-runs.png'), fullPage: true });

    // Sort by validation accuracy with the keyboard: the order is the runs' own figures, best first.
    const sortAccuracy = page.getByRole('button', { name: /Val accuracy/ });
    await sortAccuracy.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('th[aria-sort="descending"]').textContent())
      .toContain('Val accuracy');
    const shown = await rows.locator('td.num.strong').allTextContents();
    const expected = metrics
      .map((m) => m.metrics.val_accuracy as number)
      .sort((a, b) => b - a)
      .map((v) => `${(v * 100).toFixed(1)} %`);
    expect(shown).toEqual(expected);
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('sorted by val accuracy, descending');

    // Filter: only the SGD run matches "sgd"; the live region says how many are shown.
    await page.getByLabel('Filter').fill('sgd');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('sgd');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('1 of 4 runs shown.');
    await page.getByLabel('Filter').fill('');
    expect(await accessibilityViolations(page)).toEqual([]);
    await atPhoneWidth(page, 'dashboard-runs-phone.png');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows one run: headline figures, curves, confusion matrix, ROC, per-class table and config', async () => {
    const run = metrics.find((m) => !m.run_dir.includes('sweeps')) as Metrics;
    const id = run.run_dir.slice(runs.outputs.length + 1);
    const evaluation = JSON.parse(await readFile(join(runs.outputs, id, 'evaluation.json'), 'utf8'));
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${web.url}/dashboard.html`);
    await page.getByRole('link', { name: id }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toContain(id);
    expect(await page.title()).toBe('Run · MRI runs dashboard');
    // loss, accuracy, F1, confusion matrix, ROC: the same Vega-Lite specs as the run's PNG figures.
    await expectCharts(page, 5);
    const cards = await page.locator('.stat-card').allTextContents();
    expect(cards[0]).toBe(`Validation accuracy${((run.metrics.val_accuracy ?? 0) * 100).toFixed(1)} %`);
    const perClass = page.getByRole('region', { name: 'Per-class figures' });
    const gliomaRow = await perClass.getByRole('row', { name: /Glioma/ }).textContent();
    expect(gliomaRow).toContain(evaluation.perClass.glioma.f1.toFixed(3));
    expect(await page.getByRole('region', { name: 'Resolved config' }).textContent()).toContain(
      'optimizer.name',
    );
    await page.screenshot({ path: join(screenshots, 'dashboard-run.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await atPhoneWidth(page, 'dashboard-run-phone.png');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('compares two runs ticked with the keyboard: overlaid curves and the config keys that differ', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${web.url}/dashboard.html#/runs`);
    const boxes = page.getByRole('checkbox', { name: /^Select \d{4}-/ });
    await expect.poll(() => boxes.count()).toBe(2);
    for (const box of await boxes.all()) {
      await box.focus();
      await page.keyboard.press('Space');
    }
    await page.getByRole('link', { name: 'Compare 2 runs' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Compare 2 runs');
    await expectCharts(page, 3);
    const diff = page.getByRole('region', { name: 'Config side by side' });
    const keys = await diff.locator('tbody th').allTextContents();
    expect(keys).toEqual(expect.arrayContaining(['optimizer.name', 'optimizer.lr', 'training.epochs']));
    expect(keys).not.toContain('data.image_size');
    expect(await diff.getByRole('row', { name: /optimizer\.name/ }).textContent()).toMatch(
      /adamw.*sgd|sgd.*adamw/,
    );
    await page.getByLabel('Show identical keys too').check();
    expect(await diff.locator('tbody th').allTextContents()).toContain('data.image_size');
    await page.screenshot({ path: join(screenshots, 'dashboard-compare.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await atPhoneWidth(page, 'dashboard-compare-phone.png');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows the sweep's leaderboard, best first, linked to its runs", async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${web.url}/dashboard.html`);
    await page.getByRole('link', { name: 'Sweeps', exact: true }).click();
    const board = page.getByRole('region', { name: /^Leaderboard of sweep/ });
    await board.waitFor();
    const scores = (await board.locator('tbody tr td:nth-child(2)').allTextContents()).map(Number);
    const sweepRuns = metrics.filter((m) => m.run_dir.includes('sweeps'));
    expect(scores).toEqual(
      sweepRuns.map((m) => Number((m.metrics.val_accuracy ?? 0).toFixed(4))).sort((a, b) => b - a),
    );
    expect(await board.getByRole('link').count()).toBe(2);
    await page.screenshot({ path: join(screenshots, 'dashboard-sweeps.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await atPhoneWidth(page, 'dashboard-sweeps-phone.png');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows the registry and promotes from the page, production only through the promotion gate', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${web.url}/dashboard.html#/registry`);
    // The first training seeded the empty registry with the shipped model (v1, production); the two sample runs
    // are v2 and v3, and the gate kept production on the shipped model.
    const v3 = page.getByRole('row', { name: /^v3/ });
    await v3.waitFor();
    expect(await v3.textContent()).toContain('latest');
    expect(await page.getByRole('row', { name: /^v1/ }).textContent()).toContain('production');
    await page.screenshot({ path: join(screenshots, 'dashboard-registry.png'), fullPage: true });

    // A sample-trained model is worse than the shipped one on the evaluation set: the gate refuses it, by keyboard.
    await page.getByLabel('Alias to point at v2').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const gateRefusal = page.getByRole('alert');
    await expect
      .poll(() => gateRefusal.textContent(), { timeout: 60_000 })
      .toMatch(/Refused: v2 is worse than production v1/);
    expect(JSON.parse(await readFile(join(registry, 'registry.json'), 'utf8')).aliases.production).toBe('v1');

    // Any other alias moves as asked.
    await page.getByLabel('Alias to point at v2').fill('staging');
    await page.getByRole('button', { name: 'Promote v2' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('staging now points at v2.');
    const index = JSON.parse(await readFile(join(registry, 'registry.json'), 'utf8'));
    expect(index.aliases.staging).toBe('v2');
    await expect.poll(() => page.getByRole('row', { name: /^v2/ }).textContent()).toContain('staging');
    // Focus scrolled the table to its promote column; show it from its start.
    await page.locator('.table-scroll').evaluate((region) => region.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshots, 'dashboard-promoted.png'), fullPage: true });

    expect(await accessibilityViolations(page)).toEqual([]);

    // The field's pattern stops a bad alias before it is sent; the browser says why, nothing changes.
    const alias = page.getByLabel('Alias to point at v1');
    await alias.fill('Prod!');
    await page.getByRole('button', { name: 'Promote v1' }).click();
    expect(await alias.evaluate((input: { validity: { valid: boolean } }) => input.validity.valid)).toBe(
      false,
    );
    expect(JSON.parse(await readFile(join(registry, 'registry.json'), 'utf8')).aliases.production).toBe('v1');
    // Past the browser's check (an old browser, a hand-made request), the registry refuses with its own sentence,
    // shown as an alert, and nothing changes.
    await alias.evaluate((input: { removeAttribute(name: string): void }) =>
      input.removeAttribute('pattern'),
    );
    await page.getByRole('button', { name: 'Promote v1' }).click();
    const refusal = page.getByRole('alert');
    await expect.poll(() => refusal.textContent()).toContain("Alias 'Prod!' is not allowed");
    expect(await refusal.textContent()).toContain('Not promoted');
    expect(JSON.parse(await readFile(join(registry, 'registry.json'), 'utf8')).aliases.production).toBe('v1');
    await page.screenshot({ path: join(screenshots, 'dashboard-refused.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await atPhoneWidth(page, 'dashboard-registry-phone.png');
    // Chromium logs the refused request's 409 itself; nothing else may go wrong.
    expect(problems.filter((p) => !/status of 409/.test(p))).toEqual([]);
    await page.close();
  }, 120_000);

  it('moves between views by keyboard: the tabs mark the current view, focus goes to it, it is announced', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${web.url}/dashboard.html`);
    await expect.poll(() => page.locator('table.data-table tbody tr').count()).toBe(4);
    const focused = () =>
      page.evaluate(() => {
        const active = document.activeElement;
        return `${active?.tagName.toLowerCase()}${active?.id ? `#${active.id}` : ''} ${active?.textContent?.trim().slice(0, 40)}`;
      });
    await page.evaluate(
      'new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)))',
    );
    const announcement = page.locator('p.visually-hidden[role="status"]');
    // The skip link comes first, then the tabs, in reading order.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a Skip to content');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a Runs');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a Sweeps');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('dashboard-main');
    await expect.poll(() => announcement.textContent()).toBe('Sweeps view');
    expect(await page.title()).toBe('Sweeps · MRI runs dashboard');
    const tab = (name: string) => page.getByRole('link', { name, exact: true });
    expect(await tab('Sweeps').getAttribute('aria-current')).toBe('page');
    expect(await tab('Runs').getAttribute('aria-current')).toBeNull();

    // On to the registry the same way; the browser's Back returns to the sweeps, announced again.
    await tab('Registry').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => announcement.textContent()).toBe('Model registry view');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dashboard-main');
    await page.goBack();
    await expect.poll(() => announcement.textContent()).toBe('Sweeps view');

    // On a fresh load, the skip link takes a keyboard user past the header, into the view.
    await page.goto(`${web.url}/dashboard.html#/runs`);
    await page.reload();
    await expect.poll(() => page.locator('table.data-table tbody tr').count()).toBe(4);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a Skip to content');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('dashboard-main');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('says plainly when there are no runs, sweeps or registered models yet', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${empty.url}/dashboard.html`);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('No runs yet');
    await page.goto(`${empty.url}/dashboard.html#/sweeps`);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('No sweeps yet');
    await page.goto(`${empty.url}/dashboard.html#/registry`);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('The registry is empty');
    await page.goto(`${empty.url}/dashboard.html#/run/2026-01-01%2F00-00-00`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No run 2026-01-01/00-00-00');
    await page.screenshot({ path: join(screenshots, 'dashboard-missing-run.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
    await page.close();
  }, 120_000);
});
