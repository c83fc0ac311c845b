/**
 * 青年大学习 on a phone, in real Chromium against a real tuanwu server: the branch cadre issues and prints
 * sign-in codes; a member opens the code link on a 390×844 phone, waits out the minimum time, answers the quiz
 * wrong (and is told which question) then right, and checks in; checking in again counts once; a non-member
 * youth arrives by the branch QR link and checks in as a youth; a closed lesson is refused with the server's
 * message. The figures are read back from the study dashboard. The phone page's JS+CSS must stay within
 * 60 KB gzip and load neither React nor antd.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  ROOT,
  apiSession,
  createAccount,
  hasText,
  login,
  startHarness,
  textIs,
  visible,
  type ApiSession,
  type Harness,
} from './harness.js';
import { withCheckChar } from '../server/src/member/member-fields.js';

const CITY = '共青团学习市委员会';
const SCHOOL = '共青团学习市第一中学委员会';
const BRANCH = '学习市第一中学高二3班团支部';
const CADRE = { username: 'gaoer3', displayName: '高二3班团支书', password: 'Gaoer3-2026' };
const BUDGET_BYTES = 60 * 1024;

const YEAR = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
const MEMBERS = [
  { name: '王小明', idNumber: withCheckChar(`500103${YEAR - 17}0315001`) },
  { name: '李小红', idNumber: withCheckChar(`500103${YEAR - 16}0820002`) },
];
const QUIZ = [
  { question: '本期学习的主题是？', options: ['学习全会精神', '体育锻炼'], answer: [0] },
  { question: '以下哪些是青年大学习的要求？', options: ['按时学习', '请人代学', '认真答题'], answer: [0, 2] },
];

interface Figures {
  members: number;
  membersLearned: number;
  youthLearned: number;
  learners: number;
}

/** The JS and CSS files the phone page loads: those named in m/index.html and everything they import. */
async function phonePageAssets(): Promise<{ file: string; bytes: number; gzip: number }[]> {
  const dist = path.join(ROOT, 'web/dist');
  const html = await readFile(path.join(dist, 'm/index.html'), 'utf8');
  const queue = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const seen = new Map<string, Buffer>();
  while (queue.length) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    const bytes = await readFile(path.join(dist, url));
    seen.set(url, bytes);
    if (url.endsWith('.js'))
      for (const m of bytes.toString('utf8').matchAll(/(?:from|import)\s*\(?\s*["'`]\.\/([^"'`]+\.(?:js|css))["'`]/g))
        queue.push(`/assets/${m[1]}`);
  }
  return [...seen].map(([file, bytes]) => ({ file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }));
}

describe('青年大学习 on a phone', () => {
  let h: Harness;
  let admin: ApiSession;
  const ids = { city: 0, school: 0, branch: 0, lesson: 0, closed: 0, closing: 0 };
  const memberIds: number[] = [];
  const pageErrors: string[] = [];
  const assetRequests: string[] = [];
  let codeLinkText = '';
  let memberCtx: BrowserContext;
  let phone: Page;

  const figures = async (orgId: number, lessonId = ids.lesson) =>
    (await admin.call<{ org: Figures }>('GET', `/api/orgs/${orgId}/study/dashboard?lessonId=${lessonId}`)).org;

  /** Collects page errors, and the asset files a phone page loads. */
  const watch = (page: Page, phonePage = true) => {
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    if (phonePage)
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/assets/')) assetRequests.push(u.pathname);
      });
  };

  /** Ticks the answers of the quiz on the lesson page (`answers[i]` = option indexes of question i). */
  const answer = async (page: Page, answers: number[][]) => {
    for (let i = 0; i < answers.length; i++) {
      const q = page.getByTestId(`question-${i}`);
      const inputs = q.locator('input');
      for (let j = 0; j < (await inputs.count()); j++) {
        const want = answers[i]!.includes(j);
        if ((await inputs.nth(j).isChecked()) !== want) await q.locator('label.option').nth(j).click();
      }
    }
  };

  const noSideways = async (page: Page) =>
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  beforeAll(async () => {
    h = await startHarness();
    admin = await apiSession(h.baseUrl);
    const org = async (parentId: number | null, kind: string, name: string) =>
      (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category: '学校' })).id;
    ids.city = await org(null, 'committee', CITY);
    ids.school = await org(ids.city, 'committee', SCHOOL);
    ids.branch = await org(ids.school, 'branch', BRANCH);
    await createAccount(h.baseUrl, admin, ids.branch, CADRE);
    const cadre = await apiSession(h.baseUrl, CADRE.username, CADRE.password);
    for (const m of MEMBERS)
      memberIds.push(
        (
          await cadre.call<{ id: number }>('POST', `/api/orgs/${ids.branch}/members`, {
            ...m,
            politicalStatus: '共青团员',
          })
        ).id,
      );
    const hour = 3600_000;
    const lesson = async (number: number, extra: Record<string, unknown>) =>
      (
        await admin.call<{ id: number }>('POST', `/api/orgs/${ids.city}/lessons`, {
          season: `${YEAR}年`,
          number,
          title: `第${number}期 学习全会精神`,
          ...extra,
        })
      ).id;
    ids.lesson = await lesson(7, {
      videoUrl: `${h.baseUrl}/media/lesson-7.mp4`,
      body: '本期围绕全会精神展开。\n看完视频后完成课后答题。',
      minSeconds: 3,
      quiz: QUIZ,
      opensAt: new Date(Date.now() - 2 * hour).toISOString(),
      closesAt: new Date(Date.now() + 48 * hour).toISOString(),
    });
    ids.closed = await lesson(6, {
      videoUrl: 'https://video.example.org/watch?v=6',
      minSeconds: 0,
      opensAt: new Date(Date.now() - 72 * hour).toISOString(),
      closesAt: new Date(Date.now() - 24 * hour).toISOString(),
    });
    ids.closing = await lesson(8, {
      minSeconds: 0,
      opensAt: new Date(Date.now() - hour).toISOString(),
      closesAt: new Date(Date.now() + 24 * hour).toISOString(),
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('keeps the phone page within 60 KB gzip, without React or antd', async () => {
    const assets = await phonePageAssets();
    const total = assets.reduce((s, a) => s + a.gzip, 0);
    console.log(
      `phone page /m: ${assets.map((a) => `${path.basename(a.file)} ${(a.gzip / 1024).toFixed(1)} KB`).join(', ')}` +
        ` — total ${(total / 1024).toFixed(1)} KB gzip (budget 60 KB)`,
    );
    expect(assets.some((a) => a.file.endsWith('.css'))).toBe(true);
    expect(assets.filter((a) => a.file.endsWith('.js')).length).toBeGreaterThan(0);
    expect(
      assets.map((a) => path.basename(a.file)).filter((f) => /^(react|antd|icons|echarts|vendor)/.test(f)),
    ).toEqual([]);
    for (const a of assets) {
      const text = await readFile(path.join(ROOT, 'web/dist', a.file), 'utf8');
      expect(text, a.file).not.toContain('react.element');
      expect(text, a.file).not.toContain('ant-btn');
    }
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('serves the phone page at /m, /m/ and every path below it', async () => {
    const script = /<script type="module"[^>]*src="\/assets\/m-[^"]+\.js"/;
    for (const url of ['/m', '/m/', '/m/?from=qr', '/m/b/1']) {
      const res = await fetch(`${h.baseUrl}${url}`);
      // The printed links and QR codes are `/m/#/…`: the browser asks for `/m/`.
      expect(res.status, `GET ${url}`).toBe(200);
      expect(await res.text(), `GET ${url}`).toMatch(script);
    }
  });

  it('the branch cadre issues sign-in codes and prints them as slips', async () => {
    const ctx = await h.newContext(DESKTOP);
    const page = await ctx.newPage();
    watch(page, false);
    await login(page, CADRE.username, CADRE.password);
    await page.goto(`/study/codes?org=${ids.branch}`);
    await visible(page.getByTestId('sign-in-codes-page'));
    await page.getByTestId('issue-missing-codes').click();
    await visible(page.getByTestId(`code-slip-${memberIds[0]}`));
    const slip = page.getByTestId(`code-slip-${memberIds[0]}`);
    await textIs(slip.getByTestId('code-slip-name'), '王小明');
    await hasText(slip, `${MEMBERS[0]!.idNumber.slice(0, 4)}**********${MEMBERS[0]!.idNumber.slice(-4)}`);
    const code = (await slip.getByTestId('code-slip-code').innerText()).trim();
    expect(code).toMatch(/^[A-Z0-9]{6,}$/);
    codeLinkText = (await slip.getByTestId('code-slip-link').innerText()).trim();
    expect(codeLinkText).toBe(`${h.baseUrl}/m/#/code/${code}`);
    expect(await slip.getByTestId('code-slip-qr').getAttribute('data-qr-text')).toBe(codeLinkText);
    expect((await slip.locator('path').getAttribute('d'))!.length).toBeGreaterThan(100);
    await visible(page.getByTestId(`code-slip-${memberIds[1]}`));

    // Printing: the browser's print is asked for, and on paper only the slips are left (no menu, no buttons).
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void (window as unknown as { printed: number }).printed++;
    });
    await page.getByTestId('print-codes').click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('issue-missing-codes').isVisible()).toBe(false);
    expect(await page.getByRole('menu').first().isVisible()).toBe(false);
    expect(await slip.getByTestId('code-slip-code').isVisible()).toBe(true);
    const box = (await page.getByTestId('code-slips-area').boundingBox())!;
    expect(box.x).toBeLessThan(20);
    expect(box.y).toBeLessThan(20);
    await page.emulateMedia({ media: 'screen' });

    // Asking again issues nothing: both members already hold an unused code.
    await page.getByTestId('issue-missing-codes').click();
    await hasText(page.locator('.ant-message'), '无需生成');

    // The branch poster: the branch name and a QR code to the branch's landing page.
    await page.goto(`/study/poster?org=${ids.branch}`);
    await textIs(page.getByTestId('poster-branch-name'), BRANCH);
    expect(await page.getByTestId('poster-qr').getAttribute('data-qr-text')).toBe(`${h.baseUrl}/m/#/b/${ids.branch}`);
    await ctx.close();
  });

  it('a member opens the code link, learns, answers wrong then right, and checks in once', async () => {
    expect(codeLinkText).not.toBe('');
    memberCtx = await h.newContext(PHONE);
    phone = await memberCtx.newPage();
    watch(phone);
    await phone.goto(codeLinkText);
    await textIs(phone.getByTestId('greeting'), '你好，王小明');
    // The used code leaves the address bar.
    expect(new URL(phone.url()).hash).toBe('#/me');
    const row = phone.getByTestId(`lesson-${ids.lesson}`);
    await textIs(row.getByTestId('lesson-status'), '未学');
    await noSideways(phone);

    await row.click();
    await hasText(phone.getByTestId('lesson-title'), '学习全会精神');
    await visible(phone.getByTestId('lesson-video'));
    await hasText(phone.getByTestId('countdown'), '还需学习');
    expect(await phone.getByTestId('checkin-submit').isDisabled()).toBe(true);
    await answer(phone, [[1], [0, 2]]);
    await hasText(phone.getByTestId('countdown'), '学习时间已满足');
    expect(await phone.getByTestId('checkin-submit').isEnabled()).toBe(true);
    await noSideways(phone);

    await phone.getByTestId('checkin-submit').click();
    await textIs(phone.getByTestId('checkin-error'), '第1题回答不正确，请重新作答');
    expect(await phone.getByTestId('question-0').getAttribute('class')).toContain('wrong');
    expect(await phone.getByTestId('question-1').getAttribute('class')).not.toContain('wrong');
    expect((await figures(ids.branch)).membersLearned).toBe(0);

    await answer(phone, [[0], [0, 2]]);
    await phone.getByTestId('checkin-submit').click();
    await hasText(phone.getByTestId('checkin-result'), '打卡成功');
    await hasText(phone.getByTestId('checkin-result'), '计入团员学习人数');
    const after = await figures(ids.branch);
    expect(after).toMatchObject({ members: 2, membersLearned: 1, youthLearned: 0 });
    expect((await figures(ids.city)).membersLearned).toBe(1);

    await phone.getByTestId('checkin-result').getByText('返回').click();
    await textIs(phone.getByTestId(`lesson-${ids.lesson}`).getByTestId('lesson-status'), '已学');

    // Checking in again is welcome but counts once.
    await phone.getByTestId(`lesson-${ids.lesson}`).click();
    await hasText(phone.getByTestId('already-learned'), '你已于');
    await answer(phone, [[0], [0, 2]]);
    await phone.getByTestId('checkin-submit').click();
    await hasText(phone.getByTestId('checkin-result'), '不重复计算');
    expect(await figures(ids.branch)).toMatchObject({ membersLearned: 1, learners: 1 });
  });

  it('a closed lesson is refused, also when it closes while the page is open', async () => {
    await phone.goto(`/m/#/me/lessons/${ids.closed}`);
    await hasText(phone.getByTestId('lesson-closed'), '不能再打卡');
    await visible(phone.getByTestId('lesson-video-link'));
    expect(await phone.getByTestId('checkin-submit').isDisabled()).toBe(true);

    await phone.goto(`/m/#/me/lessons/${ids.closing}`);
    await hasText(phone.getByTestId('lesson-title'), '第8期');
    await admin.call('PATCH', `/api/lessons/${ids.closing}`, {
      closesAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await phone.getByTestId('checkin-submit').click();
    await hasText(phone.getByTestId('checkin-error'), /本期学习已于 .* 截止，不能再打卡/);
    expect((await figures(ids.branch, ids.closing)).membersLearned).toBe(0);
  });

  it('a member sets a password, signs out and signs in with the ID number', async () => {
    await phone.goto('/m/#/me');
    await phone.getByTestId('open-settings').click();
    await phone.getByTestId('new-password').fill('short');
    await phone.getByTestId('confirm-password').fill('short');
    await phone.getByTestId('save-password').click();
    await hasText(phone.getByTestId('password-message'), '密码至少 8 位');
    await phone.getByTestId('new-password').fill('Xiaoming-2026');
    await phone.getByTestId('confirm-password').fill('Xiaoming-2026');
    await phone.getByTestId('save-password').click();
    await hasText(phone.getByTestId('password-message'), '密码已设置');
    await phone.getByTestId('sign-out').click();
    await visible(phone.getByTestId('choose-member'));
    await phone.getByTestId('choose-member').click();
    await phone.getByTestId('signin-password-tab').click();
    await phone.getByTestId('signin-id-number').fill(MEMBERS[0]!.idNumber);
    await phone.getByTestId('signin-password').fill('wrong-password');
    await phone.getByTestId('signin-password-submit').click();
    await visible(phone.getByTestId('signin-error'));
    await phone.getByTestId('signin-password').fill('Xiaoming-2026');
    await phone.getByTestId('signin-password-submit').click();
    await textIs(phone.getByTestId('greeting'), '你好，王小明');
  });

  it('a youth arrives by the branch QR link and checks in as a youth, not a member', async () => {
    const ctx = await h.newContext(PHONE);
    const page = await ctx.newPage();
    watch(page);
    // Finding the branch by name leads to the same page as its QR code.
    await page.goto('/m/');
    await page.getByTestId('choose-youth').click();
    await page.getByTestId('branch-search').fill('高二3班');
    await page.getByTestId(`branch-${ids.branch}`).click();
    expect(new URL(page.url()).hash).toBe(`#/b/${ids.branch}`);

    await page.goto(`/m/#/b/${ids.branch}`);
    await textIs(page.getByTestId('branch-name'), BRANCH);
    await hasText(page.getByTestId('youth-note'), '不会被加入团员名单');
    await hasText(page.getByTestId('youth-note'), '学习完全自愿');
    await noSideways(page);
    await page.getByTestId(`lesson-${ids.lesson}`).click();
    await hasText(page.getByTestId('lesson-title'), '学习全会精神');
    await answer(page, [[0], [0, 2]]);
    await page.getByTestId('youth-name').fill('赵青年');
    await hasText(page.getByTestId('countdown'), '学习时间已满足');
    // The number is missing: said before anything is sent.
    await page.getByTestId('checkin-submit').click();
    await hasText(page.getByTestId('checkin-error'), '请填写姓名和学号/工号');
    await page.getByTestId('youth-number').fill('２０２６０３１５');
    await page.getByTestId('checkin-submit').click();
    await hasText(page.getByTestId('checkin-result'), '打卡成功');
    await hasText(page.getByTestId('checkin-result'), '计入青年学习人数');
    expect(await figures(ids.branch)).toMatchObject({ members: 2, membersLearned: 1, youthLearned: 1, learners: 2 });
    await noSideways(page);
    // Not a member: the roster still has the two members only.
    const roster = await admin.call<{ total: number }>('GET', `/api/orgs/${ids.branch}/members`);
    expect(roster.total).toBe(2);
  });

  it('loaded no admin code on the phones and raised no page errors', async () => {
    const allowed = new Set((await phonePageAssets()).map((a) => a.file));
    expect(assetRequests.length).toBeGreaterThan(0);
    expect([...new Set(assetRequests)].filter((a) => !allowed.has(a))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
