/**
 * Journeys through the 青年大学习 cadre screens in real Chromium against a real tuanwu server: a city cadre
 * publishes a lesson with a quiz (a client-side and a server-side field error on the way), withdraws and edits;
 * members check in through the API as their phones do (one-time code, the server's clock, the quiz) and the
 * open dashboard shows the figures change on its own and writes the 每期督导 Word document; the 未学名单 is exported and read back; the one-click
 * reminder reaches the org's chat robot and a branch cadre's notification bell; the ranking over one lesson and
 * over the season shows ties and the formula; the dashboard fits a phone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
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
import { withCheckChar } from '../server/src/member/member-fields.js';

const CITY = '共青团学习市委员会';
const DISTRICT_A = '共青团甲区委员会';
const DISTRICT_B = '共青团乙区委员会';
const DISTRICT_C = '共青团丙区委员会';
const BRANCH_A1 = '甲区实验中学高一1班团支部';
const BRANCH_A2 = '甲区实验中学高一2班团支部';
const BRANCH_B1 = '乙区机关团支部';
const BRANCH_C1 = '丙区社区团支部';
const CITY_ADMIN = { username: 'xuexi-city', displayName: '市团委宣传部', password: 'Xuexi-city-2026' };
const A1_ADMIN = { username: 'xuexi-a1', displayName: '高一1班团支书', password: 'Xuexi-a1-2026' };

const DAY = 86_400_000;
const beijing = (ms = Date.now()) => new Date(ms + 8 * 3600_000);
const YEAR = beijing().getUTCFullYear();
const SEASON = `${YEAR}年`;
/** This week's Monday and Sunday in Beijing. */
const THIS_MONDAY = new Date(beijing().getTime() - ((beijing().getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
const THIS_SUNDAY = new Date(Date.parse(`${THIS_MONDAY}T00:00:00Z`) + 6 * DAY).toISOString().slice(0, 10);
/** The default lesson week: this week's, or next week's once Sunday 20:00 has passed. */
const ROLLED = Date.now() >= Date.parse(`${THIS_SUNDAY}T20:00:00+08:00`);
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const MONDAY = ROLLED ? plusDays(THIS_MONDAY, 7) : THIS_MONDAY;
const SUNDAY = ROLLED ? plusDays(THIS_SUNDAY, 7) : THIS_SUNDAY;
const MIN_SECONDS = 3;
const RIGHT = [[1], [0, 2]];

interface Person {
  name: string;
  idNumber: string;
  phone: string;
  id?: number;
}
const person = (seq: number, name: string): Person => ({
  name,
  idNumber: withCheckChar(`500103${YEAR - 18}0412${String(seq).padStart(3, '0')}`),
  phone: `1390000${String(seq).padStart(4, '0')}`,
});
const MEMBERS = {
  a1: [person(1, '赵一学'), person(2, '钱二学'), person(3, '孙三未')],
  a2: [person(4, '李四未'), person(5, '周五未')],
  b1: [person(6, '吴六学')],
  c1: [person(7, '郑七学')],
};
const NOT_YET = [MEMBERS.a1[2]!, ...MEMBERS.a2];

/** A member's phone: a one-time code issued by the branch, redeemed for the `tuanwu_member` cookie. */
class MemberPhone {
  private cookie = '';
  private csrf = '';
  constructor(private readonly baseUrl: string) {}

  async signIn(admin: ApiSession, memberId: number): Promise<void> {
    const { codes } = await admin.call<{ codes: { code: string }[] }>(
      'POST',
      `/api/members/${memberId}/sign-in-code`,
      {},
    );
    const res = await fetch(`${this.baseUrl}/api/member-auth/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: codes[0]!.code }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    this.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    this.cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .find((c) => c!.startsWith('tuanwu_member='))!;
  }

  async send(method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.baseUrl}${url}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(this.cookie && { cookie: this.cookie }),
        ...(this.csrf && { 'x-csrf-token': this.csrf }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
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

/** The <input> of a form control, whether the test id sits on the input or on its wrapper. */
const inputOf = (page: Page, testId: string): Locator =>
  page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();

const figure = (page: Page, id: string) => page.getByTestId(`study-fig-${id}`).locator('.ant-statistic-content');

/** The figures refresh by themselves every 10 s: wait for one refresh without touching the page. */
const REFRESH_WAIT = { timeout: 30_000, interval: 250 };

describe('青年大学习 journeys', () => {
  let h: Harness;
  let admin: ApiSession;
  let cityApi: ApiSession;
  let cityCtx: BrowserContext;
  let city: Page;
  let hook: Server;
  let hookUrl = '';
  const hookPosts: { text: { content: string } }[] = [];
  const pageErrors: string[] = [];
  const ids = { city: 0, a: 0, b: 0, c: 0, a1: 0, a2: 0, b1: 0, c1: 0, lesson: 0, withdrawn: 0, past: 0 };

  beforeAll(async () => {
    h = await startHarness();
    admin = await apiSession(h.baseUrl);
    const org = async (parentId: number | null, kind: string, name: string) =>
      (await admin.call<{ id: number }>('POST', '/api/orgs', { parentId, kind, name, category: '学校' })).id;
    ids.city = await org(null, 'committee', CITY);
    ids.a = await org(ids.city, 'committee', DISTRICT_A);
    ids.b = await org(ids.city, 'committee', DISTRICT_B);
    ids.c = await org(ids.city, 'committee', DISTRICT_C);
    ids.a1 = await org(ids.a, 'branch', BRANCH_A1);
    ids.a2 = await org(ids.a, 'branch', BRANCH_A2);
    ids.b1 = await org(ids.b, 'branch', BRANCH_B1);
    ids.c1 = await org(ids.c, 'branch', BRANCH_C1);
    const branchOf = { a1: ids.a1, a2: ids.a2, b1: ids.b1, c1: ids.c1 };
    for (const [key, people] of Object.entries(MEMBERS))
      for (const p of people)
        p.id = (
          await admin.call<{ id: number }>('POST', `/api/orgs/${branchOf[key as keyof typeof branchOf]}/members`, {
            name: p.name,
            idNumber: p.idNumber,
            politicalStatus: '共青团员',
            phone: p.phone,
          })
        ).id;
    await createAccount(h.baseUrl, admin, ids.city, CITY_ADMIN);
    await createAccount(h.baseUrl, admin, ids.a1, A1_ADMIN);
    cityApi = await apiSession(h.baseUrl, CITY_ADMIN.username, CITY_ADMIN.password);

    // The org's chat robot: records what the reminder posts.
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hookPosts.push(JSON.parse(body) as { text: { content: string } });
        res.setHeader('content-type', 'application/json');
        res.end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/robot/send`;

    cityCtx = await h.newContext(DESKTOP);
    city = await cityCtx.newPage();
    city.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(city, CITY_ADMIN.username, CITY_ADMIN.password);
  });

  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.error(`server output:\n${h?.serverLog() ?? ''}`);
  });

  afterAll(async () => {
    hook?.close();
    await h?.close();
  });

  it('publishes a lesson with a quiz: default week, checks before sending, the server’s field error, withdraw, edit', async () => {
    await city.locator('.ant-menu-submenu-title', { hasText: '青年大学习' }).click();
    await city.getByTestId('nav-study-lessons').click();
    await city.waitForURL(new RegExp(`/study/lessons\\?org=${ids.city}$`));
    await hasText(city.getByTestId('lesson-table'), '还没有学习期次');

    await city.getByTestId('lesson-new').click();
    await visible(city.getByTestId('lesson-form'));
    expect(await inputOf(city, 'lesson-form-season').inputValue()).toBe(SEASON);
    expect(await inputOf(city, 'lesson-form-number').inputValue()).toBe('1');
    // Monday 00:00 to Sunday 20:00 Beijing time: this week's, or next week's on Sunday night.
    expect(await inputOf(city, 'lesson-form-opens').inputValue()).toBe(`${MONDAY} 00:00`);
    expect(await inputOf(city, 'lesson-form-closes').inputValue()).toBe(`${SUNDAY} 20:00`);
    if (ROLLED) {
      // Sunday night: the default week has not begun, but the journey needs the lesson open now.
      const opens = inputOf(city, 'lesson-form-opens');
      await opens.click();
      await opens.fill(`${THIS_SUNDAY} 00:00`);
      await opens.press('Enter');
    } else if (Date.now() > Date.parse(`${SUNDAY}T19:30:00+08:00`)) {
      // Sunday evening: this week's lesson is nearly over, so this one runs into next week.
      const closes = inputOf(city, 'lesson-form-closes');
      await closes.click();
      await closes.fill(`${plusDays(SUNDAY, 2)} 20:00`);
      await closes.press('Enter');
    }
    await inputOf(city, 'lesson-form-title').fill('学习贯彻全会精神');
    await inputOf(city, 'lesson-form-video').fill('https://example.org/v/1.mp4');
    await city.getByTestId('lesson-form-body').fill('本期学习全会精神。');
    await inputOf(city, 'lesson-form-minutes').fill('0');
    await inputOf(city, 'lesson-form-seconds').fill(String(MIN_SECONDS));

    await city.getByTestId('quiz-add').click();
    const q0 = city.getByTestId('quiz-q-0');
    await q0.getByTestId('quiz-q-0-question').fill('全会在几月召开？');
    await inputOf(city, 'quiz-q-0-option-0').fill('十月');
    await inputOf(city, 'quiz-q-0-option-1').fill('十一月');
    await q0.getByTestId('quiz-q-0-answer').getByText('B. 十一月').click();

    await city.getByTestId('quiz-add').click();
    const q1 = city.getByTestId('quiz-q-1');
    await q1.getByTestId('quiz-q-1-question').fill('以下哪些说法正确？');
    await q1.getByTestId('quiz-q-1-multiple').getByText('多选').click();
    await inputOf(city, 'quiz-q-1-option-0').fill('甲');
    await inputOf(city, 'quiz-q-1-option-1').fill('乙');
    await q1.getByTestId('quiz-q-1-add-option').click();
    await inputOf(city, 'quiz-q-1-option-2').fill('丙');
    await q1.getByTestId('quiz-q-1-answer').getByText('A. 甲').click();
    // A 多选 question with one correct answer would reach learners as 单选: caught before sending.
    await city.getByTestId('lesson-form-submit').click();
    await hasText(q1, '多选题至少两个正确答案');
    await q1.getByTestId('quiz-q-1-answer').getByText('C. 丙').click();
    await city.getByTestId('lesson-form-submit').click();
    await city.getByTestId('lesson-form').waitFor({ state: 'detached' });

    const row1 = city.getByTestId('lesson-table').locator('tr.ant-table-row', { hasText: `${SEASON}第1期` });
    await hasText(row1, '学习贯彻全会精神');
    await hasText(row1, '进行中');
    await hasText(row1, `${MIN_SECONDS} 秒`);
    await hasText(row1, '2 题');

    const listed = await cityApi.call<{ items: { id: number; number: number }[] }>(
      'GET',
      `/api/orgs/${ids.city}/lessons`,
    );
    ids.lesson = listed.items.find((l) => l.number === 1)!.id;
    const saved = await cityApi.call<{
      minSeconds: number;
      opensAt: string;
      closesAt: string;
      targetOrgId: number;
      quiz: { question: string; options: string[]; answer: number[] }[];
    }>('GET', `/api/lessons/${ids.lesson}`);
    expect(saved.minSeconds).toBe(MIN_SECONDS);
    expect(saved.targetOrgId).toBe(ids.city);
    expect(Date.parse(saved.opensAt)).toBe(Date.parse(`${MONDAY}T00:00:00+08:00`));
    expect(saved.quiz).toEqual([
      { question: '全会在几月召开？', options: ['十月', '十一月'], answer: [1] },
      { question: '以下哪些说法正确？', options: ['甲', '乙', '丙'], answer: [0, 2] },
    ]);

    // The same 期次 again: the server's answer appears under the 期数 field.
    await city.getByTestId('lesson-new').click();
    expect(await inputOf(city, 'lesson-form-number').inputValue()).toBe('2');
    await inputOf(city, 'lesson-form-number').fill('1');
    await inputOf(city, 'lesson-form-title').fill('专题学习');
    await city.getByTestId('lesson-form-submit').click();
    await hasText(city.locator('.ant-form-item', { has: inputOf(city, 'lesson-form-number') }), '该期次已存在');
    await inputOf(city, 'lesson-form-number').fill('2');
    await city.getByTestId('lesson-form-submit').click();
    await city.getByTestId('lesson-form').waitFor({ state: 'detached' });
    const listed2 = await cityApi.call<{ items: { id: number; number: number }[] }>(
      'GET',
      `/api/orgs/${ids.city}/lessons`,
    );
    ids.withdrawn = listed2.items.find((l) => l.number === 2)!.id;

    // Withdrawn: learners can no longer study it.
    await city.getByTestId(`lesson-withdraw-${ids.withdrawn}`).click();
    await city.getByTestId('lesson-withdraw-confirm').click();
    const row2 = city.getByTestId('lesson-table').locator('tr.ant-table-row', { hasText: `${SEASON}第2期` });
    await hasText(row2, '已撤回');
    await visible(city.getByTestId(`lesson-restore-${ids.withdrawn}`));

    // Edit the title; the unchanged quiz is not sent again.
    await city.getByTestId(`lesson-edit-${ids.lesson}`).click();
    await expect.poll(() => inputOf(city, 'lesson-form-title').inputValue()).toBe('学习贯彻全会精神');
    expect(await inputOf(city, 'quiz-q-1-option-2').inputValue()).toBe('丙');
    await inputOf(city, 'lesson-form-title').fill('学习贯彻全会精神（第一讲）');
    await city.getByTestId('lesson-form-submit').click();
    await city.getByTestId('lesson-form').waitFor({ state: 'detached' });
    await hasText(row1, '学习贯彻全会精神（第一讲）');
  });

  it('shows check-ins arriving on the open dashboard: 参学率, 覆盖面, youth, today, children ranked', async () => {
    await city.getByTestId('nav-study').click();
    await city.waitForURL(new RegExp(`/study\\?org=${ids.city}$`));
    await textIs(figure(city, 'members'), '7');
    await textIs(figure(city, 'learned'), '0');
    await textIs(figure(city, 'participation'), '0.00%');
    await textIs(figure(city, 'today'), '0');
    await hasText(city.getByTestId('study-lesson-info'), `${SEASON}第1期「学习贯彻全会精神（第一讲）」`);
    await visible(city.getByTestId('study-chart-children').locator('svg'));

    // Four members open the lesson on their phones (the server starts the clock) and a youth at branch A2.
    const learners = [MEMBERS.a1[0]!, MEMBERS.a1[1]!, MEMBERS.b1[0]!, MEMBERS.c1[0]!];
    const phones: { phone: MemberPhone; viewToken: string }[] = [];
    for (const m of learners) {
      const phone = new MemberPhone(h.baseUrl);
      await phone.signIn(admin, m.id!);
      const opened = await phone.send('GET', `/api/my/lessons/${ids.lesson}`);
      expect(opened.status).toBe(200);
      expect(JSON.stringify(opened.json)).not.toContain('answer');
      phones.push({ phone, viewToken: opened.json.viewToken as string });
      if (phones.length === 1) {
        // Checked in at once: the server's clock says the minimum time has not passed.
        const tooSoon = await phone.send('POST', `/api/my/lessons/${ids.lesson}/check-in`, {
          viewToken: phones[0]!.viewToken,
          answers: RIGHT,
        });
        expect(tooSoon.status).toBe(422);
        expect(tooSoon.json.message).toMatch(/学习时间不足/);
      }
    }
    const youth = new MemberPhone(h.baseUrl);
    const youthOpened = await youth.send('GET', `/api/study/branches/${ids.a2}/lessons/${ids.lesson}`);
    expect(youthOpened.status).toBe(200);

    await new Promise((r) => setTimeout(r, (MIN_SECONDS + 0.5) * 1000));
    const first = phones[0]!;
    const wrong = await first.phone.send('POST', `/api/my/lessons/${ids.lesson}/check-in`, {
      viewToken: first.viewToken,
      answers: [[1], [0]],
    });
    expect(wrong.status).toBe(422);
    expect(wrong.json.message).toBe('第2题回答不正确，请重新作答');
    for (const p of phones) {
      const ok = await p.phone.send('POST', `/api/my/lessons/${ids.lesson}/check-in`, {
        viewToken: p.viewToken,
        answers: RIGHT,
      });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json).toEqual({ counted: true, firstTime: true });
    }
    const youthDone = await youth.send('POST', `/api/study/branches/${ids.a2}/lessons/${ids.lesson}/check-in`, {
      name: '王青年',
      number: '20260101',
      viewToken: youthOpened.json.viewToken,
      answers: RIGHT,
    });
    expect(youthDone.status, JSON.stringify(youthDone.json)).toBe(200);

    // The page refreshes by itself.
    await expect.poll(() => figure(city, 'learned').innerText(), REFRESH_WAIT).toBe('4');
    await textIs(figure(city, 'participation'), '57.14%');
    await textIs(figure(city, 'youth'), '1');
    await textIs(figure(city, 'coverage'), '100.00%');
    await hasText(city.getByTestId('study-fig-coverage').locator('..'), '4 / 4 个团支部有人学习');
    await textIs(figure(city, 'today'), '5');

    // Children ranked: B and C tie at 100 %, A (2 of 5) is third.
    const children = city.getByTestId('study-children');
    const rowOf = (name: string) => children.locator('tr.ant-table-row', { hasText: name });
    await hasText(rowOf(DISTRICT_A), '40.00%');
    await textIs(rowOf(DISTRICT_A).locator('td').first(), '3');
    await textIs(rowOf(DISTRICT_B).locator('td').first(), '1');
    await textIs(rowOf(DISTRICT_C).locator('td').first(), '1');
    await hasText(rowOf(DISTRICT_A), '2 / 2');
    await hasText(city.getByTestId('study-weakest'), DISTRICT_A);
    // The charts are drawn (SVG, so their labels are text).
    await hasText(city.getByTestId('study-chart-children'), DISTRICT_A);
    await hasText(city.getByTestId('study-chart-trend'), `${SEASON}第1期`);
    await visible(city.getByTestId('study-chart-distribution').locator('svg'));
    await hasText(city.getByTestId('study-formulas'), '参学率 = 已学团员数 ÷ 团员数');
    await hasText(city.getByTestId('study-formulas'), '覆盖面 = 有人学习的团支部数 ÷ 团支部数');

    // 每期督导 as a red-header Word document, with the 文号 typed on the dashboard.
    await city.getByTestId('report-doc-number').fill('学团〔2026〕8号');
    const word = await download(city, () => city.getByTestId('report-supervision-docx').click());
    expect(word.name).toMatch(/\.docx$/);
    const xml = await (await JSZip.loadAsync(word.bytes)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain('学团〔2026〕8号');
    expect(text).toContain(`关于${SEASON}第1期“青年大学习”督导情况的通报`);
    expect(text).toContain('共有团员7人，已学4人，参学率57.14%');
    expect(text).toContain(DISTRICT_A);
  });

  it('lists who has not learned, exports it masked, and reminds them: in the app and through the chat robot', async () => {
    await city.getByTestId('study-lesson-info').getByText('未学名单').click();
    await city.waitForURL(new RegExp(`/study/not-yet\\?org=${ids.city}&lesson=${ids.lesson}$`));
    await textIs(city.getByTestId('not-yet-total'), '未学 3 人');
    const table = city.getByTestId('not-yet-table');
    for (const m of NOT_YET) {
      await hasText(table, m.name);
      await hasText(table, `${m.phone.slice(0, 3)}****${m.phone.slice(-4)}`);
    }
    const shown = await table.innerText();
    for (const m of Object.values(MEMBERS).flat()) expect(shown).not.toContain(m.phone);
    expect(shown).not.toContain(MEMBERS.b1[0]!.name);

    const file = await download(city, () => city.getByTestId('not-yet-export').click());
    expect(file.name).toBe('未学名单.xlsx');
    const rows = await readSheet(file.bytes);
    expect(rows[0]![0]).toContain('未学名单');
    expect(rows[1]).toEqual(['序号', '姓名', '所在团支部', '团内职务', '手机号']);
    expect(
      rows
        .slice(2)
        .map((r) => r[1])
        .sort(),
    ).toEqual(NOT_YET.map((m) => m.name).sort());
    expect(rows.slice(2).find((r) => r[1] === MEMBERS.a1[2]!.name)?.[2]).toBe(BRANCH_A1);
    expect(JSON.stringify(rows)).not.toMatch(/1390000\d{4}/);

    // 群机器人地址: checked before sending, then saved.
    await city.getByTestId('webhook-toggle').click();
    await inputOf(city, 'webhook-url').fill('ftp://robot.example');
    await city.getByTestId('webhook-save').click();
    await hasText(city.getByTestId('webhook-form'), '网址应以 http:// 或 https:// 开头');
    await inputOf(city, 'webhook-url').fill(hookUrl);
    await city.getByTestId('webhook-save').click();
    await hasText(city.locator('.ant-message'), '群机器人地址已保存');
    expect(await cityApi.call<{ url: string }>('GET', `/api/orgs/${ids.city}/webhook`)).toEqual({ url: hookUrl });

    await city.getByTestId('remind').click();
    await hasText(city.locator('.ant-modal-confirm'), '提醒 3 名未学团员？');
    await city.getByTestId('remind-confirm').click();
    const result = city.getByTestId('remind-result');
    await hasText(result, '已提醒 3 名团员、1 名团干部（2 个团支部）');
    await hasText(result, '未学名单已推送到群机器人（HTTP 200）');
    expect(hookPosts).toHaveLength(1);
    const text = hookPosts[0]!.text.content;
    for (const m of NOT_YET) expect(text).toContain(m.name);
    expect(text).not.toMatch(/1390000/);
  });

  it('ranks the child orgs for one lesson and over the season, with ties and the formula; exports it', async () => {
    // A lesson of the same season that closed last week, nobody learned.
    ids.past = (
      await cityApi.call<{ id: number }>('POST', `/api/orgs/${ids.city}/lessons`, {
        season: SEASON,
        number: 90,
        title: '往期学习',
        minSeconds: 0,
        opensAt: new Date(Date.now() - 10 * DAY).toISOString(),
        closesAt: new Date(Date.now() - 3 * DAY).toISOString(),
      })
    ).id;
    await city.getByTestId('nav-study-ranking').click();
    await city.waitForURL(new RegExp(`/study/ranking\\?org=${ids.city}$`));
    const table = city.getByTestId('ranking-table');
    const rowOf = (name: string) => table.locator('tr.ant-table-row', { hasText: name });
    await hasText(rowOf(DISTRICT_B), '100.00%');
    await hasText(rowOf(DISTRICT_B).locator('td').first(), '并列');
    await hasText(rowOf(DISTRICT_C).locator('td').first(), '1');
    await textIs(rowOf(DISTRICT_A).locator('td').first(), '3');
    await hasText(rowOf(DISTRICT_A), '40.00%');
    await hasText(city.getByTestId('ranking-formulas'), '名次并列');

    // The whole season: the average of the weekly rates.
    await city.getByTestId('ranking-all-season').click();
    await city.waitForURL(new RegExp(`lessons=${ids.lesson}%2C${ids.past}|lessons=${ids.lesson},${ids.past}`));
    await hasText(table.locator('thead'), '第90期');
    await hasText(table.locator('thead'), '平均参学率');
    await hasText(rowOf(DISTRICT_B), '50.00%');
    await hasText(rowOf(DISTRICT_A), '20.00%');
    await textIs(rowOf(DISTRICT_A).locator('td').first(), '3');
    await hasText(city.getByTestId('ranking-formulas'), '区间参学率 = 各期参学率的算术平均值');

    const file = await download(city, () => city.getByTestId('ranking-export').click());
    expect(file.name).toBe('青年大学习排名.xlsx');
    const text = JSON.stringify(await readSheet(file.bytes));
    for (const name of [DISTRICT_A, DISTRICT_B, DISTRICT_C]) expect(text).toContain(name);
  });

  it('brings the reminder to the branch cadre’s bell, which opens the branch’s 未学名单', async () => {
    const ctx = await h.newContext(DESKTOP);
    const branch = await ctx.newPage();
    branch.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(branch, A1_ADMIN.username, A1_ADMIN.password);
    const count = branch.getByTestId('notification-count').locator('.ant-badge-count');
    await expect.poll(() => count.getAttribute('title').catch(() => null)).toBe('1');
    await branch.getByTestId('notification-bell').click();
    const list = branch.getByTestId('notification-list');
    await hasText(list, `青年大学习${SEASON}第1期提醒`);
    await hasText(list, `${BRANCH_A1}还有 1 名团员未完成`);
    // The bell's list refreshes while it is open; under load a click can land on an item being replaced, so the
    // item is clicked again until the app has moved to the 未学名单 (an in-app navigation, no page load).
    const target = new RegExp(`/study/not-yet\\?org=${ids.a1}&lesson=${ids.lesson}$`);
    await expect
      .poll(
        async () => {
          if (!target.test(branch.url()))
            await list
              .getByText(`青年大学习${SEASON}第1期提醒`)
              .click({ timeout: 2000 })
              .catch(() => undefined);
          return branch.url();
        },
        { timeout: 15_000 },
      )
      .toMatch(target);
    await textIs(branch.getByTestId('not-yet-total'), '未学 1 人');
    await hasText(branch.getByTestId('not-yet-table'), MEMBERS.a1[2]!.name);
    await expect.poll(() => count.count()).toBe(0);
    const inbox = await (
      await apiSession(h.baseUrl, A1_ADMIN.username, A1_ADMIN.password)
    ).call<{ items: { readAt: string | null }[] }>('GET', '/api/notifications');
    expect(inbox.items.map((n) => n.readAt !== null)).toEqual([true]);
  });

  it('fits the dashboard on a phone', async () => {
    const ctx = await h.newContext(PHONE);
    const phone = await ctx.newPage();
    phone.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await login(phone, CITY_ADMIN.username, CITY_ADMIN.password);
    await phone.goto(`/study?org=${ids.city}&lesson=${ids.lesson}`);
    await textIs(figure(phone, 'learned'), '4');
    await textIs(figure(phone, 'participation'), '57.14%');
    await hasText(phone.getByTestId('study-chart-children'), DISTRICT_A);
    const widths = await phone.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    expect(pageErrors).toEqual([]);
  });
});
