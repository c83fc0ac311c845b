import type { Kysely, Selectable } from 'kysely';
import type { DB, LessonTable } from '../db/schema.js';
import type { Actor } from '../access/access.js';
import { accountRef, ancestorIds, pathUpperBound, requireOrg } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, notFound } from '../common/errors.js';
import { nowIso, shanghaiDay, shanghaiInstant } from '../common/time.js';
import { parseQuiz, publicQuiz, type QuizQuestion } from './quiz.js';
import { StudyStats } from './study-stats.js';

export type LessonRow = Selectable<LessonTable>;
const LESSON_CACHE_MS = 2000;
export type LessonState = 'upcoming' | 'open' | 'closed' | 'withdrawn';
export const LESSON_STATE_LABELS: Record<LessonState, string> = {
  upcoming: '未开始',
  open: '进行中',
  closed: '已结束',
  withdrawn: '已撤回',
};

export interface LessonInput {
  targetOrgId?: number;
  season: string;
  number: number;
  title: string;
  videoUrl?: string | null;
  body?: string | null;
  quiz?: QuizQuestion[];
  minSeconds: number;
  opensAt?: string;
  closesAt?: string;
}

export function lessonState(l: Pick<LessonRow, 'status' | 'opens_at' | 'closes_at'>, now = nowIso()): LessonState {
  if (l.status === 'withdrawn') return 'withdrawn';
  if (now < l.opens_at) return 'upcoming';
  return now < l.closes_at ? 'open' : 'closed';
}

