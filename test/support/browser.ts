import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium; never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'ui');

/** Roles a user operates or reads by name: each must have one for a screen reader to announce it. */
const namedRoles = new Set(['button', 'link', 'checkbox', 'radio', 'textbox', 'searchbox', 'combobox', 'listbox', 'slider', 'spinbutton', 'switch', 'tab', 'img', 'table', 'figure']);

interface AxNode {
  ignored?: boolean;
  role?: { value?: unknown };
  name?: { value?: unknown };
}

/**
 * Controls, images, tables and figures without an accessible name, as Chromium's own
 * accessibility tree computes names (labels, aria-label, aria-labelledby, text content).
 */
export async function unnamedElements(page: Page): Promise<string[]> {
  const session = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await session.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    return nodes
      .filter((node) => !node.ignored && namedRoles.has(String(node.role?.value)) && String(node.name?.value ?? '').trim() === '')
      .map((node) => String(node.role?.value));
  } finally {
    await session.detach();
  }
}

/**
 * Starts watching, inside the page, for `text` to appear in the element `selector` matches;
 * the returned function waits for it and answers the page's clock (Date.now) at that moment.
 * Timing in the page leaves out how long the test takes to look, which grows under load.
 */
export async function watchForText(page: Page, selector: string, text: string): Promise<(timeoutMs?: number) => Promise<number>> {
  const token = `seen-${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ([selector, text, token]) => {
      const seen = window as unknown as Record<string, number | undefined>;
      const check = () => {
        if (seen[token] === undefined && document.querySelector(selector)?.textContent?.includes(text)) {
          seen[token] = Date.now();
          observer.disconnect();
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      check();
    },
    [selector, text, token] as const,
  );
  return async (timeoutMs = 30_000) => {
    const handle = await page.waitForFunction((token) => (window as unknown as Record<string, number | undefined>)[token], token, { timeout: timeoutMs });
    return (await handle.jsonValue()) as number;
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed requests seen so far (a CSP violation shows up here). */
  problems: string[];
  /** Saves a full-page PNG under test-artifacts/ui (of the shared page unless another is given). */
  screenshot(name: string, target?: Page): Promise<void>;
  close(): Promise<void>;
}

/** Headless chromium with a fresh profile folder, one page reused by the tests of a file. */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'mlledger-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  mkdirSync(screenshotDir, { recursive: true });
  return {
    context,
    page,
    problems,
    async screenshot(name, target = page) {
      await target.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
