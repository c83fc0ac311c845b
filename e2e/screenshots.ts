/**
 * Screenshots of the main screens on a desktop and a 390-px phone, for looking at the UI after a change:
 *
 *   npm run build && node --import tsx e2e/screenshots.ts [outDir]
 *
 * Starts a server on a temp data dir like the journeys do, adds a small tree through the API, and writes
 * PNGs to `.tmp/screens` (ignored by git). Not a test.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, ROOT, apiSession, createAccount, login, startHarness } from './harness.js';

const outDir = path.resolve(process.argv[2] ?? path.join(ROOT, '.tmp/screens'));

/** A valid ID number (GB 11643 check character) for a birth date `YYYYMMDD`. */
function idNumber(birth: string, seq: number): string {
  const first17 = `500103${birth}${String(seq).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i]!;
  return first17 + '10X98765432'[sum % 11];
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高';
const GIVEN = ['子涵', '欣怡', '浩然', '梓萱', '宇轩', '雨桐', '俊杰', '思琪', '明远', '佳怡', '博文', '诗雨'];

/** Members for the screenshots, in the 智慧团建 layout, spread over branches 1–3 of the school. */
async function memberFile(count: number, changed = false): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('团员');
  ws.addRow(['姓名', '公民身份号码', '手机号码', '入团时间', '团内职务', '身份类别', '学历', '所在团支部']);
  const year = Number(new Date().toISOString().slice(0, 4));
  for (let i = 0; i < count; i++) {
    const aged = i === 5 || i === 17;
    const born = aged ? year - 28 : year - 16 - (i % 4);
    const birth = `${born}${String((i % 12) + 1).padStart(2, '0')}${String((i % 27) + 1).padStart(2, '0')}`;
    ws.addRow([
      SURNAMES[i % SURNAMES.length]! + GIVEN[i % GIVEN.length]!,
      idNumber(birth, 100 + i),
      i % 3 === 2 ? null : `13${String(800000000 + i * 7919 + (changed && i % 7 === 0 ? 1 : 0)).slice(0, 9)}`,
      `${born + 15}-0${(i % 9) + 1}`,
      i % 10 === 0 ? '团支部书记' : '团员',
      aged ? '在职' : '学生',
      aged || (changed && i === 4) ? '本科' : '高中',
      `高2024级${(i % 3) + 1}班团支部`,
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const h = await startHarness();
try {
  await mkdir(outDir, { recursive: true });
  const admin = await apiSession(h.baseUrl);
  const { call } = admin;
  const org = (parentId: number | null, kind: string, name: string, contacts: unknown[] = []) =>
    call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category: '学校', contacts });
  const city = await org(null, 'committee', '共青团重庆市委员会', [
    { name: '王书记', post: '书记', phone: '13800001111' },
  ]);
  const district = await org(city.id, 'committee', '共青团渝中区委员会', [
    { name: '李明', post: '书记', phone: '13900002222' },
    { name: '赵敏', post: '组织委员', phone: '023-63801234' },
  ]);
  const school = await org(district.id, 'general_branch', '重庆市第一中学团总支');
  const branches: number[] = [];
  for (let i = 1; i <= 12; i++) branches.push((await org(school.id, 'branch', `高2024级${i}班团支部`)).id);

  // Members, a branch admin who asks for a correction, and a file to preview on the import page.
  const members = await memberFile(36);
  const imported = await admin.upload(`/api/orgs/${district.id}/members/import?dryRun=false`, members, 'm.xlsx');
  if (imported.status !== 200) throw new Error(`member import: ${JSON.stringify(imported.body)}`);
  const secretary = { username: 'banji1', displayName: '一班团支书', password: 'Banji1-2026' };
  await createAccount(h.baseUrl, admin, branches[0]!, secretary);
  const branchAdmin = await apiSession(h.baseUrl, secretary.username, secretary.password);
  const roster = await call<{ items: { id: number; name: string }[] }>(
    'GET',
    `/api/orgs/${branches[0]}/members?pageSize=50`,
  );
  const first = roster.items[0]!;
  await branchAdmin.call('POST', `/api/members/${first.id}/corrections`, {
    field: 'id_number',
    value: idNumber('20090412', 555),
    reason: '录入时出生日期填错，已核对身份证原件',
  });

  const open = (testId: string) => async (page: Page) => {
    await page.getByTestId(testId).click();
    await page.locator('.ant-modal:visible, .ant-drawer-open').first().waitFor();
    await page.waitForTimeout(400);
  };
  const preview = async (page: Page) => {
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: '团员.xlsx', mimeType: 'application/octet-stream', buffer: await memberFile(40, true) });
    await page.getByTestId('member-import-preview-ok').waitFor();
    await page.waitForTimeout(800); // the result scrolls into view
  };
  const pages: [string, string, ((page: Page) => Promise<void>)?][] = [
    ['members', `/members?org=${district.id}`],
    ['members-branch', `/members?org=${branches[0]}`],
    ['member-detail', `/members?org=${branches[0]}&member=${first.id}`],
    ['member-create', `/members?org=${district.id}`, open('member-create')],
    ['member-corrections', `/members/corrections?org=${district.id}`],
    ['member-age-out', `/members/age-out?org=${district.id}`],
    ['member-import', `/members/import?org=${district.id}`],
    ['member-import-preview', `/members/import?org=${district.id}`, preview],
    ['accounts-grant', `/accounts?org=${district.id}`, open('role-grant')],
    ['org', `/orgs/${district.id}`],
    ['org-contacts', `/orgs/${district.id}?tab=contacts`],
    ['org-children', `/orgs/${school.id}?tab=children`],
    ['directory', `/directory?org=${city.id}`],
    ['completeness', `/completeness?org=${city.id}`],
    ['import', `/import?org=${district.id}`],
    ['accounts', `/accounts?org=${city.id}`],
    ['audit', `/audit?org=${city.id}`],
    ['roots', '/orgs'],
  ];
  for (const [device, options] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    const ctx = await h.newContext(options);
    const page = await ctx.newPage();
    await page.goto('/login');
    await page.getByTestId('login-username').waitFor();
    await page.screenshot({ path: path.join(outDir, `${device}-login.png`) });
    await login(page);
    for (const [name, url, act] of pages) {
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      if (act) await act(page);
      // A dialog or drawer is shot as the screen shows it; pages in full length.
      await page.screenshot({
        path: path.join(outDir, `${device}-${name}.png`),
        fullPage: !act && !url.includes('member='),
      });
    }
    await ctx.close();
  }
  console.log(`screenshots in ${outDir}`);
} finally {
  await h.close();
}
