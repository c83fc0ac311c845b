import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createEnv, DIALECTS, type TestEnv } from '../../test/harness.js';
import { cliCtx } from '../cli/system-actor.js';
import type { DB, MemberStatus } from '../db/schema.js';
import { MemberStats } from '../member/member-stats.js';
import { StudyStats } from '../study/study-stats.js';
import { shanghaiInstant } from '../common/time.js';
import {
  commonPrefix,
  METRIC_KEYS,
  METRICS,
  MetricEngine,
  periodCalendar,
  type MetricKey,
  type MetricOrg,
} from './metrics.js';
import { refreshFacts } from './org-facts.js';

/** 2026 third quarter in Beijing time, half-open. */
const Q3 = { from: shanghaiInstant('2026-07-01'), to: shanghaiInstant('2026-10-01') };

/**
 * A city with two districts and a foreign root whose records must never count:
 *
 *   city ─ dA ─ edu (教育团工委, 学校) ─ s1 (学校团委) ─ gb1 (团总支) ─ b1 (4 members), b2 (2)
 *        │    │                       └ s2 (学校团委) ─ b3 (no members)
 *        │    └ town (农村) ─ v1 (4 current members), b4 (dissolved)
 *        └ dB ─ s3 (a school that is one branch, 1 member)
 *   other ─ ob (2 members)
 */
