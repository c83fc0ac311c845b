/**
 * The 督查督办 journey in real Chromium against a real tuanwu server: a county committee creates its 工作要点 and
 * imports the task list from a Word file (deadlines read, 各乡（镇）团委 expanded, one unknown 责任单位 settled by
 * hand); a town forwards one task to its branch; the branch reports with a photo, the town returns the report
 * with a comment, the branch reports again and the town approves; the town's 台账 is exported from the board and
 * read back.
 */
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  apiSession,
  createAccount,
  download,
  hasText,
  login,
  startHarness,
  textIs,
  visible,
  type ApiSession,
  type Harness,
} from './harness.js';
import { seedTaskList, taskListDocx } from '../server/test/task-list-fixtures.js';

const COUNTY = '共青团平罗县委员会';
const TOWN = '城关镇团委';
const TOWN2 = '黄渠桥镇团委';
const EDUCATION = '教育团工委';
const ORGANS = '县直机关团委';
const PARK = '平罗工业园区团工委';
const BRANCH = '城关镇一村团支部';
const UNKNOWN = '县青年联合会';
const COUNTY_ADMIN = { username: 'pingluo', displayName: '平罗团县委办公室', password: 'Pingluo-2026' };
const TOWN_ADMIN = { username: 'chengguan', displayName: '城关镇团委书记', password: 'Chengguan-2026' };
const BRANCH_CADRE = { username: 'yicun', displayName: '一村团支部书记', password: 'Yicun-2026' };

const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const PLAN_TITLE = `${YEAR}年重点工作任务清单`;
const PHOTO = '活动照片.jpg';
const FIRST_REPORT = '已开展走基层故事分享活动1场，参加团员25人。';
const RETURN_COMMENT = '场次不足3场，请补充后再报。';
const SECOND_REPORT = '又开展2场，全年共3场，附活动照片。';

/** The seed list's tasks 1, 5, 9, 13 and 18; task 9 also names an org the county does not have. */
function taskList() {
  const seed = seedTaskList();
  const pick = (seq: string) => seed.tasks.find((t) => t.seq === seq)!;
  const tasks = ['1', '5', '9', '13', '18'].map(pick);
  tasks[2] = { ...tasks[2]!, responsible: `县团委，${UNKNOWN}` };
  return { title: seed.title, tasks };
}

/** The <input> of a form control, whether the test id sits on the input or on its wrapper. */
const inputOf = (page: Page, testId: string): Locator =>
  page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();

async function readCells(bytes: Buffer): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const cells: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => cells.push(String(c.value ?? '')))));
  return cells;
}

/** Whether an <img> has arrived and decoded (not a broken image). */
const imageLoaded = (img: Locator) =>
  img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0);

