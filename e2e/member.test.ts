/**
 * Journeys through the 团员 screens in real Chromium against a real tuanwu server: a branch imports a
 * messy member file (rejected with a row report, nothing written; fixed, previewed, imported), adds a member
 * by hand, asks on a phone to correct an ID number that the district approves; the district exports the
 * roster, handles age-out and grants a role to an existing account.
 */
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  apiSession,
  createAccount,
  download,
  hasText,
  hidden,
  lacksText,
  login,
  startHarness,
  textIs,
  visible,
  type Harness,
} from './harness.js';
import { withCheckChar } from '../server/src/member/member-fields.js';

const CITY = '共青团测试市委员会';
const DISTRICT = '共青团渝中区委员会';
const BRANCH = '重庆市第一中学高2024级1班团支部';
const BRANCH2 = '重庆市第一中学高2024级2班团支部';
const DISTRICT_ADMIN = { username: 'yuzhong', displayName: '渝中区团委管理员', password: 'Yuzhong-2026' };
const BRANCH_ADMIN = { username: 'banji1', displayName: '高2024级1班团支书', password: 'Banji1-2026' };

/** A valid ID number born on `birth` (YYYYMMDD) whose check character is X. */
function idEndingInX(birth: string): string {
  for (let seq = 0; seq < 1000; seq++) {
    const id = withCheckChar(`500103${birth}${String(seq).padStart(3, '0')}`);
    if (id.endsWith('X')) return id;
  }
  throw new Error('no X');
}
const mask = (id: string) => `${id.slice(0, 4)}**********${id.slice(-4)}`;
const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

const YEAR = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
const ID = {
  wang: withCheckChar(`500103${YEAR - 18}0315001`),
  li: idEndingInX(`${YEAR - 19}0820`),
  zhang: withCheckChar(`500103${YEAR - 17}0102011`),
  zhao: withCheckChar(`500103${YEAR - 28}0601022`),
  zhangCorrected: withCheckChar(`500103${YEAR - 17}0112013`),
  hand: withCheckChar(`500103${YEAR - 16}0909031`),
};
/** The same ID with a wrong check character. */
const badCheck = (id: string) => id.slice(0, 17) + (id[17] === '1' ? '2' : '1');

/**
 * A member list as branches really keep it: a title row above the header, 智慧团建 column names, an ID number
 * typed with full-width digits, one with a lowercase x, a phone with full-width digits, 入团时间 in words.
 */
