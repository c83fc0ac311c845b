import type { Kysely, Selectable } from 'kysely';
import type { DB, TaskTable } from '../db/schema.js';
import { accountRef, can, inSubtree, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, importRejected, notFound, type FieldProblem } from '../common/errors.js';
import { nowIso, parseDate, shanghaiDay } from '../common/time.js';
import { notifyOrgCadres } from '../notification/notify.js';
import { readDeadline, finalDate, type DeadlineReading, type Milestone } from './deadline.js';
import { readTargets, type Target } from './targets.js';
import { readTaskListFile, splitResponsible } from './task-list-file.js';
import { matchResponsible, type CandidateOrg, type NameMatch } from './responsible.js';

export interface ResponsibleInput {
  orgId: number;
  role: 'lead' | 'support';
}

export interface TaskInput {
  seqLabel?: string | undefined;
  content: string;
  deadline: string;
  /** A date set by a person: replaces what the deadline text says (for 县两会前 and the like). */
  dueOn?: string | null | undefined;
  category?: string | null | undefined;
  responsible?: ResponsibleInput[] | undefined;
}

export interface ImportRow {
  row: number;
  seqLabel: string;
  content: string;
  deadline: DeadlineReading;
  dueOn: string | null;
  targets: Target[];
  category: string | null;
  responsible: (NameMatch & { role: 'lead' | 'support' })[];
  /** Already in the plan (same 序号 and content): importing again changes nothing. */
  existing: boolean;
}

export interface ImportPreview {
  title: string | null;
  format: 'docx' | 'xlsx';
  rows: ImportRow[];
  /** Names a person must resolve before the list can be imported (with the rows they appear in). */
  unresolved: {
    name: string;
    kind: 'unmatched' | 'ambiguous';
    reason: string;
    candidates: { id: number; name: string }[];
    rows: number[];
  }[];
  needsDate: number;
  created: number;
  dryRun: boolean;
}

const MAX_TASKS = 2000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** 工作要点 and their task lists: written by hand or imported from Word/Excel, assigned to responsible orgs. */
export class PlanService {
  constructor(private readonly db: Kysely<DB>) {}

  private async plan(actor: Actor, planId: number, need: 'read' | 'write') {
    const p = await this.db
      .selectFrom('work_plan')
      .innerJoin('org', 'org.id', 'work_plan.org_id')
      .select([
        'work_plan.id',
        'work_plan.org_id',
        'work_plan.year',
        'work_plan.title',
        'work_plan.created_at',
        'org.path as org_path',
        'org.name as org_name',
      ])
      .where('work_plan.id', '=', planId)
      .executeTakeFirst();
    if (!p) throw notFound('工作要点');
    requireOrg(actor, need, { id: p.org_id, path: p.org_path });
    return p;
  }