/** Monday 00:00 to Sunday 20:00 (Asia/Shanghai) of the week containing `iso`: the usual 青年大学习 week. */
export function weekOf(iso: string): { opensAt: string; closesAt: string } {
  const day = shanghaiDay(iso);
  const d = new Date(`${day}T00:00:00Z`);
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
  const sunday = new Date(Date.parse(`${monday}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
  return { opensAt: shanghaiInstant(monday, '00:00'), closesAt: shanghaiInstant(sunday, '20:00') };
}

/** The window of a lesson published at `iso`: this week's, or next week's once this week's has closed (Sunday night). */
export function defaultWeek(iso: string): { opensAt: string; closesAt: string } {
  const week = weekOf(iso);
  return week.closesAt > iso ? week : weekOf(new Date(Date.parse(iso) + 7 * 86_400_000).toISOString());
}

export function presentLesson(l: LessonRow & { orgName?: string; targetName?: string }, now = nowIso()) {
  const state = lessonState(l, now);
  return {
    id: l.id,
    orgId: l.org_id,
    orgName: l.orgName ?? null,
    targetOrgId: l.target_org_id,
    targetName: l.targetName ?? null,
    season: l.season,
    number: l.number,
    label: `${l.season}第${l.number}期`,
    title: l.title,
    videoUrl: l.video_url,
    body: l.body,
    minSeconds: l.min_seconds,
    quizCount: parseQuiz(l.quiz).length,
    opensAt: l.opens_at,
    closesAt: l.closes_at,
    state,
    stateLabel: LESSON_STATE_LABELS[state],
  };
}

/** The lesson as a learner sees it: no correct answers. */
export function learnerLesson(l: LessonRow) {
  return { ...presentLesson(l), quiz: publicQuiz(parseQuiz(l.quiz)) };
}

/**
 * Lessons (期) of 青年大学习: a committee publishes one to its subtree (or a part of it); every org below sees
 * it and its figures.
 */
export class LessonService {
  /** Lessons read by check-ins in the last moment (every check-in of a peak asks for the same few lessons). */
  private readonly recent = new Map<number, { row: LessonRow | undefined; until: number }>();

  constructor(private readonly db: Kysely<DB>) {}

  async byId(id: number, db: Kysely<DB> = this.db): Promise<LessonRow | undefined> {
    return db.selectFrom('lesson').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * A lesson as check-ins see it: read at most once per LESSON_CACHE_MS on this node. An edit (a withdrawal, a
   * new close time) reaches check-ins within that time; this node's own edits at once.
   */
  async forCheckin(id: number): Promise<LessonRow | undefined> {
    const now = Date.now();
    const hit = this.recent.get(id);
    if (hit && hit.until > now) return hit.row;
    const row = await this.byId(id);
    if (this.recent.size > 10_000) this.recent.clear();
    this.recent.set(id, { row, until: now + LESSON_CACHE_MS });
    return row;
  }

  async targetPath(l: Pick<LessonRow, 'target_org_id'>, db: Kysely<DB> = this.db): Promise<string> {
    const o = await db.selectFrom('org').select('path').where('id', '=', l.target_org_id).executeTakeFirstOrThrow();
    return o.path;
  }

  /** A lesson the actor may see: its target subtree overlaps what the actor reads. */
  async readable(actor: Actor, id: number): Promise<LessonRow & { targetPath: string }> {
    const l = await this.byId(id);
    if (!l) throw notFound('学习期次');
    const targetPath = await this.targetPath(l);
    const visible =
      actor.isSystemAdmin ||
      actor.roles.some((r) => r.orgPath.startsWith(targetPath) || targetPath.startsWith(r.orgPath));
    if (!visible) throw notFound('学习期次');
    return { ...l, targetPath };
  }

  private validate(input: LessonInput, defaults: { opensAt: string; closesAt: string }) {
    const opensAt = input.opensAt ?? defaults.opensAt;
    const closesAt = input.closesAt ?? defaults.closesAt;
    if (closesAt <= opensAt)
      throw badRequest('截止时间应晚于开始时间', [{ path: 'closesAt', message: '截止时间应晚于开始时间' }]);
    return { opensAt, closesAt };
  }

  async create(ctx: Ctx, orgId: number, input: LessonInput): Promise<LessonRow> {
    return this.db.transaction().execute(async (trx) => {
      const org = await trx
        .selectFrom('org')
        .select(['id', 'path', 'kind', 'status'])
        .where('id', '=', orgId)
        .executeTakeFirst();
      requireOrg(ctx.actor, 'write', org);
      if (org!.kind === 'branch') throw badRequest('团支部不能发布学习期次，请由上级团委发布');
      if (org!.status !== 'active') throw conflict('该组织已撤销或合并');
      const targetId = input.targetOrgId ?? orgId;
      const target = await trx
        .selectFrom('org')
        .select(['id', 'path', 'status'])
        .where('id', '=', targetId)
        .executeTakeFirst();
      if (!target || !target.path.startsWith(org!.path) || target.status !== 'active')
        throw badRequest('学习对象应是本组织或其下级组织', [{ path: 'targetOrgId', message: '不在本组织范围内' }]);
      const { opensAt, closesAt } = this.validate(input, defaultWeek(nowIso()));
      const dup = await trx
        .selectFrom('lesson')
        .select('id')
        .where('org_id', '=', orgId)
        .where('season', '=', input.season)
        .where('number', '=', input.number)
        .executeTakeFirst();
      if (dup)
        throw conflict(`${input.season}第${input.number}期已发布过`, [{ path: 'number', message: '该期次已存在' }]);
      const now = nowIso();
      const row = await trx
        .insertInto('lesson')
        .values({
          org_id: orgId,
          target_org_id: targetId,
          season: input.season,
          number: input.number,
          title: input.title,
          video_url: input.videoUrl ?? null,
          body: input.body ?? null,
          quiz: input.quiz?.length ? JSON.stringify(input.quiz) : null,
          min_seconds: input.minSeconds,
          opens_at: opensAt,
          closes_at: closesAt,
          status: 'published',
          created_by: accountRef(ctx.actor),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org: { id: org!.id, path: org!.path },
        action: 'lesson.create',
        subjectType: 'lesson',
        subjectId: row.id,
        after: { season: row.season, number: row.number, title: row.title, targetOrgId: targetId },
      });
      return row;
    });
  }

  async update(ctx: Ctx, id: number, input: Partial<LessonInput> & { withdrawn?: boolean }): Promise<LessonRow> {
    return this.db.transaction().execute(async (trx) => {
      const l = await this.byId(id, trx);
      if (!l) throw notFound('学习期次');
      const org = await trx
        .selectFrom('org')
        .select(['id', 'path'])
        .where('id', '=', l.org_id)
        .executeTakeFirstOrThrow();
      requireOrg(ctx.actor, 'write', org);
      if (input.quiz !== undefined || input.minSeconds !== undefined) {
        const any = await trx
          .selectFrom('lesson_checkin')
          .select('id')
          .where('lesson_id', '=', id)
          .limit(1)
          .executeTakeFirst();
        if (any) throw conflict('已有人完成本期学习，不能再修改题目或最短学习时长');
      }
      const { opensAt, closesAt } = this.validate(
        { ...(input as LessonInput) },
        { opensAt: l.opens_at, closesAt: l.closes_at },
      );
      const row = await trx
        .updateTable('lesson')
        .set({
          ...(input.title !== undefined && { title: input.title }),
          ...(input.videoUrl !== undefined && { video_url: input.videoUrl }),
          ...(input.body !== undefined && { body: input.body }),
          ...(input.quiz !== undefined && { quiz: input.quiz.length ? JSON.stringify(input.quiz) : null }),
          ...(input.minSeconds !== undefined && { min_seconds: input.minSeconds }),
          ...(input.withdrawn !== undefined && { status: input.withdrawn ? 'withdrawn' : 'published' }),
          opens_at: opensAt,
          closes_at: closesAt,
          updated_at: nowIso(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      this.recent.delete(id);
      await audit(trx, ctx, {
        org,
        action: 'lesson.update',
        subjectType: 'lesson',
        subjectId: id,
        before: { title: l.title, opensAt: l.opens_at, closesAt: l.closes_at, status: l.status },
        after: { title: row.title, opensAt: row.opens_at, closesAt: row.closes_at, status: row.status },
      });
      return row;
    });
  }

  /**
   * Lessons that concern an org: those published for it or an ancestor (what it must study), and those its
   * own subtree published. Newest first.
   */
  async forOrg(actor: Actor, orgId: number, opts: { season?: string; limit?: number } = {}) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    let q = this.db
      .selectFrom('lesson')
      .innerJoin('org as t', 't.id', 'lesson.target_org_id')
      .innerJoin('org as p', 'p.id', 'lesson.org_id')
      .selectAll('lesson')
      .select(['p.name as orgName', 't.name as targetName'])
      .where((eb) =>
        eb.or([
          eb('lesson.target_org_id', 'in', ancestorIds(org!.path)),
          eb.and([eb('t.path', '>=', org!.path), eb('t.path', '<', pathUpperBound(org!.path))]),
        ]),
      )
      .orderBy('lesson.opens_at', 'desc')
      .orderBy('lesson.id', 'desc')
      .limit(opts.limit ?? 200);
    if (opts.season) q = q.where('lesson.season', '=', opts.season);
    const now = nowIso();
    return (await q.execute()).map((l) => presentLesson(l, now));
  }

  /** Rebuilds a lesson's roll-up from its check-ins (system administrators; after repairs or imports). */
  async recompute(ctx: Ctx, id: number) {
    return this.db.transaction().execute(async (trx) => {
      const l = await this.byId(id, trx);
      if (!l) throw notFound('学习期次');
      const res = await StudyStats.recompute(trx, id);
      await audit(trx, ctx, { action: 'lesson.recompute', subjectType: 'lesson', subjectId: id, after: res });
      return res;
    });
  }

  /** Lessons a learner of `branchPath` should study now (and the last few closed ones). */
  async forLearner(branchPath: string, now = nowIso()) {
    return this.db
      .selectFrom('lesson')
      .selectAll()
      .where('target_org_id', 'in', ancestorIds(branchPath))
      .where('status', '=', 'published')
      .where('opens_at', '<=', now)
      .orderBy('opens_at', 'desc')
      .limit(6)
      .execute();
  }
}
