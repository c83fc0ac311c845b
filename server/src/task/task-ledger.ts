import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { inSubtree, requireOrg, type Actor } from '../access/access.js';
import { badRequest, notFound } from '../common/errors.js';
import { formatShanghai, nowIso, shanghaiDay } from '../common/time.js';
import type { OfficialDocument } from '../common/word.js';
import { STATE_LABELS } from './assignment.service.js';
import { isOverdue } from './plan.service.js';
import type { Target } from './targets.js';

const chineseDate = (day: string) => {
  const [y, m, d] = day.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
};
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

export const ON_TIME_FORMULA =
  '按时完成率 = 完成时限在期间内、且在时限当天或之前审核通过的任务数 ÷ 完成时限在期间内的任务数（含下级组织承担的任务；时限待定的任务不计）';

/** Done, and approved on or before the deadline day (Beijing time). */
export function isOnTime(a: { state: string; due_on: string | null; completed_at: string | null }): boolean {
  return a.state === 'done' && a.completed_at !== null && a.due_on !== null && shanghaiDay(a.completed_at) <= a.due_on;
}

/**
 * `isOnTime` as a SQL condition over `task_assignment as a`: the Beijing day of the completion (UTC + 8 h, no daylight
 * saving) compared with the deadline day as text, as `isOnTime` compares them.
 */
export function onTimeCondition(dialect: Dialect) {
  return dialect.name === 'postgres'
    ? sql<boolean>`a.state = 'done' and to_char(a.completed_at at time zone 'UTC' + interval '8 hours', 'YYYY-MM-DD') <= a.due_on`
    : sql<boolean>`a.state = 'done' and date(a.completed_at, '+8 hours') <= a.due_on`;
}

/**
 * Per org of the subtree at `prefix` (null: everywhere) carrying assignments with a deadline in [from, to]: how many
 * are due and how many were done on time (`onTimeCondition`), counted in the database — one row per org, not per
 * assignment.
 */
export function onTimeCounts(db: Kysely<DB>, dialect: Dialect, prefix: string | null, from: string, to: string) {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('task_assignment as a')
        .innerJoin('org as o', 'o.id', 'a.org_id')
        .select([
          'a.org_id',
          sql<number>`count(*)`.as('due'),
          sql<number>`sum(case when ${onTimeCondition(dialect)} then 1 else 0 end)`.as('on_time'),
        ])
        .$if(prefix !== null, (q) => q.where((eb) => inSubtree(eb, 'o.path', prefix!)))
        .where('a.due_on', '>=', from)
        .where('a.due_on', '<=', to)
        .groupBy('a.org_id')
        .as('x'),
    )
    .innerJoin('org', 'org.id', 'x.org_id')
    .select(['org.path', 'x.due', 'x.on_time'])
    .execute();
}

/**
 * Assignments with a deadline in [from, to] (`YYYY-MM-DD`, inclusive) carried by orgs of the subtree at `prefix`
 * (null: everywhere): the denominator of 按时完成率, with what `isOnTime` needs.
 */
export function dueAssignments(db: Kysely<DB>, prefix: string | null, from: string, to: string) {
  return db
    .selectFrom('task_assignment as a')
    .innerJoin('org as o', 'o.id', 'a.org_id')
    .select(['a.id', 'a.task_id', 'o.path', 'a.state', 'a.due_on', 'a.completed_at'])
    .$if(prefix !== null, (q) => q.where((eb) => inSubtree(eb, 'o.path', prefix!)))
    .where('a.due_on', '>=', from)
    .where('a.due_on', '<=', to);
}

/**
 * 台账: everything reported on a task, or by the orgs of a subtree over a year, as an official document (Word)
 * and the same content as a workbook; and the on-time completion rate of each child org over a period.
 */
export class TaskLedger {
  constructor(private readonly db: Kysely<DB>) {}

