/**
 * HTML and script typed into text fields stay text: names of orgs and members, a plan's title, a task's content,
 * a lesson's title are stored as typed and shown literally by the web app in Chromium; nothing of them runs and no
 * element of them is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSession, login, startHarness, visible, type Harness } from './harness.js';
import { withCheckChar } from '../server/src/member/member-fields.js';

const HOSTILE = {
  root: '共青团<img src=x onerror="window.__xss=1">测试委员会',
  branch: '<script>window.__xss=2</script>一班团支部',
  member: '<img src=x onerror=__xss=3>',
  plan: '工作要点<svg onload="window.__xss=4">',
  task: '开展活动<iframe src="javascript:window.__xss=5"></iframe>不少于3场次',
  lesson: '第一期<a href="javascript:window.__xss=6">点我</a>',
};

describe('text that looks like HTML stays text in the web app', () => {
  let h: Harness;
  const ids = { root: 0, branch: 0, plan: 0 };

  beforeAll(async () => {
    h = await startHarness();
    const api = await apiSession(h.baseUrl);
    ids.root = (
      await api.call<{ id: number }>('POST', '/api/orgs', { parentId: null, kind: 'committee', name: HOSTILE.root })
    ).id;
    ids.branch = (
      await api.call<{ id: number }>('POST', '/api/orgs', { parentId: ids.root, kind: 'branch', name: HOSTILE.branch })
    ).id;
    await api.call('POST', `/api/orgs/${ids.branch}/members`, {
      name: HOSTILE.member,
      idNumber: withCheckChar('50010220050101123'),
      politicalStatus: '共青团员',
    });
    ids.plan = (
      await api.call<{ id: number }>('POST', `/api/orgs/${ids.root}/work-plans`, { year: 2026, title: HOSTILE.plan })
    ).id;
    await api.call('POST', `/api/work-plans/${ids.plan}/tasks`, {
      content: HOSTILE.task,
      deadline: '12月',
      responsible: [{ orgId: ids.branch, role: 'lead' }],
    });
    await api.call('POST', `/api/orgs/${ids.root}/lessons`, {
      season: '2026年',
      number: 1,
      title: HOSTILE.lesson,
      minSeconds: 0,
    });
  });
  afterAll(() => h?.close());

  it('shows every hostile text literally on the org, roster, plan, board, lesson and audit pages; nothing runs', async () => {
    const ctx = await h.newContext();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await login(page);
    const pages: [string, string][] = [
      [`/orgs/${ids.root}`, HOSTILE.root],
      [`/orgs/${ids.branch}`, HOSTILE.branch],
      [`/members?org=${ids.branch}`, HOSTILE.member],
      [`/tasks/plans/${ids.plan}`, '开展活动<iframe'],
      [`/tasks/board?org=${ids.root}`, '开展活动<iframe'],
      [`/study/lessons?org=${ids.root}`, '第一期<a href'],
      [`/audit?org=${ids.root}`, HOSTILE.branch],
    ];
    for (const [url, text] of pages) {
      await page.goto(url);
      await visible(page.getByText(text, { exact: false })).catch(async (e) => {
        console.log(url, (await page.locator('body').innerText()).slice(0, 1500));
        throw e;
      });
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), url).toBeUndefined();
      expect(
        await page.locator('img[src="x"], iframe[src^="javascript"], svg[onload], script:not([src])').count(),
        url,
      ).toBe(0);
    }
    expect(errors).toEqual([]);
  });
});
