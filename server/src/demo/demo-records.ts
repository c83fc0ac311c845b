import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { ancestorIds, pathUpperBound } from '../access/access.js';
import { nowIso, shanghaiDay, shanghaiInstant } from '../common/time.js';
import { PARTY_STATUSES } from '../member/member-records.service.js';
import { rng } from './names.js';

export interface DemoRecordsResult {
  graduates: number;
  handedOver: number;
  recommendations: number;
  evaluations: number;
  duesPayments: number;
  assignments: number;
  reports: number;
}

const TASKS = [
  '开展“青年大学习”网上主题团课，参学率保持在全省前列',
  '组织“五四”青年节主题团日活动',
  '开展团员教育评议和年度团籍注册',
  '推进学校领域团组织覆盖，激活班级团支部',
  '做好毕业生团员学社衔接工作，衔接率达到91%以上',
  '落实推优入党制度，推优入党率达到40%以上',
  '开展“我为群众办实事”青年志愿服务活动',
  '举办基层团干部培训班，全年培训不少于70人次',
  '开展非公企业和社会组织建团工作',
  '组织暑期“三下乡”社会实践活动',
  '开展团费收缴和使用管理自查',
  '召开年度团支部书记述职评议会',
];

/**
 * The records the 考核评比 indicators read, for a demo tree with members: 学社衔接 of last June's graduates
 * (most handed over from a school branch of the district to the branch they live or work in, some still
 * pending), 推优入党 for part of the Party members, this year's 团员教育评议 in 60 % of the branches (the season is
 * under way), 团费 of this year's last three months (each branch paying 55–99 %), and a plan of 12 tasks from each
 * city to its districts, forwarded to the districts' orgs, with completions and approved progress reports.
 * Set-based where it can (INSERT … SELECT with arithmetic on ids), so a province takes well under a minute.
 */
