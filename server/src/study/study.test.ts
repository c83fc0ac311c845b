import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnv,
  DIALECTS,
  Factory,
  MemberClient,
  standardTree,
  type Client,
  type TestEnv,
} from '../../test/harness.js';
import { withCheckChar } from '../member/member-fields.js';
import { cliCtx } from '../cli/system-actor.js';
import { defaultWeek } from './lesson.service.js';
import { periodRange } from './study-reports.js';
import JSZip from 'jszip';

interface Fig {
  orgId: number;
  members: number;
  membersLearned: number;
  youthLearned: number;
  participation: number | null;
  branches: number;
  branchesCovered: number;
  coverage: number | null;
}

describe.each(DIALECTS)('青年大学习 (%s)', (dialect) => {
  let env: TestEnv;
  let f: Factory;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let city: Client;
  let branchCadre: Client;
  let branchBCadre: Client;
  let system: Client;
  let branchA2: { id: number; path: string };
  /** members of branch A (3) and branch A2 (2) and branch B (1) */
  const memberIds = { a: [] as number[], a2: [] as number[], b: [] as number[] };
  let lessonId: number;

  const addMember = async (cadre: Client, branchId: number, i: number) => {
    const res = await cadre.post(`/api/orgs/${branchId}/members`, {
      name: `学员${branchId}-${i}`,
      idNumber: withCheckChar(
        `5001022006${String(branchId % 100).padStart(2, '0')}${String(i + 10).padStart(2, '0')}12${i}`,
      ),
      politicalStatus: '共青团员',
      phone: `1380000${String(branchId % 100).padStart(2, '0')}${String(i).padStart(2, '0')}`,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number }>().id;
  };

  const memberPhone = async (cadre: Client, memberId: number) => {
    const res = await cadre.post(`/api/members/${memberId}/sign-in-code`);
    expect(res.statusCode, res.body).toBe(200);
    const phone = new MemberClient(env.app);
    const code = res.json<{ codes: { code: string }[] }>().codes[0]!.code;
    expect((await phone.redeem(code.toLowerCase().replace(/(....)/, '$1-'))).statusCode).toBe(200);
    return { phone, code };
  };

  const dashboard = async (c: Client, orgId: number, lesson = lessonId) => {
    const res = await c.get(`/api/orgs/${orgId}/study/dashboard?lessonId=${lesson}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ org: Fig; children: (Fig & { rank: number | null })[]; checkinsToday: number }>();
  };

  /** A view token started `secondsAgo` on the server's clock (what a learner who opened the page then holds). */
  const startedAgo = (lesson: number, subject: string, secondsAgo: number) =>
    env.services.checkins.viewToken(lesson, subject, Date.now() - secondsAgo * 1000);

  beforeAll(async () => {
    env = await createEnv(dialect);
    f = new Factory(env);
    tree = await standardTree(f);
    branchA2 = await f.org(tree.schoolA.id, 'branch', '共青团甲区第一中学高一2班支部委员会');
    city = await f.account('s-city', tree.city.id, 'admin');
    branchCadre = await f.account('s-branch', tree.schoolA.id, 'secretary');
    branchBCadre = await f.account('s-branch-b', tree.schoolB.id, 'secretary');
    system = await f.account('s-system', null, 'admin', { system: true });
    for (let i = 0; i < 3; i++) memberIds.a.push(await addMember(branchCadre, tree.branchA.id, i));
    for (let i = 0; i < 2; i++) memberIds.a2.push(await addMember(branchCadre, branchA2.id, i));
    memberIds.b.push(await addMember(branchBCadre, tree.branchB.id, 0));
    const res = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
      season: '2026年',
      number: 30,
      title: '学习贯彻全会精神',
      videoUrl: 'https://example.org/v/30.mp4',
      minSeconds: 60,
      // An explicit window around now: the default week closes on Sunday at 20:00, and tests run at any hour.
      opensAt: new Date(Date.now() - 3_600_000).toISOString(),
      closesAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      quiz: [
        { question: '全会召开的时间？', options: ['十月', '十一月'], answer: [0] },
        { question: '以下哪些正确？', options: ['甲', '乙', '丙'], answer: [0, 2] },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    lessonId = res.json<{ id: number }>().id;
  });
  afterAll(() => env.close());

  it('publishes a lesson with the week’s default window; a branch cannot publish; answers stay with cadres', async () => {
    const dflt = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
      season: '2026年',
      number: 29,
      title: '默认时间',
      minSeconds: 0,
    });
    const l = dflt.json<{ state: string; opensAt: string; closesAt: string }>();
    // Monday 00:00 and Sunday 20:00 in Asia/Shanghai are 16:00 UTC Sunday and 12:00 UTC Sunday; once this
    // week's lesson time is over (Sunday night) the default is next week's.
    expect(new Date(l.opensAt).getUTCDay()).toBe(0);
    expect(l.opensAt.slice(11, 16)).toBe('16:00');
    expect(l.closesAt.slice(11, 16)).toBe('12:00');
    expect(Date.parse(l.closesAt) - Date.parse(l.opensAt)).toBe((6 * 24 + 20) * 3600_000);
    expect(Date.parse(l.closesAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(l.closesAt) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000 + 20 * 3_600_000);
    expect(l.state).toBe(Date.parse(l.opensAt) <= Date.now() ? 'open' : 'upcoming');
    const withQuiz = (await city.get(`/api/lessons/${lessonId}`)).json<{ quiz: { answer: number[] }[] }>();
    expect(withQuiz.quiz[1]!.answer).toEqual([0, 2]);
    const branch = await branchCadre.post(`/api/orgs/${tree.branchA.id}/lessons`, {
      season: '2026年',
      number: 1,
      title: 'x',
      minSeconds: 0,
    });
    expect(branch.statusCode).toBe(400);
    const dup = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
      season: '2026年',
      number: 30,
      title: '重复',
      minSeconds: 0,
    });
    expect(dup.statusCode).toBe(409);
    const badQuiz = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
      season: '2026年',
      number: 31,
      title: '题目有误',
      minSeconds: 0,
      quiz: [{ question: '?', options: ['a', 'b'], answer: [2] }],
    });
    expect(badQuiz.statusCode).toBe(400);
    expect(badQuiz.body).toContain('第1题的正确答案不在选项中');
    // Lower levels see the lesson in their list.
    const list = (await branchCadre.get(`/api/orgs/${tree.branchA.id}/lessons`)).json<{ items: { id: number }[] }>();
    expect(list.items.map((i) => i.id)).toContain(lessonId);
  });

  it('members sign in with a personal one-time code; nobody else can use it again', async () => {
    const { phone, code } = await memberPhone(branchCadre, memberIds.a[0]!);
    const me = (await phone.get('/api/my/profile')).json<{ name: string; idNumberMask: string; phoneMask: string }>();
    expect(me.name).toBe(`学员${tree.branchA.id}-0`);
    expect(me.idNumberMask).toMatch(/^\d{4}\*{10}\d{3}[\dX]$/);
    expect(me.phoneMask).toMatch(/^\d{3}\*{4}\d{4}$/);
    const again = await new MemberClient(env.app).redeem(code);
    expect(again.statusCode).toBe(401);
    expect(again.json<{ message: string }>().message).toContain('已使用');
    expect((await new MemberClient(env.app).redeem('ZZZZZZZZ')).statusCode).toBe(401);
    // A cadre session is not a member session, and vice versa.
    expect((await branchCadre.get('/api/my/lessons')).statusCode).toBe(401);
    expect((await phone.get(`/api/orgs/${tree.branchA.id}/members`)).statusCode).toBe(401);
    // Password: set, then sign in with the ID number (lowercase x and spaces tolerated).
    expect((await phone.put('/api/my/password', { password: 'short' })).statusCode).toBe(400);
    expect((await phone.put('/api/my/password', { password: 'member-pass-1' })).statusCode).toBe(200);
    const idNumber = await env.database.db
      .selectFrom('member')
      .select('id_number_enc')
      .where('id', '=', memberIds.a[0]!)
      .executeTakeFirstOrThrow();
    const plain = env.services.cipher.decrypt(idNumber.id_number_enc);
    expect((await new MemberClient(env.app).loginWithPassword(plain, 'wrong-pass-1')).statusCode).toBe(401);
    expect(
      (await new MemberClient(env.app).loginWithPassword(` ${plain.toLowerCase()} `, 'member-pass-1')).statusCode,
    ).toBe(200);
    // A new code for this member (lost phone) ends the phone's session.
    await memberPhone(branchCadre, memberIds.a[0]!);
    expect((await phone.get('/api/my/profile')).statusCode).toBe(401);
  });

  it('checks a member in only after the minimum time and with every answer right, once', async () => {
    const { phone } = await memberPhone(branchCadre, memberIds.a[1]!);
    const lessons = (await phone.get('/api/my/lessons')).json<{
      items: { id: number; checkedInAt: string | null }[];
    }>();
    expect(lessons.items.find((l) => l.id === lessonId)?.checkedInAt).toBeNull();
    const opened = (await phone.get(`/api/my/lessons/${lessonId}`)).json<{
      viewToken: string;
      quiz: { options: string[]; multiple: boolean }[];
    }>();
    expect(opened.quiz[1]!.multiple).toBe(true);
    expect(JSON.stringify(opened)).not.toContain('answer');
    const right = [[0], [2, 0]];
    const tooSoon = await phone.post(`/api/my/lessons/${lessonId}/check-in`, {
      viewToken: opened.viewToken,
      answers: right,
    });
    expect(tooSoon.statusCode).toBe(422);
    expect(tooSoon.json<{ message: string }>().message).toMatch(/学习时间不足.*还差 \d+ 秒/);
    const token = startedAgo(lessonId, `m${memberIds.a[1]}`, 61);
    const wrong = await phone.post(`/api/my/lessons/${lessonId}/check-in`, { viewToken: token, answers: [[0], [0]] });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json<{ message: string }>().message).toBe('第2题回答不正确，请重新作答');
    // Another member's token is worthless: tokens are bound to the learner.
    const stolen = startedAgo(lessonId, `m${memberIds.a[2]}`, 61);
    expect(
      (await phone.post(`/api/my/lessons/${lessonId}/check-in`, { viewToken: stolen, answers: right })).statusCode,
    ).toBe(400);
    const forged = token.replace(/\.\d+\./, `.${Date.now() - 3_600_000}.`);
    expect(
      (await phone.post(`/api/my/lessons/${lessonId}/check-in`, { viewToken: forged, answers: right })).statusCode,
    ).toBe(400);
    const ok = await phone.post(`/api/my/lessons/${lessonId}/check-in`, { viewToken: token, answers: right });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ counted: true, firstTime: true });
    const twice = await phone.post(`/api/my/lessons/${lessonId}/check-in`, { viewToken: token, answers: right });
    expect(twice.json()).toEqual({ counted: true, firstTime: false });
    const d = await dashboard(city, tree.city.id);
    expect(d.org.membersLearned).toBe(1);
    expect(d.checkinsToday).toBe(1);
    expect(d.children.length).toBeGreaterThan(0);
    // A 本级查看 account at the city reads the city's own figures, not the orgs below it.
    const cityViewer = await f.account('s-city-viewer', tree.city.id, 'org_viewer');
    const seen = await dashboard(cityViewer, tree.city.id);
    expect(seen.org.membersLearned).toBe(1);
    expect(seen.children).toEqual([]);
    // Without a CSRF header a member's write is refused.
    const noCsrf = await phone.request(
      'POST',
      `/api/my/lessons/${lessonId}/check-in`,
      { viewToken: token, answers: right },
      { 'x-csrf-token': '' },
    );
    expect(noCsrf.statusCode).toBe(403);
  });

  it('counts youth apart from members, once per number, and never adds them to a roster', async () => {
    const search = (
      await new MemberClient(env.app).get(`/api/study/branches?q=${encodeURIComponent('高一2班')}`)
    ).json<{
      items: { id: number }[];
    }>();
    expect(search.items.map((i) => i.id)).toEqual([branchA2.id]);
    const anon = new MemberClient(env.app);
    const opened = await anon.get(`/api/study/branches/${branchA2.id}/lessons/${lessonId}`);
    expect(opened.statusCode, opened.body).toBe(200);
    const token = startedAgo(lessonId, `y${branchA2.id}`, 120);
    const body = { name: '王青年', number: '２０２６０１', viewToken: token, answers: [[0], [0, 2]] };
    const url = `/api/study/branches/${branchA2.id}/lessons/${lessonId}/check-in`;
    expect((await anon.post(url, body)).json()).toEqual({ counted: true, firstTime: true });
    expect((await anon.post(url, { ...body, number: '202601 ' })).json()).toEqual({ counted: true, firstTime: false });
    expect((await anon.post(url, { ...body, name: '李青年', number: '202602' })).json()).toEqual({
      counted: true,
      firstTime: true,
    });
    // A token for another branch is refused.
    const other = await anon.post(`/api/study/branches/${tree.branchA.id}/lessons/${lessonId}/check-in`, body);
    expect(other.statusCode).toBe(400);
    const a2 = (await dashboard(branchCadre, branchA2.id)).org;
    expect(a2).toMatchObject({ members: 2, membersLearned: 0, youthLearned: 2, branchesCovered: 1, coverage: 1 });
    expect(a2.participation).toBe(0);
    const roster = (await branchCadre.get(`/api/orgs/${branchA2.id}/members`)).json<{ total: number }>();
    expect(roster.total).toBe(2);
  });

  it('refuses check-ins after the close time and before the opening, with the time in the message', async () => {
    const closed = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
      season: '2026年',
      number: 20,
      title: '已截止的一期',
      minSeconds: 0,
      opensAt: '2026-06-01T00:00:00+08:00',
      closesAt: '2026-06-07T20:00:00+08:00',
    });
    expect(closed.statusCode, closed.body).toBe(201);
    const id = closed.json<{ id: number }>().id;
    const { phone } = await memberPhone(branchCadre, memberIds.a[2]!);
    const res = await phone.post(`/api/my/lessons/${id}/check-in`, {
      viewToken: startedAgo(id, `m${memberIds.a[2]}`, 10),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ message: string }>().message).toBe('本期学习已于 2026-06-07 20:00 截止，不能再打卡');
    const later = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
      season: '2027年',
      number: 1,
      title: '还没开始',
      minSeconds: 0,
      opensAt: '2027-01-04T00:00:00+08:00',
      closesAt: '2027-01-10T20:00:00+08:00',
    });
    const lid = later.json<{ id: number }>().id;
    const early = await phone.post(`/api/my/lessons/${lid}/check-in`, {
      viewToken: startedAgo(lid, `m${memberIds.a[2]}`, 10),
    });
    expect(early.statusCode).toBe(409);
    expect(early.json<{ message: string }>().message).toBe('本期学习将于 2027-01-04 00:00 开始');
  });

  it('rolls every check-in up to every ancestor at once, with 参学率 and 覆盖面', async () => {
    // Member a[2] and b[0] check in.
    for (const [cadre, id] of [
      [branchCadre, memberIds.a[2]!],
      [branchBCadre, memberIds.b[0]!],
    ] as const) {
      const { phone } = await memberPhone(cadre, id);
      const res = await phone.post(`/api/my/lessons/${lessonId}/check-in`, {
        viewToken: startedAgo(lessonId, `m${id}`, 61),
        answers: [[0], [0, 2]],
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const c = await dashboard(city, tree.city.id);
    expect(c.org).toMatchObject({ members: 6, membersLearned: 3, youthLearned: 2, branches: 3, branchesCovered: 3 });
    expect(c.org.participation).toBeCloseTo(0.5);
    const a = c.children.find((k) => k.orgId === tree.districtA.id)!;
    const b = c.children.find((k) => k.orgId === tree.districtB.id)!;
    expect(a).toMatchObject({ members: 5, membersLearned: 2, youthLearned: 2, branches: 2, branchesCovered: 2 });
    expect(b).toMatchObject({ members: 1, membersLearned: 1, branches: 1, coverage: 1, rank: 1 });
    expect(a.rank).toBe(2);
    const school = await dashboard(branchCadre, tree.schoolA.id);
    expect(school.org.membersLearned).toBe(2);
    // The live roll-up equals a recompute from the check-ins.
    const before = await env.database.db
      .selectFrom('lesson_stats')
      .selectAll()
      .where('lesson_id', '=', lessonId)
      .orderBy('org_id')
      .execute();
    expect((await system.post(`/api/lessons/${lessonId}/recompute`)).statusCode).toBe(200);
    const after = await env.database.db
      .selectFrom('lesson_stats')
      .selectAll()
      .where('lesson_id', '=', lessonId)
      .orderBy('org_id')
      .execute();
    expect(after.filter((r) => r.members_learned || r.youth_learned || r.branches_covered)).toEqual(
      before.filter((r) => r.members_learned || r.youth_learned || r.branches_covered),
    );
  });

  it('lists who has not learned, exports it masked, and ranks with ties', async () => {
    const list = (await branchCadre.get(`/api/orgs/${tree.schoolA.id}/study/not-yet?lessonId=${lessonId}`)).json<{
      total: number;
      rows: { memberId: number; phoneMask: string }[];
    }>();
    expect(list.total).toBe(3);
    expect(list.rows.map((r) => r.memberId).sort()).toEqual([memberIds.a[0], ...memberIds.a2].sort());
    expect(list.rows[0]!.phoneMask).toMatch(/\*{4}/);
    const xlsx = await branchCadre.get(`/api/orgs/${tree.schoolA.id}/study/not-yet.xlsx?lessonId=${lessonId}`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(String(ws.getCell('A1').value)).toContain('未学名单');
    const names: string[] = [];
    ws.eachRow((row, n) => {
      if (n > 2) names.push(String(row.getCell(2).value));
    });
    expect(names).toHaveLength(3);
    expect(JSON.stringify(ws.getSheetValues())).not.toMatch(/1380000\d{4}/);
    // District B cannot read district A's list.
    expect((await branchBCadre.get(`/api/orgs/${tree.schoolA.id}/study/not-yet?lessonId=${lessonId}`)).statusCode).toBe(
      404,
    );
    // Ranking of schoolA's branches: A 2/3, A2 0/2.
    const r = (await city.get(`/api/orgs/${tree.schoolA.id}/study/ranking?lessonIds=${lessonId}`)).json<{
      rows: { orgId: number; rank: number | null; average: number | null }[];
    }>();
    expect(r.rows.map((x) => [x.orgId, x.rank])).toEqual([
      [tree.branchA.id, 1],
      [branchA2.id, 2],
    ]);
  });

  it('moves a branch’s figures with it when the branch moves to another district', async () => {
    await env.services.orgs.move(cliCtx, branchA2.id, tree.schoolB.id);
    const c = await dashboard(city, tree.city.id);
    const a = c.children.find((k) => k.orgId === tree.districtA.id)!;
    const b = c.children.find((k) => k.orgId === tree.districtB.id)!;
    expect(a).toMatchObject({ members: 3, membersLearned: 2, youthLearned: 0, branches: 1, branchesCovered: 1 });
    expect(b).toMatchObject({ members: 3, membersLearned: 1, youthLearned: 2, branches: 2, branchesCovered: 2 });
    expect(c.org).toMatchObject({ members: 6, membersLearned: 3, youthLearned: 2, branches: 3, branchesCovered: 3 });
    expect(c.checkinsToday).toBe(5);
    expect((await dashboard(city, tree.districtB.id)).checkinsToday).toBe(3);
    // Ties: after the move, district A 2/3 vs district B 1/3 — and a tie when both are equal.
    const r = (await city.get(`/api/orgs/${tree.city.id}/study/ranking?lessonIds=${lessonId}`)).json<{
      rows: { orgId: number; rank: number | null }[];
    }>();
    expect(r.rows.map((x) => x.rank)).toEqual([1, 2]);
    const { phone } = await memberPhone(branchCadre, memberIds.a[0]!);
    await phone.post(`/api/my/lessons/${lessonId}/check-in`, {
      viewToken: startedAgo(lessonId, `m${memberIds.a[0]}`, 61),
      answers: [[0], [0, 2]],
    });
    for (const id of memberIds.a2) {
      const { phone: p } = await memberPhone(branchBCadre, id);
      await p.post(`/api/my/lessons/${lessonId}/check-in`, {
        viewToken: startedAgo(lessonId, `m${id}`, 61),
        answers: [[0], [0, 2]],
      });
    }
    const tie = (await city.get(`/api/orgs/${tree.city.id}/study/ranking?lessonIds=${lessonId}`)).json<{
      rows: { rank: number | null; average: number }[];
    }>();
    expect(tie.rows.map((x) => [x.rank, x.average])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it('a transferred member’s check-in of an open lesson follows them; closed lessons keep theirs', async () => {
    // a[1] learned the open lesson in branch A (district A); transfer them to branch B (district B).
    const before = await dashboard(city, tree.city.id);
    const aBefore = before.children.find((k) => k.orgId === tree.districtA.id)!;
    const bBefore = before.children.find((k) => k.orgId === tree.districtB.id)!;
    const t = await branchCadre.post(`/api/members/${memberIds.a[1]}/transfers`, {
      toOrgId: tree.branchB.id,
      reason: '工作调动',
    });
    expect(t.statusCode, t.body).toBe(201);
    const ok = await branchBCadre.post(`/api/transfers/${t.json<{ id: number }>().id}/approve`, {});
    expect(ok.statusCode, ok.body).toBe(200);
    const after = await dashboard(city, tree.city.id);
    const a = after.children.find((k) => k.orgId === tree.districtA.id)!;
    const b = after.children.find((k) => k.orgId === tree.districtB.id)!;
    expect([a.members, a.membersLearned]).toEqual([aBefore.members - 1, aBefore.membersLearned - 1]);
    expect([b.members, b.membersLearned]).toEqual([bBefore.members + 1, bBefore.membersLearned + 1]);
    expect(after.org.membersLearned).toBe(before.org.membersLearned);
    const list = (await branchBCadre.get(`/api/orgs/${tree.branchB.id}/study/not-yet?lessonId=${lessonId}`)).json<{
      rows: { memberId: number }[];
    }>();
    expect(list.rows.map((r) => r.memberId)).not.toContain(memberIds.a[1]);
    // The live roll-up still equals a recompute.
    const live = await env.database.db
      .selectFrom('lesson_stats')
      .selectAll()
      .where('lesson_id', '=', lessonId)
      .orderBy('org_id')
      .execute();
    await env.services.lessons.recompute(cliCtx, lessonId);
    const rebuilt = await env.database.db
      .selectFrom('lesson_stats')
      .selectAll()
      .where('lesson_id', '=', lessonId)
      .orderBy('org_id')
      .execute();
    const nonZero = (rows: typeof live) =>
      rows.filter((r) => r.members_learned || r.youth_learned || r.branches_covered);
    expect(nonZero(rebuilt)).toEqual(nonZero(live));
  });

  it('reminds members who have not learned, in the app and through the org’s webhook', async () => {
    const received: unknown[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      expect((await city.put(`/api/orgs/${tree.city.id}/webhook`, { url: 'ftp://x' })).statusCode).toBe(400);
      expect((await city.put(`/api/orgs/${tree.city.id}/webhook`, { url })).statusCode).toBe(200);
      // Everyone has learned but… add one more member who has not.
      const late = await addMember(branchCadre, tree.branchA.id, 7);
      const res = await city.post(`/api/orgs/${tree.city.id}/study/remind`, { lessonId });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ members: 1, branches: 1, webhook: { posted: true, status: 200 } });
      expect(received).toHaveLength(1);
      const text = (received[0] as { text: { content: string } }).text.content;
      expect(text).toContain(`学员${tree.branchA.id}-7`);
      expect(text).not.toMatch(/1380000/);
      const { phone } = await memberPhone(branchCadre, late);
      const inbox = (await phone.get('/api/my/notifications')).json<{ items: { title: string }[] }>();
      expect(inbox.items[0]!.title).toBe('青年大学习2026年第30期提醒');
      // The branch's cadre gets one with the count (s-branch holds a role at the school, not the branch: none).
      const cadreInbox = (await branchCadre.get('/api/notifications')).json<{ items: unknown[] }>();
      expect(cadreInbox.items).toHaveLength(0);
    } finally {
      server.close();
    }
  });

  it('lets one opened page check in at most three different youths (the fourth uses their own phone)', async () => {
    const anon = new MemberClient(env.app);
    const token = startedAgo(lessonId, `y${branchA2.id}`, 120);
    const url = `/api/study/branches/${branchA2.id}/lessons/${lessonId}/check-in`;
    const body = { name: '赵青年', viewToken: token, answers: [[0], [0, 2]] };
    for (const number of ['303001', '303002', '303003'])
      expect((await anon.post(url, { ...body, number })).statusCode).toBe(200);
    // The same person again is fine; a fourth person is not.
    expect((await anon.post(url, { ...body, number: '303001' })).json()).toEqual({ counted: true, firstTime: false });
    const fourth = await anon.post(url, { ...body, number: '303004' });
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json<{ message: string }>().message).toContain('自己的手机');
  });
});

describe('default lesson week', () => {
  it('is Monday 00:00 to Sunday 20:00 in Asia/Shanghai, next week once this one has closed', () => {
    // Wednesday 2026-11-18 10:00 Shanghai.
    expect(defaultWeek('2026-11-18T02:00:00.000Z')).toEqual({
      opensAt: '2026-11-15T16:00:00.000Z',
      closesAt: '2026-11-22T12:00:00.000Z',
    });
    // Sunday 2026-11-22 19:59 Shanghai: still this week.
    expect(defaultWeek('2026-11-22T11:59:00.000Z').closesAt).toBe('2026-11-22T12:00:00.000Z');
    // Sunday 2026-11-22 20:30 Shanghai: next week.
    expect(defaultWeek('2026-11-22T12:30:00.000Z')).toEqual({
      opensAt: '2026-11-22T16:00:00.000Z',
      closesAt: '2026-11-29T12:00:00.000Z',
    });
    // Monday 00:30 Shanghai is Sunday 16:30 UTC: already the new week.
    expect(defaultWeek('2026-11-22T16:30:00.000Z').opensAt).toBe('2026-11-22T16:00:00.000Z');
  });
});

describe.each(DIALECTS)('completion list import (%s)', (dialect) => {
  let env: TestEnv;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let school: Client;
  let lessonId: number;
  const ids: Record<string, number> = {};

  const upload = (c: Client, body: Buffer, name: string, dryRun: boolean, orgId = tree.schoolA.id) => {
    const boundary = '----tuanwu' + Math.random().toString(16).slice(2);
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return c.request('POST', `/api/lessons/${lessonId}/completions/import?orgId=${orgId}&dryRun=${dryRun}`, payload, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
  };
  interface Report {
    rows: number;
    matched: number;
    alreadyIn: number;
    created: number;
    unmatched: number;
    ambiguous: number;
    problems: { row: number; column: string; reason: string; kind: string; candidates?: { memberId: number }[] }[];
  }

  beforeAll(async () => {
    env = await createEnv(dialect);
    const f = new Factory(env);
    tree = await standardTree(f);
    school = await f.account('c-school', tree.schoolA.id, 'secretary');
    const city = await f.account('c-city', tree.city.id, 'admin');
    const people: [string, string, string][] = [
      ['zhang', '张三', '50010220060101111'],
      ['li1', '李四', '50010220060202222'],
      ['li2', '李四', '50010220060303333'],
      ['wang', '王五', '50010220060404444'],
    ];
    for (const [key, name, id17] of people) {
      const res = await school.post(`/api/orgs/${tree.branchA.id}/members`, {
        name,
        idNumber: withCheckChar(id17),
        politicalStatus: '共青团员',
      });
      expect(res.statusCode, res.body).toBe(201);
      ids[key] = res.json<{ id: number }>().id;
    }
    const l = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
      season: '2026年',
      number: 40,
      title: '导入测试',
      minSeconds: 0,
      opensAt: new Date(Date.now() - 3_600_000).toISOString(),
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    lessonId = l.json<{ id: number }>().id;
  });
  afterAll(() => env.close());

  const branchPath = '共青团示例市委员会/共青团甲区委员会/共青团甲区第一中学委员会/共青团甲区第一中学高一1班支部委员会';

  it('matches by name within the branch, lists the unmatched and the ambiguous, writes nothing on a dry run', async () => {
    const csv =
      '\uFEFF青年大学习2026年第40期完成名单\n' +
      '姓名,所在组织,学号,完成时间\n' +
      `张 三,${branchPath},,2026/11/20 20:31\n` +
      `李四,${branchPath},,2026-11-20 21:00:00\n` +
      `赵六,${branchPath},,2026-11-20 21:00:00\n` +
      `王五,共青团乙区委员会/高三9班团支部,,2026-11-20\n` +
      '\n';
    const dry = await upload(school, Buffer.from(csv), '完成名单.csv', true);
    expect(dry.statusCode, dry.body).toBe(200);
    const r = dry.json<Report>();
    expect(r).toMatchObject({ rows: 4, matched: 1, created: 1, unmatched: 2, ambiguous: 1 });
    const ambiguous = r.problems.find((p) => p.kind === 'ambiguous')!;
    expect(ambiguous.row).toBe(4);
    expect(ambiguous.candidates!.map((c) => c.memberId).sort()).toEqual([ids.li1, ids.li2].sort());
    expect(r.problems.find((p) => p.row === 5)!.reason).toContain('没有名为“赵六”');
    expect(r.problems.find((p) => p.row === 6)!.reason).toContain('没有找到团支部“高三9班团支部”');
    const count = async () =>
      Number(
        (
          await env.database.db
            .selectFrom('lesson_checkin')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('lesson_id', '=', lessonId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(0);
    const real = (await upload(school, Buffer.from(csv), '完成名单.csv', false)).json<Report>();
    expect(real.created).toBe(1);
    expect(await count()).toBe(1);
    const at = await env.database.db
      .selectFrom('lesson_checkin')
      .select(['checked_in_at', 'source'])
      .where('member_id', '=', ids.zhang!)
      .executeTakeFirstOrThrow();
    expect(at).toEqual({ checked_in_at: '2026-11-20T12:31:00.000Z', source: 'import' });
    // The same file again changes nothing.
    const again = (await upload(school, Buffer.from(csv), '完成名单.csv', false)).json<Report>();
    expect(again).toMatchObject({ created: 0, alreadyIn: 1 });
    expect(await count()).toBe(1);
    // A person resolves the ambiguous row by choosing one of the candidates.
    const resolved = await school.post(`/api/lessons/${lessonId}/completions/resolve`, { memberIds: [ids.li2] });
    expect(resolved.json()).toEqual({ created: 1 });
    const fig = (await school.get(`/api/orgs/${tree.schoolA.id}/study/dashboard?lessonId=${lessonId}`)).json<{
      org: { membersLearned: number };
    }>();
    expect(fig.org.membersLearned).toBe(2);
  });

  it('matches an Excel list by ID number and reads GB18030 CSV; refuses a foreign org and files without the columns', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('完成情况');
    ws.addRow(['序号', '姓名', '身份证号', '完成时间']);
    ws.addRow([1, '王五', withCheckChar('50010220060404444').toLowerCase(), '2026-11-21 08:00']);
    ws.addRow([2, '王五', withCheckChar('50010220069999999'), '2026-11-21 08:00']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const r = (await upload(school, xlsx, 'list.xlsx', false)).json<Report>();
    expect(r).toMatchObject({ rows: 2, created: 1, unmatched: 1 });
    // GB18030 bytes of "姓名,所在组织\n张三,<path>" written by hand for the two names used.
    const gb = Buffer.concat([
      Buffer.from([0xd0, 0xd5, 0xc3, 0xfb]), // 姓名
      Buffer.from(','),
      Buffer.from([0xcb, 0xf9, 0xd4, 0xda, 0xd7, 0xe9, 0xd6, 0xaf]), // 所在组织
      Buffer.from('\n'),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), // 张三
      Buffer.from(',x\n'),
    ]);
    const g = await upload(school, gb, 'gbk.csv', true);
    expect(g.statusCode, g.body).toBe(200);
    expect(g.json<Report>().problems[0]!.reason).toContain('没有找到团支部“x”');
    const foreign = await upload(school, Buffer.from(csvHeaderOnly), 'x.csv', true, tree.schoolB.id);
    expect(foreign.statusCode).toBe(404);
    const noColumns = await upload(school, Buffer.from('学号,完成时间\n1,2\n'), 'x.csv', true);
    expect(noColumns.statusCode).toBe(400);
    expect(noColumns.json<{ message: string }>().message).toContain('姓名');
  });
});

const csvHeaderOnly = '姓名,所在组织\n';

describe.each(DIALECTS)('supervision sheet, bulletin and assessment (%s)', (dialect) => {
  let env: TestEnv;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let city: Client;
  const lessonIds: number[] = [];

  const wordText = async (buf: Buffer) => {
    const zip = await JSZip.loadAsync(buf);
    const xml = await zip.file('word/document.xml')!.async('string');
    return { xml, text: xml.replace(/<[^>]+>/g, '') };
  };

  beforeAll(async () => {
    env = await createEnv(dialect);
    const f = new Factory(env);
    tree = await standardTree(f);
    city = await f.account('r-city', tree.city.id, 'admin');
    const school = await f.account('r-school', tree.schoolA.id, 'secretary');
    const member = await school.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '刘学',
      idNumber: withCheckChar('50010220060101555'),
      politicalStatus: '共青团员',
    });
    const memberId = member.json<{ id: number }>().id;
    // Fixed past openings (in 2026Q4 and the first semester of 2026–2027), still open now.
    for (const [n, opens] of [
      [1, '2026-10-12T00:00:00+08:00'],
      [2, '2026-10-19T00:00:00+08:00'],
    ] as const) {
      const res = await city.post(`/api/orgs/${tree.city.id}/lessons`, {
        season: '2026年',
        number: n,
        title: `第${n}期`,
        minSeconds: 0,
        opensAt: opens,
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      lessonIds.push(res.json<{ id: number }>().id);
    }
    const code = (await school.post(`/api/members/${memberId}/sign-in-code`)).json<{ codes: { code: string }[] }>()
      .codes[0]!.code;
    const phone = new MemberClient(env.app);
    await phone.redeem(code);
    const res = await phone.post(`/api/my/lessons/${lessonIds[0]}/check-in`, {
      viewToken: env.services.checkins.viewToken(lessonIds[0]!, `m${memberId}`, Date.now() - 1000),
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => env.close());

  it('writes the weekly supervision sheet as an official Word document and as a workbook', async () => {
    const res = await city.get(
      `/api/orgs/${tree.city.id}/study/reports/supervision?lessonId=${lessonIds[0]}&docNumber=${encodeURIComponent('示团〔2026〕12号')}`,
    );
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-disposition']).toContain(encodeURIComponent('督导情况的通报.docx'));
    const { xml, text } = await wordText(res.rawPayload);
    expect(text).toContain('共青团示例市委员会文件');
    expect(text).toContain('示团〔2026〕12号');
    expect(text).toContain('关于2026年第1期“青年大学习”督导情况的通报');
    expect(text).toContain('共有团员1人，已学1人，参学率100.00%');
    expect(text).toContain('附件：');
    expect(text).toContain('共青团甲区委员会');
    expect(xml).toContain('w:eastAsia="仿宋_GB2312"');
    expect(xml).toContain('w:eastAsia="方正小标宋简体"');
    expect(xml).toContain('w:eastAsia="黑体"');
    expect(xml).toMatch(/w:color w:val="E60012"/);
    const xlsx = await city.get(
      `/api/orgs/${tree.city.id}/study/reports/supervision?lessonId=${lessonIds[0]}&format=xlsx`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['正文', '附件1', '附件2']);
    const rows: string[] = [];
    wb.worksheets[1]!.eachRow((r) => rows.push(r.values!.toString()));
    expect(rows.join('\n')).toMatch(/1,共青团甲区委员会,1,1,100\.00%,0,0,100\.00%/);
  });

  it('writes the quarterly bulletin and the semester assessment with the formula', async () => {
    expect(periodRange('bulletin', '2026Q4')).toEqual({
      from: '2026-09-30T16:00:00.000Z',
      to: '2026-12-31T16:00:00.000Z',
      label: '2026年第四季度',
    });
    const res = await city.get(`/api/orgs/${tree.city.id}/study/reports/bulletin?period=2026Q4`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const { text } = await wordText(res.rawPayload);
    expect(text).toContain('关于2026年第四季度“青年大学习”开展情况的通报');
    expect(text).toContain('共开展学习2期，团员平均参学率50.00%');
    expect(text).toContain('各期参学率：2026年第1期100.00%，2026年第2期0.00%');
    expect((await city.get(`/api/orgs/${tree.city.id}/study/reports/bulletin?period=2026Q3`)).statusCode).toBe(400);
    const a = await city.get(`/api/orgs/${tree.city.id}/study/reports/assessment?period=2026-2027-1&format=xlsx`);
    expect(a.statusCode, a.body.slice(0, 300)).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(a.rawPayload as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.worksheets[1]!.eachRow((r) => cells.push(r.values!.toString()));
    // District A: lesson 1 100 %, lesson 2 0 % → 50 % participation, 50 % coverage → 50 points, 不合格.
    expect(cells.join('\n')).toMatch(/共青团甲区委员会,1,50\.00%,50\.00%,50,不合格/);
    expect(cells.join('\n')).toContain('考核得分 = 学期平均参学率 × 70');
    expect((await city.get(`/api/orgs/${tree.city.id}/study/reports/bulletin?period=2026-4`)).statusCode).toBe(400);
  });
});
