/**
 * Journeys through 推优入党, 团员教育评议, 团费 and the sorted roster in real Chromium against a real tuanwu
 * server: a branch enters the year's grades and the district certifies them; a branch recommends a member
 * from the member drawer, the district approves and records the outcome, and the 推优入党率 shows it; dues
 * imported from an .xlsx with one bad row are refused row by row, fixed and imported, and the arrears list
 * follows; the district sorts its roster by name and by age.
 */
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withCheckChar } from '../server/src/member/member-fields.js';
import {
  DESKTOP,
  apiSession,
  createAccount,
  download,
  hasText,
  hidden,
  login,
  startHarness,
  textIs,
  visible,
  type Harness,
} from './harness.js';

const CITY = '共青团测试市委员会';
const DISTRICT = '共青团沙坪坝区委员会';
const BRANCH = '沙坪坝区第八中学高2025级3班团支部';
const DISTRICT_ADMIN = { username: 'shapingba', displayName: '沙坪坝区团委组织部', password: 'Shapingba-2026' };
const BRANCH_ADMIN = { username: 'gao3ban', displayName: '高2025级3班团支书', password: 'Gao3ban-2026' };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const NOW = new Date(Date.now() + 8 * 3600_000);
const YEAR = NOW.getUTCFullYear();
/** `YYYY-MM`, `back` months before this month. */
const monthBack = (back: number) => new Date(Date.UTC(YEAR, NOW.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
const MEMBERS = [
  { name: '王思远', id: withCheckChar(`500106${YEAR - 17}0411021`), category: '学生' },
  { name: '李若溪', id: withCheckChar(`500106${YEAR - 19}0722032`), category: '学生' },
  { name: '张一鸣', id: withCheckChar(`500106${YEAR - 18}1103013`), category: '在职' },
];

async function duesWorkbook(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('团费');
  ws.addRow([`${BRANCH} 团费缴纳登记表`]);
  ws.addRow(['姓名', '身份证号', '缴费月份', '金额（元）']);
  for (const r of rows) ws.addRow(r);
  ws.getColumn(2).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function columnTexts(page: Page, testId: string, col: number): Promise<string[]> {
  return page
    .getByTestId(testId)
    .locator('tbody tr.ant-table-row')
    .evaluateAll((rows, c) => rows.map((r) => (r.querySelectorAll('td')[c] as HTMLElement).innerText.trim()), col);
}

describe('member records journeys', () => {
  let h: Harness;
  let branchCtx: BrowserContext;
  let districtCtx: BrowserContext;
  let branch: Page;
  let district: Page;
  const pageErrors: string[] = [];
  const ids = { district: 0, branch: 0 };
  const memberIds: number[] = [];

  beforeAll(async () => {
    h = await startHarness();
    const admin = await apiSession(h.baseUrl);
    const org = async (parentId: number | null, kind: string, name: string) =>
      (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category: '学校' })).id;
    const city = await org(null, 'committee', CITY);
    ids.district = await org(city, 'committee', DISTRICT);
    ids.branch = await org(ids.district, 'branch', BRANCH);
    await createAccount(h.baseUrl, admin, ids.district, DISTRICT_ADMIN);
    await createAccount(h.baseUrl, admin, ids.branch, BRANCH_ADMIN);
    const b = await apiSession(h.baseUrl, BRANCH_ADMIN.username, BRANCH_ADMIN.password);
    for (const m of MEMBERS) {
      const created = await b.call<{ id: number }>('POST', `/api/orgs/${ids.branch}/members`, {
        name: m.name,
        idNumber: m.id,
        politicalStatus: '共青团员',
        identityCategory: m.category,
        joinedOn: `${YEAR - 3}-05`,
      });
      memberIds.push(created.id);
    }

    branchCtx = await h.newContext(DESKTOP);
    branch = await branchCtx.newPage();
    branch.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(branch, BRANCH_ADMIN.username, BRANCH_ADMIN.password);
    districtCtx = await h.newContext(DESKTOP);
    district = await districtCtx.newPage();
    district.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(district, DISTRICT_ADMIN.username, DISTRICT_ADMIN.password);
  });

  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.error(`server output:\n${h?.serverLog() ?? ''}`);
  });

  afterAll(async () => {
    await h?.close();
    expect(pageErrors).toEqual([]);
  });

  it('a branch enters the year’s grades and the district certifies them', async () => {
    await branch.getByTestId('nav-members-evaluations').click();
    await branch.waitForURL(new RegExp(`/members/evaluations\\?org=${ids.branch}$`));
    await textIs(branch.getByTestId('eval-summary-未评议').locator('.count'), '3');
    await branch.getByTestId('eval-fill-qualified').click();
    await branch.getByTestId(`eval-grade-${memberIds[0]}`).getByText('优秀', { exact: true }).click();
    await branch.getByTestId('eval-save').click();
    await visible(branch.getByText('已保存 3 名团员的评议等次'));
    await textIs(branch.getByTestId('eval-summary-优秀').locator('.count'), '1');
    await textIs(branch.getByTestId('eval-summary-合格').locator('.count'), '2');
    // The branch cannot certify its own grades: no 认定 anywhere on its page.
    expect(await branch.getByTestId(`eval-certify-${ids.branch}`).count()).toBe(0);

    await district.goto(`/members/evaluations?org=${ids.district}`);
    const row = district.getByTestId('eval-branches').locator('tr', { hasText: BRANCH });
    await hasText(row, '待认定');
    await district.getByTestId(`eval-certify-${ids.branch}`).click();
    await district.locator('.ant-popover:visible .ant-btn-primary').click();
    await visible(district.getByText(`已认定 ${BRANCH} 3 名团员的评议结果`));
    await hasText(row, '已认定');

    await branch.reload();
    await visible(branch.getByTestId('eval-certified'));
    expect(await branch.getByTestId('eval-save').isDisabled()).toBe(true);
  });

  it('a 推优 record goes from the member drawer through the district’s approval, and the rate shows', async () => {
    const [, , zhang] = MEMBERS;
    await branch.goto(`/members?org=${ids.branch}`);
    await branch.getByTestId(`member-open-${memberIds[2]}`).click();
    await textIs(branch.getByTestId('member-detail-name'), zhang!.name);
    await branch.getByTestId('member-recommend').click();
    await branch.waitForURL(/\/members\/recommendations\?/);
    const dialog = branch.locator('.ant-modal:visible');
    await hasText(dialog.getByTestId('rec-member'), zhang!.name);
    await dialog.getByTestId('rec-applied-on').click();
    await dialog.getByTestId('rec-applied-on').fill(`${YEAR - 1}-09-01`);
    await dialog.getByTestId('rec-applied-on').press('Enter');
    await dialog.getByTestId('rec-create-submit').click();
    await visible(branch.getByText('已提交推优，等待上级团组织审核'));
    const branchRow = branch.getByTestId('rec-table').locator('tr', { hasText: zhang!.name });
    await hasText(branchRow, '待上级审核');
    await hasText(branchRow, `已递交（${YEAR - 1}-09-01）`);
    // Only the level above decides.
    expect(await branchRow.locator('[data-testid^="rec-approve-"]').count()).toBe(0);
    await textIs(branch.getByTestId('rec-rate').locator('.ant-statistic-content-value'), '—');

    await district.goto(`/members/recommendations?org=${ids.district}`);
    await hasText(district.getByTestId('rec-pending'), '有 1 条推优等待您审核');
    const row = district.getByTestId('rec-table').locator('tr', { hasText: zhang!.name });
    await row.locator('[data-testid^="rec-approve-"]').click();
    await district.locator('.ant-popover:visible .ant-btn-primary').click();
    await visible(district.getByText(`已通过 ${zhang!.name} 的推优`));
    await hasText(row, '已通过');
    await row.getByRole('button', { name: '登记结果' }).click();
    const outcome = district.locator('.ant-modal:visible');
    await outcome.getByTestId('rec-outcome').click();
    await district.locator('.ant-select-dropdown:visible').getByText('已发展为预备党员', { exact: true }).click();
    await outcome.getByTestId('rec-outcome-submit').click();
    await visible(district.getByText('已登记；发展为党员的，政治面貌已随之更新'));
    await hasText(row, '已发展为预备党员');
    await textIs(district.getByTestId('rec-rate').locator('.ant-statistic-content-value'), '100.0%');
    await textIs(district.getByTestId('rec-rate-detail'), '经推优入党 1 人 ÷ 已入党团员 1 人');
  });

  it('dues from an .xlsx with one bad row are refused, fixed and imported; the arrears list reflects them', async () => {
    const [wang, li, zhang] = MEMBERS;
    await district.goto(`/members/dues?org=${ids.district}&tab=arrears`);
    await hasText(district.getByTestId('arrears-summary'), '3 人有欠缴，其中 3 人欠缴6个月及以上');

    await district.getByTestId('dues-tab-import').click();
    const template = await download(district, () => district.getByTestId('dues-import-template').click());
    expect(template.name).toBe('团费导入模板.xlsx');
    // 王思远 paid the last 12 months (the student standard, amount left blank), 张一鸣 the last 7 at 1.50 元;
    // one of 张一鸣's months was typed as the 13th month.
    const rows: (string | number)[][] = [
      ...Array.from({ length: 12 }, (_v, i) => [wang!.name, wang!.id, monthBack(i), '']),
      ...Array.from({ length: 7 }, (_v, i) => [zhang!.name, zhang!.id, monthBack(i), '1.50']),
    ];
    const badRow = 2 + 12 + 3; // title, header, 王思远's 12 rows, then 张一鸣's third month
    const bad = rows.map((r) => [...r]);
    bad[12 + 2]![2] = `${YEAR}年13月`;
    await district
      .locator('input[type=file]')
      .setInputFiles({ name: '团费.xlsx', mimeType: XLSX, buffer: await duesWorkbook(bad) });
    await hasText(district.getByTestId('dues-import-rejected'), '未写入任何数据');
    const problems = district.getByTestId('dues-import-problems').locator('tbody tr.ant-table-row');
    await expect.poll(() => problems.count()).toBe(1);
    const cells = problems.first().locator('td');
    await textIs(cells.nth(0), String(badRow));
    await textIs(cells.nth(1), '缴费月份');
    await textIs(cells.nth(2), `${YEAR}年13月`);
    await hasText(cells.nth(3), '缴费月份无法识别');
    await hidden(district.getByTestId('dues-import-commit'));

    await district
      .locator('input[type=file]')
      .setInputFiles({ name: '团费（已改）.xlsx', mimeType: XLSX, buffer: await duesWorkbook(rows) });
    await hasText(district.getByTestId('dues-import-preview-ok'), '新增 19 条，更新 0 条，0 条无变化');
    await hasText(district.getByTestId('dues-import-preview'), '0.20 元');
    await district.getByTestId('dues-import-commit').click();
    await hasText(district.getByTestId('dues-import-done'), '新增 19 条');

    await district.getByTestId('dues-import-to-arrears').click();
    await district.waitForURL(/tab=arrears/);
    await hasText(district.getByTestId('arrears-summary'), '2 人有欠缴，其中 1 人欠缴6个月及以上');
    const table = district.getByTestId('arrears-table');
    await hasText(table.locator('tr', { hasText: li!.name }), '6个月以上');
    await hasText(table.locator('tr', { hasText: zhang!.name }), '5');
    expect(await table.locator('tr', { hasText: wang!.name }).count()).toBe(0);
    await district.getByTestId('arrears-flagged-only').click();
    await expect.poll(() => table.locator('tbody tr.ant-table-row').count()).toBe(1);

    // The branch's month view shows who paid this month.
    await branch.goto(`/members/dues?org=${ids.branch}`);
    await hasText(branch.getByTestId('dues-paid-count'), '已缴 2 / 3 人');
    await hasText(branch.getByTestId('dues-table').locator('tr', { hasText: zhang!.name }), '已缴 1.50 元');
  });

  it('the district sorts its roster by name and by age', async () => {
    await district.goto(`/members?org=${ids.district}`);
    await textIs(district.getByTestId('roster-total'), '共 3 人');
    await hasText(district.getByTestId('member-category-stats'), '学生');
    await hasText(district.getByTestId(`member-child-${ids.branch}`), '3');
    const names = MEMBERS.map((m) => m.name);
    const header = (title: string) => district.getByTestId('roster-table').locator('th', { hasText: title });
    await header('姓名').click();
    await expect.poll(() => columnTexts(district, 'roster-table', 0)).toEqual([...names].sort());
    await header('姓名').click();
    await expect.poll(() => columnTexts(district, 'roster-table', 0)).toEqual([...names].sort().reverse());
    await header('年龄').click();
    // Youngest first: 王思远 (17), 张一鸣 (18), 李若溪 (19).
    await expect.poll(() => columnTexts(district, 'roster-table', 0)).toEqual(['王思远', '张一鸣', '李若溪']);
  });
});
