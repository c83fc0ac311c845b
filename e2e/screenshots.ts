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
import { DESKTOP, PHONE, ROOT, apiSession, login, startHarness } from './harness.js';

const outDir = path.resolve(process.argv[2] ?? path.join(ROOT, '.tmp/screens'));

const h = await startHarness();
try {
  await mkdir(outDir, { recursive: true });
  const { call } = await apiSession(h.baseUrl);
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
  for (let i = 1; i <= 12; i++) await org(school.id, 'branch', `高2024级${i}班团支部`);

  const pages = [
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
    for (const [name, url] of pages) {
      await page.goto(url!);
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: path.join(outDir, `${device}-${name}.png`), fullPage: true });
    }
    await ctx.close();
  }
  console.log(`screenshots in ${outDir}`);
} finally {
  await h.close();
}
