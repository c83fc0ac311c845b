import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.js';

/**
 * The org tree browser in Debian's Chromium (median of 5):
 * - pageBoot: navigation to /orgs until the root node is shown (the whole web app starting, session check included);
 * - openRoot: clicking the root's expander until its children are shown;
 * - expand: clicking the first child's expander until its children are shown.
 * Anchor: loading a blank page (/api/health) of the same server.
 */
export async function measureTreeBrowser(base: string, username: string, password: string) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ baseURL: base });
    const login = await context.request.post('/api/auth/login', { data: { username, password } });
    if (!login.ok()) throw new Error('login failed');
    const page = await context.newPage();
    await page.goto('/orgs');
    await page.locator('[role=treeitem]').first().waitFor({ timeout: 30_000 });
    const anchors: number[] = [];
    const boots: number[] = [];
    const opens: number[] = [];
    const expands: number[] = [];
    const items = () => page.locator('[role=treeitem]').count();
    const clickAndWait = async (switcher: ReturnType<typeof page.locator>) => {
      const before = await items();
      const t0 = Date.now();
      await switcher.click();
      await page.waitForFunction((n) => document.querySelectorAll('[role=treeitem]').length > n, before);
      return Date.now() - t0;
    };
    for (let i = 0; i < 5; i++) {
      let t0 = Date.now();
      await page.goto('/api/health');
      anchors.push(Date.now() - t0);
      t0 = Date.now();
      await page.goto('/orgs');
      await page.locator('[role=treeitem]').first().waitFor();
      boots.push(Date.now() - t0);
      // The tree may open the path to the current org by itself; start from a collapsed root.
      const open = page.locator('[role=treeitem][aria-expanded=true] .ant-tree-switcher_open').first();
      while (await page.locator('[role=treeitem][aria-expanded=true]').count()) {
        await open.click();
        await page.waitForTimeout(50);
      }
      opens.push(await clickAndWait(page.locator('[role=treeitem]').first().locator('.ant-tree-switcher_close')));
      expands.push(await clickAndWait(page.locator('[role=treeitem]').nth(1).locator('.ant-tree-switcher_close')));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { pageBoot: median(boots), openRoot: median(opens), expand: median(expands), anchor: median(anchors) };
  } catch (err) {
    console.error('tree browser measurement failed:', err);
    return undefined;
  } finally {
    await browser.close();
  }
}
