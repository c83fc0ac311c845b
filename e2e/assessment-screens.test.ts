/**
 * The 考核评比 screens in real Chromium against a real tuanwu server: the 考核看板 lights follow the data (a branch
 * where everyone learned is green, one where nobody did is red); the big screen counts a new check-in without a
 * reload; a branch cadre reports a figure with a photo on the 本单位考核 page, the city approves and scores, and
 * the page shows the score, its explanation and how to gain points — to the branch only once published — and fits
 * a phone. A draft scheme is corrected (its items' points and targets, told first that the scores go until the next
 * 计分; its name, keeping them; a reported item removed with its reports) and an indicator's own org changes its
 * target and retires it (no longer offered for a new scheme), while the orgs below read it without those actions.
 */
import sharp from 'sharp';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  apiSession,
  createAccount,
  hasText,
  hidden,
  login,
  startHarness,
  textIs,
  visible,
  type ApiSession,
  type Harness,
} from './harness.js';
import { withCheckChar } from '../server/src/member/member-fields.js';

const CITY = '共青团考核市委员会';
const DISTRICT = '共青团考核区委员会';
const BRANCH_FULL = '考核区一中团支部';
const BRANCH_NONE = '考核区二中团支部';
const CITY_ADMIN = { username: 'kaohe-city', displayName: '市团委组织部', password: 'Kaohe-city-2026' };
const BRANCH_ADMIN = { username: 'kaohe-b2', displayName: '二中团支书', password: 'Kaohe-b2-2026' };
const PHOTO = '主题团日现场.jpg';

const beijing = new Date(Date.now() + 8 * 3600_000);
const YEAR = beijing.getUTCFullYear();
const QUARTER = `${YEAR}Q${Math.floor(beijing.getUTCMonth() / 3) + 1}`;

const person = (seq: number, name: string) => ({
  name,
  idNumber: withCheckChar(`500103${YEAR - 19}0512${String(seq).padStart(3, '0')}`),
  phone: `1391111${String(seq).padStart(4, '0')}`,
});

const inputOf = (page: Page, testId: string): Locator =>
  page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();

/** A city of its own for editing a draft scheme and the indicator library. */
const EDIT = {
  city: '共青团修改市委员会',
  districts: ['修改一区团委', '修改二区团委'],
  cadre: { username: 'xiugai-city', displayName: '市团委组织部 周敏', password: 'Xiugai-city-2026' },
  districtCadre: { username: 'xiugai-d1', displayName: '一区团委 吴静', password: 'Xiugai-d1-2026' },
  scheme: '区级团委季度考核',
  taken: '区级团委季度考核（试行）',
  renamed: '区级团委第一轮季度考核',
  staffing: '团干部配备率',
  volunteer: '志愿服务活动次数',
} as const;

interface SchemeShape {
  name: string;
  scoredAt: string | null;
  stale: boolean;
  items: { id: number; indicatorId: number; points: number; rule: { target?: number } }[];
}

const imageLoaded = (img: Locator) =>
  img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0);

/** A member's phone checking in: a one-time code from the branch, then the lesson opened and checked in. */
async function memberCheckIn(baseUrl: string, admin: ApiSession, memberId: number, lessonId: number) {
  const { codes } = await admin.call<{ codes: { code: string }[] }>(
    'POST',
    `/api/members/${memberId}/sign-in-code`,
    {},
  );
  const login = await fetch(`${baseUrl}/api/member-auth/code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: codes[0]!.code }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c!.startsWith('tuanwu_member='))!;
  const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf };
  const opened = await fetch(`${baseUrl}/api/my/lessons/${lessonId}`, { headers });
  expect(opened.status).toBe(200);
  const { viewToken } = (await opened.json()) as { viewToken: string };
  const done = await fetch(`${baseUrl}/api/my/lessons/${lessonId}/check-in`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ viewToken }),
  });
  expect(done.status, await done.clone().text()).toBe(200);
}

/** A young person without an account checking in at a branch (counts in 今日打卡). */
async function youthCheckIn(baseUrl: string, branchId: number, lessonId: number, name: string, number: string) {
  const opened = await fetch(`${baseUrl}/api/study/branches/${branchId}/lessons/${lessonId}`);
  expect(opened.status).toBe(200);
  const { viewToken } = (await opened.json()) as { viewToken: string };
  const done = await fetch(`${baseUrl}/api/study/branches/${branchId}/lessons/${lessonId}/check-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, number, viewToken }),
  });
  expect(done.status, await done.clone().text()).toBe(200);
}