describe('督查督办 journey', () => {
  let h: Harness;
  let admin: ApiSession;
  const contexts: BrowserContext[] = [];
  let county: Page;
  let town: Page;
  let branch: Page;
  const pageErrors: string[] = [];
  const ids = { county: 0, town: 0, town2: 0, education: 0, organs: 0, park: 0, branch: 0, plan: 0 };
  /** The town's assignment of task 5, then the branch's. */
  const assignment = { town: 0, branch: 0 };

  const newPage = async () => {
    const ctx = await h.newContext(DESKTOP);
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    return page;
  };

  beforeAll(async () => {
    h = await startHarness();
    admin = await apiSession(h.baseUrl);
    const org = async (parentId: number | null, kind: string, name: string, category: string) =>
      (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category })).id;
    ids.county = await org(null, 'committee', COUNTY, '机关');
    ids.town = await org(ids.county, 'committee', TOWN, '农村');
    ids.town2 = await org(ids.county, 'committee', TOWN2, '农村');
    ids.education = await org(ids.county, 'working_committee', EDUCATION, '学校');
    ids.organs = await org(ids.county, 'working_committee', ORGANS, '机关');
    ids.park = await org(ids.county, 'working_committee', PARK, '非公企业');
    ids.branch = await org(ids.town, 'branch', BRANCH, '农村');
    await createAccount(h.baseUrl, admin, ids.county, COUNTY_ADMIN);
    await createAccount(h.baseUrl, admin, ids.town, TOWN_ADMIN);
    await createAccount(h.baseUrl, admin, ids.branch, { ...BRANCH_CADRE, roleType: 'secretary' });
    county = await newPage();
    town = await newPage();
    branch = await newPage();
    await login(county, COUNTY_ADMIN.username, COUNTY_ADMIN.password);
    await login(town, TOWN_ADMIN.username, TOWN_ADMIN.password);
    await login(branch, BRANCH_CADRE.username, BRANCH_CADRE.password);
  });

  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.error(`server output:\n${h?.serverLog() ?? ''}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.close();
  });

  it('the county creates a plan and imports its task list from Word, settling one unknown name', async () => {
    await county.goto(`/tasks/plans?org=${ids.county}`);
    await hasText(county.getByTestId('plan-list'), '还没有工作要点');
    await county.getByTestId('plan-create').click();
    await county.getByTestId('plan-title').fill(PLAN_TITLE);
    await county.getByTestId('plan-create-submit').click();
    await county.waitForURL(/\/tasks\/plans\/\d+$/);
    ids.plan = Number(/\/tasks\/plans\/(\d+)$/.exec(county.url())![1]);
    await textIs(county.getByTestId('plan-title-shown'), PLAN_TITLE);

    // Upload the Word file: a preview first, nothing written.
    const { title, tasks } = taskList();
    const docx = await taskListDocx(title, tasks);
    await county.getByTestId('task-import-open').click();
    await county.getByTestId('task-import').locator('input[type=file]').setInputFiles({
      name: '任务清单.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: docx,
    });
    const preview = county.getByTestId('task-import-preview');
    await hasText(preview, '各乡（镇）团委：2 个组织');
    await hasText(county.getByTestId('task-import-summary'), '新增 5 项');
    const row1 = preview.getByTestId('import-row-1');
    await hasText(row1, '→ 5月31日');
    await hasText(row1, `${TOWN}、${TOWN2}`);
    await hasText(preview.getByTestId('import-row-5'), '≥ 3场次');
    await hasText(preview.getByTestId('import-row-9'), '（本级）');
    await hasText(preview.getByTestId('import-row-18'), '→ 8月31日');
    // The unknown name blocks the import until a person settles it.
    const unresolved = county.getByTestId('unresolved-0');
    await hasText(unresolved, `“${UNKNOWN}”`);
    await hasText(unresolved, '没有找到');
    expect(await county.getByTestId('task-import-commit').isDisabled()).toBe(true);
    expect(await county.getByTestId('plan-tasks').locator('tr.ant-table-row').count()).toBe(0);
    // 县青年联合会 is the county's own work here: choose the county itself.
    await county.getByTestId('unresolved-0-orgs').click();
    await county.getByTestId(`org-option-${ids.county}`).click();
    await county.keyboard.press('Escape');
    await hasText(county.getByTestId('task-import-summary'), '需要确认的责任单位均已处理');
    await county.getByTestId('task-import-commit').click();
    await hasText(county.getByTestId('task-import-done'), '已导入 5 项任务');

    // The task list: contents with their line breaks, deadlines read, targets, the responsible orgs.
    const table = county.getByTestId('plan-tasks');
    await expect.poll(() => table.locator('tr.ant-table-row').count()).toBe(5);
    const first = table.getByTestId('task-row-1');
    expect(await first.locator('.ant-typography').first().innerText()).toMatch(/。\n做好/);
    await hasText(first, '→ 5月31日');
    await visible(first.getByTestId(`responsible-${ids.town}`));
    await visible(first.getByTestId(`responsible-${ids.organs}`));
    await hasText(table.getByTestId('task-row-5'), '≥ 3场次');
    await hasText(table.getByTestId('task-row-18'), '→ 8月31日');
    await visible(table.getByTestId('task-row-9').getByTestId(`responsible-${ids.county}`));
    await visible(table.getByTestId('task-row-13').getByTestId(`responsible-${ids.park}`));
  });

  it('the town forwards task 5 to its branch, which the notification brings to its queue', async () => {
    await town.goto(`/tasks/mine?org=${ids.town}`);
    const list = town.getByTestId('task-list');
    const row = list.locator('tr.ant-table-row', { hasText: '走基层故事分享' });
    await hasText(row, '未开始');
    await hasText(row, `${YEAR}-12-31`);
    await row.getByRole('link').first().click();
    await town.waitForURL(/\/tasks\/assignments\/\d+$/);
    assignment.town = Number(/(\d+)$/.exec(town.url())![1]);
    await hasText(town.getByTestId('assignment-content'), '走基层故事分享活动');

    await town.getByTestId('forward-open').click();
    await town.getByTestId('forward-orgs').click();
    await town.getByTestId(`org-option-${ids.branch}`).click();
    await town.keyboard.press('Escape');
    expect(await inputOf(town, `forward-due-${ids.branch}`).inputValue()).toBe(`${YEAR}-12-31`);
    await town.getByTestId('forward-note').fill('请于年底前报送活动照片。');
    await town.getByTestId('forward-submit').click();
    const children = town.getByTestId('assignment-children');
    await hasText(children, BRANCH);
    await hasText(children, '未开始');
    await textIs(town.getByTestId('assignment-state').getByTestId('task-state'), '进行中');

    // The branch is told; the reminder opens its queue.
    await branch.goto(`/orgs/${ids.branch}`);
    await branch.getByTestId('notification-bell').click();
    await branch.getByTestId('notification-list').getByText(`${TOWN}交办任务`).first().click();
    await branch.waitForURL(new RegExp(`/tasks/mine\\?org=${ids.branch}$`));
    const mine = branch.getByTestId('task-list').locator('tr.ant-table-row', { hasText: '走基层故事分享' });
    await hasText(mine, '未开始');
    await mine.getByRole('link').first().click();
    await branch.waitForURL(/\/tasks\/assignments\/\d+$/);
    assignment.branch = Number(/(\d+)$/.exec(branch.url())![1]);
    expect(assignment.branch).not.toBe(assignment.town);
  });

  it('the branch reports with a photo; the town returns it with a comment', async () => {
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c8161d' } })
      .jpeg()
      .toBuffer();
    await branch
      .getByTestId('report-panel')
      .locator('input[type=file]')
      .setInputFiles({ name: PHOTO, mimeType: 'image/jpeg', buffer: photo });
    // A program renamed to .jpg is refused by content; the server's reason is shown.
    await branch
      .getByTestId('report-panel')
      .locator('input[type=file]')
      .setInputFiles({
        name: '照片.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(2000, 1)]),
      });
    await visible(branch.locator('.ant-message').getByText('按文件内容识别'));
    const pending = branch.getByTestId('pending-attachments');
    await hasText(pending, PHOTO);
    const thumb = pending.getByTestId('attachment-thumbnail');
    await expect.poll(() => imageLoaded(thumb)).toBe(true);

    await branch.getByTestId('report-body').fill(FIRST_REPORT);
    await inputOf(branch, 'report-figure-0').fill('1');
    await branch.getByTestId('report-submit').click();
    await textIs(branch.getByTestId('assignment-state').getByTestId('task-state'), '待审核');
    const thread = branch.getByTestId('report-thread');
    await hasText(thread, FIRST_REPORT);
    await hasText(thread.getByTestId('report-figures'), '1场次');
    await visible(thread.getByTestId('report-withdraw'));

    // The town finds it under 待我审核 and returns it; a reason is required.
    await town.goto(`/tasks/mine?org=${ids.town}&tab=review`);
    const reviews = town.getByTestId('task-review-list');
    await hasText(reviews, BRANCH);
    await hasText(reviews, FIRST_REPORT);
    await reviews.locator('[data-testid^="review-open-"]').first().click();
    await town.waitForURL(new RegExp(`/tasks/assignments/${assignment.branch}$`));
    const sent = town.getByTestId('report-thread');
    await expect.poll(() => imageLoaded(sent.getByTestId('attachment-thumbnail'))).toBe(true);
    await town.getByTestId('review-return').click();
    await town.getByTestId('review-submit').click();
    await visible(town.locator('.ant-modal:visible').getByText('请填写退回原因'));
    await town.getByTestId('review-comment').fill(RETURN_COMMENT);
    await town.getByTestId('review-submit').click();
    await textIs(town.getByTestId('assignment-state').getByTestId('task-state'), '已退回');
    await hasText(sent.getByTestId('report-review-comment'), RETURN_COMMENT);
  });

  it('the branch sees the return, reports again; the town approves', async () => {
    await branch.reload();
    await textIs(branch.getByTestId('assignment-state').getByTestId('task-state'), '已退回');
    const thread = branch.getByTestId('report-thread');
    await hasText(thread.getByTestId('report-status'), '已退回');
    await hasText(thread.getByTestId('report-review-comment'), `退回原因：${RETURN_COMMENT}`);
    // The photo went with the first report: it is shown there, full size on click.
    await thread.getByRole('button', { name: `查看照片 ${PHOTO}` }).click();
    await expect.poll(() => imageLoaded(branch.getByTestId('attachment-full'))).toBe(true);
    await branch.keyboard.press('Escape');

    await branch.getByTestId('report-body').fill(SECOND_REPORT);
    await inputOf(branch, 'report-figure-0').fill('3');
    await branch.getByTestId('report-submit').click();
    await textIs(branch.getByTestId('assignment-state').getByTestId('task-state'), '待审核');

    await town.goto(`/tasks/assignments/${assignment.branch}`);
    await hasText(town.getByTestId('report-thread'), SECOND_REPORT);
    await town.getByTestId('review-approve').click();
    await town.getByTestId('review-submit').click();
    await textIs(town.getByTestId('assignment-state').getByTestId('task-state'), '已完成');
    await visible(town.getByTestId('assignment-done'));

    await branch.reload();
    await textIs(branch.getByTestId('assignment-state').getByTestId('task-state'), '已完成');
    const statuses = await branch.getByTestId('report-status').allInnerTexts();
    expect(statuses).toEqual(['已退回', '已通过']);
    expect(await branch.getByTestId('report-panel').count()).toBe(0);
  });

  it('the town’s board counts the work and exports the 台账, which reads back', async () => {
    await town.goto(`/tasks/board?org=${ids.town}`);
    const board = town.getByTestId('task-board');
    // Tasks 1, 5 and 13 for the town, task 5 for the branch.
    await hasText(town.getByTestId('task-count-total'), '4');
    await hasText(town.getByTestId('task-count-done'), '1');
    await town.getByTestId('task-count-done').click();
    const list = town.getByTestId('task-list');
    await expect.poll(() => list.locator('tr.ant-table-row').count()).toBe(1);
    await hasText(list, BRANCH);
    await hasText(board.getByTestId('task-on-time'), BRANCH);
    await hasText(town.getByTestId('task-on-time-formula'), '按时完成率 =');

    const { name, bytes } = await download(town, () => town.getByTestId('board-ledger-xlsx').click());
    expect(name).toMatch(/\.xlsx$/);
    const cells = await readCells(bytes);
    expect(cells).toContain(SECOND_REPORT);
    expect(cells).toContain(FIRST_REPORT);
    expect(cells).toContain(PHOTO);
    expect(cells).toContain(RETURN_COMMENT);
    expect(cells).toContain(BRANCH);
    expect(pageErrors).toEqual([]);
  });
});
