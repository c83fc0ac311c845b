/**
 * Journeys through 组织关系转接 and 学社衔接 in real Chromium against a real tuanwu server: district A's cadre
 * transfers a member to district B's committee, B approves and assigns a branch, the member moves rosters and
 * both sides see the history; B asks for a member by ID number and name and A rejects it with a reason that B
 * reads; a school branch marks its graduates, the 学社衔接 dashboard shows the rate and the pending list, one
 * graduate is handed to a community branch whose district approves on a phone, and the rate goes up; a member applies
 * on their phone (withdraws, is rejected by the branch with a reason, applies again), the branch approves first,
 * district B approves and assigns a branch, and the member's phone shows the new branch.
 */
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  DESKTOP,
  PHONE,
  apiSession,
  createAccount,
  download,
  hasText,
  lacksText,
  login,
  startHarness,
  textIs,
  visible,
  type ApiSession,
  type Harness,
} from './harness.js';

const CITY = '共青团示范市委员会';
const DISTRICT_A = '共青团甲区委员会';
const SCHOOL_A = '共青团甲区第一中学委员会';
const BRANCH_A = '甲区第一中学高三1班团支部';
const DISTRICT_B = '共青团乙区委员会';
const COMMUNITY_B = '乙区滨江社区团支部';
const OFFICE_B = '乙区税务局机关团支部';
const A_ADMIN = { username: 'jiaqu', displayName: '甲区团委组织部', password: 'Jiaqu-2026' };
const B_ADMIN = { username: 'yiqu', displayName: '乙区团委组织部', password: 'Yiqu-2026' };
const SCHOOL_ADMIN = { username: 'gaosan1', displayName: '高三1班团支书', password: 'Gaosan1-2026' };

/** GB 11643: the check character of the first 17 characters. */
function withCheckChar(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i]!;
  return first17 + '10X98765432'[sum % 11];
}

const YEAR = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
/** Graduated last summer: inside the dashboard's period whatever today's date is. */
const GRADUATION = `${YEAR - 1}-07-01`;
const idOf = (seq: number) => withCheckChar(`500103${YEAR - 19}0301${String(seq).padStart(3, '0')}`);
const MEMBERS = {
  mover: { name: '周转出', idNumber: idOf(11) },
  asked: { name: '吴申请', idNumber: idOf(12) },
  grad1: { name: '郑毕业', idNumber: idOf(13) },
  grad2: { name: '王毕业', idNumber: idOf(14) },
  grad3: { name: '冯毕业', idNumber: idOf(15) },
  stay: { name: '陈在读', idNumber: idOf(16) },
};

async function pickTarget(page: Page, query: string, id: number): Promise<void> {
  const select = page.getByTestId('transfer-target');
  await select.click();
  await select.locator('input').fill(query);
  await page.getByTestId(`transfer-target-${id}`).click();
}

async function pickOrg(page: Page, testId: string, query: string, id: number): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByTestId(testId).locator('input').fill(query);
  await page.getByTestId(`org-option-${id}`).click();
}

/** The row (desktop table) or card (phone) of a member's transfer in the page's list. */
const transferOf = (page: Page, name: string) =>
  page.getByTestId('transfer-list').locator('tr.ant-table-row, .transfer-card').filter({ hasText: name });

