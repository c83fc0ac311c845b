/**
 * Journeys of a league cadre through the org screens, in real Chromium against a real tuanwu server:
 * build a small tree, hand out an invite code, move an org, import orgs from Excel, export the directory.
 */
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  DESKTOP,
  PHONE,
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

const ROOT_NAME = '共青团测试市委员会';
const DISTRICT = '共青团渝中区委员会';
const BRANCH = '渝中区机关第一团支部';
const OTHER_DISTRICT = '共青团江北区委员会';
const IMPORTED_SCHOOL = '重庆市第一中学团委';

/** Picks an option of an antd Select by its visible label. */
/**
 * Closes the dialog showing a generated password and waits until it is gone, clicking again when the first click
 * came while it was still opening (its overlay would otherwise catch the next clicks on the page).
 */
async function closePasswordOnce(page: Page): Promise<void> {
  const dialog = page.getByTestId('password-once');
  for (let attempt = 0; ; attempt++) {
    await page
      .getByTestId('password-once-done')
      .click({ timeout: 5000 })
      .catch(() => undefined);
    const gone = await dialog
      .waitFor({ state: 'detached', timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    if (gone) return;
    if (attempt === 3) throw new Error('the password dialog did not close');
  }
}

async function pickOption(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${label}"]`).click();
}

/** Searches an org in an OrgSearchSelect and picks the result with the given id. */
async function pickOrg(page: Page, testId: string, query: string, id: number): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByTestId(testId).locator('input').fill(query);
  await page.getByTestId(`org-option-${id}`).click();
}

/** Fills and submits the 新建组织 dialog. */
async function createOrg(
  page: Page,
  org: { kind: string; name: string; contact?: { post?: string; name: string; phone: string } },
): Promise<void> {
  const dialog = page.locator('.ant-modal:visible');
  await visible(dialog.getByTestId('org-form-name'));
  if ((await dialog.getByTestId('org-form-kind').locator('.ant-select-content-value').count()) === 0)
    await pickOption(page, 'org-form-kind', org.kind);
  await dialog.getByTestId('org-form-name').fill(org.name);
  if (org.contact) {
    await dialog.getByTestId('org-form-add-contact').click();
    await dialog.getByTestId('contact-name-0').fill(org.contact.name);
    await dialog.getByTestId('contact-phone-0').fill(org.contact.phone);
  }
  await dialog.getByTestId('org-form-submit').click();
  await visible(page.getByText(`已新建 ${org.name}`));
  await hidden(dialog);
}

/** Id of a child org from the 下级组织 tab of the open org page. */
async function childId(page: Page, name: string): Promise<number> {
  await page.getByRole('tab', { name: /下级组织/ }).click();
  const href = await page.getByTestId('children-table').getByRole('link', { name, exact: true }).getAttribute('href');
  return Number(/\/orgs\/(\d+)/.exec(href ?? '')?.[1]);
}

async function openOrg(page: Page, id: number, name: string): Promise<void> {
  await page.goto(`/orgs/${id}`);
  await textIs(page.getByTestId('org-title'), name);
}

/** A workbook in the layout of the import template (组织导入 sheet). */
async function importWorkbook(rows: (string | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('组织导入');
  ws.addRow([
    '组织全称',
    '简称',
    '组织类型',
    '组织类别',
    '组织代码',
    '上级组织代码',
    '上级组织',
    '书记姓名',
    '书记电话',
    '联系人',
    '联系人电话',
    '成立日期',
  ]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function readSheet(bytes: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: string[][] = [];
  ws.eachRow((row) => {
    const values = row.values as unknown[];
    rows.push(values.slice(1).map((v) => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))));
  });
  return rows;
}

describe('org journeys', () => {
  let h: Harness;
  let ctx: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const ids = { root: 0, district: 0, branch: 0, other: 0 };

  beforeAll(async () => {
    h = await startHarness();
    ctx = await h.newContext(DESKTOP);
    page = await ctx.newPage();
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
  });

  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.error(`server output:\n${h?.serverLog() ?? ''}`);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('signs in as the system admin and is told about a wrong password', async () => {
    await page.goto('/orgs');
    await page.waitForURL(/\/login\?next=/);
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill('wrong-password-1');
    await page.getByTestId('login-submit').click();
    await hasText(page.getByTestId('login-error'), '用户名或密码错误');
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/orgs$/);
    await visible(page.getByTestId('create-root-org'));
  });

  it('creates a top-level committee, a child committee and a branch under it', async () => {
    await page.getByTestId('create-root-org').click();
    await createOrg(page, { kind: '团委', name: ROOT_NAME });
    await page.waitForURL(/\/orgs\/\d+$/);
    ids.root = Number(/\/orgs\/(\d+)/.exec(page.url())![1]);
    await textIs(page.getByTestId('org-title'), ROOT_NAME);

    // Inline validation before anything is sent: name too short, phone malformed.
    await page.getByTestId('action-create-child').click();
    const dialog = page.locator('.ant-modal:visible');
    await pickOption(page, 'org-form-kind', '团委');
    await dialog.getByTestId('org-form-name').fill('渝');
    await dialog.getByTestId('org-form-add-contact').click();
    await dialog.getByTestId('contact-name-0').fill('李明');
    await dialog.getByTestId('contact-phone-0').fill('电话号码');
    await dialog.getByTestId('org-form-submit').click();
    await visible(dialog.getByText('组织全称至少2个字'));
    await visible(dialog.getByText('电话号码格式不正确'));
    await dialog.getByTestId('org-form-name').fill(DISTRICT);
    await dialog.getByTestId('contact-phone-0').fill('13900002222');
    await dialog.getByTestId('org-form-submit').click();
    await visible(page.getByText(`已新建 ${DISTRICT}`));

    ids.district = await childId(page, DISTRICT);
    // The tree shows the new child with its kind once the root is expanded.
    await page.getByTestId('org-tree').getByText(DISTRICT).click();
    await page.waitForURL(new RegExp(`/orgs/${ids.district}$`));
    await hasText(page.getByTestId('org-breadcrumb'), ROOT_NAME);

    await page.getByTestId('action-create-child').click();
    await createOrg(page, { kind: '团支部', name: BRANCH, contact: { name: '周敏', phone: '13600003333' } });
    ids.branch = await childId(page, BRANCH);
    await visible(page.getByTestId(`tree-node-${ids.branch}`));

    await openOrg(page, ids.root, ROOT_NAME);
    await page.getByTestId('action-create-child').click();
    await createOrg(page, { kind: '团委', name: OTHER_DISTRICT });
    ids.other = await childId(page, OTHER_DISTRICT);

    // A full phone number is shown on request (and audited); the list shows it masked.
    await openOrg(page, ids.district, DISTRICT);
    await page.getByRole('tab', { name: /联系人/ }).click();
    await hasText(page.getByTestId('contacts-table'), '139****2222');
    await page
      .getByTestId('contacts-table')
      .getByRole('button', { name: /查看完整号码/ })
      .click();
    await hasText(page.getByTestId('contacts-table'), '13900002222');
  });

  it('hands out an invite code that the branch admin uses on a phone', async () => {
    await openOrg(page, ids.branch, BRANCH);
    await page.getByRole('tab', { name: '注册码' }).click();
    await page.getByTestId('invite-create').click();
    await visible(page.getByTestId('invite-code'));
    const code = (await page.getByTestId('invite-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    await page.getByTestId('invite-done').click();
    await hasText(page.getByTestId('invites-table'), code);

    const phoneCtx = await h.newContext(PHONE);
    const phone = await phoneCtx.newPage();
    phone.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await phone.goto(`/register?code=${code}`);
    await hasText(phone.getByTestId('invite-info'), BRANCH);
    await hasText(phone.getByTestId('invite-info'), '管理员');
    await phone.getByTestId('register-username').fill('zhoumin');
    await phone.getByTestId('register-display-name').fill('周敏');
    // Same password rule as the server: one character class is not enough.
    await phone.getByTestId('register-password').fill('abcdefgh');
    await phone.getByTestId('register-confirm').fill('abcdefgh');
    await phone.getByTestId('register-submit').click();
    await visible(phone.getByText('密码需包含字母、数字、符号中的至少两类'));
    await phone.getByTestId('register-password').fill('Zhoumin-2026');
    await phone.getByTestId('register-confirm').fill('Zhoumin-2026');
    await phone.getByTestId('register-submit').click();

    await phone.waitForURL(new RegExp(`/orgs/${ids.branch}$`));
    await textIs(phone.getByTestId('org-title'), BRANCH);
    // Phone layout: the menu is in a drawer and nothing is wider than the screen.
    await visible(phone.getByTestId('open-menu'));
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.getByTestId('open-menu').click();
    await visible(phone.getByTestId('nav-directory'));

    // A code handed out by mistake is revoked and then refused.
    await page.getByTestId('invite-create').click();
    await visible(page.getByTestId('invite-code'));
    const spare = (await page.getByTestId('invite-code').textContent())!.trim();
    expect(spare).not.toBe(code);
    await page.getByTestId('invite-done').click();
    await page.getByTestId(`invite-revoke-${spare}`).click();
    await page
      .locator('.ant-popover:visible')
      .getByRole('button', { name: /作\s*废/ })
      .click();
    await visible(page.getByText(`注册码 ${spare} 已作废`));
    await hasText(page.getByTestId('invites-table').locator('tr', { hasText: spare }), '已作废');

    // The code is used up: a second registration is refused with a clear message.
    const again = await (await h.newContext(PHONE)).newPage();
    await again.goto(`/register?code=${code}`);
    await visible(again.getByTestId('invite-error'));
    await phoneCtx.close();
  });

  it('moves the branch to another district committee', async () => {
    await openOrg(page, ids.branch, BRANCH);
    await page.getByTestId('action-move').click();
    await pickOrg(page, 'move-target', '江北', ids.other);
    await hasText(page.getByTestId('move-target-path'), OTHER_DISTRICT);
    await page.getByTestId('move-next').click();
    await page.getByRole('button', { name: '确认移动' }).click();
    await visible(page.getByText(`已将「${BRANCH}」移动到「${OTHER_DISTRICT}」下`));
    await hasText(page.getByTestId('org-breadcrumb'), OTHER_DISTRICT);

    await openOrg(page, ids.other, OTHER_DISTRICT);
    expect(await childId(page, BRANCH)).toBe(ids.branch);
    await openOrg(page, ids.district, DISTRICT);
    await page.getByRole('tab', { name: /下级组织/ }).click();
    await lacksText(page.getByTestId('children-table'), BRANCH);
  });

  it('imports a small tree from Excel: a file with an error writes nothing, the fixed file imports', async () => {
    const good: (string | null)[][] = [
      [
        IMPORTED_SCHOOL,
        '一中团委',
        '团委',
        '学校',
        null,
        null,
        null,
        '张老师',
        '13700000001',
        null,
        null,
        '2001-09-01',
      ],
      ['重庆市第一中学高2024级1班团支部', null, '团支部', '学校', null, null, IMPORTED_SCHOOL, '王同学', null],
      ['重庆市第一中学高2024级2班团支部', null, '团支部', '学校', null, null, IMPORTED_SCHOOL, null, null],
    ];
    const bad = good.map((r) => [...r]);
    bad[2]![2] = '团小组'; // not a kind of org
    bad[1]![8] = '1370000abc'; // not a phone number

    await page.goto(`/import?org=${ids.district}`);
    await hasText(page.getByTestId('import-page'), DISTRICT);
    const input = page.locator('input[type=file]');
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    await input.setInputFiles({ name: '导入-有错.xlsx', mimeType: xlsx, buffer: await importWorkbook(bad) });
    await hasText(page.getByTestId('import-rejected'), '未写入任何数据');
    const problems = page.getByTestId('import-problems');
    await hasText(problems, '团小组');
    await hasText(problems, '组织类型');
    await hasText(problems, '1370000abc');
    // Excel rows: header is row 1, so the third data row is row 4.
    await textIs(problems.locator('tbody tr').filter({ hasText: '团小组' }).locator('td').first(), '4');

    await openOrg(page, ids.district, DISTRICT);
    await page.getByRole('tab', { name: /下级组织/ }).click();
    await lacksText(page.getByTestId('children-table'), IMPORTED_SCHOOL);

    await page.goto(`/import?org=${ids.district}`);
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: '导入.xlsx', mimeType: xlsx, buffer: await importWorkbook(good) });
    await hasText(page.getByTestId('import-preview-ok'), '将新建 3 个组织');
    await hasText(page.getByTestId('import-preview'), '重庆市第一中学高2024级2班团支部');
    await page.getByTestId('import-commit').click();
    await hasText(page.getByTestId('import-done'), '已导入 3 个组织');

    await openOrg(page, ids.district, DISTRICT);
    const schoolId = await childId(page, IMPORTED_SCHOOL);
    await openOrg(page, schoolId, IMPORTED_SCHOOL);
    await page.getByRole('tab', { name: /下级组织/ }).click();
    await hasText(page.getByTestId('children-table'), '重庆市第一中学高2024级1班团支部');
    await hasText(page.getByTestId('children-table'), '重庆市第一中学高2024级2班团支部');
    // In the tree the school's level loads when it is expanded.
    await page
      .locator('.ant-tree-treenode', { has: page.getByTestId(`tree-node-${schoolId}`) })
      .locator('.ant-tree-switcher')
      .click();
    await hasText(page.getByTestId('org-tree'), '重庆市第一中学高2024级1班团支部');
  });

  it('exports the directory with masked phones, and the full numbers only after an audited confirmation', async () => {
    await page.goto(`/directory?org=${ids.root}`);
    await hasText(page.getByTestId('directory-table'), '张老师');
    await hasText(page.getByTestId('directory-table'), '139****2222');

    const masked = await download(page, () => page.getByTestId('directory-export').click());
    expect(masked.name).toMatch(/\.xlsx$/);
    const rows = await readSheet(masked.bytes);
    const text = rows.map((r) => r.join('|')).join('\n');
    expect(text).toContain('李明');
    expect(text).toContain('139****2222');
    expect(text).toContain('张老师');
    expect(text).toContain(IMPORTED_SCHOOL);
    expect(text).not.toContain('13900002222');
    expect(text).not.toContain('13700000001');

    await page.getByTestId('directory-export-full').click();
    await visible(page.getByText('本次导出将记入审计日志'));
    const full = await download(page, () => page.getByRole('button', { name: '确认导出' }).click());
    const fullText = (await readSheet(full.bytes)).map((r) => r.join('|')).join('\n');
    expect(fullText).toContain('13900002222');
    expect(fullText).toContain('13700000001');

    await page.goto(`/audit?org=${ids.root}`);
    await hasText(page.getByTestId('audit-table'), '导出完整通讯录');
    await hasText(page.getByTestId('audit-table'), '查看完整电话');
  });

  it('creates an account whose generated password must be changed at first login', async () => {
    await openOrg(page, ids.other, OTHER_DISTRICT);
    await page.getByRole('tab', { name: '账号' }).click();
    await page.getByTestId('account-create').click();
    await page.getByTestId('account-username').fill('jiangbei');
    await page.getByTestId('account-display-name').fill('江北管理员');
    await page.getByTestId('account-create-submit').click();
    await visible(page.getByTestId('password-once'));
    const password = (await page.getByTestId('password-once').textContent())!.trim();
    expect(password.length).toBeGreaterThanOrEqual(8);
    await closePasswordOnce(page);
    await hasText(page.getByTestId('accounts-table'), 'jiangbei');

    const other = await (await h.newContext(DESKTOP)).newPage();
    other.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(other, 'jiangbei', password);
    await visible(other.getByText('请先设置新密码'));
    await other.getByTestId('current-password').fill(password);
    await other.getByTestId('new-password').fill('Jiangbei-2026');
    await other.getByTestId('confirm-password').fill('Jiangbei-2026');
    await other.getByTestId('change-password-submit').click();
    await visible(other.getByText('密码已修改'));
    await textIs(other.getByTestId('org-title'), OTHER_DISTRICT);
    // A cadre of a district sees only their subtree: the other district is not reachable.
    await other.goto(`/orgs/${ids.district}`);
    await visible(other.getByText('无法打开该组织'));

    // The superior resets the password (shown once) and can disable and re-enable the account.
    const row = page.getByTestId('accounts-table').locator('tr', { hasText: 'jiangbei' });
    await row.getByRole('button', { name: '重置密码' }).click();
    await page
      .locator('.ant-popover:visible')
      .getByRole('button', { name: /重\s*置/ })
      .click();
    await visible(page.getByTestId('password-once'));
    const temporary = (await page.getByTestId('password-once').textContent())!.trim();
    expect(temporary).not.toBe(password);
    await closePasswordOnce(page);
    await row.getByRole('button', { name: /停\s*用/ }).click();
    await page
      .locator('.ant-popover:visible')
      .getByRole('button', { name: /停\s*用/ })
      .click();
    await hasText(row, '已停用');
    await row.getByRole('button', { name: /启\s*用/ }).click();
    await page
      .locator('.ant-popover:visible')
      .getByRole('button', { name: /启\s*用/ })
      .click();
    await hasText(row, '正常');

    // …and the reset ended the cadre's session.
    await other.reload();
    await other.waitForURL(/\/login/);
  });

  it('edits basic info and contacts, finds an org by search, merges one branch into another and dissolves one', async () => {
    await openOrg(page, ids.district, DISTRICT);
    await page.getByTestId('action-edit').click();
    await page.getByTestId('org-form-short-name').fill('渝中团区委');
    await page.getByTestId('org-form-submit').click();
    await visible(page.getByText('基本信息已保存'));
    await hasText(page.getByTestId('org-info'), '渝中团区委');

    // Existing numbers are only shown masked; 填入原号码 reads them (audited) so they are not lost on save.
    await page.getByRole('tab', { name: /联系人/ }).click();
    await page.getByTestId('contacts-edit').click();
    await page.getByTestId('contacts-fill-phones').click();
    await expect.poll(() => page.getByTestId('contact-phone-0').inputValue()).toBe('13900002222');
    await page.getByTestId('contacts-add').click();
    await pickOption(page, 'contact-post-1', '副书记');
    await page.getByTestId('contact-name-1').fill('孙磊');
    await page.getByTestId('contact-phone-1').fill('１３５００００５５５５'); // full-width digits, as pasted from Word
    await page.getByTestId('contacts-submit').click();
    await visible(page.getByText('联系人已保存'));
    await hasText(page.getByTestId('contacts-table'), '孙磊');
    await hasText(page.getByTestId('contacts-table'), '135****5555');
    await hasText(page.getByTestId('contacts-table'), '139****2222');

    await page.getByTestId('org-search').click();
    await page.getByTestId('org-search').locator('input').fill('江北');
    await page.getByTestId(`org-option-${ids.other}`).click();
    await page.waitForURL(new RegExp(`/orgs/${ids.other}$`));

    const TEMP = '江北区临时团支部';
    const GONE = '江北区待撤销团支部';
    await page.getByTestId('action-create-child').click();
    await createOrg(page, { kind: '团支部', name: TEMP });
    const tempId = await childId(page, TEMP);
    await page.getByTestId('action-create-child').click();
    await createOrg(page, { kind: '团支部', name: GONE });
    const goneId = await childId(page, GONE);

    await openOrg(page, tempId, TEMP);
    await page.getByTestId('action-merge').click();
    await pickOrg(page, 'merge-target', '第一团支部', ids.branch);
    await page.getByTestId('merge-next').click();
    await page.getByRole('button', { name: '确认合并' }).click();
    await visible(page.getByText(`已将「${TEMP}」合并到「${BRANCH}」`));
    await page.waitForURL(new RegExp(`/orgs/${ids.branch}$`));
    await openOrg(page, tempId, TEMP);
    await hasText(page.getByTestId('org-view'), '已合并');
    await hidden(page.getByTestId('action-edit'));

    await openOrg(page, goneId, GONE);
    await page.getByTestId('action-dissolve').click();
    await page.getByTestId('dissolve-next').click();
    await visible(page.getByText('请填写撤销原因'));
    await page.getByTestId('dissolve-reason').fill('支部所在单位撤并');
    await page.getByTestId('dissolve-next').click();
    await page.getByRole('button', { name: '确认撤销' }).click();
    await visible(page.getByText(`已撤销「${GONE}」`));
    await hasText(page.getByTestId('org-view'), '已撤销');
    await openOrg(page, ids.other, OTHER_DISTRICT);
    await page.getByRole('tab', { name: /下级组织/ }).click();
    await lacksText(page.getByTestId('children-table'), GONE);
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
