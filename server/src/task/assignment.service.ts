import { sql, type Kysely } from 'kysely';
import type { AssignmentState, DB } from '../db/schema.js';
import { accountRef, can, inSubtree, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { addDays, nowIso, shanghaiDay } from '../common/time.js';
import { notifyOrgCadres } from '../notification/notify.js';
import { escapeLike } from '../db/dialect.js';
import { excerpt, isOverdue, taskView } from './plan.service.js';
import type { Target } from './targets.js';

export const STATE_LABELS: Record<AssignmentState | 'overdue', string> = {
  not_started: '未开始',
  in_progress: '进行中',
  submitted: '待审核',
  returned: '已退回',
  done: '已完成',
  overdue: '逾期',
};

export interface ForwardInput {
  orgId: number;
  dueOn?: string | null | undefined;
  role?: 'lead' | 'support' | undefined;
  note?: string | null | undefined;
}

export interface ReportInput {
  body: string;
  figures: { target: number; value: number }[];
  attachmentIds: number[];
}

const DUE_SOON_DAYS = 7;

/**
 * Assignments of tasks to orgs and everything done on them: forwarding or splitting to lower orgs, progress
 * reports with evidence, review by the assigning org, queues and the status board of a subtree.
 */
export class AssignmentService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly limits: (orgPath: string) => Promise<{ maxFiles: number; maxFileMb: number }>,
  ) {}

  /** The assignment with its org, assigning org, task and plan; the actor must see one of the two orgs. */
  async load(actor: Actor, id: number) {
    const a = await this.db
      .selectFrom('task_assignment as a')
      .innerJoin('org as o', 'o.id', 'a.org_id')
      .innerJoin('org as g', 'g.id', 'a.assigner_org_id')
      .innerJoin('task as t', 't.id', 'a.task_id')
      .innerJoin('work_plan as p', 'p.id', 't.plan_id')
      .selectAll('a')
      .select([
        'o.path as org_path',
        'o.name as org_name',
        'g.path as assigner_path',
        'g.name as assigner_name',
        'p.id as plan_id',
        'p.title as plan_title',
        'p.year as plan_year',
        't.content as task_content',
        't.targets as task_targets',
      ])
      .where('a.id', '=', id)
      .executeTakeFirst();
    if (!a) throw notFound('任务');
    const org = { id: a.org_id, path: a.org_path };
    const assigner = { id: a.assigner_org_id, path: a.assigner_path };
    if (!can(actor, 'read', org) && !can(actor, 'read', assigner)) throw notFound('任务');
    return { ...a, org, assigner };
  }

  async detail(actor: Actor, id: number) {
    const a = await this.load(actor, id);
    const task = await this.db.selectFrom('task').selectAll().where('id', '=', a.task_id).executeTakeFirstOrThrow();
    const reports = await this.db
      .selectFrom('task_report as r')
      .leftJoin('account as s', 's.id', 'r.submitted_by')
      .leftJoin('account as v', 'v.id', 'r.reviewed_by')
      .selectAll('r')
      .select(['s.display_name as submitted_by_name', 'v.display_name as reviewed_by_name'])
      .where('r.assignment_id', '=', id)
      .where('r.deleted_at', 'is', null)
      .orderBy('r.id')
      .execute();
    const files = await this.db
      .selectFrom('task_attachment')
      .select(['id', 'report_id', 'filename', 'kind', 'mime', 'size', 'thumb_sha256', 'uploaded_at'])
      .where('assignment_id', '=', id)
      .orderBy('id')
      .execute();
    const children = await this.db
      .selectFrom('task_assignment as c')
      .innerJoin('org', 'org.id', 'c.org_id')
      .select(['c.id', 'c.org_id', 'org.name as org_name', 'c.role', 'c.state', 'c.due_on', 'c.completed_at'])
      .where('c.parent_id', '=', id)
      .orderBy('c.id')
      .execute();
    const today = shanghaiDay(nowIso());
    // Not while a report waits for review (withdraw it first) nor once done.
    const mayReport = can(actor, 'write', a.org) && a.state !== 'done' && a.state !== 'submitted';
    return {
      id: a.id,
      task: taskView(task),
      planId: a.plan_id,
      planTitle: a.plan_title,
      planYear: a.plan_year,
      orgId: a.org_id,
      orgName: a.org_name,
      assignerOrgId: a.assigner_org_id,
      assignerOrgName: a.assigner_name,
      parentId: a.parent_id,
      role: a.role,
      dueOn: a.due_on,
      state: a.state,
      stateLabel: STATE_LABELS[a.state],
      overdue: isOverdue(a, today),
      note: a.note,
      assignedAt: a.assigned_at,
      completedAt: a.completed_at,
      reports: reports.map((r) => ({
        id: r.id,
        body: r.body,
        figures: JSON.parse(r.figures) as { target: number; value: number }[],
        status: r.status,
        submittedAt: r.submitted_at,
        submittedBy: r.submitted_by_name,
        reviewedAt: r.reviewed_at,
        reviewedBy: r.reviewed_by_name,
        reviewComment: r.review_comment,
        attachments: files.filter((f) => f.report_id === r.id).map(fileView),
      })),
      /** Uploaded for the next report, not yet sent. */
      pendingAttachments: mayReport ? files.filter((f) => f.report_id === null).map(fileView) : [],
      children: children.map((c) => ({
        id: c.id,
        orgId: c.org_id,
        orgName: c.org_name,
        role: c.role,
        state: c.state,
        stateLabel: STATE_LABELS[c.state],
        dueOn: c.due_on,
        overdue: isOverdue(c, today),
        completedAt: c.completed_at,
      })),
      canReport: mayReport,
      canWithdraw: can(actor, 'write', a.org) && a.state === 'submitted',
      canForward: can(actor, 'write', a.org) && a.state !== 'done',
      canReview: can(actor, 'write', a.assigner) && a.state === 'submitted',
      ...(await this.limits(a.org_path)),
    };
  }

  /** Forwards (one org) or splits (several) an assignment to orgs below its own, each due no later than it. */
  async forward(ctx: Ctx, id: number, children: ForwardInput[]) {
    const a = await this.load(ctx.actor, id);
    requireOrg(ctx.actor, 'write', a.org);
    if (a.state === 'done') throw conflict('任务已完成，不能再转交');
    if (!children.length) throw badRequest('请选择要转交的下级组织', [{ path: 'children', message: '至少选择一个' }]);
    const orgs = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'status'])
      .where(
        'id',
        'in',
        children.map((c) => c.orgId),
      )
      .execute();
    children.forEach((c, i) => {
      const o = orgs.find((x) => x.id === c.orgId);
      if (!o || o.id === a.org_id || !o.path.startsWith(a.org_path) || o.status !== 'active')
        throw badRequest(`只能转交给${a.org_name}的下级组织`, [
          { path: `children.${i}.orgId`, message: '不是下级组织' },
        ]);
      if (c.dueOn && a.due_on && c.dueOn > a.due_on)
        throw badRequest(`${o.name}的完成时限不能晚于本级的 ${a.due_on}`, [
          { path: `children.${i}.dueOn`, message: `不能晚于 ${a.due_on}` },
        ]);
    });
    const taken = await this.db
      .selectFrom('task_assignment')
      .innerJoin('org', 'org.id', 'task_assignment.org_id')
      .select('org.name')
      .where('task_id', '=', a.task_id)
      .where(
        'org_id',
        'in',
        children.map((c) => c.orgId),
      )
      .execute();
    if (taken.length) throw conflict(`${taken.map((t) => t.name).join('、')}已承担此项任务，不能重复交办`);
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('task_assignment')
        .values(
          children.map((c) => ({
            task_id: a.task_id,
            parent_id: a.id,
            org_id: c.orgId,
            assigner_org_id: a.org_id,
            role: c.role ?? 'lead',
            due_on: c.dueOn ?? a.due_on,
            state: 'not_started' as const,
            note: c.note ?? null,
            assigned_by: accountRef(ctx.actor),
            assigned_at: now,
            completed_at: null,
            updated_at: now,
          })),
        )
        .execute();
      if (a.state === 'not_started')
        await trx
          .updateTable('task_assignment')
          .set({ state: 'in_progress', updated_at: now })
          .where('id', '=', a.id)
          .execute();
      await notifyOrgCadres(
        trx,
        children.map((c) => ({
          orgId: c.orgId,
          notice: {
            kind: 'task.assigned',
            title: `${a.org_name}交办任务`,
            body: `${excerpt(a.task_content)}（${c.dueOn ?? a.due_on ?? '时限待定'} 前完成）`,
            link: `/tasks/mine?org=${c.orgId}`,
          },
        })),
      );
      await audit(trx, ctx, {
        org: a.org,
        action: 'task.forward',
        subjectType: 'task_assignment',
        subjectId: a.id,
        after: { children },
      });
    });
  }

  /** A progress report: text, figures against the task's targets and the files uploaded for it. */
  async report(ctx: Ctx, id: number, input: ReportInput) {
    const a = await this.load(ctx.actor, id);
    requireOrg(ctx.actor, 'write', a.org);
    if (a.state === 'done') throw conflict('任务已审核通过，无需再报送');
    if (a.state === 'submitted') throw conflict('上一次报送还在审核中，请等待审核或撤回后再报');
    if (!input.body.trim() && !input.attachmentIds.length)
      throw badRequest('请填写进展情况或上传佐证材料', [{ path: 'body', message: '进展情况为空' }]);
    const targets = JSON.parse(a.task_targets) as Target[];
    input.figures.forEach((f, i) => {
      if (!Number.isInteger(f.target) || f.target < 0 || f.target >= targets.length)
        throw badRequest('报送的数字没有对应的任务指标', [{ path: `figures.${i}.target`, message: '没有这项指标' }]);
      if (!Number.isFinite(f.value) || f.value < 0)
        throw badRequest('指标完成数应为不小于 0 的数字', [{ path: `figures.${i}.value`, message: '数字不正确' }]);
    });
    const files = input.attachmentIds.length
      ? await this.db
          .selectFrom('task_attachment')
          .select(['id', 'report_id', 'assignment_id'])
          .where('id', 'in', input.attachmentIds)
          .execute()
      : [];
    for (const fid of input.attachmentIds) {
      const f = files.find((x) => x.id === fid);
      if (!f || f.assignment_id !== id || f.report_id !== null)
        throw badRequest('附件不存在或已随其他报送提交', [{ path: 'attachmentIds', message: `附件 ${fid} 不可用` }]);
    }
    const max = (await this.limits(a.org_path)).maxFiles;
    if (input.attachmentIds.length > max)
      throw badRequest(`每次报送最多 ${max} 个附件`, [{ path: 'attachmentIds', message: `超过 ${max} 个` }]);
    const now = nowIso();
    return this.db.transaction().execute(async (trx) => {
      const { id: reportId } = await trx
        .insertInto('task_report')
        .values({
          assignment_id: id,
          body: input.body,
          figures: JSON.stringify(input.figures),
          status: 'submitted',
          submitted_by: accountRef(ctx.actor),
          submitted_at: now,
          reviewed_by: null,
          reviewed_at: null,
          review_comment: null,
          deleted_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (input.attachmentIds.length)
        await trx
          .updateTable('task_attachment')
          .set({ report_id: reportId })
          .where('id', 'in', input.attachmentIds)
          .execute();
      await trx
        .updateTable('task_assignment')
        .set({ state: 'submitted', updated_at: now })
        .where('id', '=', id)
        .execute();
      await notifyOrgCadres(trx, [
        {
          orgId: a.assigner_org_id,
          notice: {
            kind: 'task.reported',
            title: `${a.org_name}报送了进展`,
            body: `${excerpt(a.task_content)}：${excerpt(input.body || '（附件）', 60)}`,
            link: `/tasks/assignments/${id}`,
          },
        },
      ]);
      await audit(trx, ctx, {
        org: a.org,
        action: 'task.report',
        subjectType: 'task_assignment',
        subjectId: id,
        after: { reportId, body: input.body, figures: input.figures, attachmentIds: input.attachmentIds },
      });
      return { id: reportId };
    });
  }

  /** The assigning org approves a report (the assignment is done) or returns it with comments. */
  async review(ctx: Ctx, reportId: number, decision: 'approve' | 'return', comment: string) {
    const r = await this.db
      .selectFrom('task_report')
      .select(['id', 'assignment_id', 'status', 'deleted_at', 'submitted_by'])
      .where('id', '=', reportId)
      .executeTakeFirst();
    if (!r || r.deleted_at) throw notFound('报送');
    const a = await this.load(ctx.actor, r.assignment_id);
    if (!can(ctx.actor, 'write', a.assigner)) throw forbidden(`只有交办单位${a.assigner_name}可以审核`);
    if (r.status !== 'submitted') throw conflict('这次报送已经审核过了');
    // Whoever sent a report does not approve it, even when their role covers both orgs.
    if (r.submitted_by !== null && r.submitted_by === ctx.actor.accountId)
      throw forbidden('不能审核自己报送的进展，请由交办单位的其他干部审核');
    if (decision === 'return' && !comment.trim())
      throw badRequest('退回时请写明原因', [{ path: 'comment', message: '请填写退回原因' }]);
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('task_report')
        .set({
          status: decision === 'approve' ? 'approved' : 'returned',
          reviewed_by: accountRef(ctx.actor),
          reviewed_at: now,
          review_comment: comment.trim() || null,
        })
        .where('id', '=', reportId)
        .execute();
      await trx
        .updateTable('task_assignment')
        .set({
          state: decision === 'approve' ? 'done' : 'returned',
          completed_at: decision === 'approve' ? now : null,
          updated_at: now,
        })
        .where('id', '=', a.id)
        .execute();
      await notifyOrgCadres(trx, [
        {
          orgId: a.org_id,
          notice: {
            kind: decision === 'approve' ? 'task.approved' : 'task.returned',
            title: decision === 'approve' ? '报送已通过审核' : '报送被退回',
            body: `${excerpt(a.task_content)}${comment.trim() ? `：${excerpt(comment, 80)}` : ''}`,
            link: `/tasks/assignments/${a.id}`,
          },
        },
      ]);
      await audit(trx, ctx, {
        org: a.assigner,
        action: decision === 'approve' ? 'task.approve' : 'task.return',
        subjectType: 'task_report',
        subjectId: reportId,
        after: { assignmentId: a.id, comment },
      });
    });
  }

  /** Withdraws a report not yet reviewed: it disappears from the thread, the audit entry stays. */
  async withdraw(ctx: Ctx, reportId: number) {
    const r = await this.db
      .selectFrom('task_report')
      .select(['id', 'assignment_id', 'status', 'deleted_at', 'body'])
      .where('id', '=', reportId)
      .executeTakeFirst();
    if (!r || r.deleted_at) throw notFound('报送');
    const a = await this.load(ctx.actor, r.assignment_id);
    requireOrg(ctx.actor, 'write', a.org);
    if (r.status !== 'submitted') throw conflict('已审核的报送不能撤回');
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('task_report').set({ deleted_at: now }).where('id', '=', reportId).execute();
      // Its files go back to the org's pending uploads; nothing is lost.
      await trx.updateTable('task_attachment').set({ report_id: null }).where('report_id', '=', reportId).execute();
      const previous = await trx
        .selectFrom('task_report')
        .select('status')
        .where('assignment_id', '=', a.id)
        .where('deleted_at', 'is', null)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const hasChildren = await trx
        .selectFrom('task_assignment')
        .select('id')
        .where('parent_id', '=', a.id)
        .executeTakeFirst();
      const state: AssignmentState =
        previous?.status === 'returned' ? 'returned' : previous || hasChildren ? 'in_progress' : 'not_started';
      await trx.updateTable('task_assignment').set({ state, updated_at: now }).where('id', '=', a.id).execute();
      await audit(trx, ctx, {
        org: a.org,
        action: 'task.withdraw',
        subjectType: 'task_report',
        subjectId: reportId,
        before: { body: r.body },
      });
    });
  }

  /**
   * Assignments of orgs in a subtree with counts by state (逾期 and 7 天内到期 counted apart), newest due first.
   * `mine` limits the list to the org itself (its own queue); `reviewing` to what it assigned.
   */
  async board(
    actor: Actor,
    orgId: number,
    q: {
      scope: 'subtree' | 'mine' | 'assigned';
      state?: AssignmentState | 'overdue' | 'due_soon' | undefined;
      year?: number | undefined;
      q?: string | undefined;
      page: number;
      pageSize: number;
    },
  ) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const today = shanghaiDay(nowIso());
    const soon = addDays(today + 'T00:00:00.000Z', DUE_SOON_DAYS).slice(0, 10);
    let base = this.db
      .selectFrom('task_assignment as a')
      .innerJoin('org as o', 'o.id', 'a.org_id')
      .innerJoin('task as t', 't.id', 'a.task_id')
      .innerJoin('work_plan as p', 'p.id', 't.plan_id');
    if (q.scope === 'mine') base = base.where('a.org_id', '=', orgId);
    else if (q.scope === 'assigned') base = base.where('a.assigner_org_id', '=', orgId);
    else base = base.where((eb) => inSubtree(eb, 'o.path', org!.path));
    if (q.year) base = base.where('p.year', '=', q.year);
    if (q.q) {
      const needle = `%${escapeLike(q.q)}%`;
      base = base.where((eb) =>
        eb.or([
          sql<boolean>`${eb.ref('t.content')} like ${needle} escape '\\'`,
          sql<boolean>`${eb.ref('o.name')} like ${needle} escape '\\'`,
        ]),
      );
    }

    const counts = await base
      .select(['a.state', (eb) => eb.fn.countAll<number>().as('n')])
      .select(sql<number>`sum(case when a.state <> 'done' and a.due_on < ${today} then 1 else 0 end)`.as('overdue'))
      .select(
        sql<number>`sum(case when a.state <> 'done' and a.due_on >= ${today} and a.due_on <= ${soon} then 1 else 0 end)`.as(
          'due_soon',
        ),
      )
      .groupBy('a.state')
      .execute();
    const byState: Record<AssignmentState, number> = {
      not_started: 0,
      in_progress: 0,
      submitted: 0,
      returned: 0,
      done: 0,
    };
    let overdue = 0;
    let dueSoon = 0;
    let total = 0;
    for (const c of counts) {
      byState[c.state] = Number(c.n);
      overdue += Number(c.overdue ?? 0);
      dueSoon += Number(c.due_soon ?? 0);
      total += Number(c.n);
    }

    let list = base;
    if (q.state === 'overdue') list = list.where('a.state', '<>', 'done').where('a.due_on', '<', today);
    else if (q.state === 'due_soon')
      list = list.where('a.state', '<>', 'done').where('a.due_on', '>=', today).where('a.due_on', '<=', soon);
    else if (q.state) list = list.where('a.state', '=', q.state);
    // The counts above already cover every filter a board offers.
    const filtered =
      q.state === 'overdue' ? overdue : q.state === 'due_soon' ? dueSoon : q.state ? byState[q.state] : total;
    const rows = await list
      .select([
        'a.id',
        'a.org_id',
        'o.name as org_name',
        'a.assigner_org_id',
        'a.role',
        'a.state',
        'a.due_on',
        'a.completed_at',
        'a.updated_at',
        't.id as task_id',
        't.seq_label',
        't.content',
        't.deadline_text',
        'p.id as plan_id',
        'p.title as plan_title',
        'p.year as plan_year',
      ])
      .orderBy(sql`case when a.state = 'done' then 1 else 0 end`)
      .orderBy(sql`coalesce(a.due_on, '9999-12-31')`)
      .orderBy('a.id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute();
    return {
      counts: { ...byState, overdue, dueSoon, total },
      total: filtered,
      items: rows.map((r) => ({
        id: r.id,
        orgId: r.org_id,
        orgName: r.org_name,
        assignerOrgId: r.assigner_org_id,
        role: r.role,
        state: r.state,
        stateLabel: STATE_LABELS[r.state],
        overdue: isOverdue(r, today),
        dueOn: r.due_on,
        completedAt: r.completed_at,
        updatedAt: r.updated_at,
        taskId: r.task_id,
        seqLabel: r.seq_label,
        content: r.content,
        deadline: r.deadline_text,
        planId: r.plan_id,
        planTitle: r.plan_title,
        planYear: r.plan_year,
      })),
    };
  }

  /** Reports waiting for this org's review (it assigned the tasks), oldest first. */
  async reviewQueue(actor: Actor, orgId: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const rows = await this.db
      .selectFrom('task_report as r')
      .innerJoin('task_assignment as a', 'a.id', 'r.assignment_id')
      .innerJoin('org as o', 'o.id', 'a.org_id')
      .innerJoin('task as t', 't.id', 'a.task_id')
      .select(['r.id', 'r.assignment_id', 'r.body', 'r.submitted_at', 'o.name as org_name', 't.content', 'a.due_on'])
      .where('a.assigner_org_id', '=', orgId)
      .where('r.status', '=', 'submitted')
      .where('r.deleted_at', 'is', null)
      .orderBy('r.id')
      .limit(500)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      assignmentId: r.assignment_id,
      orgName: r.org_name,
      content: r.content,
      body: r.body,
      submittedAt: r.submitted_at,
      dueOn: r.due_on,
    }));
  }
}

export function fileView(f: {
  id: number;
  filename: string;
  kind: string;
  mime: string;
  size: number;
  thumb_sha256: string | null;
  uploaded_at: string;
}) {
  return {
    id: f.id,
    filename: f.filename,
    kind: f.kind,
    mime: f.mime,
    size: Number(f.size),
    url: `/api/task-attachments/${f.id}/content`,
    thumbnailUrl: f.thumb_sha256 ? `/api/task-attachments/${f.id}/thumbnail` : null,
    uploadedAt: f.uploaded_at,
  };
}