  async list(actor: Actor, orgId: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const plans = await this.db
      .selectFrom('work_plan')
      .select(['id', 'year', 'title', 'created_at'])
      .where('org_id', '=', orgId)
      .orderBy('year', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const counts = plans.length
      ? await this.db
          .selectFrom('task')
          .innerJoin('task_assignment as a', 'a.task_id', 'task.id')
          .select(['task.plan_id', 'a.state'])
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(
            'task.plan_id',
            'in',
            plans.map((p) => p.id),
          )
          .where('a.parent_id', 'is', null)
          .groupBy(['task.plan_id', 'a.state'])
          .execute()
      : [];
    const taskCounts = plans.length
      ? await this.db
          .selectFrom('task')
          .select(['plan_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where(
            'plan_id',
            'in',
            plans.map((p) => p.id),
          )
          .groupBy('plan_id')
          .execute()
      : [];
    return plans.map((p) => ({
      id: p.id,
      year: p.year,
      title: p.title,
      createdAt: p.created_at,
      tasks: Number(taskCounts.find((c) => c.plan_id === p.id)?.n ?? 0),
      assignments: Object.fromEntries(counts.filter((c) => c.plan_id === p.id).map((c) => [c.state, Number(c.n)])),
    }));
  }

  async create(ctx: Ctx, orgId: number, input: { year: number; title: string }) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(ctx.actor, 'write', org);
    const dup = await this.db
      .selectFrom('work_plan')
      .select('id')
      .where('org_id', '=', orgId)
      .where('year', '=', input.year)
      .where('title', '=', input.title)
      .executeTakeFirst();
    if (dup) throw conflict(`${input.year}年已有名为“${input.title}”的工作要点`);
    const now = nowIso();
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('work_plan')
        .values({
          org_id: orgId,
          year: input.year,
          title: input.title,
          created_by: accountRef(ctx.actor),
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org: org!,
        action: 'plan.create',
        subjectType: 'work_plan',
        subjectId: id,
        after: input,
      });
      return { id };
    });
  }

  async update(ctx: Ctx, planId: number, input: { title: string }) {
    const p = await this.plan(ctx.actor, planId, 'write');
    const dup = await this.db
      .selectFrom('work_plan')
      .select('id')
      .where('org_id', '=', p.org_id)
      .where('year', '=', p.year)
      .where('title', '=', input.title)
      .where('id', '<>', planId)
      .executeTakeFirst();
    if (dup) throw conflict(`${p.year}年已有名为“${input.title}”的工作要点`);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('work_plan')
        .set({ title: input.title, updated_at: nowIso() })
        .where('id', '=', planId)
        .execute();
      await audit(trx, ctx, {
        org: { id: p.org_id, path: p.org_path },
        action: 'plan.update',
        subjectType: 'work_plan',
        subjectId: planId,
        before: { title: p.title },
        after: input,
      });
    });
  }

  /** A plan with its tasks, their deadline readings and the orgs they are assigned to. */
  async get(actor: Actor, planId: number) {
    const p = await this.plan(actor, planId, 'read');
    const tasks = await this.db
      .selectFrom('task')
      .selectAll()
      .where('plan_id', '=', planId)
      .orderBy('seq')
      .orderBy('id')
      .execute();
    const assignments = tasks.length
      ? await this.db
          .selectFrom('task_assignment as a')
          .innerJoin('org', 'org.id', 'a.org_id')
          .select(['a.id', 'a.task_id', 'a.org_id', 'org.name as org_name', 'a.role', 'a.state', 'a.due_on'])
          .where(
            'a.task_id',
            'in',
            tasks.map((t) => t.id),
          )
          .where('a.parent_id', 'is', null)
          .orderBy('a.id')
          .execute()
      : [];
    const today = shanghaiDay(nowIso());
    return {
      id: p.id,
      orgId: p.org_id,
      orgName: p.org_name,
      year: p.year,
      title: p.title,
      createdAt: p.created_at,
      canWrite: can(actor, 'write', { id: p.org_id, path: p.org_path }),
      tasks: tasks.map((t) => ({
        ...taskView(t),
        assignments: assignments
          .filter((a) => a.task_id === t.id)
          .map((a) => ({
            id: a.id,
            orgId: a.org_id,
            orgName: a.org_name,
            role: a.role,
            state: a.state,
            dueOn: a.due_on,
            overdue: isOverdue(a, today),
          })),
      })),
    };
  }

  /** Adds one task; the responsible orgs get their assignments at once. */
  async addTask(ctx: Ctx, planId: number, input: TaskInput) {
    const p = await this.plan(ctx.actor, planId, 'write');
    const reading = this.read(input, p.year);
    const responsible = await this.checkResponsible(p, input.responsible ?? []);
    const now = nowIso();
    return this.db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('task')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('plan_id', '=', planId)
        .executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      const id = await insertTask(trx, ctx, planId, seq, input.seqLabel || String(seq), input, reading, now);
      await assign(trx, ctx, p, id, input.content, reading.dueOn, responsible, now);
      await audit(trx, ctx, {
        org: { id: p.org_id, path: p.org_path },
        action: 'task.create',
        subjectType: 'task',
        subjectId: id,
        after: { content: input.content, deadline: input.deadline, responsible },
      });
      return { id };
    });
  }

  /** Changes what is given; content and deadline keep their values when left out (e.g. only a date is set). */
  async updateTask(ctx: Ctx, taskId: number, patch: Partial<Omit<TaskInput, 'responsible'>>) {
    const t = await this.db.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (!t) throw notFound('任务');
    const p = await this.plan(ctx.actor, t.plan_id, 'write');
    const input = { ...patch, content: patch.content ?? t.content, deadline: patch.deadline ?? t.deadline_text };
    const reading = this.read(input, p.year);
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('task')
        .set({
          ...(input.seqLabel ? { seq_label: input.seqLabel } : {}),
          content: input.content,
          deadline_text: input.deadline,
          due_on: reading.dueOn,
          milestones: JSON.stringify(reading.milestones),
          needs_date: reading.needsDate.length ? JSON.stringify(reading.needsDate) : null,
          targets: JSON.stringify(readTargets(input.content)),
          category: input.category ?? t.category,
          updated_at: now,
        })
        .where('id', '=', taskId)
        .execute();
      // Assignments made by the plan's org follow the task's date; forwarded ones keep theirs unless later.
      await trx
        .updateTable('task_assignment')
        .set({ due_on: reading.dueOn, updated_at: now })
        .where('task_id', '=', taskId)
        .where('parent_id', 'is', null)
        .execute();
      if (reading.dueOn)
        await trx
          .updateTable('task_assignment')
          .set({ due_on: reading.dueOn, updated_at: now })
          .where('task_id', '=', taskId)
          .where('parent_id', 'is not', null)
          .where('due_on', '>', reading.dueOn)
          .execute();
      await audit(trx, ctx, {
        org: { id: p.org_id, path: p.org_path },
        action: 'task.update',
        subjectType: 'task',
        subjectId: taskId,
        before: { content: t.content, deadline: t.deadline_text, dueOn: t.due_on },
        after: { content: input.content, deadline: input.deadline, dueOn: reading.dueOn },
      });
    });
  }

  /** Assigns an existing task to more orgs under the plan's org. */
  async assignTask(ctx: Ctx, taskId: number, responsible: ResponsibleInput[]) {
    const t = await this.db.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (!t) throw notFound('任务');
    const p = await this.plan(ctx.actor, t.plan_id, 'write');
    const checked = await this.checkResponsible(p, responsible);
    const existing = await this.db
      .selectFrom('task_assignment')
      .select('org_id')
      .where('task_id', '=', taskId)
      .where(
        'org_id',
        'in',
        checked.map((r) => r.orgId),
      )
      .execute();
    if (existing.length) throw conflict('所选组织中已有承担此项任务的，不能重复交办');
    await this.db.transaction().execute(async (trx) => {
      await assign(trx, ctx, p, taskId, t.content, t.due_on, checked, nowIso());
      await audit(trx, ctx, {
        org: { id: p.org_id, path: p.org_path },
        action: 'task.assign',
        subjectType: 'task',
        subjectId: taskId,
        after: { responsible: checked },
      });
    });
  }

  /** How a deadline text reads for a year (for the form, as the cadre types). */
  readDeadline(text: string, year: number) {
    const r = readDeadline(text, year);
    return { ...r, dueOn: finalDate(r) };
  }

  /**
   * Imports a task list from a Word table or an Excel sheet. Without `commit` nothing is written: the preview
   * lists each row's reading (deadline, targets, responsible orgs) and the names a person must resolve;
   * `resolutions` maps such a name to the orgs it means ([] leaves it out). A list with unresolved names or
   * rows without 工作内容 is refused as a whole. Rows already in the plan (same 序号 and content) are skipped,
   * so importing the same file twice changes nothing.
   */
  async importList(
    ctx: Ctx,
    planId: number,
    buf: Buffer,
    opts: { commit: boolean; resolutions?: Record<string, number[]> | undefined },
  ): Promise<ImportPreview> {
    const p = await this.plan(ctx.actor, planId, 'write');
    const file = await readTaskListFile(buf);
    if (!file.rows.length) throw importRejected([{ path: 'file', message: '任务清单中没有任务行' }]);
    if (file.rows.length > MAX_TASKS)
      throw importRejected([{ path: 'file', message: `单个清单最多 ${MAX_TASKS} 项任务，请分开导入` }]);
    const orgs = await this.subtreeOrgs(p.org_path);
    const planOrg = orgs.find((o) => o.id === p.org_id);
    if (!planOrg) throw conflict(`${p.org_name}已撤销或合并，不能再导入任务`);
    const byId = new Map(orgs.map((o) => [o.id, o]));
    const existingTasks = await this.db
      .selectFrom('task')
      .select(['seq', 'seq_label', 'content'])
      .where('plan_id', '=', planId)
      .execute();
    const existingKeys = new Set(existingTasks.map((t) => `${t.seq_label}\u0000${t.content}`));
    const problems: FieldProblem[] = [];
    const col = (k: string, fallback: string) => file.columns[k] ?? fallback;
    const matchCache = new Map<string, NameMatch>();
    const rows: ImportRow[] = file.rows.map((r) => {
      if (!r.content.trim())
        problems.push({
          path: `第${r.row}行`,
          row: r.row,
          column: col('content', '工作内容'),
          message: '工作内容为空',
        });
      const deadline = readDeadline(r.deadline, p.year);
      const names = splitResponsible(r.responsible, r.lead, r.support);
      if (!names.length) names.push({ name: '', role: 'lead' });
      const responsible = names.map((n) => {
        let m = matchCache.get(n.name);
        if (!m) matchCache.set(n.name, (m = matchResponsible(n.name, planOrg, orgs)));
        const resolution = opts.resolutions?.[n.name];
        if (m.problem && resolution) {
          const chosen = resolution.map((id) => byId.get(id));
          if (chosen.some((o) => !o))
            throw badRequest(`“${n.name || '（空）'}”所选的组织不在${p.org_name}的下级范围内`, [
              { path: 'resolutions', message: '组织不在本级管辖范围内' },
            ]);
          m = { name: n.name, orgs: chosen.map((o) => ({ id: o!.id, name: o!.name })), how: '人工选择' };
        }
        return { ...m, role: n.role };
      });
      return {
        row: r.row,
        seqLabel: r.seq,
        content: r.content,
        deadline,
        dueOn: finalDate(deadline),
        targets: readTargets(r.content),
        category: r.category ?? null,
        responsible,
        existing: existingKeys.has(`${r.seq}\u0000${r.content}`),
      };
    });
    const unresolved = new Map<string, ImportPreview['unresolved'][number]>();
    for (const r of rows)
      for (const m of r.responsible)
        if (m.problem) {
          const u = unresolved.get(m.name);
          if (u) u.rows.push(r.row);
          else unresolved.set(m.name, { name: m.name, ...m.problem, rows: [r.row] });
        }
    const preview: ImportPreview = {
      title: file.title,
      format: file.format,
      rows,
      unresolved: [...unresolved.values()],
      needsDate: rows.filter((r) => r.deadline.needsDate.length).length,
      created: 0,
      dryRun: !opts.commit,
    };
    if (!opts.commit) return preview;
    for (const u of preview.unresolved)
      for (const row of u.rows)
        problems.push({
          path: `第${row}行`,
          row,
          column: col('responsible', '责任单位'),
          value: u.name,
          message: u.reason,
        });
    if (problems.length) throw importRejected(problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)));

    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('task')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('plan_id', '=', planId)
        .executeTakeFirst();
      let seq = Number(last?.seq ?? 0);
      for (const r of rows) {
        if (r.existing) continue;
        seq++;
        const reading = { dueOn: r.dueOn, milestones: r.deadline.milestones, needsDate: r.deadline.needsDate };
        const input = { content: r.content, deadline: r.deadline.text, category: r.category };
        const id = await insertTask(trx, ctx, planId, seq, r.seqLabel || String(seq), input, reading, now);
        const responsible = new Map<number, ResponsibleInput>();
        for (const m of r.responsible)
          for (const o of m.orgs)
            if (!responsible.has(o.id) || m.role === 'lead') responsible.set(o.id, { orgId: o.id, role: m.role });
        await assign(trx, ctx, p, id, r.content, r.dueOn, [...responsible.values()], now);
        preview.created++;
      }
      await audit(trx, ctx, {
        org: { id: p.org_id, path: p.org_path },
        action: 'plan.import',
        subjectType: 'work_plan',
        subjectId: planId,
        after: { rows: rows.length, created: preview.created, resolutions: opts.resolutions ?? {} },
      });
    });
    preview.dryRun = false;
    return preview;
  }

  private read(input: Pick<TaskInput, 'deadline' | 'dueOn'>, year: number) {
    if (input.dueOn) {
      if (!DATE.test(input.dueOn) || parseDate(input.dueOn) !== input.dueOn)
        throw badRequest('完成日期格式应为 YYYY-MM-DD', [{ path: 'dueOn', message: '日期格式不正确' }]);
      const m: Milestone = { date: input.dueOn, reading: '人工设定', phrase: input.deadline };
      return { dueOn: input.dueOn, milestones: [m], needsDate: [] as DeadlineReading['needsDate'] };
    }
    const r = readDeadline(input.deadline, year);
    return { dueOn: finalDate(r), milestones: r.milestones, needsDate: r.needsDate };
  }

  private async subtreeOrgs(path: string): Promise<CandidateOrg[]> {
    const rows = await this.db
      .selectFrom('org')
      .select(['id', 'parent_id', 'name', 'short_name', 'kind', 'category', 'path'])
      .where((eb) => inSubtree(eb, 'org.path', path))
      .where('status', '=', 'active')
      .execute();
    return rows.map((o) => ({
      id: o.id,
      parentId: o.parent_id,
      name: o.name,
      shortName: o.short_name,
      kind: o.kind,
      category: o.category,
      path: o.path,
    }));
  }

  private async checkResponsible(p: { org_path: string; org_name: string }, list: ResponsibleInput[]) {
    if (!list.length) return [];
    const ids = [...new Set(list.map((r) => r.orgId))];
    const found = await this.db.selectFrom('org').select(['id', 'path', 'status']).where('id', 'in', ids).execute();
    for (const id of ids) {
      const o = found.find((f) => f.id === id);
      if (!o || !o.path.startsWith(p.org_path) || o.status !== 'active')
        throw badRequest(`责任单位必须是${p.org_name}或其下级组织`, [
          { path: 'responsible', message: '组织不在本级管辖范围内' },
        ]);
    }
    return ids.map((id) => list.find((r) => r.orgId === id && r.role === 'lead') ?? list.find((r) => r.orgId === id)!);
  }
}