describe('考核评比 screens', () => {
  let h: Harness;
  let admin: ApiSession;
  let cityApi: ApiSession;
  let cityCtx: BrowserContext;
  let city: Page;
  const pageErrors: string[] = [];
  const ids = { city: 0, district: 0, full: 0, none: 0, lesson: 0, scheme: 0, satisfaction: 0, itemReported: 0 };

  beforeAll(async () => {
    h = await startHarness();
    admin = await apiSession(h.baseUrl);
    const org = async (parentId: number | null, kind: string, name: string) =>
      (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category: '学校' })).id;
    ids.city = await org(null, 'committee', CITY);
    ids.district = await org(ids.city, 'committee', DISTRICT);
    ids.full = await org(ids.district, 'branch', BRANCH_FULL);
    ids.none = await org(ids.district, 'branch', BRANCH_NONE);
    const members: Record<'full' | 'none', number[]> = { full: [], none: [] };
    const people = {
      full: [person(1, '甲一学'), person(2, '甲二学')],
      none: [person(3, '乙一未'), person(4, '乙二未')],
    };
    for (const key of ['full', 'none'] as const)
      for (const p of people[key])
        members[key].push(
          (
            await admin.call<{ id: number }>('POST', `/api/orgs/${ids[key]}/members`, {
              name: p.name,
              idNumber: p.idNumber,
              politicalStatus: '共青团员',
              phone: p.phone,
            })
          ).id,
        );
    await createAccount(h.baseUrl, admin, ids.city, CITY_ADMIN);
    await createAccount(h.baseUrl, admin, ids.none, BRANCH_ADMIN);
    cityApi = await apiSession(h.baseUrl, CITY_ADMIN.username, CITY_ADMIN.password);

    // A lesson open now (this quarter); both members of the first branch learn it, nobody in the second.
    ids.lesson = (
      await cityApi.call<{ id: number }>('POST', `/api/orgs/${ids.city}/lessons`, {
        season: `${YEAR}年`,
        number: 1,
        title: '考核看板测试学习',
        minSeconds: 0,
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      })
    ).id;
    for (const m of members.full) await memberCheckIn(h.baseUrl, admin, m, ids.lesson);

    // The city's target for 参学率 (the built-in one has none), and a reported indicator for the scheme.
    await cityApi.call('POST', `/api/orgs/${ids.city}/indicators`, {
      name: '青年大学习参学率',
      source: 'computed',
      metric: 'study_participation',
      target: 0.9,
    });
    const participation = (
      await cityApi.call<{ items: { id: number; metric: string | null }[] }>('GET', `/api/orgs/${ids.city}/indicators`)
    ).items.find((i) => i.metric === 'study_participation')!.id;
    ids.satisfaction = (
      await cityApi.call<{ id: number }>('POST', `/api/orgs/${ids.city}/indicators`, {
        name: '团员满意度',
        source: 'reported',
        format: 'percent',
        target: 0.99,
        description: '按季度问卷统计的团员对团支部工作的满意度',
      })
    ).id;
    ids.scheme = (
      await cityApi.call<{ id: number }>('POST', `/api/orgs/${ids.city}/assessment-schemes`, {
        name: '团支部季度考核',
        periodKind: 'quarter',
        period: QUARTER,
        subjects: { mode: 'kind', kind: 'branch' },
        items: [
          { indicatorId: participation, points: 60, rule: { kind: 'linear', target: 0.9, direction: 'higher' } },
          { indicatorId: ids.satisfaction, points: 40, rule: { kind: 'linear', target: 0.99, direction: 'higher' } },
        ],
      })
    ).id;
    const scheme = await cityApi.call<{ items: { id: number; source: string }[] }>(
      'GET',
      `/api/assessment-schemes/${ids.scheme}`,
    );
    ids.itemReported = scheme.items.find((i) => i.source === 'reported')!.id;

    cityCtx = await h.newContext(DESKTOP);
    city = await cityCtx.newPage();
    city.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(city, CITY_ADMIN.username, CITY_ADMIN.password);
  });

  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.error(`server output:\n${h?.serverLog() ?? ''}`);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('the dashboard lights the key figures and the children’s cells from the data', async () => {
    await city.goto(`/assessment/dashboard?org=${ids.district}`);
    const dash = city.getByTestId('assessment-dashboard');
    await visible(dash);
    // The district: 2 of 4 members learned, 50 % against a 90 % target → red; the light rule from the server.
    await textIs(city.getByTestId('assessment-value-study_participation'), '50.0%');
    expect(await city.getByTestId('assessment-light-study_participation').getAttribute('data-light')).toBe('red');
    await hasText(city.getByTestId('assessment-fig-study_participation'), '目标 ≥ 90.0%');
    await hasText(city.getByTestId('assessment-light-rule'), '绿灯：达到目标');
    // The children: everyone learned → green, nobody → red.
    const full = city.getByTestId(`cell-${ids.full}-study_participation`);
    const none = city.getByTestId(`cell-${ids.none}-study_participation`);
    await textIs(full, '100.0%');
    expect(await full.getAttribute('data-light')).toBe('green');
    await textIs(none, '0.0%');
    expect(await none.getAttribute('data-light')).toBe('red');
    // The formula on hover of the figure's ⓘ.
    await city.getByTestId('assessment-fig-study_participation').getByLabel('青年大学习参学率的计算方法').hover();
    await visible(city.locator('.ant-tooltip').getByText(/计算方法：考核期内开放的各期/));
    await visible(city.getByTestId('assessment-trend').locator('svg'));
    expect(pageErrors).toEqual([]);
  });

  it('the big screen counts a new check-in without a reload', async () => {
    await city.getByTestId('assessment-big-screen').click();
    await city.waitForURL(new RegExp(`/assessment/big-screen/${ids.district}$`));
    const counter = city.getByTestId('bigscreen-checkins');
    await textIs(counter, '2');
    await hasText(city.getByTestId('bigscreen-participation'), '50%');
    expect(await city.getByTestId('user-menu').count()).toBe(0);
    const refreshed = city.getByTestId('bigscreen-refreshed');
    const firstAt = await refreshed.getAttribute('data-at');
    // Mark the document: a reload would lose the mark.
    await city.evaluate(() => ((window as unknown as { marked: boolean }).marked = true));

    await youthCheckIn(h.baseUrl, ids.none, ids.lesson, '王青年', '20260901');
    await expect.poll(() => counter.innerText(), { timeout: 10_000, interval: 200 }).toBe('3');
    expect(await refreshed.getAttribute('data-at')).not.toBe(firstAt);
    expect(await city.evaluate(() => (window as unknown as { marked?: boolean }).marked)).toBe(true);
    // Youth do not count in 参学率.
    await hasText(city.getByTestId('bigscreen-participation'), '50%');

    await city.keyboard.press('Escape');
    await city.waitForURL(new RegExp(`/assessment/dashboard\\?org=${ids.district}$`));
    expect(pageErrors).toEqual([]);
  });

  it('a branch reports a figure with a photo; after review and scoring the page explains the score', async () => {
    const branchCtx = await h.newContext(DESKTOP);
    const branch = await branchCtx.newPage();
    branch.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(branch, BRANCH_ADMIN.username, BRANCH_ADMIN.password);
    await branch.goto(`/assessment/schemes/${ids.scheme}/orgs/${ids.none}`);
    await hasText(branch.getByTestId('org-result-title'), '团支部季度考核');
    await visible(branch.getByTestId('org-result-unpublished'));
    const item = branch.getByTestId(`item-${ids.itemReported}`);
    await textIs(item.getByTestId('report-status'), '尚未报送');

    // 96 % as the cadre types it; the server gets 0.96.
    await inputOf(branch, 'report-value-input').fill('96');
    await branch.getByTestId('report-note').fill('本季度问卷 50 份');
    await branch.getByTestId('report-submit').click();
    await textIs(item.getByTestId('report-status'), '待审核');
    await textIs(item.getByTestId('report-value'), '96.0%');

    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c8161d' } })
      .jpeg()
      .toBuffer();
    await item
      .getByTestId('evidence-upload')
      .locator('input[type=file]')
      .setInputFiles({ name: PHOTO, mimeType: 'image/jpeg', buffer: photo });
    const thumb = item.getByTestId('attachment-thumbnail');
    await visible(thumb);
    await expect.poll(() => imageLoaded(thumb)).toBe(true);
    // A program renamed to .jpg is refused by content; the server's reason is shown.
    await item
      .getByTestId('evidence-upload')
      .locator('input[type=file]')
      .setInputFiles({
        name: '照片.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(2000, 1)]),
      });
    await hasText(item.getByTestId('evidence-error'), '照片.jpg');

    // The city approves through the API and scores.
    const reports = await cityApi.call<{ items: { id: number; orgId: number; value: number; evidence: number }[] }>(
      'GET',
      `/api/assessment-schemes/${ids.scheme}/reports`,
    );
    const report = reports.items.find((r) => r.orgId === ids.none)!;
    expect(report.value).toBe(0.96);
    expect(Number(report.evidence)).toBe(1);
    await cityApi.call('POST', `/api/assessment-schemes/${ids.scheme}/reports/${report.id}/review`, {
      approve: true,
      comment: '材料齐全',
    });
    await cityApi.call('POST', `/api/assessment-schemes/${ids.scheme}/score`, {});

    // The city sees the score at once; the branch only after publication.
    await city.goto(`/assessment/schemes/${ids.scheme}/orgs/${ids.none}`);
    const cityItem = city.getByTestId(`item-${ids.itemReported}`);
    await hasText(cityItem.getByTestId(`item-explanation-${ids.itemReported}`), '96');
    await visible(city.getByTestId('org-total'));
    await branch.reload();
    await visible(branch.getByTestId('org-result-unpublished'));

    await cityApi.call('POST', `/api/assessment-schemes/${ids.scheme}/publish`, {});
    await branch.reload();
    await visible(branch.getByTestId('org-result-summary'));
    const result = await cityApi.call<{
      total: number;
      breakdown: {
        rankLabel: string;
        items: { itemId: number; score: number; explanation: string; gain: string | null }[];
      };
    }>('GET', `/api/assessment-schemes/${ids.scheme}/orgs/${ids.none}`);
    const scored = result.breakdown.items.find((i) => i.itemId === ids.itemReported)!;
    const pts = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
    await hasText(branch.getByTestId('org-total'), pts(result.total));
    await hasText(branch.getByTestId('org-rank'), result.breakdown.rankLabel);
    const branchItem = branch.getByTestId(`item-${ids.itemReported}`);
    await hasText(branchItem.getByTestId(`item-score-${ids.itemReported}`), `${pts(scored.score)} / 40`);
    await textIs(branchItem.getByTestId(`item-explanation-${ids.itemReported}`), scored.explanation);
    expect(scored.gain).toBeTruthy();
    await hasText(branchItem.getByTestId(`item-gain-${ids.itemReported}`), `提分方向：${scored.gain!}`);
    await textIs(branchItem.getByTestId('report-status'), '已通过');
    await expect.poll(() => imageLoaded(branchItem.getByTestId('attachment-thumbnail'))).toBe(true);
    // No form once approved and published.
    expect(await branchItem.getByTestId('report-submit').count()).toBe(0);

    // 查看明细 of the computed item: the records behind 参学率.
    const computed = branch.locator('[data-testid^="item-drill-"]').first();
    await computed.click();
    await visible(branch.getByTestId('drill-records'));
    await branch.locator('.ant-modal-close').click();

    // The dashboard of the branch lists the published scheme with its rank.
    await branch.goto(`/assessment/dashboard?org=${ids.none}`);
    await hasText(branch.getByTestId(`assessed-scheme-${ids.scheme}`).getByTestId('assessed-rank'), '/ 共 2');
    expect(pageErrors).toEqual([]);
  });

  it('the org page fits a phone', async () => {
    const phoneCtx = await h.newContext(PHONE);
    const phone = await phoneCtx.newPage();
    await login(phone, BRANCH_ADMIN.username, BRANCH_ADMIN.password);
    await phone.goto(`/assessment/schemes/${ids.scheme}/orgs/${ids.none}`);
    await visible(phone.getByTestId('org-result-summary'));
    await visible(phone.getByTestId(`item-gain-${ids.itemReported}`));
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  describe('editing a draft scheme and the indicator library', () => {
    let cadreApi: ApiSession;
    let cadre: Page;
    const edit = { city: 0, districts: [] as number[], staffing: 0, volunteer: 0, scheme: 0 };

    const scheme = () => cadreApi.call<SchemeShape>('GET', `/api/assessment-schemes/${edit.scheme}`);
    const results = () =>
      cadreApi.call<{ scoredAt: string | null; rows: unknown[] }>(
        'GET',
        `/api/assessment-schemes/${edit.scheme}/results`,
      );
    const editForm = () => cadre.getByTestId('scheme-edit-form');

    beforeAll(async () => {
      const org = async (parentId: number | null, name: string) =>
        (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind: 'committee', name, category: '机关' }))
          .id;
      edit.city = await org(null, EDIT.city);
      for (const name of EDIT.districts) edit.districts.push(await org(edit.city, name));
      await createAccount(h.baseUrl, admin, edit.city, EDIT.cadre);
      await createAccount(h.baseUrl, admin, edit.districts[0]!, EDIT.districtCadre);
      cadreApi = await apiSession(h.baseUrl, EDIT.cadre.username, EDIT.cadre.password);

      edit.staffing = (
        await cadreApi.call<{ id: number }>('POST', `/api/orgs/${edit.city}/indicators`, {
          name: EDIT.staffing,
          source: 'computed',
          metric: 'cadre_staffing',
          target: 0.85,
        })
      ).id;
      edit.volunteer = (
        await cadreApi.call<{ id: number }>('POST', `/api/orgs/${edit.city}/indicators`, {
          name: EDIT.volunteer,
          source: 'reported',
          format: 'count',
          unit: '次',
          target: 4,
        })
      ).id;
      const make = (name: string) =>
        cadreApi.call<{ id: number }>('POST', `/api/orgs/${edit.city}/assessment-schemes`, {
          name,
          periodKind: 'quarter',
          period: QUARTER,
          subjects: { mode: 'children' },
          items: [
            { indicatorId: edit.staffing, points: 60, rule: { kind: 'linear', target: 0.85, direction: 'higher' } },
            { indicatorId: edit.volunteer, points: 40, rule: { kind: 'linear', target: 4, direction: 'higher' } },
          ],
        });
      edit.scheme = (await make(EDIT.scheme)).id;
      await make(EDIT.taken);
      // The first district has reported its figure; the city has scored.
      const volunteerItem = (await scheme()).items.find((i) => i.indicatorId === edit.volunteer)!.id;
      await admin.call(
        'PUT',
        `/api/assessment-schemes/${edit.scheme}/orgs/${edit.districts[0]}/items/${volunteerItem}/report`,
        { value: 3, note: '本季度开展志愿服务 3 次' },
      );
      await cadreApi.call('POST', `/api/assessment-schemes/${edit.scheme}/score`, {});

      const ctx = await h.newContext(DESKTOP);
      cadre = await ctx.newPage();
      cadre.on('pageerror', (e: Error) => pageErrors.push(e.message));
      await login(cadre, EDIT.cadre.username, EDIT.cadre.password);
    });

    it('a change of the items is confirmed, saved, and removes the scores until the next 计分', async () => {
      await cadre.goto(`/assessment/schemes/${edit.scheme}`);
      await visible(cadre.getByTestId(`result-row-${edit.districts[0]}`));
      await cadre.getByTestId('scheme-edit').click();
      await visible(editForm());
      // The saved items, rates in %.
      expect(await cadre.getByTestId('scheme-edit-name').inputValue()).toBe(EDIT.scheme);
      expect(await inputOf(cadre, 'item-0-points').inputValue()).toBe('60');
      expect(await inputOf(cadre, 'item-0-target').inputValue()).toBe('85');
      expect(await inputOf(cadre, 'item-1-target').inputValue()).toBe('4');

      await inputOf(cadre, 'item-0-points').fill('50');
      await inputOf(cadre, 'item-0-target').fill('80');
      await inputOf(cadre, 'item-1-points').fill('50');
      await hasText(cadre.getByTestId('item-0-rule-text'), `${EDIT.staffing}：达到 80% 得满分 50 分`);
      await hasText(cadre.getByTestId('points-sum'), '满分合计 100 分');
      await cadre.getByTestId('scheme-edit-submit').click();

      // Said plainly before anything is saved; nothing removed, so nothing about reports.
      const effects = cadre.getByTestId('scheme-edit-effects');
      await hasText(effects, '现有计分结果（各单位得分、排名）将被清除，重新计分后才有新的结果');
      expect(await effects.innerText()).not.toContain('报送');
      expect((await scheme()).scoredAt).not.toBeNull();
      await cadre.getByTestId('scheme-edit-confirm').click();

      await hidden(editForm());
      await hasText(cadre.getByTestId('scheme-items'), '达到 80% 得满分 50 分');
      await hasText(cadre.getByTestId('scheme-status'), '未计分');
      await visible(cadre.getByTestId('results-empty'));
      const saved = await scheme();
      expect(saved.scoredAt).toBeNull();
      expect(saved.items.map((i) => i.points)).toEqual([50, 50]);
      expect(saved.items[0]!.rule.target).toBe(0.8);
      expect((await results()).rows).toEqual([]);
      // Items keep their ids by indicator: the district's report is still there.
      const reports = await cadreApi.call<{ items: unknown[] }>(
        'GET',
        `/api/assessment-schemes/${edit.scheme}/reports`,
      );
      expect(reports.items).toHaveLength(1);
      expect(pageErrors).toEqual([]);
    });

    it('a rename keeps the scores; a name the quarter already has is refused at the field', async () => {
      await cadre.getByTestId('scheme-score').click();
      await visible(cadre.getByTestId(`result-row-${edit.districts[0]}`));
      const scoredAt = (await scheme()).scoredAt;
      expect(scoredAt).not.toBeNull();

      await cadre.getByTestId('scheme-edit').click();
      await visible(editForm());
      await cadre.getByTestId('scheme-edit-name').fill(EDIT.taken);
      await cadre.getByTestId('scheme-edit-submit').click();
      await hasText(cadre.getByTestId('scheme-edit-error'), `本考核期已有名为“${EDIT.taken}”的考核方案`);
      await visible(editForm().locator('.ant-form-item-explain-error', { hasText: '名称重复' }));

      await cadre.getByTestId('scheme-edit-name').fill(EDIT.renamed);
      await cadre.getByTestId('scheme-edit-submit').click();
      await hidden(editForm());
      // No confirmation: a rename changes no score.
      expect(await cadre.getByTestId('scheme-edit-effects').count()).toBe(0);
      await textIs(cadre.getByTestId('scheme-title'), EDIT.renamed);
      await visible(cadre.getByTestId(`result-row-${edit.districts[0]}`));
      expect(await cadre.getByTestId('scheme-status').innerText()).not.toContain('未计分');
      expect(await cadre.getByTestId('scheme-stale').count()).toBe(0);
      const renamed = await scheme();
      expect(renamed.name).toBe(EDIT.renamed);
      expect(renamed.scoredAt).toBe(scoredAt);
      expect(renamed.stale).toBe(false);
      expect((await results()).rows).toHaveLength(2);
      expect(pageErrors).toEqual([]);
    });

    it('removing a reported item says its reports go with it, and they do', async () => {
      await cadre.getByTestId('scheme-edit').click();
      await visible(editForm());
      await cadre.getByTestId('item-1').getByLabel('删除该项').click();
      await inputOf(cadre, 'item-0-points').fill('100');
      await cadre.getByTestId('scheme-edit-submit').click();
      const effects = cadre.getByTestId('scheme-edit-effects');
      await hasText(effects, '现有计分结果');
      await hasText(effects, `删除的指标「${EDIT.volunteer}」下各单位的报送和佐证材料将一并删除`);
      await cadre.getByTestId('scheme-edit-confirm').click();
      await hidden(editForm());
      await hasText(cadre.getByTestId('scheme-status'), '未计分');
      await hasText(cadre.getByTestId('scheme-items'), '达到 80% 得满分 100 分');
      expect((await scheme()).items.map((i) => i.indicatorId)).toEqual([edit.staffing]);
      const reports = await cadreApi.call<{ items: unknown[] }>(
        'GET',
        `/api/assessment-schemes/${edit.scheme}/reports`,
      );
      expect(reports.items).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    it('the indicator’s own org changes its target and retires it: a new scheme no longer offers it', async () => {
      await cadre.goto(`/assessment?org=${edit.city}`);
      await cadre.getByRole('tab', { name: '指标库' }).click();
      const row = cadre.getByTestId(`indicator-row-${edit.staffing}`);
      await textIs(row.getByTestId('indicator-target-text'), '≥ 85.0%');
      await row.getByTestId('indicator-edit').click();
      expect(await cadre.getByTestId('indicator-name').inputValue()).toBe(EDIT.staffing);
      expect(await inputOf(cadre, 'indicator-target').inputValue()).toBe('85');
      await inputOf(cadre, 'indicator-target').fill('90');
      await cadre.getByTestId('indicator-submit').click();
      await textIs(row.getByTestId('indicator-target-text'), '≥ 90.0%');
      const target = async () =>
        (
          await cadreApi.call<{ items: { id: number; target: number | null; status: string }[] }>(
            'GET',
            `/api/orgs/${edit.city}/indicators`,
          )
        ).items.find((i) => i.id === edit.staffing)!;
      expect((await target()).target).toBe(0.9);

      await row.getByTestId('indicator-archive').click();
      await cadre.getByTestId('indicator-archive-confirm').click();
      await textIs(row.getByTestId('indicator-status'), '已停用');
      await visible(row.getByTestId('indicator-restore'));
      expect((await target()).status).toBe('archived');
      expect(cadre.url()).toContain('tab=indicators');

      // 新建考核方案 offers the active indicators only.
      await cadre.goto(`/assessment/new?org=${edit.city}`);
      await cadre.getByTestId('item-0-indicator').click();
      const options = cadre.locator('.ant-select-dropdown:visible .ant-select-item-option');
      await hasText(options.first(), EDIT.volunteer);
      expect((await options.allInnerTexts()).join('|')).not.toContain(EDIT.staffing);
      await cadre.keyboard.press('Escape');

      // The draft that uses it says so when its items are opened.
      await cadre.goto(`/assessment/schemes/${edit.scheme}`);
      await cadre.getByTestId('scheme-edit').click();
      await hasText(cadre.getByTestId('item-0-archived'), '该指标已停用');
      await hasText(cadre.getByTestId('item-0-indicator'), `${EDIT.staffing}（已停用）`);
      await cadre
        .locator('.ant-modal-footer')
        .getByRole('button', { name: /取\s*消/ })
        .click();
      await hidden(editForm());

      // Brought back.
      await cadre.goto(`/assessment?org=${edit.city}&tab=indicators`);
      await cadre.getByTestId(`indicator-row-${edit.staffing}`).getByTestId('indicator-restore').click();
      await textIs(cadre.getByTestId(`indicator-row-${edit.staffing}`).getByTestId('indicator-status'), '启用');
      expect((await target()).status).toBe('active');
      expect(pageErrors).toEqual([]);
    });

    it('an org below reads the city’s indicators without changing them, and changes its own', async () => {
      const districtApi = await apiSession(h.baseUrl, EDIT.districtCadre.username, EDIT.districtCadre.password);
      const own = (
        await districtApi.call<{ id: number }>('POST', `/api/orgs/${edit.districts[0]}/indicators`, {
          name: '青年之家活动次数',
          source: 'reported',
          format: 'count',
          unit: '次',
        })
      ).id;
      const ctx = await h.newContext(DESKTOP);
      const district = await ctx.newPage();
      district.on('pageerror', (e: Error) => pageErrors.push(e.message));
      await login(district, EDIT.districtCadre.username, EDIT.districtCadre.password);
      await district.goto(`/assessment?org=${edit.districts[0]}&tab=indicators`);
      const cityRow = district.getByTestId(`indicator-row-${edit.staffing}`);
      await hasText(cityRow, `由${EDIT.city}维护`);
      expect(await cityRow.getByTestId('indicator-edit').count()).toBe(0);
      expect(await cityRow.getByTestId('indicator-archive').count()).toBe(0);
      const ownRow = district.getByTestId(`indicator-row-${own}`);
      await textIs(ownRow.getByTestId('indicator-target-text'), '未设定');
      await ownRow.getByTestId('indicator-edit').click();
      await inputOf(district, 'indicator-target').fill('6');
      await district.getByTestId('indicator-submit').click();
      await textIs(ownRow.getByTestId('indicator-target-text'), '≥ 6次');
      expect(pageErrors).toEqual([]);
    });
  });
});