describe('transfer and 学社衔接 journeys', () => {
  let h: Harness;
  let admin: ApiSession;
  let aCtx: BrowserContext;
  let bCtx: BrowserContext;
  let a: Page;
  let b: Page;
  const pageErrors: string[] = [];
  const ids = { city: 0, districtA: 0, schoolA: 0, branchA: 0, districtB: 0, communityB: 0, officeB: 0 };
  const member: Record<keyof typeof MEMBERS, number> = {
    mover: 0,
    asked: 0,
    grad1: 0,
    grad2: 0,
    grad3: 0,
    stay: 0,
  };

  const newPage = async (options = DESKTOP) => {
    const ctx = await h.newContext(options);
    const page = await ctx.newPage();
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    return { ctx, page };
  };

  beforeAll(async () => {
    h = await startHarness();
    admin = await apiSession(h.baseUrl);
    const org = async (parentId: number | null, kind: string, name: string, category: string) =>
      (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category })).id;
    ids.city = await org(null, 'committee', CITY, '机关');
    ids.districtA = await org(ids.city, 'committee', DISTRICT_A, '机关');
    ids.schoolA = await org(ids.districtA, 'committee', SCHOOL_A, '学校');
    ids.branchA = await org(ids.schoolA, 'branch', BRANCH_A, '学校');
    ids.districtB = await org(ids.city, 'committee', DISTRICT_B, '机关');
    ids.communityB = await org(ids.districtB, 'branch', COMMUNITY_B, '社区');
    ids.officeB = await org(ids.districtB, 'branch', OFFICE_B, '机关');
    for (const [key, m] of Object.entries(MEMBERS)) {
      member[key as keyof typeof MEMBERS] = (
        await admin.call<{ id: number }>('POST', `/api/orgs/${ids.branchA}/members`, {
          ...m,
          politicalStatus: '共青团员',
          identityCategory: '学生',
        })
      ).id;
    }
    await createAccount(h.baseUrl, admin, ids.districtA, A_ADMIN);
    await createAccount(h.baseUrl, admin, ids.districtB, B_ADMIN);
    await createAccount(h.baseUrl, admin, ids.branchA, SCHOOL_ADMIN);
    ({ ctx: aCtx, page: a } = await newPage());
    ({ ctx: bCtx, page: b } = await newPage());
    await login(a, A_ADMIN.username, A_ADMIN.password);
    await login(b, B_ADMIN.username, B_ADMIN.password);
  });

  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.error(`server output:\n${h?.serverLog() ?? ''}`);
  });

  afterAll(async () => {
    await aCtx?.close();
    await bCtx?.close();
    await h?.close();
  });

  it('moves a member from district A to district B: A starts, B approves and assigns a branch', async () => {
    // District A opens the member from its roster and starts 转出 to district B's committee.
    await a.goto(`/members?org=${ids.districtA}`);
    await a.getByTestId('roster-table').getByRole('link', { name: MEMBERS.mover.name }).click();
    await textIs(a.getByTestId('member-detail-name'), MEMBERS.mover.name);
    await hasText(a.getByTestId('member-transfers'), '没有转接记录');
    await a.getByTestId('member-transfer-out').click();
    const dialog = a.locator('.ant-modal:visible');
    // Nothing chosen yet: the form says what is missing and sends nothing.
    await a.getByTestId('transfer-start-submit').click();
    await visible(dialog.getByText('请选择接收组织'));
    await visible(dialog.getByText('请填写转接原因'));
    await pickTarget(a, '乙区委员', ids.districtB);
    await dialog.getByTestId('transfer-reason').fill('随父母工作调动到乙区');
    await a.getByTestId('transfer-start-submit').click();
    await visible(a.getByText(`已发起转接，等待「${DISTRICT_B}」审核`));
    const history = a.getByTestId('member-transfer-history');
    await hasText(history, '待对方审核');
    await hasText(history, `${BRANCH_A}`);
    await hasText(a.getByTestId('member-detail'), '转出中');
    expect(await a.getByTestId('member-transfer-out').count()).toBe(0);

    // A sees it under 转出, waiting for the other side; it is not A's to approve.
    await a.goto(`/members/transfers?org=${ids.districtA}`);
    await hasText(a.getByTestId('transfer-list'), '没有等待您审批或分配团支部的转接');
    await a.getByTestId('transfer-tab-out').click();
    const outRow = transferOf(a, MEMBERS.mover.name);
    await hasText(outRow, '待对方审核');
    await hasText(outRow, '随父母工作调动到乙区');
    expect(await outRow.getByTestId('transfer-approve').count()).toBe(0);
    await visible(outRow.getByTestId('transfer-cancel'));

    // B: waiting under 待我审批; approves, then assigns one of its branches.
    await b.goto(`/members/transfers?org=${ids.districtB}`);
    await expect.poll(() => b.getByTestId('transfer-waiting-count').locator('sup').getAttribute('title')).toBe('1');
    const row = transferOf(b, MEMBERS.mover.name);
    await hasText(row, `${BRANCH_A}`);
    await row.getByTestId('transfer-approve').click();
    await b.getByTestId('transfer-decision-note').fill('欢迎加入乙区');
    await b.getByTestId('transfer-decision-submit').click();
    await visible(b.getByText(`已同意，请为 ${MEMBERS.mover.name} 分配团支部`));
    await hasText(row, '待分配团支部');
    await row.getByTestId('transfer-assign').click();
    await b.getByTestId('transfer-decision-submit').click();
    await visible(b.locator('.ant-modal:visible').getByText('请选择团支部'));
    await pickOrg(b, 'transfer-assign-branch', '税务局', ids.officeB);
    await b.getByTestId('transfer-decision-submit').click();
    await visible(b.getByText(`转接已完成：${MEMBERS.mover.name} 已转入新的团支部`));
    await hasText(b.getByTestId('transfer-list'), '没有等待您审批或分配团支部的转接');

    // The member is now on B's roster, in the assigned branch, and no longer on A's.
    await b.goto(`/members?org=${ids.districtB}`);
    const bRoster = b.getByTestId('roster-table');
    await hasText(bRoster, MEMBERS.mover.name);
    await hasText(bRoster.locator('tr', { hasText: MEMBERS.mover.name }), OFFICE_B);
    await a.goto(`/members?org=${ids.districtA}`);
    await hasText(a.getByTestId('roster-table'), MEMBERS.stay.name);
    await lacksText(a.getByTestId('roster-table'), MEMBERS.mover.name);

    // Both sides keep the history: A under 转出, B on the member's record.
    await a.goto(`/members/transfers?org=${ids.districtA}&tab=out`);
    const done = transferOf(a, MEMBERS.mover.name);
    await hasText(done, '已完成');
    await hasText(done, `${DISTRICT_B} / ${OFFICE_B}`);
    await hasText(done, '审核意见：欢迎加入乙区');
    // The member has left A's subtree: the name is no longer a link to a record A cannot open.
    expect(await done.getByRole('link', { name: MEMBERS.mover.name }).count()).toBe(0);
    await b.goto(`/members/transfers?org=${ids.districtB}&tab=in`);
    await transferOf(b, MEMBERS.mover.name).getByRole('link', { name: MEMBERS.mover.name }).click();
    await textIs(b.getByTestId('member-detail-name'), MEMBERS.mover.name);
    const bHistory = b.getByTestId('member-transfer-history');
    await hasText(bHistory, '已完成');
    await hasText(bHistory, `${BRANCH_A}`);
    await hasText(bHistory, '转出组织于');
    await hasText(b.getByTestId('member-info'), OFFICE_B);
  });

  it('lets B ask for a member by ID number and name; A rejects with a reason that B reads', async () => {
    await b.goto(`/members/transfers?org=${ids.districtB}`);
    await b.getByTestId('transfer-incoming').click();
    const dialog = b.locator('.ant-modal:visible');
    await dialog.getByTestId('incoming-name').fill('别人');
    await dialog.getByTestId('incoming-id-number').fill(MEMBERS.asked.idNumber);
    await dialog.getByTestId('incoming-reason').fill('已在乙区就业');
    await b.getByTestId('incoming-submit').click();
    // A wrong name gets the same answer as an unknown ID: nothing is revealed.
    await hasText(dialog.getByTestId('incoming-error'), '身份证号与姓名相符的团员');
    await dialog.getByTestId('incoming-name').fill(MEMBERS.asked.name);
    await b.getByTestId('incoming-submit').click();
    await visible(b.getByText(`已申请转入 ${MEMBERS.asked.name}，等待转出组织审核`));
    await b.waitForURL(/tab=in/);
    const bRow = transferOf(b, MEMBERS.asked.name);
    await hasText(bRow, '待对方审核');
    await hasText(bRow, '接收组织于');

    // A: a reason is required to reject; the reason is shown to B.
    await a.goto(`/members/transfers?org=${ids.districtA}`);
    const aRow = transferOf(a, MEMBERS.asked.name);
    await aRow.getByTestId('transfer-reject').click();
    // Sent without a reason, the dialog asks for one (clicked again if the first click came while it opened).
    const reasonAsked = a.locator('.ant-modal:visible').getByText('请填写驳回原因');
    for (let attempt = 0; attempt < 3 && !(await reasonAsked.count()); attempt++) {
      await a.getByTestId('transfer-decision-submit').click();
      await reasonAsked
        .first()
        .waitFor({ state: 'visible', timeout: 4000 })
        .catch(() => undefined);
    }
    await visible(reasonAsked);
    await a.getByTestId('transfer-decision-note').fill('该团员仍在校就读，未办理离校');
    await a.getByTestId('transfer-decision-submit').click();
    await visible(a.getByText(`已驳回 ${MEMBERS.asked.name} 的转接`));

    await b.reload();
    await hasText(transferOf(b, MEMBERS.asked.name), '已驳回');
    await hasText(transferOf(b, MEMBERS.asked.name), '驳回原因：该团员仍在校就读，未办理离校');
    // The member is back to 正常 on A's roster.
    await a.goto(`/members?org=${ids.branchA}&member=${member.asked}`);
    await hasText(a.getByTestId('member-transfer-history'), '驳回原因：该团员仍在校就读，未办理离校');
    await hasText(a.getByTestId('member-detail'), '正常');
  });

  it('raises the 学社衔接率 on the dashboard when a graduate is handed to a community branch (approved on a phone)', async () => {
    // The school branch marks three graduates.
    const { ctx: schoolCtx, page: school } = await newPage();
    await login(school, SCHOOL_ADMIN.username, SCHOOL_ADMIN.password);
    await school.getByTestId('nav-members-handover').click();
    await school.waitForURL(new RegExp(`/members/handover\\?org=${ids.branchA}$`));
    await school.getByTestId('handover-year').click();
    await school.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${YEAR - 1}年"]`).click();
    await school.waitForURL(new RegExp(`year=${YEAR - 1}`));
    await textIs(school.getByTestId('handover-rate').locator('.ant-statistic-content'), '—');
    await school.getByTestId('handover-mark').click();
    const table = school.getByTestId('mark-graduates-table');
    await hasText(table, MEMBERS.stay.name);
    for (const m of [MEMBERS.grad1, MEMBERS.grad2, MEMBERS.grad3])
      await table.locator('tr', { hasText: m.name }).locator('input[type=checkbox]').check();
    await textIs(school.getByTestId('mark-graduates-submit'), '记毕业时间（3人）');
    await school.getByTestId('mark-graduates-submit').click();
    const dateInput = school.getByTestId('graduation-date');
    await dateInput.click();
    await dateInput.fill(GRADUATION);
    await dateInput.press('Enter');
    await school.getByTestId('graduation-submit').click();
    await visible(school.getByText(`已将 3 名团员的毕业时间记为 ${GRADUATION}`));
    await hasText(table.locator('tr', { hasText: MEMBERS.grad1.name }), GRADUATION);

    // The dashboard: three graduates, none handed over yet.
    await textIs(school.getByTestId('handover-rate').locator('.ant-statistic-content'), '0.0%');
    await textIs(school.getByTestId('handover-graduated').locator('.ant-statistic-content'), '3');
    const pending = school.getByTestId('handover-pending');
    for (const m of [MEMBERS.grad1, MEMBERS.grad2, MEMBERS.grad3]) await hasText(pending, m.name);
    await lacksText(pending, MEMBERS.stay.name);

    // District A sees the same figure for its subtree, per school.
    await a.goto(`/members/handover?org=${ids.districtA}&year=${YEAR - 1}`);
    await textIs(a.getByTestId('handover-rate').locator('.ant-statistic-content'), '0.0%');
    await hasText(a.getByTestId('handover-children').locator('tr', { hasText: SCHOOL_A }), '0.0%');

    // The branch hands one graduate over to the community branch in district B from the pending list.
    await school.getByTestId(`handover-start-${member.grad1}`).click();
    const dialog = school.locator('.ant-modal:visible');
    await hasText(dialog.locator('.ant-radio-wrapper-checked'), '学社衔接');
    await pickTarget(school, '滨江社区', ids.communityB);
    await dialog.getByTestId('transfer-reason').fill(`${YEAR - 1}年毕业，回户籍所在社区`);
    await school.getByTestId('transfer-start-submit').click();
    await visible(school.getByText(`已发起学社衔接，等待「${COMMUNITY_B}」审核`));
    await hasText(pending.locator('tr', { hasText: MEMBERS.grad1.name }), '衔接办理中');
    await textIs(school.getByTestId('handover-rate').locator('.ant-statistic-content'), '0.0%');

    // District B's cadre approves on a phone.
    const { ctx: phoneCtx, page: phone } = await newPage(PHONE);
    await login(phone, B_ADMIN.username, B_ADMIN.password);
    await phone.getByTestId('open-menu').click();
    await phone.getByTestId('nav-members-transfers').click();
    await phone.waitForURL(new RegExp(`/members/transfers\\?org=${ids.districtB}$`));
    const card = transferOf(phone, MEMBERS.grad1.name);
    await hasText(card, '学社衔接');
    await hasText(card, `${YEAR - 1}年毕业，回户籍所在社区`);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await card.getByTestId('transfer-approve').click();
    await phone.getByTestId('transfer-decision-submit').click();
    await visible(phone.getByText(`转接已完成：${MEMBERS.grad1.name} 已转入新的团支部`));
    await hasText(phone.getByTestId('transfer-list'), '没有等待您审批或分配团支部的转接');
    // In district B the handed-over graduate is a member like any other, not a pending graduate; the dashboard fits.
    await phone.goto(`/members/handover?org=${ids.districtB}&year=${YEAR - 1}`);
    await textIs(phone.getByTestId('handover-graduated').locator('.ant-statistic-content'), '0');
    await textIs(phone.getByTestId('handover-rate').locator('.ant-statistic-content'), '—');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phoneCtx.close();

    // The rate goes up: 1 of 3 handed over; the pending list keeps the other two.
    await school.reload();
    await textIs(school.getByTestId('handover-rate').locator('.ant-statistic-content'), '33.3%');
    await textIs(school.getByTestId('handover-handed').locator('.ant-statistic-content'), '1');
    await textIs(school.getByTestId('handover-pending-total').locator('.ant-statistic-content'), '2');
    await lacksText(pending, MEMBERS.grad1.name);
    await hasText(pending, MEMBERS.grad2.name);
    await schoolCtx.close();

    // Higher up: district A's school row shows it, and the city counts the graduate once although they are in B now.
    await a.reload();
    await hasText(a.getByTestId('handover-children').locator('tr', { hasText: SCHOOL_A }), '33.3%');
    const { ctx: cityCtx, page: city } = await newPage();
    await login(city, ADMIN.username, ADMIN.password);
    await city.goto(`/members/handover?org=${ids.city}&year=${YEAR - 1}`);
    await textIs(city.getByTestId('handover-rate').locator('.ant-statistic-content'), '33.3%');
    await textIs(city.getByTestId('handover-graduated').locator('.ant-statistic-content'), '3');
    await hasText(city.getByTestId('handover-children').locator('tr', { hasText: DISTRICT_B }), '无毕业团员');

    // The export: the figures and the pending list, masked.
    const file = await download(city, () => city.getByTestId('handover-export').click());
    expect(file.name).toBe('学社衔接.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const names: string[] = [];
    wb.getWorksheet('待衔接名单')!.eachRow((r, n) => n > 2 && names.push(String(r.getCell(1).value)));
    expect(names.sort()).toEqual([MEMBERS.grad2.name, MEMBERS.grad3.name].sort());
    const all = JSON.stringify(wb.getWorksheet('待衔接名单')!.getSheetValues());
    expect(all).not.toContain(MEMBERS.grad2.idNumber);
    expect(String(wb.getWorksheet('学社衔接率')!.getRow(3).getCell(4).value)).toBe('33.3%');
    await cityCtx.close();
  });

  it('lets a member apply on their phone: withdrawn, rejected by the branch, then approved by both sides', async () => {
    const applicant = { name: '林自申', idNumber: idOf(17) };
    const applicantId = (
      await admin.call<{ id: number }>('POST', `/api/orgs/${ids.branchA}/members`, {
        ...applicant,
        politicalStatus: '共青团员',
        identityCategory: '学生',
      })
    ).id;
    // The branch prints the member's one-time sign-in code; the member opens its link on their phone.
    const branchCadre = await apiSession(h.baseUrl, SCHOOL_ADMIN.username, SCHOOL_ADMIN.password);
    const { codes } = await branchCadre.call<{ codes: { code: string }[] }>(
      'POST',
      `/api/members/${applicantId}/sign-in-code`,
      {},
    );
    const { ctx: phoneCtx, page: phone } = await newPage(PHONE);
    await phone.goto(`/m/#/code/${codes[0]!.code}`);
    await textIs(phone.getByTestId('greeting'), `你好，${applicant.name}`);
    await textIs(phone.getByTestId('my-org'), BRANCH_A);
    const homeLink = phone.getByTestId('open-transfer');
    await hasText(homeLink, '转接组织关系');
    expect(await homeLink.getByTestId('transfer-status').count()).toBe(0);
    await homeLink.click();
    await textIs(phone.getByTestId('transfer-current-org'), BRANCH_A);

    // Missing choices are named before anything is sent; the search wants two characters and shows paths.
    const message = phone.getByTestId('transfer-message');
    await phone.getByTestId('transfer-submit').click();
    await textIs(message, '请先搜索并选择要转入的组织');
    const search = phone.getByTestId('transfer-target-search');
    await search.fill('乙');
    await visible(phone.getByText('请至少输入 2 个字'));
    await search.fill('滨江社区');
    const community = phone.getByTestId(`transfer-target-${ids.communityB}`);
    await hasText(community, `${CITY} / ${DISTRICT_B}`);
    await community.click();
    await hasText(phone.getByTestId('transfer-target-chosen'), COMMUNITY_B);
    await phone.getByTestId('transfer-submit').click();
    await textIs(message, '请填写转接原因（至少 2 个字）');
    await phone.getByTestId('transfer-reason').fill('搬家到乙区滨江');
    await phone.getByTestId('transfer-submit').click();
    await hasText(message, `申请已提交，先由「${BRANCH_A}」审核`);
    const latest = phone.getByTestId('my-transfers').locator('.transfer').first();
    await hasText(latest, `转入 ${COMMUNITY_B}`);
    await textIs(latest.getByTestId('transfer-status'), '待转出团支部审核');
    await visible(phone.getByTestId('transfer-open'));
    expect(await phone.getByTestId('transfer-submit').count()).toBe(0);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    // The home screen shows the status; the member withdraws before anyone has decided.
    await phone.getByLabel('返回').click();
    await textIs(homeLink.getByTestId('transfer-status'), '待转出团支部审核');
    await hasText(homeLink, `转入 ${COMMUNITY_B}`);
    await homeLink.click();
    await latest.getByTestId('transfer-cancel').click();
    await latest.getByTestId('transfer-cancel-confirm').click();
    await textIs(message, '已撤回申请。需要时可以重新申请。');
    await textIs(latest.getByTestId('transfer-status'), '已撤回');
    expect(await latest.getByTestId('transfer-cancel').count()).toBe(0);
    expect((await branchCadre.call<{ status: string }>('GET', `/api/members/${applicantId}`)).status).toBe('normal');

    // A second request; the branch cadre rejects it in the admin app with a reason the member reads.
    await phone.getByTestId('transfer-target-search').fill('滨江社区');
    await phone.getByTestId(`transfer-target-${ids.communityB}`).click();
    await phone.getByTestId('transfer-reason').fill('搬家到乙区滨江');
    await phone.getByTestId('transfer-submit').click();
    await textIs(latest.getByTestId('transfer-status'), '待转出团支部审核');
    const { ctx: schoolCtx, page: school } = await newPage();
    await login(school, SCHOOL_ADMIN.username, SCHOOL_ADMIN.password);
    await school.goto(`/members/transfers?org=${ids.branchA}`);
    const request = transferOf(school, applicant.name);
    await hasText(request, '待转出团支部审核');
    await hasText(request, '团员本人于');
    await request.getByTestId('transfer-reject').click();
    await visible(school.locator('.ant-modal:visible').getByText('驳回原因会显示给团员本人'));
    await school.getByTestId('transfer-decision-note').fill('请先到学校办理离校手续');
    await school.getByTestId('transfer-decision-submit').click();
    await visible(school.getByText(`已驳回 ${applicant.name} 的转接`));
    await phone.reload();
    await textIs(latest.getByTestId('transfer-status'), '已驳回');
    await textIs(latest.getByTestId('transfer-note'), '驳回原因：请先到学校办理离校手续');

    // The third request, to district B's committee. A second tab still shows the form: its request is refused
    // with a clear message, and its list shows the open one.
    const tab = await phoneCtx.newPage();
    tab.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await tab.goto('/m/#/me/transfer');
    await tab.getByTestId('transfer-target-search').fill('乙区委员');
    await tab.getByTestId(`transfer-target-${ids.districtB}`).click();
    await tab.getByTestId('transfer-reason').fill('考入乙区学校');
    await phone.getByTestId('transfer-target-search').fill('乙区委员');
    await hasText(phone.getByTestId(`transfer-target-${ids.districtB}`), CITY);
    await phone.getByTestId(`transfer-target-${ids.districtB}`).click();
    await phone.getByTestId('transfer-reason').fill('考入乙区学校');
    await phone.getByTestId('transfer-submit').click();
    await textIs(latest.getByTestId('transfer-status'), '待转出团支部审核');
    await hasText(latest, `转入 ${DISTRICT_B}`);
    await tab.getByTestId('transfer-submit').click();
    await textIs(tab.getByTestId('transfer-message'), '你已有正在办理的转接，不能再提交新的申请。');
    await textIs(
      tab.getByTestId('my-transfers').locator('.transfer').first().getByTestId('transfer-status'),
      '待转出团支部审核',
    );
    await tab.close();

    // District B sees it coming in but cannot decide before the sending side.
    await b.goto(`/members/transfers?org=${ids.districtB}&tab=in`);
    const incoming = transferOf(b, applicant.name);
    await hasText(incoming, '待转出团支部审核');
    await hasText(incoming, '团员本人于');
    expect(await incoming.getByTestId('transfer-approve').count()).toBe(0);

    // The branch approves first; then the member can no longer withdraw.
    await school.reload();
    await request.getByTestId('transfer-approve').click();
    await school.getByTestId('transfer-decision-submit').click();
    await visible(school.getByText(`已同意，等待「${DISTRICT_B}」审核`));
    await hasText(school.getByTestId('transfer-list'), '没有等待您审批或分配团支部的转接');
    await schoolCtx.close();
    await phone.reload();
    await textIs(latest.getByTestId('transfer-status'), '待接收组织审核');
    expect(await latest.getByTestId('transfer-cancel').count()).toBe(0);

    // District B approves and assigns a branch.
    await b.goto(`/members/transfers?org=${ids.districtB}`);
    const waiting = transferOf(b, applicant.name);
    await waiting.getByTestId('transfer-approve').click();
    await b.getByTestId('transfer-decision-submit').click();
    await visible(b.getByText(`已同意，请为 ${applicant.name} 分配团支部`));
    await waiting.getByTestId('transfer-assign').click();
    await pickOrg(b, 'transfer-assign-branch', '税务局', ids.officeB);
    await b.getByTestId('transfer-decision-submit').click();
    await visible(b.getByText(`转接已完成：${applicant.name} 已转入新的团支部`));

    // Back on the home screen (the page stayed open): it says 已完成 and names the new branch.
    await phone.getByLabel('返回').click();
    await textIs(phone.getByTestId('my-org'), OFFICE_B);
    await textIs(homeLink.getByTestId('transfer-status'), '已完成');
    await homeLink.click();
    await textIs(phone.getByTestId('transfer-current-org'), OFFICE_B);
    await textIs(latest.getByTestId('transfer-status'), '已完成');
    await hasText(latest, `转入 ${DISTRICT_B}`);
    await hasText(latest, `从 ${BRANCH_A}`);
    await visible(phone.getByTestId('transfer-submit'));
    await phoneCtx.close();
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
