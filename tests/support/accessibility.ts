/**
 * Automated accessibility checks for the browser tests, with axe-core (Deque's engine, the one browser vendors'
 * audit tools build on) rather than rules of our own: WCAG 2.1 A and AA, colour contrast included. What axe cannot
 * judge (that focus lands where a person expects, that a change is announced) the tests check by hand.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation {
  id: string;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** One line per violation: the rule, what it asks, and up to three elements that break it. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern (a script
  // tag would be refused: the page allows scripts from its own origin only).
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(axe.source);
  const { passed, violations } = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_AA)} } })
       .then((results) => ({ passed: results.passes.map((p) => p.id), violations: results.violations.map((v) => ({
         id: v.id, help: v.help,
         nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })) })) }))`,
  )) as { passed: string[]; violations: Violation[] };
  // A check that judged nothing would pass anything: the page's text must have been checked for contrast.
  if (!passed.includes('color-contrast') && !violations.some((v) => v.id === 'color-contrast'))
    throw new Error(`axe checked no text contrast on ${page.url()}; rules passed: ${passed.join(', ')}`);
  return violations.map((violation) => {
    const where = violation.nodes
      .slice(0, 3)
      .map((node) => {
        const why = node.failureSummary?.split('\n').slice(1).join(' ').trim();
        return `${node.target.join(' ')}${why ? ` (${why})` : ''}`;
      })
      .join('; ');
    return `${violation.id}: ${violation.help} (${violation.nodes.length}) at ${where}`;
  });
}