async function memberWorkbook(zhangId: string, wangPhone = '１３８００００１１１１'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('团员名单');
  ws.addRow([`${BRANCH} 团员名单（${YEAR}年）`]);
  ws.mergeCells(1, 1, 1, 9);
  ws.addRow(['姓名', '性别', '民族', '公民身份号码', '手机号码', '政治面貌', '入团时间', '发展团员编号', '学历']);
  ws.addRow([
    '王小明',
    '男',
    '汉族',
    fullWidth(ID.wang),
    wangPhone,
    '共青团员',
    `${YEAR - 3}年5月`,
    `${YEAR - 3}00000001`,
    '高中',
  ]);
  ws.addRow(['李小红', null, '土家族', ID.li.toLowerCase(), null, '共青团员', `${YEAR - 4}-09`, null, '高中']);
  ws.addRow(['张伟', '男', '汉族', zhangId, '13900002222', null, `${YEAR - 2}.6`, null, '高中']);
  ws.addRow(['赵敏', '女', '汉族', ID.zhao, null, '中共党员', `${YEAR - 13}-05`, null, '本科']);
  // Typed as text, as the template asks (a number would lose the last digits).
  ws.getColumn(4).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function readSheet(bytes: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const rows: string[][] = [];
  wb.worksheets[0]!.eachRow((row) => {
    const values = row.values as unknown[];
    rows.push(values.slice(1).map((v) => (v == null ? '' : String(v))));
  });
  return rows;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function pickOption(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${label}"]`).click();
}

async function pickOrg(page: Page, testId: string, query: string, id: number): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByTestId(testId).locator('input').fill(query);
  await page.getByTestId(`org-option-${id}`).click();
}

describe('member journeys', () => {
  let h: Harness;
  let branchCtx: BrowserContext;
  let districtCtx: BrowserContext;
  let branch: Page;
  let district: Page;
  const pageErrors: string[] = [];
  const ids = { city: 0, district: 0, branch: 0, branch2: 0 };

  beforeAll(async () => {
    h = await startHarness();
    const admin = await apiSession(h.baseUrl);
    const org = async (parentId: number | null, kind: string, name: string) =>
      (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category: '学校' })).id;
    ids.city = await org(null, 'committee', CITY);
    ids.district = await org(ids.city, 'committee', DISTRICT);
    ids.branch = await org(ids.district, 'branch', BRANCH);
    ids.branch2 = await org(ids.district, 'branch', BRANCH2);
    await createAccount(h.baseUrl, admin, ids.district, DISTRICT_ADMIN);
    await createAccount(h.baseUrl, admin, ids.branch, BRANCH_ADMIN);

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
  });

  it('imports a messy member file: the bad row is reported and nothing is written; the fixed file imports', async () => {
    // The branch admin finds the import under 团员 in the menu.
    await branch.getByTestId('nav-members-import').click();
    await branch.waitForURL(new RegExp(`/members/import\\?org=${ids.branch}$`));
    await hasText(branch.getByTestId('member-import-page'), `导入的团员将编入「${BRANCH}」`);

    const template = await download(branch, () => branch.getByTestId('member-import-template').click());
    expect(template.name).toBe('团员导入模板.xlsx');
    expect((await readSheet(template.bytes))[0]).toContain('身份证号');

    const bad = await memberWorkbook(badCheck(ID.zhang));
    await branch.locator('input[type=file]').setInputFiles({ name: '团员名单.xlsx', mimeType: XLSX, buffer: bad });
    await hasText(branch.getByTestId('member-import-rejected'), '未写入任何数据');
    const problems = branch.getByTestId('member-import-problems');
    // Title row 1, header row 2: 张伟 is the third data row, Excel row 5. Only that row is wrong: the
    // full-width digits and the lowercase x are accepted.
    await expect.poll(() => problems.locator('tbody tr.ant-table-row').count()).toBe(1);
    const cells = problems.locator('tbody tr.ant-table-row').first().locator('td');
    await textIs(cells.nth(0), '5');
    await textIs(cells.nth(1), '公民身份号码');
    await textIs(cells.nth(2), badCheck(ID.zhang));
    await hasText(cells.nth(3), '校验位不正确');
    await hidden(branch.getByTestId('member-import-commit'));

    // Even sent for real (not as a preview), the file is refused and writes nothing.
    const api = await apiSession(h.baseUrl, BRANCH_ADMIN.username, BRANCH_ADMIN.password);
    const forced = await api.upload(`/api/orgs/${ids.branch}/members/import?dryRun=false`, bad, '团员名单.xlsx');
    expect(forced.status).toBe(422);
    expect((forced.body as { code: string }).code).toBe('import_rejected');
    await branch.goto(`/members?org=${ids.branch}`);
    await textIs(branch.getByTestId('roster-total'), '共 0 人');
    await hasText(branch.getByTestId('roster-table'), '还没有团员');

    // The fixed file: a preview of what will be created, then the import.
    const good = await memberWorkbook(ID.zhang);
    await branch.goto(`/members/import?org=${ids.branch}`);
    await branch.locator('input[type=file]').setInputFiles({ name: '团员名单.xlsx', mimeType: XLSX, buffer: good });
    await hasText(branch.getByTestId('member-import-preview-ok'), '新增 4 人，更新 0 人，0 人无变化');
    const preview = branch.getByTestId('member-import-preview');
    await hasText(preview, mask(ID.li));
    await hasText(preview, '新增');
    await lacksText(preview, ID.wang);
    await branch.getByTestId('member-import-commit').click();
    await hasText(branch.getByTestId('member-import-done'), '新增 4 人');

    // The roster shows the members with ID numbers and phones masked.
    await branch.getByTestId('member-import-to-roster').click();
    await branch.waitForURL(new RegExp(`/members\\?org=${ids.branch}$`));
    const roster = branch.getByTestId('roster-table');
    await hasText(roster, '王小明');
    await textIs(branch.getByTestId('roster-total'), '共 4 人');
    for (const id of [ID.wang, ID.li, ID.zhang, ID.zhao]) await hasText(roster, mask(id));
    await hasText(roster, '138****1111');
    const text = await roster.innerText();
    for (const full of [ID.wang, ID.li, ID.zhang, ID.zhao, '13800001111']) expect(text).not.toContain(full);
    await textIs(branch.getByTestId('member-stat-total').locator('.count'), '4');

    // The same file again changes nothing; a changed phone is previewed field by field before anything is written.
    await branch.goto(`/members/import?org=${ids.branch}`);
    await branch.locator('input[type=file]').setInputFiles({ name: '再次导入.xlsx', mimeType: XLSX, buffer: good });
    await hasText(branch.getByTestId('member-import-preview-ok'), '新增 0 人，更新 0 人，4 人无变化');
    expect(await branch.getByTestId('member-import-commit').isDisabled()).toBe(true);
    const changed = await memberWorkbook(ID.zhang, '13911113333');
    await branch.locator('input[type=file]').setInputFiles({ name: '更新.xlsx', mimeType: XLSX, buffer: changed });
    await hasText(branch.getByTestId('member-import-preview-ok'), '新增 0 人，更新 1 人，3 人无变化');
    const row = branch.getByTestId('member-import-preview').locator('tr', { hasText: '王小明' });
    await hasText(row, '更新');
    await hasText(row, '手机号：138****1111 → 139****3333');
  });

  it('adds a member by hand (the form checks the ID number and the joining age before sending) and edits it', async () => {
    await branch.goto(`/members?org=${ids.branch}`);
    await branch.getByTestId('member-create').click();
    const dialog = branch.locator('.ant-modal:visible');
    await dialog.getByTestId('member-name').fill('孙丽');
    await dialog.getByTestId('member-id-number').fill(badCheck(ID.hand));
    await dialog.getByTestId('member-create-submit').click();
    await visible(dialog.getByText('身份证号校验位不正确'));
    await dialog.getByTestId('member-id-number').fill(ID.hand);
    await hasText(dialog.getByTestId('member-id-derived'), `出生日期 ${YEAR - 16}-09-09，男`);
    // Born in September 16 years ago: joining two years ago in May is before the 14th birthday.
    await dialog.getByTestId('member-joined-on').click();
    await dialog.getByTestId('member-joined-on').fill(`${YEAR - 2}-05`);
    await dialog.getByTestId('member-joined-on').press('Enter');
    await dialog.getByTestId('member-phone').fill('1380000');
    await dialog.getByTestId('member-create-submit').click();
    await visible(dialog.getByText('入团时未满14周岁'));
    await visible(dialog.getByText('手机号应为11位，以1开头'));
    await dialog.getByTestId('member-joined-on').click();
    await dialog.getByTestId('member-joined-on').fill(`${YEAR - 1}-10`);
    await dialog.getByTestId('member-joined-on').press('Enter');
    await dialog.getByTestId('member-phone').fill('13700004444');
    await dialog.getByTestId('member-create-submit').click();
    await visible(branch.getByText('已新增团员 孙丽'));
    // The new member opens in the drawer, masked.
    await textIs(branch.getByTestId('member-detail-name'), '孙丽');
    await textIs(branch.getByTestId('member-id-number-shown'), mask(ID.hand));
    await textIs(branch.getByTestId('member-phone-shown'), '137****4444');
    // Editing keeps 姓名/身份证号 out of reach; the phone is only changed or removed on purpose.
    await branch.getByTestId('member-edit').click();
    const edit = branch.locator('.ant-modal:visible');
    expect(await edit.getByTestId('member-name').count()).toBe(0);
    await hasText(edit, '现为 137****4444，不修改请留空');
    await pickOption(branch, 'member-league-post', '组织委员');
    await edit.getByTestId('member-clear-phone').check();
    await edit.getByTestId('member-edit-submit').click();
    await visible(branch.getByText('团员信息已保存'));
    await hasText(branch.getByTestId('member-info'), '组织委员');
    await textIs(branch.getByTestId('member-phone-shown'), '未登记');
    await branch.locator('.ant-drawer-open .ant-drawer-close').click();
    await textIs(branch.getByTestId('roster-total'), '共 5 人');

    // The same person cannot be registered twice.
    await branch.getByTestId('member-create').click();
    await dialog.getByTestId('member-name').fill('孙丽');
    await dialog.getByTestId('member-id-number').fill(ID.hand);
    await dialog.getByTestId('member-create-submit').click();
    await hasText(branch.locator('.ant-modal:visible'), '身份证号已登记');
    await branch
      .locator('.ant-modal:visible')
      .getByRole('button', { name: /取\s*消/ })
      .click();
  });

  it('asks on a phone to correct an ID number (seeing the full one is audited); the district approves', async () => {
    const phoneCtx = await h.newContext(PHONE);
    const phone = await phoneCtx.newPage();
    phone.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(phone, BRANCH_ADMIN.username, BRANCH_ADMIN.password);
    await phone.getByTestId('open-menu').click();
    await phone.getByTestId('nav-members').click();
    await phone.waitForURL(new RegExp(`/members\\?org=${ids.branch}$`));
    await phone.getByTestId('roster-table').getByRole('link', { name: '张伟' }).click();
    await textIs(phone.getByTestId('member-detail-name'), '张伟');
    await textIs(phone.getByTestId('member-id-number-shown'), mask(ID.zhang));

    await phone.getByTestId('member-reveal').click();
    await visible(phone.getByText('本次查看将记入审计日志'));
    await phone
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /^查\s*看$/ })
      .click();
    await textIs(phone.getByTestId('member-id-number-shown'), ID.zhang);
    await visible(phone.getByTestId('member-revealed'));

    await phone.getByTestId('member-correct').click();
    await phone.getByTestId('member-correct-id').click();
    const dialog = phone.locator('.ant-modal:visible');
    await hasText(dialog, `上级组织「${DISTRICT}」`);
    await dialog.getByTestId('correction-value').fill(badCheck(ID.zhangCorrected));
    await dialog.getByTestId('correction-reason').fill('录入时出生日期填错，已核对身份证原件');
    await dialog.getByTestId('correction-submit').click();
    await visible(dialog.getByText('身份证号校验位不正确'));
    await dialog.getByTestId('correction-value').fill(ID.zhangCorrected.toLowerCase());
    await dialog.getByTestId('correction-submit').click();
    await visible(phone.getByText(`已提交身份证号更正申请，等待「${DISTRICT}」审核`));
    await hasText(phone.getByTestId('member-pending-correction'), `${mask(ID.zhang)} → ${mask(ID.zhangCorrected)}`);
    // Until it is approved the record is unchanged, and the branch cannot approve its own request.
    await textIs(phone.getByTestId('member-id-number-shown'), ID.zhang);
    await phone.goto(`/members/corrections?org=${ids.branch}`);
    await hasText(phone.getByTestId('corrections-list'), '张伟');
    expect(await phone.getByRole('button', { name: /通\s*过/ }).count()).toBe(0);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // The district sees the request on its roster and approves it in 更正审核.
    await district.goto(`/members?org=${ids.district}`);
    await hasText(district.getByTestId('roster-pending-corrections'), '有 1 条团员信息更正申请等待您审核');
    await district.getByTestId('roster-pending-corrections').getByRole('link', { name: '去审核' }).click();
    await district.waitForURL(/\/members\/corrections\?org=/);
    const card = district.getByTestId('corrections-list').locator('.ant-card', { hasText: '张伟' });
    await hasText(card.getByTestId('correction-new-value'), mask(ID.zhangCorrected));
    await hasText(card, mask(ID.zhang));
    await hasText(card, '录入时出生日期填错');
    await card.getByRole('button', { name: /通\s*过/ }).click();
    await hasText(district.locator('.ant-modal:visible'), '出生日期、性别、年龄随之改变');
    await district.getByTestId('decision-submit').click();
    await visible(district.getByText('已通过：张伟的身份证号已更正'));
    await visible(district.getByText('没有待审核的更正申请'));

    await district.goto(`/members?org=${ids.district}`);
    await hasText(district.getByTestId('roster-table'), mask(ID.zhangCorrected));
    await lacksText(district.getByTestId('roster-table'), mask(ID.zhang));

    // The branch sees the corrected record and the decision in the member's history.
    await phone.goto(`/members?org=${ids.branch}`);
    await phone.getByTestId('roster-table').getByRole('link', { name: '张伟' }).click();
    await textIs(phone.getByTestId('member-id-number-shown'), mask(ID.zhangCorrected));
    await hasText(phone.getByTestId('member-detail'), '已通过');
    await phoneCtx.close();

    // Both the full view and the correction are in the audit log.
    await district.goto(`/audit?org=${ids.district}`);
    await hasText(district.getByTestId('audit-table'), '查看团员完整信息');
    await hasText(district.getByTestId('audit-table'), '通过更正申请');
  });

  it('exports the roster with masked ID numbers and phones and reads it back', async () => {
    await district.goto(`/members?org=${ids.district}`);
    await textIs(district.getByTestId('roster-total'), '共 5 人');
    const file = await download(district, () => district.getByTestId('roster-export').click());
    expect(file.name).toBe('团员名单.xlsx');
    const rows = await readSheet(file.bytes);
    expect(rows[0]![0]).toContain(`${DISTRICT} 团员名单（身份证号、手机号已脱敏）`);
    const header = rows[1]!;
    const col = (name: string) => header.indexOf(name);
    expect(col('身份证号')).toBeGreaterThanOrEqual(0);
    const members = rows.slice(2);
    expect(members.map((r) => r[col('姓名')]).sort()).toEqual(['孙丽', '张伟', '李小红', '王小明', '赵敏'].sort());
    const zhang = members.find((r) => r[col('姓名')] === '张伟')!;
    expect(zhang[col('身份证号')]).toBe(mask(ID.zhangCorrected));
    expect(zhang[col('所在团支部')]).toBe(BRANCH);
    expect(members.find((r) => r[col('姓名')] === '王小明')![col('手机号')]).toBe('138****1111');
    const all = rows.map((r) => r.join('|')).join('\n');
    for (const full of Object.values(ID)) expect(all).not.toContain(full);
    expect(all).not.toContain('13800001111');

    // Filtered export: only what the filter shows.
    await pickOption(district, 'roster-category', '学生');
    await district.getByTestId('roster-q').locator('input').fill('王小明');
    await district.getByTestId('roster-q').locator('input').press('Enter');
    await textIs(district.getByTestId('roster-total'), '共 0 人');
    await district.getByRole('button', { name: '清空筛选' }).click();
    await textIs(district.getByTestId('roster-total'), '共 1 人');
    const one = await readSheet((await download(district, () => district.getByTestId('roster-export').click())).bytes);
    expect(one.slice(2).map((r) => r[col('姓名')])).toEqual(['王小明']);
  });

  it('handles age-out for members turning 28 this year after a confirmation', async () => {
    await district.goto(`/members/age-out?org=${ids.district}`);
    const table = district.getByTestId('age-out-table');
    await hasText(table, '赵敏');
    await textIs(district.getByTestId('age-out-count'), '共 1 人');
    await table.locator('tr', { hasText: '赵敏' }).locator('input[type=checkbox]').check();
    await district.getByTestId('age-out-submit').click();
    await hasText(district.locator('.ant-modal-confirm:visible'), '为 1 名团员办理超龄离团？');
    await district.getByRole('button', { name: '确认办理' }).click();
    await visible(district.getByText('已为 1 名团员办理超龄离团'));
    await textIs(district.getByTestId('age-out-count'), '共 0 人');

    await district.goto(`/members?org=${ids.district}`);
    await textIs(district.getByTestId('member-stat-aged_out').locator('.count'), '1');
    await textIs(district.getByTestId('roster-total'), '共 4 人');
    await lacksText(district.getByTestId('roster-table'), '赵敏');
    await district.getByTestId('member-stat-aged_out').click();
    await hasText(district.getByTestId('roster-table'), '赵敏');
    await textIs(district.getByTestId('roster-total'), '共 1 人');
  });

  it('grants an existing account a role at another branch', async () => {
    await district.goto(`/accounts?org=${ids.district}`);
    const row = district.getByTestId('accounts-table').locator('tr', { hasText: BRANCH_ADMIN.username });
    await row.getByRole('button', { name: '授予角色' }).click();
    const dialog = district.locator('.ant-modal:visible');
    await hasText(dialog.getByTestId('role-grant-account'), BRANCH_ADMIN.displayName);
    await pickOrg(district, 'role-grant-org', '2班', ids.branch2);
    await dialog.getByTestId('role-grant-submit').click();
    await visible(district.getByText(`已授予 ${BRANCH_ADMIN.displayName} 在「${BRANCH2}」的管理员角色`));
    await hasText(district.getByTestId('accounts-table').locator('tr', { hasText: BRANCH2 }), BRANCH_ADMIN.username);

    // The branch admin now works on the second branch too.
    await branch.goto(`/members?org=${ids.branch2}`);
    await textIs(branch.getByTestId('roster-total'), '共 0 人');
    await visible(branch.getByTestId('member-create'));
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
