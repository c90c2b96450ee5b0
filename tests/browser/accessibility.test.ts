import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility.js';
import { type BrowserSession, chromiumPath, launchChromium } from '../support/chromium.js';

// The accessibility check the page tests rely on must be able to fail: on a page with the faults it is there to
// catch, it names them.

describe.skipIf(chromiumPath === null && !process.env.CI)('the accessibility check', () => {
  let browser: BrowserSession;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => browser?.close());

  it('names low-contrast text and an unlabelled field, and passes the same page without them', async () => {
    const page = await browser.context.newPage();
    const body = (text: string, field: string) =>
      `<!doctype html><html lang="en"><head><title>Check</title></head><body><main><h1>Check</h1>${text}${field}</main></body></html>`;
    await page.setContent(
      body('<p style="color:#bbb;background:#fff">Pale grey on white</p>', '<input type="text">'),
    );
    const faults = await accessibilityViolations(page);
    expect(faults.map((fault) => fault.split(':')[0])).toEqual(
      expect.arrayContaining(['color-contrast', 'label']),
    );
    await page.setContent(
      body(
        '<p style="color:#333;background:#fff">Dark grey on white</p>',
        '<label>Name <input type="text"></label>',
      ),
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);
});
