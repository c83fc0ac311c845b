import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Opens the org tree browser in Debian's Chromium: time from navigation to the root node being shown, and
 * from clicking a node's expander to its children being shown. Anchor: loading a blank page of the same server.
 */
export async function measureTreeBrowser(base: string, username: string, password: string) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ baseURL: base });
    const login = await context.request.post('/api/auth/login', { data: { username, password } });
    if (!login.ok()) throw new Error('login failed');
    const page = await context.newPage();
    await page.goto('/orgs');
    await page.locator('[role=treeitem]').first().waitFor({ timeout: 30_000 });
    const anchors: number[] = [];
    const opens: number[] = [];
    const expands: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t0 = Date.now();
      await page.goto('/api/health');
      anchors.push(Date.now() - t0);
      t0 = Date.now();
      await page.goto('/orgs');
      await page.locator('[role=treeitem]').first().waitFor();
      opens.push(Date.now() - t0);
      const before = await page.locator('[role=treeitem]').count();
      const switcher = page.locator('.ant-tree-switcher_close').first();
      t0 = Date.now();
      await switcher.click();
      await page.waitForFunction((n) => document.querySelectorAll('[role=treeitem]').length > n, before);
      expands.push(Date.now() - t0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { openRoot: median(opens), expand: median(expands), anchor: median(anchors) };
  } catch (err) {
    console.error('tree browser measurement failed:', err);
    return undefined;
  } finally {
    await browser.close();
  }
}