type Reading = { dueOn: string | null; milestones: Milestone[]; needsDate: DeadlineReading['needsDate'] };

async function insertTask(
  trx: Kysely<DB>,
  ctx: Ctx,
  planId: number,
  seq: number,
  seqLabel: string,
  input: { content: string; deadline: string; category?: string | null | undefined },
  reading: Reading,
  now: string,
) {
  const { id } = await trx
    .insertInto('task')
    .values({
      plan_id: planId,
      seq,
      seq_label: seqLabel,
      content: input.content,
      deadline_text: input.deadline,
      due_on: reading.dueOn,
      milestones: JSON.stringify(reading.milestones),
      needs_date: reading.needsDate.length ? JSON.stringify(reading.needsDate) : null,
      targets: JSON.stringify(readTargets(input.content)),
      category: input.category ?? null,
      created_by: accountRef(ctx.actor),
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function assign(
  trx: Kysely<DB>,
  ctx: Ctx,
  plan: { org_id: number; title: string },
  taskId: number,
  content: string,
  dueOn: string | null,
  responsible: ResponsibleInput[],
  now: string,
) {
  if (!responsible.length) return;
  await trx
    .insertInto('task_assignment')
    .values(
      responsible.map((r) => ({
        task_id: taskId,
        parent_id: null,
        org_id: r.orgId,
        assigner_org_id: plan.org_id,
        role: r.role,
        due_on: dueOn,
        state: 'not_started' as const,
        note: null,
        assigned_by: accountRef(ctx.actor),
        assigned_at: now,
        completed_at: null,
        updated_at: now,
      })),
    )
    .execute();
  await notifyOrgCadres(
    trx,
    responsible
      .filter((r) => r.orgId !== plan.org_id)
      .map((r) => ({
        orgId: r.orgId,
        notice: {
          kind: 'task.assigned',
          title: '新交办任务',
          body: `${plan.title}：${excerpt(content)}${dueOn ? `（${dueOn} 前完成）` : ''}`,
          link: `/tasks/mine?org=${r.orgId}`,
        },
      })),
  );
}

export const excerpt = (s: string, n = 40) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n) + '…' : one;
};

export function taskView(t: Selectable<TaskTable>) {
  return {
    id: t.id,
    planId: t.plan_id,
    seq: t.seq,
    seqLabel: t.seq_label,
    content: t.content,
    deadline: t.deadline_text,
    dueOn: t.due_on,
    milestones: JSON.parse(t.milestones) as Milestone[],
    needsDate: t.needs_date ? (JSON.parse(t.needs_date) as DeadlineReading['needsDate']) : [],
    targets: JSON.parse(t.targets) as Target[],
    category: t.category,
  };
}

export function isOverdue(a: { state: string; due_on: string | null }, today: string) {
  return a.state !== 'done' && a.due_on !== null && a.due_on < today;
}