  /** Per child org (its whole subtree) and the org itself: tasks due in [from, to] and how many were done on time. */
  async onTime(actor: Actor, orgId: number, from: string, to: string) {
    if (from > to) throw badRequest('开始日期不能晚于结束日期', [{ path: 'from', message: '开始日期晚于结束日期' }]);
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    const children = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('parent_id', '=', orgId)
      .where('status', '=', 'active')
      .orderBy('name')
      .execute();
    const rows = await dueAssignments(this.db, org!.path, from, to).execute();
    const today = shanghaiDay(nowIso());
    const tally = (prefix: string | null, exact?: string) => {
      const mine = rows.filter((r) => (exact ? r.path === exact : r.path.startsWith(prefix!)));
      const onTime = mine.filter(isOnTime).length;
      const late = mine.filter((r) => r.state === 'done' && !isOnTime(r)).length;
      const overdue = mine.filter((r) => isOverdue(r, today)).length;
      return { due: mine.length, onTime, late, overdue, rate: mine.length ? onTime / mine.length : null };
    };
    return {
      orgId: org!.id,
      orgName: org!.name,
      from,
      to,
      formula: ON_TIME_FORMULA,
      own: tally(null, org!.path),
      total: tally(org!.path),
      children: children.map((c) => ({ orgId: c.id, orgName: c.name, ...tally(c.path) })),
    };
  }

  /** 台账 of one task: each responsible org's state and every report with its files and review. */
  async taskDocument(actor: Actor, taskId: number): Promise<OfficialDocument> {
    const t = await this.db
      .selectFrom('task')
      .innerJoin('work_plan as p', 'p.id', 'task.plan_id')
      .innerJoin('org', 'org.id', 'p.org_id')
      .select([
        'task.id',
        'task.seq_label',
        'task.content',
        'task.deadline_text',
        'task.due_on',
        'task.targets',
        'p.title as plan_title',
        'p.year',
        'org.id as org_id',
        'org.path as org_path',
        'org.name as org_name',
      ])
      .where('task.id', '=', taskId)
      .executeTakeFirst();
    if (!t) throw notFound('任务');
    requireOrg(actor, 'read', { id: t.org_id, path: t.org_path });
    const { assignments, reports } = await this.records({ taskId });
    const targets = JSON.parse(t.targets) as Target[];
    const today = shanghaiDay(nowIso());
    return {
      issuer: t.org_name,
      title: `“${excerptTitle(t.content)}”工作台账`,
      paragraphs: [
        `任务来源：${t.year}年${t.plan_title}第${t.seq_label}项。`,
        `工作内容：${t.content}`,
        `完成时限：${t.deadline_text || '—'}${t.due_on ? `（${chineseDate(t.due_on)}）` : '（待定）'}。`,
        ...(targets.length ? [`量化目标：${targets.map((x) => x.phrase).join('；')}。`] : []),
        `承担单位 ${assignments.length} 个，已完成 ${assignments.filter((a) => a.state === 'done').length} 个，逾期未完成 ${assignments.filter((a) => isOverdue(a, today)).length} 个；共报送 ${reports.length} 次。`,
      ],
      attachments: [assignmentTable(assignments, today), reportTable(reports)],
      signature: t.org_name,
      date: chineseDate(today),
    };
  }

  /** 台账 of an org for a year: the tasks its subtree carries, their state and every report. */
  async orgDocument(actor: Actor, orgId: number, year: number): Promise<OfficialDocument> {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    const { assignments, reports } = await this.records({ orgPath: org!.path, year });
    const onTime = await this.onTime(actor, orgId, `${year}-01-01`, `${year}-12-31`);
    const today = shanghaiDay(nowIso());
    return {
      issuer: org!.name,
      title: `${org!.name}${year}年督查督办工作台账`,
      paragraphs: [
        `${year}年，${org!.name}及下级组织共承担任务 ${assignments.length} 项次，已完成 ${assignments.filter((a) => a.state === 'done').length} 项次，逾期未完成 ${assignments.filter((a) => isOverdue(a, today)).length} 项次，共报送进展 ${reports.length} 次。`,
        `全年按时完成率 ${pct(onTime.total.rate)}（${ON_TIME_FORMULA}）。`,
      ],
      attachments: [
        assignmentTable(assignments, today),
        reportTable(reports),
        {
          title: '各下级组织按时完成率',
          columns: ['组织', '到期任务', '按时完成', '超期完成', '逾期未完成', '按时完成率'],
          rows: [
            ...onTime.children.map((c) => [c.orgName, c.due, c.onTime, c.late, c.overdue, pct(c.rate)]),
            [
              `${org!.name}（本级）`,
              onTime.own.due,
              onTime.own.onTime,
              onTime.own.late,
              onTime.own.overdue,
              pct(onTime.own.rate),
            ],
          ],
          notes: [ON_TIME_FORMULA],
        },
      ],
      signature: org!.name,
      date: chineseDate(today),
    };
  }