async function seed(env: TestEnv) {
  const db = env.database.db;
  const orgs = env.services.orgs;
  const mk = (
    parentId: number | null,
    kind: 'committee' | 'working_committee' | 'general_branch' | 'branch',
    name: string,
    category: string | null,
  ) => orgs.create(cliCtx, { parentId, kind, name, ...(category && { category }) } as never);
  const city = await mk(null, 'committee', '共青团示例市委员会', '机关');
  const dA = await mk(city.id, 'committee', '共青团甲区委员会', '机关');
  const edu = await mk(dA.id, 'working_committee', '共青团甲区教育工作委员会', '学校');
  const s1 = await mk(edu.id, 'committee', '共青团甲区第一中学委员会', '学校');
  const gb1 = await mk(s1.id, 'general_branch', '共青团甲区第一中学高一总支部委员会', '学校');
  const b1 = await mk(gb1.id, 'branch', '高一1班团支部', '学校');
  const b2 = await mk(gb1.id, 'branch', '高一2班团支部', '学校');
  const s2 = await mk(edu.id, 'committee', '共青团甲区第二中学委员会', '学校');
  const b3 = await mk(s2.id, 'branch', '第二中学高一1班团支部', '学校');
  const town = await mk(dA.id, 'committee', '共青团甲镇委员会', '农村');
  const v1 = await mk(town.id, 'branch', '一村团支部', '农村');
  const b4 = await mk(town.id, 'branch', '二村团支部', '农村');
  const dB = await mk(city.id, 'committee', '共青团乙区委员会', '机关');
  const s3 = await mk(dB.id, 'branch', '乙区实验小学团支部', '学校');
  const other = await mk(null, 'committee', '共青团他市委员会', '机关');
  const ob = await mk(other.id, 'branch', '他市一村团支部', '农村');

  const now = new Date().toISOString();
  const account = await db.transaction().execute((trx) =>
    env.services.accounts.insertAccount(trx, {
      username: 'metrics-clerk',
      displayName: '录入员',
      password: 'Test-pass-2026',
      isSystemAdmin: true,
      mustChangePassword: false,
    }),
  );

  // Members, with the member_stats roll-up and member_count kept as the member module keeps them.
  let n = 0;
  const stats = new MemberStats();
  const member = async (
    branch: { id: number; path: string },
    opts: { status?: MemberStatus; joinedOn?: string | null; party?: string; graduation?: string } = {},
  ) => {
    n++;
    const status = opts.status ?? 'normal';
    const row = await db
      .insertInto('member')
      .values({
        org_id: branch.id,
        org_path: branch.path,
        name: `团员${n}`,
        gender: '女',
        ethnicity: '汉族',
        id_number_enc: `enc${n}`,
        id_number_hash: `hash${n}`,
        id_number_mask: `5001**********${String(n).padStart(4, '0')}`,
        birth_date: '2004-01-01',
        phone_enc: null,
        phone_hash: null,
        phone_mask: null,
        political_status: opts.party ?? '共青团员',
        joined_on: opts.joinedOn === undefined ? '2018-05' : opts.joinedOn,
        admission_number: null,
        education: null,
        identity_category: '学生',
        league_post: null,
        status,
        graduation_date: opts.graduation ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    stats.add(branch.path, status, 1);
    return row.id;
  };
  const m1 = await member(b1);
  const m2 = await member(b1, { graduation: '2026-09-30' });
  const m3 = await member(b1, { graduation: '2026-07-10' });
  const m4 = await member(b1, { joinedOn: '2026-08' });
  const m5 = await member(b2, { joinedOn: '2026-06', graduation: '2026-10-01' });
  const m6 = await member(b2, { graduation: '2026-06-30' });
  const m7 = await member(v1, { party: '中共预备党员' });
  await member(v1, { joinedOn: '2026-10', party: '中共党员' }); // m8
  const m9 = await member(v1, { status: 'transferring_out', joinedOn: '2026-07' });
  const m10 = await member(v1, { status: 'transferred_out', joinedOn: '2026-07' });
  const m11 = await member(s3, { party: '中共预备党员' });
  const m12 = await member(v1, { joinedOn: null, graduation: '2026-07-10' });
  const o1 = await member(ob, { party: '中共党员', joinedOn: '2026-08', graduation: '2026-07-10' });
  await member(ob);
  await db.transaction().execute((trx) => stats.flush(trx));
  await orgs.dissolve(cliCtx, b4.id, '村团支部合并');

  // 学社衔接: m12 was handed over from b2 to v1; m3 has a rejected handover and is still pending.
  const transfer = (memberId: number, from: typeof b2, to: typeof v1, status: 'completed' | 'rejected') => ({
    member_id: memberId,
    kind: 'graduate_handover' as const,
    from_org_id: from.id,
    from_path: from.path,
    to_org_id: to.id,
    to_path: to.path,
    to_branch_id: null,
    initiated_by_side: 'sending' as const,
    status,
    reason: '毕业',
    requested_by: null,
    requested_at: '2026-07-15T02:00:00.000Z',
    decided_by: null,
    decided_at: '2026-07-16T02:00:00.000Z',
    decision_note: null,
    completed_at: status === 'completed' ? '2026-07-16T02:00:00.000Z' : null,
  });
  await db
    .insertInto('member_transfer')
    .values([transfer(m12, b2, v1, 'completed'), transfer(m3, b1, v1, 'rejected'), transfer(o1, ob, ob, 'completed')])
    .execute();

  // 推优入党: m7 recommended before the quarter ended, m11 after it; m1 has a pending one (not a Party member).
  const rec = (memberId: number, recommendedOn: string, status: 'approved' | 'submitted') => ({
    member_id: memberId,
    applied: 1,
    applied_on: null,
    recommended_on: recommendedOn,
    confirmed_on: null,
    outcome: 'pending' as const,
    status,
    note: null,
    submitted_by: account.id,
    submitted_at: now,
    decided_by: null,
    decided_at: null,
    decision_note: null,
  });
  await db
    .insertInto('party_recommendation')
    .values([
      rec(m7, '2026-03-01', 'approved'),
      rec(m11, '2026-10-15', 'approved'),
      rec(m1, '2026-08-01', 'submitted'),
      rec(o1, '2026-01-01', 'approved'),
    ])
    .execute();

  // 团干部: current 书记 of city, dA, edu, s1, b1, town, v1 and the dissolved b4; b2's 书记 left; s2 has only a 组织委员.
  const contact = (orgId: number, post: string, endedAt: string | null = null) => ({
    org_id: orgId,
    name: '张三',
    post,
    phone_enc: null,
    phone_last4: null,
    sort_order: 0,
    created_at: now,
    ended_at: endedAt,
  });
  await db
    .insertInto('org_contact')
    .values([
      ...[city, dA, edu, s1, b1, town, v1, b4, other].map((o) => contact(o.id, '书记')),
      contact(b2.id, '书记', '2026-05-01T00:00:00.000Z'),
      contact(s2.id, '组织委员'),
    ])
    .execute();

  // 青年大学习: L1, L2 for the city, L3 for dA in the quarter; L0 before it, L4 at its end, L5 withdrawn.
  const lesson = async (
    target: { id: number },
    number: number,
    opensDay: string,
    status = 'published',
    learners: { id: number; branch: { id: number } }[] = [],
  ) => {
    const l = await db
      .insertInto('lesson')
      .values({
        org_id: target.id,
        target_org_id: target.id,
        season: '2026年',
        number,
        title: `第${number}期`,
        video_url: null,
        body: null,
        quiz: null,
        min_seconds: 0,
        opens_at: shanghaiInstant(opensDay, '10:00'),
        closes_at: shanghaiInstant(opensDay, '23:00'),
        status: status as 'published',
        created_by: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (learners.length)
      await db
        .insertInto('lesson_checkin')
        .values(
          learners.map((m) => ({
            lesson_id: l.id,
            learner_key: `m${m.id}`,
            kind: 'member' as const,
            member_id: m.id,
            name: null,
            number: null,
            org_id: m.branch.id,
            source: 'app' as const,
            checked_in_at: shanghaiInstant(opensDay, '12:00'),
          })),
        )
        .execute();
    await db.transaction().execute((trx) => StudyStats.recompute(trx, l.id));
    return l.id;
  };
  const at = (id: number, branch: { id: number }) => ({ id, branch });
  const everyone = [at(m1, b1), at(m2, b1), at(m3, b1), at(m4, b1), at(m5, b2), at(m6, b2), at(m7, v1), at(m11, s3)];
  await lesson(city, 1, '2026-06-30', 'published', everyone);
  await lesson(city, 2, '2026-07-06', 'published', [at(m1, b1), at(m2, b1), at(m7, v1)]);
  await lesson(city, 3, '2026-08-03', 'published', [at(m1, b1), at(m5, b2), at(m9, v1), at(m11, s3)]);
  await lesson(dA, 4, '2026-09-07', 'published', [at(m1, b1), at(m2, b1), at(m3, b1), at(m4, b1)]);
  await db
    .insertInto('lesson')
    .values({
      org_id: city.id,
      target_org_id: city.id,
      season: '2026年',
      number: 5,
      title: '第5期',
      video_url: null,
      body: null,
      quiz: null,
      min_seconds: 0,
      opens_at: Q3.to,
      closes_at: shanghaiInstant('2026-10-07'),
      status: 'published',
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await lesson(city, 6, '2026-09-14', 'withdrawn', everyone);
  await lesson(other, 1, '2026-07-06', 'published', [at(o1, ob)]);

  // 督查督办: a plan of the city, assignments due in and around the quarter, reports on them.
  const plan = await db
    .insertInto('work_plan')
    .values({
      org_id: city.id,
      year: 2026,
      title: '2026年重点工作',
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const task = await db
    .insertInto('task')
    .values({
      plan_id: plan.id,
      seq: 1,
      seq_label: '1',
      content: '开展主题团日活动',
      deadline_text: '全年',
      due_on: null,
      milestones: '[]',
      needs_date: null,
      targets: '[]',
      category: null,
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const assign = async (
    org: { id: number },
    dueOn: string | null,
    state: 'done' | 'in_progress',
    completedAt: string | null,
  ) =>
    (
      await db
        .insertInto('task_assignment')
        .values({
          task_id: task.id,
          parent_id: null,
          org_id: org.id,
          assigner_org_id: city.id,
          role: 'lead',
          due_on: dueOn,
          state,
          note: null,
          assigned_by: null,
          assigned_at: now,
          completed_at: completedAt,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  // 23:00 on the deadline day in Beijing: on time; 00:30 the next day: late.
  const a1 = await assign(dA, '2026-07-31', 'done', '2026-07-31T15:00:00.000Z');
  const a2 = await assign(town, '2026-08-15', 'done', '2026-08-15T16:30:00.000Z');
  const a3 = await assign(v1, '2026-09-30', 'in_progress', null);
  await assign(s1, '2026-10-01', 'done', '2026-09-01T00:00:00.000Z');
  const a5 = await assign(b1, '2026-07-01', 'done', '2026-06-20T00:00:00.000Z');
  await assign(city, null, 'done', '2026-08-01T00:00:00.000Z');
  await assign(ob, '2026-08-01', 'done', '2026-07-01T00:00:00.000Z');
  const report = (assignmentId: number, submittedAt: string, status: 'approved' | 'returned', deleted = false) => ({
    assignment_id: assignmentId,
    body: '已开展主题团日活动，参加团员 30 人。',
    figures: '[]',
    status,
    submitted_by: null,
    submitted_at: submittedAt,
    reviewed_by: null,
    reviewed_at: null,
    review_comment: null,
    deleted_at: deleted ? now : null,
  });
  await db
    .insertInto('task_report')
    .values([
      report(a1, '2026-07-20T02:00:00.000Z', 'approved'),
      report(a2, Q3.from, 'approved'),
      report(a3, Q3.to, 'approved'),
      report(a3, '2026-08-20T02:00:00.000Z', 'returned'),
      report(a5, '2026-08-01T02:00:00.000Z', 'approved', true),
      report(a5, '2026-08-01T02:00:00.000Z', 'approved'),
    ])
    .execute();

  // 评议 of 2026: m1, m2, m7, m9 (current) and m10 (transferred out: not counted); m3 only for 2025.
  const grade = (memberId: number, year: number) => ({
    member_id: memberId,
    year,
    grade: '合格' as const,
    entered_by: account.id,
    entered_at: now,
    certified_by: null,
    certified_at: null,
  });
  await db
    .insertInto('member_evaluation')
    .values([
      grade(m1, 2026),
      grade(m2, 2026),
      grade(m7, 2026),
      grade(m9, 2026),
      grade(m10, 2026),
      grade(m3, 2025),
      grade(o1, 2026),
    ])
    .execute();

  // 团费 of July–September: m4 paid July before joining in August; m7 paid June (outside); m9 is transferring out.
  const paid: [number, string][] = [
    [m1, '2026-07'],
    [m1, '2026-08'],
    [m1, '2026-09'],
    [m2, '2026-07'],
    [m4, '2026-07'],
    [m4, '2026-08'],
    [m7, '2026-06'],
    [m7, '2026-09'],
    [m9, '2026-07'],
    [m11, '2026-07'],
    [m11, '2026-08'],
    [o1, '2026-08'],
  ];
  await db
    .insertInto('dues_payment')
    .values(
      paid.map(([memberId, month]) => ({
        member_id: memberId,
        month,
        amount_cents: 20,
        recorded_by: account.id,
        recorded_at: now,
      })),
    )
    .execute();

  const ref = (o: { id: number; path: string; name: string; kind: string }): MetricOrg => ({
    id: o.id,
    path: o.path,
    name: o.name,
    kind: o.kind,
  });
  return {
    city: ref(city),
    dA: ref(dA),
    edu: ref(edu),
    s1: ref(s1),
    gb1: ref(gb1),
    b1: ref(b1),
    b2: ref(b2),
    s2: ref(s2),
    b3: ref(b3),
    town: ref(town),
    v1: ref(v1),
    dB: ref(dB),
    s3: ref(s3),
    other: ref(other),
    ob: ref(ob),
    members: { m1, m2, m3, m4, m5, m9, m12 },
  };
}

type Tree = Awaited<ReturnType<typeof seed>>;
type OrgName = Exclude<keyof Tree, 'members'>;

describe('period calendar and common prefix', () => {
  it('turns a Beijing-time quarter into its days, months and year', () => {
    expect(periodCalendar(Q3)).toEqual({
      fromDay: '2026-07-01',
      lastDay: '2026-09-30',
      months: ['2026-07', '2026-08', '2026-09'],
      year: 2026,
    });
    // A month counts when its first day lies in the period.
    const mid = { from: shanghaiInstant('2026-07-15'), to: shanghaiInstant('2026-09-15') };
    expect(periodCalendar(mid).months).toEqual(['2026-08', '2026-09']);
    expect(periodCalendar({ from: shanghaiInstant('2026-12-01'), to: shanghaiInstant('2027-02-01') }).months).toEqual([
      '2026-12',
      '2027-01',
    ]);
  });

  it('finds the smallest subtree holding all paths', () => {
    expect(commonPrefix(['/1/5/9/', '/1/5/12/', '/1/5/'])).toBe('/1/5/');
    expect(commonPrefix(['/1/5/9/', '/1/6/'])).toBe('/1/');
    expect(commonPrefix(['/1/', '/2/'])).toBeNull();
    expect(commonPrefix([])).toBeNull();
  });

  it('describes every indicator with a formula in Chinese', () => {
    for (const k of METRIC_KEYS) {
      const m = METRICS[k];
      expect(m.key).toBe(k);
      expect(m.formula).toMatch(/[\u4e00-\u9fa5]/);
      expect(m.unit).toBe(m.format === 'percent' ? '%' : m.unit);
    }
    expect(METRICS.graduate_handover.defaultTarget).toBe(0.91);
    expect(METRICS.school_org_coverage.defaultTarget).toBe(0.9);
    expect(METRICS.cadre_staffing.defaultTarget).toBe(0.85);
    expect(METRICS.party_recommendation.defaultTarget).toBe(0.4);
  });
});

describe.each(DIALECTS)('assessment indicators computed from the records (%s)', (dialect) => {
  let env: TestEnv;
  let t: Tree;
  let engine: MetricEngine;
  let db: Kysely<DB>;

  beforeAll(async () => {
    env = await createEnv(dialect);
    db = env.database.db;
    t = await seed(env);
    engine = new MetricEngine(db, env.database.dialect);
  });
  afterAll(() => env.close());

  /** Figures of `key` for the named orgs: [numerator, denominator, value]. */
  async function figures(key: MetricKey, names: OrgName[]) {
    const res = await engine.compute(
      key,
      names.map((n) => t[n]),
      Q3,
    );
    return Object.fromEntries(
      names.map((n) => {
        const f = res.get(t[n].id)!;
        return [n, [f.numerator, f.denominator, f.value === null ? null : Number(f.value.toFixed(6))]];
      }),
    );
  }
  const r = (a: number, b: number) => Number((a / b).toFixed(6));

  it('参学率: the average of the lessons of the quarter that concern each org, members now as the base', async () => {
    // City: lessons 2 (3 of 11) and 3 (4 of 11); dA also has its own lesson 4 (4 of 10); dB: 0 and 1 of 1.
    expect(await figures('study_participation', ['city', 'dA', 'dB', 'b1', 's2'])).toEqual({
      city: [7, 22, r(7, 22)],
      dA: [10, 30, r(1, 3)],
      dB: [1, 2, 0.5],
      b1: [2 + 1 + 4, 12, r(7, 12)],
      s2: [0, 0, null],
    });
  });

  it('覆盖面: the average share of branches with a learner', async () => {
    // City (5 branches): lesson 2 covers b1 and v1, lesson 3 b1, b2, v1, s3; dA (4 branches) also lesson 4 (b1).
    expect(await figures('study_coverage', ['city', 'dA', 'town'])).toEqual({
      city: [6, 10, 0.6],
      dA: [6, 12, 0.5],
      town: [2, 3, r(2, 3)],
    });
  });

  it('学社衔接率: handovers counted at the sending branch, pending graduates where they are', async () => {
    // s1: m12 handed over from b2; m2 (30 Sep) and m3 (10 Jul) pending; m5 (1 Oct) and m6 (30 Jun) outside.
    expect(await figures('graduate_handover', ['city', 's1', 'b1', 'b2', 'v1', 'dB'])).toEqual({
      city: [1, 3, r(1, 3)],
      s1: [1, 3, r(1, 3)],
      b1: [0, 2, 0],
      b2: [1, 1, 1],
      v1: [0, 0, null],
      dB: [0, 0, null],
    });
  });

  it('推优入党率: Party members recommended by the end of the quarter', async () => {
    // m7 recommended in March counts; m11 recommended in October does not yet; m8 joined without one.
    expect(await figures('party_recommendation', ['city', 'town', 'dB', 's1'])).toEqual({
      city: [1, 3, r(1, 3)],
      town: [1, 2, 0.5],
      dB: [0, 1, 0],
      s1: [0, 0, null],
    });
    const year = await engine.compute('party_recommendation', [t.city], {
      from: shanghaiInstant('2026-01-01'),
      to: shanghaiInstant('2027-01-01'),
    });
    expect(year.get(t.city.id)).toEqual({ value: 2 / 3, numerator: 2, denominator: 3 });
  });

  it('团干部配备率: active orgs with a current 书记', async () => {
    // City subtree: 13 active orgs (b4 dissolved), 书记 in city, dA, edu, s1, b1, town, v1.
    expect(await figures('cadre_staffing', ['city', 'dA', 'dB', 'b1', 'b2', 'town'])).toEqual({
      city: [7, 13, r(7, 13)],
      dA: [6, 10, 0.6],
      dB: [0, 2, 0],
      b1: [1, 1, 1],
      b2: [0, 1, 0],
      town: [2, 2, 1],
    });
  });

  it('学校团组织覆盖率: schools with a branch that has members', async () => {
    // Schools: s1 (covered by b1), s2 (b3 is empty), s3 (a one-branch school with a member); edu is not a school.
    expect(await figures('school_org_coverage', ['city', 'dA', 'edu', 'dB', 's2', 'town'])).toEqual({
      city: [2, 3, r(2, 3)],
      dA: [1, 2, 0.5],
      edu: [1, 2, 0.5],
      dB: [1, 1, 1],
      s2: [0, 1, 0],
      town: [0, 0, null],
    });
  });

  it('任务按时完成率: as the ledger counts, deadline days in Beijing time', async () => {
    expect(await figures('task_on_time', ['city', 'dA', 'town', 's1', 'dB'])).toEqual({
      city: [2, 4, 0.5],
      dA: [2, 4, 0.5],
      town: [0, 2, 0],
      s1: [1, 1, 1],
      dB: [0, 0, null],
    });
    // The ledger's own figure for the same days agrees.
    const ledger = await env.services.taskLedger.onTime(
      { accountId: 0, username: 'cli', displayName: 'cli', isSystemAdmin: true, roles: [] },
      t.city.id,
      '2026-07-01',
      '2026-09-30',
    );
    expect(ledger.total).toMatchObject({ due: 4, onTime: 2, rate: 0.5 });
  });

  it('开展活动数: approved reports submitted in the quarter', async () => {
    expect(await figures('reported_activities', ['city', 'dA', 'town', 'b1', 'dB'])).toEqual({
      city: [3, null, 3],
      dA: [3, null, 3],
      town: [1, null, 1],
      b1: [1, null, 1],
      dB: [0, null, 0],
    });
  });

  it('评议参评率: current members graded for the year of the period', async () => {
    expect(await figures('member_evaluation', ['city', 'b1', 'v1', 'dB', 's2'])).toEqual({
      city: [4, 11, r(4, 11)],
      b1: [2, 4, 0.5],
      v1: [2, 4, 0.5],
      dB: [0, 1, 0],
      s2: [0, 0, null],
    });
  });

  it('团费交纳率: member-months paid of those due from each member 入团年月 on', async () => {
    // b1: due 3+3+3+2, paid 3+1+0+1; v1 (m7, m8 joined October, m12): due 3+0+3, paid 1; s3 due 3, paid 2.
    expect(await figures('dues_paid', ['city', 'b1', 'b2', 'v1', 'dB', 's2'])).toEqual({
      city: [8, 26, r(8, 26)],
      b1: [5, 11, r(5, 11)],
      b2: [0, 6, 0],
      v1: [1, 6, r(1, 6)],
      dB: [2, 3, r(2, 3)],
      s2: [0, 0, null],
    });
  });

  it('团支部规范化率 and 发展团员数', async () => {
    expect(await figures('branch_size_norm', ['city', 'dA', 'dB', 'b1', 'b3', 'edu'])).toEqual({
      city: [2, 5, 0.4],
      dA: [2, 4, 0.5],
      dB: [0, 1, 0],
      b1: [1, 1, 1],
      b3: [0, 1, 0],
      edu: [1, 3, r(1, 3)],
    });
    // m4 joined in August, m9 (transferring out, still on the roll) in July; m10 left, m8 joined in October.
    expect(await figures('new_members', ['city', 'b1', 'v1', 'dB'])).toEqual({
      city: [2, null, 2],
      b1: [1, null, 1],
      v1: [1, null, 1],
      dB: [0, null, 0],
    });
  });

  it('computes many indicators at once, for orgs of different roots, the same as one by one', async () => {
    const orgs = [t.city, t.dA, t.v1, t.other, t.ob];
    const many = await engine.computeMany(METRIC_KEYS, orgs, Q3);
    for (const k of METRIC_KEYS) expect(many.get(k), k).toEqual(await engine.compute(k, orgs, Q3));
    // The foreign root's own records, and only them.
    expect(many.get('study_participation')!.get(t.other.id)).toEqual({ value: 0.5, numerator: 1, denominator: 2 });
    expect(many.get('graduate_handover')!.get(t.ob.id)).toEqual({ value: 1, numerator: 1, denominator: 1 });
    expect(many.get('reported_activities')!.get(t.other.id)).toEqual({ value: 0, numerator: 0, denominator: null });
    expect(many.get('dues_paid')!.get(t.other.id)).toEqual({ value: 0.2, numerator: 1, denominator: 5 });
    expect(many.get('study_participation')!.get(t.city.id)!.numerator).toBe(7);
    expect((await engine.computeMany(METRIC_KEYS, [], Q3)).get('dues_paid')!.size).toBe(0);
  });

  it('follows the period: a quarter without records has empty rates and zero counts', async () => {
    const q1 = { from: shanghaiInstant('2025-01-01'), to: shanghaiInstant('2025-04-01') };
    const many = await engine.computeMany(METRIC_KEYS, [t.city], q1);
    const f = (k: MetricKey) => many.get(k)!.get(t.city.id)!;
    expect(f('study_participation')).toEqual({ value: null, numerator: 0, denominator: 0 });
    expect(f('graduate_handover')).toEqual({ value: null, numerator: 0, denominator: 0 });
    expect(f('task_on_time')).toEqual({ value: null, numerator: 0, denominator: 0 });
    expect(f('reported_activities')).toEqual({ value: 0, numerator: 0, denominator: null });
    expect(f('member_evaluation')).toEqual({ value: 1 / 11, numerator: 1, denominator: 11 });
    expect(f('new_members')).toEqual({ value: 0, numerator: 0, denominator: null });
    // Stock figures do not depend on the period.
    expect(f('cadre_staffing')).toEqual({ value: 7 / 13, numerator: 7, denominator: 13 });
  });

  it('drills down to the children and the records behind a figure', async () => {
    const handover = await engine.drill('graduate_handover', t.s1, Q3, 10);
    expect(handover.children).toEqual([
      { orgId: t.gb1.id, name: t.gb1.name, numerator: 1, denominator: 3, value: 1 / 3 },
    ]);
    expect(handover.records.total).toBe(2);
    expect(handover.records.rows.map((r) => r.memberId)).toEqual([t.members.m2, t.members.m3]);
    expect(handover.records.columns.map((c) => c.title)).toContain('毕业时间');

    const cadres = await engine.drill('cadre_staffing', t.dA, Q3, 2);
    expect(cadres.children.map((c) => [c.name, c.numerator, c.denominator])).toEqual([
      [t.edu.name, 3, 7],
      [t.town.name, 2, 2],
    ]);
    expect(cadres.records.total).toBe(4);
    expect(cadres.records.rows).toHaveLength(2);
    expect(cadres.records.rows[0]).toMatchObject({ orgName: t.gb1.name, problem: '未配备书记' });

    const study = await engine.drill('study_participation', t.dA, Q3, 10);
    expect(study.records.total).toBe(3);
    expect(study.records.rows.map((r) => [r.lesson, r.learned, r.base])).toEqual([
      ['2026年第2期', 3, 10],
      ['2026年第3期', 3, 10],
      ['2026年第4期', 4, 10],
    ]);

    const late = await engine.drill('task_on_time', t.city, Q3, 10);
    expect(late.records.total).toBe(2);
    expect(late.records.rows.map((r) => [r.orgName, r.state])).toEqual([
      [t.town.name, '超期完成'],
      [t.v1.name, '进行中（逾期）'],
    ]);

    const dues = await engine.drill('dues_paid', t.b1, Q3, 10);
    expect(dues.children).toEqual([]);
    expect(dues.records.rows.map((r) => [r.memberId, r.due, r.paid, r.unpaid])).toEqual([
      [t.members.m2, 3, 1, 2],
      [t.members.m3, 3, 0, 3],
      [t.members.m4, 2, 1, 1],
    ]);

    const expectTotals: Partial<Record<MetricKey, number>> = {
      party_recommendation: 2,
      school_org_coverage: 1,
      reported_activities: 3,
      member_evaluation: 7,
      branch_size_norm: 3,
      new_members: 2,
      study_coverage: 2,
    };
    for (const [k, total] of Object.entries(expectTotals)) {
      const d = await engine.drill(k as MetricKey, t.city, Q3, 1);
      expect(d.records.total, k).toBe(total);
      expect(d.records.rows.length, k).toBe(1);
      expect(
        d.children.map((c) => c.orgId),
        k,
      ).toEqual([t.dA.id, t.dB.id]);
      for (const row of d.records.rows)
        for (const c of d.records.columns) expect(row, `${k}.${c.key}`).toHaveProperty(c.key);
    }
  });
});

describe.each(DIALECTS)('indicators read from the per-branch facts stay right after every write (%s)', (dialect) => {
  let env: TestEnv;
  let t: Tree;
  let engine: MetricEngine;
  let db: Kysely<DB>;
  let account: number;
  const FACT_KEYS: MetricKey[] = ['party_recommendation', 'member_evaluation', 'dues_paid'];
  const names: OrgName[] = [
    'city',
    'dA',
    'edu',
    's1',
    'gb1',
    'b1',
    'b2',
    's2',
    'b3',
    'town',
    'v1',
    'dB',
    's3',
    'other',
    'ob',
  ];

  beforeAll(async () => {
    env = await createEnv(dialect);
    db = env.database.db;
    t = await seed(env);
    engine = new MetricEngine(db, env.database.dialect);
    account = (await db.selectFrom('account').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => env.close());

  /**
   * The three indicators for every org, [numerator, denominator] by org name; checked equal to the figures after
   * recomputing every branch's facts from scratch (a missed mark would leave a branch's facts stale).
   */
  async function figures(period = Q3) {
    const orgs = names.map((n) => t[n]);
    const read = async () => {
      const many = await engine.computeMany(FACT_KEYS, orgs, period);
      return Object.fromEntries(
        FACT_KEYS.map((k) => [
          k,
          Object.fromEntries(
            names.map((n) => [n, [many.get(k)!.get(t[n].id)!.numerator, many.get(k)!.get(t[n].id)!.denominator]]),
          ),
        ]),
      ) as Record<MetricKey, Record<OrgName, [number, number]>>;
    };
    /** Facts gone and every org marked, as after the migration or a restore. */
    const cold = async () => {
      await db.deleteFrom('org_fact').execute();
      await db
        .insertInto('org_fact_dirty')
        .columns(['org_id', 'v'])
        .expression((eb) => eb.selectFrom('org').select(['id', eb.lit(1).as('v')]))
        .execute();
    };
    const incremental = await read();
    expect(await db.selectFrom('org_fact_dirty').select('org_id').execute()).toEqual([]);
    await cold();
    expect(await read()).toEqual(incremental);
    // The same from the one-pass recompute of every branch (PostgreSQL's way when most branches are marked).
    await cold();
    const marked = (await db.selectFrom('org_fact_dirty').select('org_id').execute()).length;
    expect(await refreshFacts(db, env.database.dialect, { wholeTableFrom: 1 })).toBe(marked);
    expect(await db.selectFrom('org_fact_dirty').select('org_id').execute()).toEqual([]);
    expect(await read()).toEqual(incremental);
    return incremental;
  }

  /** member_stats as the member module keeps it when a member changes branch or status. */
  async function restat(changes: [{ path: string }, MemberStatus, number][]) {
    const stats = new MemberStats();
    for (const [org, status, delta] of changes) stats.add(org.path, status, delta);
    await db.transaction().execute((trx) => stats.flush(trx));
  }

  const pay = (memberId: number, month: string) =>
    db
      .insertInto('dues_payment')
      .values({
        member_id: memberId,
        month,
        amount_cents: 20,
        recorded_by: account,
        recorded_at: new Date().toISOString(),
      })
      .execute();

  it('starts from the figures of the records', async () => {
    const f = await figures();
    expect(f.party_recommendation.city).toEqual([1, 3]);
    expect(f.member_evaluation.city).toEqual([4, 11]);
    expect(f.dues_paid.city).toEqual([8, 26]);
    expect(f.dues_paid.other).toEqual([1, 5]);
  });

  it('a member moving branch takes their payments and grade along', async () => {
    const { m1 } = t.members;
    await db.updateTable('member').set({ org_id: t.s3.id, org_path: t.s3.path }).where('id', '=', m1).execute();
    await restat([
      [t.b1, 'normal', -1],
      [t.s3, 'normal', 1],
    ]);
    const f = await figures();
    // m1 paid July–September and was graded for 2026.
    expect(f.dues_paid.b1).toEqual([2, 8]);
    expect(f.dues_paid.dB).toEqual([5, 6]);
    expect(f.dues_paid.city).toEqual([8, 26]);
    expect(f.member_evaluation.b1).toEqual([1, 3]);
    expect(f.member_evaluation.dB).toEqual([1, 2]);
  });

  it('a payment, a grade and an approved recommendation count at the next computation', async () => {
    const { m2, m4 } = t.members;
    await pay(m2, '2026-08');
    await db
      .insertInto('member_evaluation')
      .values({
        member_id: m4,
        year: 2026,
        grade: '合格',
        entered_by: account,
        entered_at: new Date().toISOString(),
        certified_by: null,
        certified_at: null,
      })
      .execute();
    const m8 = (
      await db
        .selectFrom('member')
        .select('id')
        .where('org_id', '=', t.v1.id)
        .where('political_status', '=', '中共党员')
        .executeTakeFirstOrThrow()
    ).id;
    const rec = await db
      .insertInto('party_recommendation')
      .values({
        member_id: m8,
        applied: 1,
        applied_on: null,
        recommended_on: '2026-09-01',
        confirmed_on: null,
        outcome: 'pending',
        status: 'submitted',
        note: null,
        submitted_by: account,
        submitted_at: new Date().toISOString(),
        decided_by: null,
        decided_at: null,
        decision_note: null,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    let f = await figures();
    expect(f.dues_paid.b1).toEqual([3, 8]);
    expect(f.member_evaluation.b1).toEqual([2, 3]);
    expect(f.party_recommendation.town).toEqual([1, 2]);
    await db.updateTable('party_recommendation').set({ status: 'approved' }).where('id', '=', rec.id).execute();
    f = await figures();
    expect(f.party_recommendation.town).toEqual([2, 2]);
    expect(f.party_recommendation.city).toEqual([2, 3]);
  });

  it('a change of status or 政治面貌 moves the member in or out of the counts', async () => {
    const { m2 } = t.members;
    // m2 (b1: paid July and August, graded 2026) leaves the roll.
    await db.updateTable('member').set({ status: 'transferred_out' }).where('id', '=', m2).execute();
    await restat([
      [t.b1, 'normal', -1],
      [t.b1, 'transferred_out', 1],
    ]);
    let f = await figures();
    expect(f.dues_paid.b1).toEqual([1, 5]);
    expect(f.member_evaluation.b1).toEqual([1, 2]);
    // m11 (s3, recommended in October) is counted as a Party member by 政治面貌, whatever the status.
    await db
      .updateTable('member')
      .set({ political_status: '共青团员' })
      .where('political_status', '=', '中共预备党员')
      .where('org_id', '=', t.s3.id)
      .execute();
    f = await figures();
    expect(f.party_recommendation.dB).toEqual([0, 0]);
  });

  it('deleted payments, grades and members no longer count', async () => {
    const { m4 } = t.members;
    await db.deleteFrom('dues_payment').where('member_id', '=', m4).where('month', '=', '2026-08').execute();
    await db.deleteFrom('member_evaluation').where('member_id', '=', m4).execute();
    const extra = (await db.selectFrom('member').select('id').where('org_id', '=', t.ob.id).orderBy('id').execute()).at(
      -1,
    )!;
    await pay(extra.id, '2026-07');
    expect((await figures()).dues_paid.ob).toEqual([2, 5]);
    await db.deleteFrom('dues_payment').where('member_id', '=', extra.id).execute();
    await db.deleteFrom('member').where('id', '=', extra.id).execute();
    const f = await figures();
    expect(f.dues_paid.b1).toEqual([0, 5]);
    expect(f.member_evaluation.b1).toEqual([0, 2]);
    expect(f.dues_paid.ob[0]).toBe(1);
  });

  it('a refresh recomputes only the branches written to', async () => {
    await figures();
    const before = await db
      .selectFrom('org_fact')
      .selectAll()
      .orderBy('org_id')
      .orderBy('fact')
      .orderBy('period')
      .execute();
    // Edits that do not touch what the facts count mark nothing.
    await db.updateTable('member').set({ name: '改名' }).where('id', '=', t.members.m3).execute();
    expect(await db.selectFrom('org_fact_dirty').select('org_id').execute()).toEqual([]);
    await pay(t.members.m3, '2026-09');
    expect((await db.selectFrom('org_fact_dirty').select('org_id').execute()).map((r) => r.org_id)).toEqual([t.b1.id]);
    expect(await refreshFacts(db, env.database.dialect)).toBe(1);
    expect(await refreshFacts(db, env.database.dialect)).toBe(0);
    const after = await db
      .selectFrom('org_fact')
      .selectAll()
      .orderBy('org_id')
      .orderBy('fact')
      .orderBy('period')
      .execute();
    const other = (rows: typeof before) => rows.filter((r) => r.org_id !== t.b1.id);
    expect(other(after)).toEqual(other(before));
    const paidSept = (rows: typeof before) =>
      rows.find((r) => r.org_id === t.b1.id && r.fact === 'dues_paid' && r.period === '2026-09')?.n ?? 0;
    expect(Number(paidSept(after))).toBe(Number(paidSept(before)) + 1);
  });
});