export async function generateDemoRecords(
  database: Database,
  opts: { rootPath: string; districts: { id: number; path: string; parentId: number | null }[]; seed?: number },
): Promise<DemoRecordsResult> {
  const { db } = database;
  const random = rng((opts.seed ?? 2026) + 47);
  const now = nowIso();
  const today = shanghaiDay(now);
  const year = Number(today.slice(0, 4));
  const lo = opts.rootPath;
  const hi = pathUpperBound(opts.rootPath);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;

  // Who entered the records: a disabled account (the records need one; nobody signs in with it).
  const clerk = await db
    .insertInto('account')
    .values({
      username: `demo-records-${ancestorIds(lo).at(-1)}-${Date.now().toString(36)}`,
      display_name: '演示数据录入',
      password_hash: '!',
      is_system_admin: 0,
      must_change_password: 0,
      status: 'disabled',
      created_at: now,
      updated_at: now,
      last_login_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  const branches = await db
    .selectFrom('org')
    .select(['id', 'path', 'category'])
    .where('kind', '=', 'branch')
    .where('status', '=', 'active')
    .where('member_count', '>', 0)
    .where('path', '>=', lo)
    .where('path', '<', hi)
    .orderBy('id')
    .execute();
  const districtIds = new Set(opts.districts.map((d) => d.id));
  const districtOf = (path: string) => ancestorIds(path).find((id) => districtIds.has(id)) ?? 0;

  // ---- 学社衔接: last June's graduates ----
  const june = today >= `${year}-07-01` ? `${year}-06-30` : `${year - 1}-06-30`;
  const schoolsByDistrict = new Map<number, { id: number; path: string }[]>();
  for (const b of branches)
    if (b.category === '学校') {
      const d = districtOf(b.path);
      const list = schoolsByDistrict.get(d) ?? [];
      list.push(b);
      schoolsByDistrict.set(d, list);
    }
  const pendingFrom = branches.filter((b) => b.category === '学校' && random() < 0.06);
  const handedTo = branches.filter((b) => b.category !== '学校' && random() < 0.3);
  const membersOf = async (ids: number[], minBirth: string | null) => {
    const out = new Map<number, number[]>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await db
        .selectFrom('member')
        .select(['id', 'org_id'])
        .where('org_id', 'in', ids.slice(i, i + 1000))
        .where('status', '=', 'normal')
        .$if(minBirth !== null, (q) => q.where('birth_date', '>=', minBirth!))
        .orderBy('id')
        .execute();
      for (const r of rows) out.set(r.org_id, [...(out.get(r.org_id) ?? []), r.id]);
    }
    return out;
  };
  const pendingMembers = await membersOf(
    pendingFrom.map((b) => b.id),
    null,
  );
  const graduates: number[] = [];
  for (const b of pendingFrom)
    graduates.push(...(pendingMembers.get(b.id) ?? []).slice(0, 1 + Math.floor(random() * 2)));
  const handedMembers = await membersOf(
    handedTo.map((b) => b.id),
    `${year - 24}-01-01`,
  );
  const transfers: Record<string, unknown>[] = [];
  for (const b of handedTo) {
    const from = schoolsByDistrict.get(districtOf(b.path));
    if (!from?.length) continue;
    for (const id of (handedMembers.get(b.id) ?? []).slice(0, 2 + Math.floor(random() * 5))) {
      const school = pick(from);
      const requested = shanghaiInstant(june, '09:00');
      const days = 3 + Math.floor(random() * 60);
      const done = new Date(Date.parse(requested) + days * 86_400_000).toISOString();
      graduates.push(id);
      transfers.push({
        member_id: id,
        kind: 'graduate_handover',
        from_org_id: school.id,
        from_path: school.path,
        to_org_id: b.id,
        to_path: b.path,
        to_branch_id: null,
        initiated_by_side: 'sending',
        status: 'completed',
        reason: '毕业学社衔接',
        requested_by: null,
        requested_at: requested,
        decided_by: null,
        decided_at: done,
        decision_note: null,
        completed_at: done,
      });
    }
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < graduates.length; i += 5000)
      await trx
        .updateTable('member')
        .set({ graduation_date: june })
        .where('id', 'in', graduates.slice(i, i + 5000))
        .execute();
    for (let i = 0; i < transfers.length; i += 10_000)
      await database.bulkInsert(trx, 'member_transfer', transfers.slice(i, i + 10_000) as never);
  });

  // ---- 推优入党: 30–70 % of the Party members per district came through a recommendation ----
  const party = await db
    .selectFrom('member')
    .select(['id', 'org_path'])
    .where('political_status', 'in', PARTY_STATUSES)
    .where('status', '=', 'normal')
    .where('org_path', '>=', lo)
    .where('org_path', '<', hi)
    .execute();
  const districtRate = new Map<number, number>();
  const recs: Record<string, unknown>[] = [];
  const dayBefore = (days: number) => shanghaiDay(new Date(Date.parse(now) - days * 86_400_000).toISOString());
  for (const m of party) {
    const d = districtOf(m.org_path);
    if (!districtRate.has(d)) districtRate.set(d, 0.3 + random() * 0.4);
    if (random() >= districtRate.get(d)!) continue;
    const back = 90 + Math.floor(random() * 640);
    recs.push({
      member_id: m.id,
      applied: 1,
      applied_on: dayBefore(back + 60),
      recommended_on: dayBefore(back),
      confirmed_on: dayBefore(back - 45),
      outcome: 'probationary',
      status: 'approved',
      note: null,
      submitted_by: clerk.id,
      submitted_at: shanghaiInstant(dayBefore(back), '10:00'),
      decided_by: clerk.id,
      decided_at: shanghaiInstant(dayBefore(back - 7), '10:00'),
      decision_note: null,
    });
  }
  // A few recommendations of this autumn are still waiting for the upper level.
  const waiting = await db
    .selectFrom('member')
    .select(['id'])
    .where('political_status', '=', '共青团员')
    .where('status', '=', 'normal')
    .where('birth_date', '<=', `${year - 19}-12-31`)
    .where(sql<boolean>`id % 300 = 7`)
    .where('org_path', '>=', lo)
    .where('org_path', '<', hi)
    .execute();
  for (const m of waiting) {
    const back = 5 + Math.floor(random() * 60);
    recs.push({
      member_id: m.id,
      applied: 1,
      applied_on: dayBefore(back + 30),
      recommended_on: dayBefore(back),
      confirmed_on: null,
      outcome: 'pending',
      status: 'submitted',
      note: null,
      submitted_by: clerk.id,
      submitted_at: shanghaiInstant(dayBefore(back), '10:00'),
      decided_by: null,
      decided_at: null,
      decision_note: null,
    });
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < recs.length; i += 10_000)
      await database.bulkInsert(trx, 'party_recommendation', recs.slice(i, i + 10_000) as never);
  });

  // ---- 团员教育评议 of this year: all members of 60 % of the branches ----
  const evaluations = await db.transaction().execute(async (trx) => {
    const res =
      await sql`insert into member_evaluation (member_id, year, grade, entered_by, entered_at, certified_by, certified_at)
      select m.id, ${year}, case when m.id % 9 = 0 then '优秀' when m.id % 113 = 0 then '不合格' when m.id % 17 = 0 then '基本合格' else '合格' end, ${clerk.id}, ${now}, null, null
      from member m
      where m.status in ('normal', 'transferring_out') and m.org_path >= ${lo} and m.org_path < ${hi} and (m.org_id * 7919) % 100 < 60`.execute(
        trx,
      );
    return Number(res.numAffectedRows ?? 0);
  });

  // ---- 团费 of this year's last three months up to now: each branch pays 55–99 % ----
  const months: string[] = [];
  for (let i = 2; i >= 0; i--) {
    const d = new Date(Date.UTC(year, Number(today.slice(5, 7)) - 1 - i, 1));
    if (d.getUTCFullYear() === year) months.push(d.toISOString().slice(0, 7));
  }
  let duesPayments = 0;
  for (const [k, month] of months.entries()) {
    duesPayments += await db.transaction().execute(async (trx) => {
      const res = await sql`insert into dues_payment (member_id, month, amount_cents, recorded_by, recorded_at)
        select m.id, ${month}, case when m.identity_category = '学生' then 20 else 100 end, ${clerk.id}, ${now}
        from member m
        where m.status = 'normal' and m.org_path >= ${lo} and m.org_path < ${hi}
          and (m.joined_on is null or m.joined_on <= ${month})
          and (m.id * 13 + ${k * 7}) % 100 < 55 + (m.org_id * 37) % 45`.execute(trx);
      return Number(res.numAffectedRows ?? 0);
    });
  }

  // ---- 督查督办: each city's plan of 12 tasks to its districts, forwarded to the districts' orgs ----
  const byOwner = new Map<number, { id: number; path: string }[]>();
  for (const d of opts.districts) {
    const owner = d.parentId ?? d.id;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), d]);
  }
  let assignments = 0;
  let reports = 0;
  for (const [owner, districts] of byOwner) {
    await db.transaction().execute(async (trx) => {
      const plan = await trx
        .insertInto('work_plan')
        .values({
          org_id: owner,
          year,
          title: `${year}年共青团重点工作任务清单`,
          created_by: null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const tasks = await trx
        .insertInto('task')
        .values(
          TASKS.map((content, i) => {
            const m = i + 1;
            const due = `${year}-${String(m).padStart(2, '0')}-28`;
            return {
              plan_id: plan.id,
              seq: m,
              seq_label: String(m),
              content,
              deadline_text: `${m}月底前`,
              due_on: due,
              milestones: JSON.stringify([{ date: due, reading: `${m}月28日`, phrase: `${m}月底前` }]),
              needs_date: null,
              targets: '[]',
              category: null,
              created_by: null,
              created_at: now,
              updated_at: now,
            };
          }),
        )
        .returning(['id', 'due_on'])
        .execute();
      const progress = (dueOn: string) => {
        const r = random();
        if (dueOn < today) {
          if (r < 0.62) return { state: 'done' as const, late: false };
          if (r < 0.8) return { state: 'done' as const, late: true };
          return { state: pick(['in_progress', 'submitted', 'returned'] as const), late: false };
        }
        if (r < 0.2) return { state: 'done' as const, late: false };
        return { state: pick(['not_started', 'in_progress', 'in_progress', 'submitted'] as const), late: false };
      };
      const completedAt = (dueOn: string, late: boolean) =>
        shanghaiInstant(
          shanghaiDay(
            new Date(
              Date.parse(shanghaiInstant(dueOn)) + (late ? 1 + random() * 20 : -random() * 25) * 86_400_000,
            ).toISOString(),
          ),
          '16:00',
        );
      const top = tasks.flatMap((t) =>
        districts.map((d) => {
          const p = progress(t.due_on!);
          const at = p.state === 'done' ? completedAt(t.due_on!, p.late) : null;
          return {
            task_id: t.id,
            parent_id: null,
            org_id: d.id,
            assigner_org_id: owner,
            role: 'lead' as const,
            due_on: t.due_on,
            state: p.state,
            note: null,
            assigned_by: null,
            assigned_at: now,
            completed_at: at && at > now ? now : at,
            updated_at: now,
          };
        }),
      );
      const inserted = await trx
        .insertInto('task_assignment')
        .values(top)
        .returning(['id', 'org_id', 'task_id', 'due_on'])
        .execute();
      const children = await trx
        .selectFrom('org')
        .select(['id', 'parent_id'])
        .where(
          'parent_id',
          'in',
          districts.map((d) => d.id),
        )
        .where('status', '=', 'active')
        .execute();
      const kids = new Map<number, number[]>();
      for (const c of children) kids.set(c.parent_id!, [...(kids.get(c.parent_id!) ?? []), c.id]);
      const forwarded = inserted.flatMap((a) =>
        (kids.get(a.org_id) ?? []).map((orgId) => {
          const p = progress(a.due_on!);
          const at = p.state === 'done' ? completedAt(a.due_on!, p.late) : null;
          return {
            task_id: a.task_id,
            parent_id: a.id,
            org_id: orgId,
            assigner_org_id: a.org_id,
            role: 'lead' as const,
            due_on: a.due_on,
            state: p.state,
            note: null,
            assigned_by: null,
            assigned_at: now,
            completed_at: at && at > now ? now : at,
            updated_at: now,
          };
        }),
      );
      for (let i = 0; i < forwarded.length; i += 10_000)
        await database.bulkInsert(trx, 'task_assignment', forwarded.slice(i, i + 10_000));
      assignments += top.length + forwarded.length;
      // Reports: approved for the done ones (the day before completion), waiting or returned for the others.
      const all = await trx
        .selectFrom('task_assignment')
        .select(['id', 'state', 'completed_at'])
        .where(
          'task_id',
          'in',
          tasks.map((t) => t.id),
        )
        .where('state', 'in', ['done', 'submitted', 'returned'])
        .execute();
      const rows = all.map((a) => {
        const at = a.completed_at
          ? new Date(Date.parse(a.completed_at) - 86_400_000).toISOString()
          : new Date(Date.parse(now) - (1 + random() * 10) * 86_400_000).toISOString();
        return {
          assignment_id: a.id,
          body: '已按要求组织开展，相关情况及佐证材料附后。',
          figures: '[]',
          status:
            a.state === 'done'
              ? ('approved' as const)
              : a.state === 'returned'
                ? ('returned' as const)
                : ('submitted' as const),
          submitted_by: null,
          submitted_at: at,
          reviewed_by: null,
          reviewed_at: a.state === 'submitted' ? null : (a.completed_at ?? now),
          review_comment: a.state === 'returned' ? '佐证材料不全，请补充活动照片' : null,
          deleted_at: null,
        };
      });
      for (let i = 0; i < rows.length; i += 10_000)
        await database.bulkInsert(trx, 'task_report', rows.slice(i, i + 10_000));
      reports += rows.length;
    });
  }
  for (const t of [
    'member_transfer',
    'party_recommendation',
    'member_evaluation',
    'dues_payment',
    'task_assignment',
    'task_report',
  ] as const)
    await database.dialect.resyncIds(db, t);
  await sql`analyze`.execute(db);
  return {
    graduates: graduates.length,
    handedOver: transfers.length,
    recommendations: recs.length,
    evaluations,
    duesPayments,
    assignments,
    reports,
  };
}