  private async records(where: {
    taskId?: number;
    orgPath?: string;
    year?: number;
  }): Promise<{ assignments: LedgerAssignment[]; reports: LedgerReport[] }> {
    let base = this.db
      .selectFrom('task_assignment as a')
      .innerJoin('org as o', 'o.id', 'a.org_id')
      .innerJoin('task as t', 't.id', 'a.task_id')
      .innerJoin('work_plan as p', 'p.id', 't.plan_id');
    if (where.taskId) base = base.where('a.task_id', '=', where.taskId);
    if (where.orgPath) base = base.where((eb) => inSubtree(eb, 'o.path', where.orgPath!));
    if (where.year) base = base.where('p.year', '=', where.year);
    const assignments = await base
      .select([
        'a.id',
        'o.name as org_name',
        'a.role',
        'a.state',
        'a.due_on',
        'a.completed_at',
        't.seq_label',
        't.content',
      ])
      .orderBy('t.seq')
      .orderBy('a.id')
      .execute();
    const ids = assignments.map((a) => a.id);
    const reports: LedgerReport[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.db
        .selectFrom('task_report as r')
        .innerJoin('task_assignment as a', 'a.id', 'r.assignment_id')
        .innerJoin('org as o', 'o.id', 'a.org_id')
        .innerJoin('task as t', 't.id', 'a.task_id')
        .select([
          'r.id',
          'o.name as org_name',
          't.seq_label',
          'r.body',
          'r.figures',
          'r.status',
          'r.submitted_at',
          'r.review_comment',
          't.targets',
        ])
        .where('r.assignment_id', 'in', ids.slice(i, i + 1000))
        .where('r.deleted_at', 'is', null)
        .orderBy('r.id')
        .execute();
      const files = rows.length
        ? await this.db
            .selectFrom('task_attachment')
            .select(['report_id', 'filename'])
            .where(
              'report_id',
              'in',
              rows.map((r) => r.id),
            )
            .orderBy('id')
            .execute()
        : [];
      for (const r of rows)
        reports.push({ ...r, files: files.filter((f) => f.report_id === r.id).map((f) => f.filename) });
    }
    return { assignments, reports };
  }
}

interface LedgerAssignment {
  id: number;
  org_name: string;
  role: string;
  state: keyof typeof STATE_LABELS;
  due_on: string | null;
  completed_at: string | null;
  seq_label: string;
  content: string;
}
interface LedgerReport {
  id: number;
  org_name: string;
  seq_label: string;
  body: string;
  figures: string;
  status: string;
  submitted_at: string;
  review_comment: string | null;
  /** The task's targets (JSON), to name the figures. */
  targets: string;
  files: string[];
}

const REPORT_STATUS: Record<string, string> = { submitted: '待审核', approved: '通过', returned: '退回' };

function assignmentTable(rows: LedgerAssignment[], today: string) {
  return {
    title: '任务承担及完成情况',
    columns: ['序号', '工作内容', '承担单位', '牵头/配合', '完成时限', '状态', '完成时间'],
    rows: rows.map((a) => [
      a.seq_label,
      excerptTitle(a.content, 60),
      a.org_name,
      a.role === 'lead' ? '牵头' : '配合',
      a.due_on ?? '待定',
      isOverdue(a, today) ? `${STATE_LABELS[a.state]}（逾期）` : STATE_LABELS[a.state],
      a.completed_at ? formatShanghai(a.completed_at) : '',
    ]),
  };
}

function reportTable(rows: LedgerReport[]) {
  return {
    title: '进展报送记录',
    columns: ['序号', '报送单位', '报送时间', '进展情况', '指标完成', '佐证材料', '审核', '审核意见'],
    rows: rows.map((r) => [
      r.seq_label,
      r.org_name,
      formatShanghai(r.submitted_at),
      r.body,
      figuresText(r),
      r.files.join('、'),
      REPORT_STATUS[r.status] ?? r.status,
      r.review_comment ?? '',
    ]),
  };
}

function figuresText(r: LedgerReport) {
  const targets = JSON.parse(r.targets) as Target[];
  return (JSON.parse(r.figures) as { target: number; value: number }[])
    .map((f) => `${targets[f.target]?.label || targets[f.target]?.phrase || `指标${f.target + 1}`}：${f.value}`)
    .join('；');
}

function excerptTitle(s: string, n = 24) {
  const one = s.replace(/\s+/g, '');
  return one.length > n ? one.slice(0, n) + '…' : one;
}
