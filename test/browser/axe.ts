import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** axe-core's browser build, injected into the page under test (no network, no extension). */
const AXE_SOURCE = axe.source;

export interface AxeFinding { id: string; impact: string; help: string; targets: string[] }

/**
 * Runs axe-core (WCAG 2.0–2.2 A/AA and best practices; open shadow roots included) on the page
 * and returns the serious and critical violations, each with the elements it names.
 */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  // Evaluated through the DevTools protocol, which the dashboard's CSP (script-src 'self') allows.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${AXE_SOURCE};0`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
}

/** How far the page is wider than its viewport, in CSS pixels (0: no horizontal scrolling). */
export const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth);
