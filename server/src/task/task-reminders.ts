import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { addDays, nowIso, shanghaiDay } from '../common/time.js';
import { notifyOrgCadres } from '../notification/notify.js';
import { excerpt } from './plan.service.js';
import type { Milestone } from './deadline.js';

/** Days before a milestone when the responsible org is reminded. */
export const REMIND_BEFORE_DAYS = 7;

/**
 * Reminders of reporting windows: before each milestone of a task (e.g. 6月30日 and 12月31日) the orgs that
 * have not finished it are reminded, and after the final date an overdue notice goes to them and to the
 * assigning org. Each reminder is sent once (recorded in task_reminder), so the sweep may run on any node,
 * any number of times.
 */
export class TaskReminders {
  constructor(private readonly db: Kysely<DB>) {}

  async sweep(now = nowIso()) {
    const today = shanghaiDay(now);
    const horizon = shanghaiDay(addDays(now, REMIND_BEFORE_DAYS));
    const year = Number(today.slice(0, 4));
    const tasks = await this.db
      .selectFrom('task')
      .innerJoin('work_plan as p', 'p.id', 'task.plan_id')
      .select(['task.id', 'task.content', 'task.milestones', 'p.title as plan_title'])
      .where('p.year', '>=', year - 1)
      .where('p.year', '<=', year + 1)
      .execute();
    const dueSoon = new Map<number, { dates: string[]; content: string; plan: string }>();
    for (const t of tasks) {
      const dates = (JSON.parse(t.milestones) as Milestone[]).map((m) => m.date);
      dueSoon.set(t.id, { dates, content: t.content, plan: t.plan_title });
    }
    if (!dueSoon.size) return { before: 0, after: 0 };
    const open: {
      id: number;
      task_id: number;
      org_id: number;
      assigner_org_id: number;
      due_on: string | null;
      org_name: string;
    }[] = [];
    const ids = [...dueSoon.keys()];
    for (let i = 0; i < ids.length; i += 1000)
      open.push(
        ...(await this.db
          .selectFrom('task_assignment as a')
          .innerJoin('org as o', 'o.id', 'a.org_id')
          .select(['a.id', 'a.task_id', 'a.org_id', 'a.assigner_org_id', 'a.due_on', 'o.name as org_name'])
          .where('a.task_id', 'in', ids.slice(i, i + 1000))
          .where('a.state', '<>', 'done')
          .where('a.due_on', 'is not', null)
          .execute()),
      );
    const wanted: { assignmentId: number; milestone: string; kind: 'before' | 'after'; a: (typeof open)[number] }[] =
      [];
    for (const a of open) {
      const t = dueSoon.get(a.task_id)!;
      const dates = new Set([...t.dates.filter((d) => d <= a.due_on!), a.due_on!]);
      for (const d of dates)
        if (d >= today && d <= horizon) wanted.push({ assignmentId: a.id, milestone: d, kind: 'before', a });
      if (a.due_on! < today) wanted.push({ assignmentId: a.id, milestone: a.due_on!, kind: 'after', a });
    }
    if (!wanted.length) return { before: 0, after: 0 };
    let before = 0;
    let after = 0;
    await this.db.transaction().execute(async (trx) => {
      // Only the reminders this run records are sent: another node sweeping at the same time skips them.
      const recorded = new Set<string>();
      for (let i = 0; i < wanted.length; i += 500)
        for (const r of await trx
          .insertInto('task_reminder')
          .values(
            wanted.slice(i, i + 500).map((w) => ({
              assignment_id: w.assignmentId,
              milestone: w.milestone,
              kind: w.kind,
              sent_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['assignment_id', 'milestone', 'kind']).doNothing())
          .returning(['assignment_id', 'milestone', 'kind'])
          .execute())
          recorded.add(`${r.assignment_id}|${r.milestone}|${r.kind}`);
      const fresh = wanted.filter((w) => recorded.has(`${w.assignmentId}|${w.milestone}|${w.kind}`));
      if (!fresh.length) return;
      const notices = fresh.flatMap((w) => {
        const t = dueSoon.get(w.a.task_id)!;
        const link = `/tasks/assignments/${w.assignmentId}`;
        if (w.kind === 'before') {
          before++;
          return [
            {
              orgId: w.a.org_id,
              notice: {
                kind: 'task.due_soon',
                title: `任务将于 ${w.milestone} 到期`,
                body: `${t.plan}：${excerpt(t.content)}，请按时报送进展。`,
                link,
              },
            },
          ];
        }
        after++;
        return [
          {
            orgId: w.a.org_id,
            notice: {
              kind: 'task.overdue',
              title: '任务已逾期',
              body: `${excerpt(t.content)}的完成时限 ${w.milestone} 已过，请尽快报送。`,
              link,
            },
          },
          {
            orgId: w.a.assigner_org_id,
            notice: {
              kind: 'task.overdue',
              title: `${w.a.org_name}的任务已逾期`,
              body: `${excerpt(t.content)}（时限 ${w.milestone}）尚未完成。`,
              link,
            },
          },
        ];
      });
      await notifyOrgCadres(trx, notices);
    });
    return { before, after };
  }
}
