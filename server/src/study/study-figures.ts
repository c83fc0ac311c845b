import type { Kysely } from 'kysely';
import type { DB, MemberStatus } from '../db/schema.js';
import type { Actor } from '../access/access.js';
import { ancestorIds, can, inSubtree, requireOrg } from '../access/access.js';
import { notFound } from '../common/errors.js';
import { nowIso, shanghaiDay } from '../common/time.js';
import type { SheetSpec } from '../common/excel.js';
import { CURRENT_STATUSES } from '../member/member-fields.js';
import { presentLesson, type LessonRow, type LessonService } from './lesson.service.js';

export const FORMULAS = {
  participation: '参学率 = 已学团员数 ÷ 团员数（在册团员：正常、转出中）',
  coverage: '覆盖面 = 有人学习的团支部数 ÷ 团支部数',
  period: '区间参学率 = 各期参学率的算术平均值（每期同等权重，与各地通行算法一致）',
  ranking: '排名按参学率从高到低；数值相同（精确到 0.01%）名次并列，下一名次顺延（如 1、2、2、4）',
} as const;

export interface Figures {
  orgId: number;
  name: string;
  kind: string;
  members: number;
  membersLearned: number;
  youthLearned: number;
  learners: number;
  /** 参学率, 0..1 (null without members). */
  participation: number | null;
  branches: number;
  branchesCovered: number;
  /** 覆盖面, 0..1 (null without branches). */
  coverage: number | null;
}

/** A rate 0..1 capped at 1 (learners counted now may exceed members counted now), null without a denominator. */
export const ratio = (a: number, b: number): number | null => (b > 0 ? Math.min(1, a / b) : null);

/**
 * Members on the roll (正常、转出中, or the given statuses) of each org's subtree, read from the member_stats
 * roll-up: the denominator of 参学率.
 */
export async function currentMembers(
  db: Kysely<DB>,
  orgIds: number[],
  statuses: readonly MemberStatus[] = CURRENT_STATUSES,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (let i = 0; i < orgIds.length; i += 5000) {
    const rows = await db
      .selectFrom('member_stats')
      .select(['org_id'])
      .select((eb) => eb.fn.sum<number>('n').as('n'))
      .where('org_id', 'in', orgIds.slice(i, i + 5000))
      .where('status', 'in', [...statuses])
      .groupBy('org_id')
      .execute();
    for (const r of rows) out.set(r.org_id, Number(r.n));
  }
  return out;
}
/** Ranks compare rates to 0.01 % (what a bulletin prints), so equal printed figures share a rank. */
const rankKey = (v: number | null) => (v === null ? -1 : Math.round(v * 10000));

/** Standard competition ranking (1, 2, 2, 4) by a value, highest first; null values come last unranked. */
export function rank<T>(items: T[], value: (t: T) => number | null): (T & { rank: number | null })[] {
  const sorted = [...items].sort((a, b) => rankKey(value(b)) - rankKey(value(a)));
  let prevKey: number | null = null;
  let prevRank = 0;
  return sorted.map((t, i) => {
    const v = value(t);
    if (v === null) return { ...t, rank: null };
    const k = rankKey(v);
    const r = k === prevKey ? prevRank : i + 1;
    prevKey = k;
    prevRank = r;
    return { ...t, rank: r };
  });
}

/**
 * Figures of 青年大学习 for any org: read from the roll-ups (lesson_stats, member_stats, org.branch_count,
 * study_daily), so a province root costs the same few indexed reads as a branch.
 */
export class StudyFigures {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly lessons: LessonService,
  ) {}

  private async org(actor: Actor, orgId: number) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind', 'branch_count'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    return org!;
  }

  /** The lesson to show for an org: the given one (if it concerns the org) or the latest opened. */
  private async lessonFor(
    actor: Actor,
    org: { id: number; path: string },
    lessonId?: number,
  ): Promise<LessonRow | null> {
    if (lessonId) {
      const l = await this.lessons.readable(actor, lessonId);
      return l;
    }
    const l = await this.db
      .selectFrom('lesson')
      .selectAll()
      .where('target_org_id', 'in', ancestorIds(org.path))
      .where('status', '=', 'published')
      .where('opens_at', '<=', nowIso())
      .orderBy('opens_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return l ?? null;
  }

  /** Figures of several orgs for one lesson. */
  async figures(
    lessonId: number | null,
    orgs: { id: number; name: string; kind: string; branch_count: number }[],
  ): Promise<Figures[]> {
    if (!orgs.length) return [];
    const ids = orgs.map((o) => o.id);
    const [stats, m] = await Promise.all([
      lessonId
        ? this.db
            .selectFrom('lesson_stats')
            .selectAll()
            .where('lesson_id', '=', lessonId)
            .where('org_id', 'in', ids)
            .execute()
        : Promise.resolve([]),
      currentMembers(this.db, ids),
    ]);
    const s = new Map(stats.map((r) => [r.org_id, r]));
    return orgs.map((o) => {
      const st = s.get(o.id);
      const nMembers = m.get(o.id) ?? 0;
      const learned = st?.members_learned ?? 0;
      const youth = st?.youth_learned ?? 0;
      const covered = st?.branches_covered ?? 0;
      return {
        orgId: o.id,
        name: o.name,
        kind: o.kind,
        members: nMembers,
        membersLearned: learned,
        youthLearned: youth,
        learners: learned + youth,
        participation: ratio(learned, nMembers),
        branches: o.branch_count,
        branchesCovered: covered,
        coverage: ratio(covered, o.branch_count),
      };
    });
  }

  /** The active children the actor may read: a 本级 role reads its own org's figures, not the orgs below. */
  private async children(actor: Actor, orgId: number) {
    const rows = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind', 'branch_count'])
      .where('parent_id', '=', orgId)
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    return rows.filter((r) => can(actor, 'read', r));
  }

  /** The dashboard of an org: its figures, its children ranked, the weakest, the trend, today's check-ins. */
  async dashboard(actor: Actor, orgId: number, lessonId?: number, trendLessons = 10) {
    const org = await this.org(actor, orgId);
    const lesson = await this.lessonFor(actor, org, lessonId);
    const [[self], kids, today, trend] = await Promise.all([
      this.figures(lesson?.id ?? null, [org]),
      this.children(actor, org.id).then((c) => this.figures(lesson?.id ?? null, c)),
      this.db
        .selectFrom('study_daily')
        .select('n')
        .where('org_id', '=', org.id)
        .where('day', '=', shanghaiDay(nowIso()))
        .executeTakeFirst(),
      this.trend(org, trendLessons),
    ]);
    const ranked = rank(kids, (k) => k.participation);
    const weakest = [...ranked]
      .filter((k) => k.participation !== null)
      .sort((a, b) => a.participation! - b.participation!)
      .slice(0, 10);
    return {
      lesson: lesson ? presentLesson(lesson) : null,
      org: self!,
      children: ranked,
      weakest,
      checkinsToday: today?.n ?? 0,
      trend,
      formulas: FORMULAS,
    };
  }

  /** 参学率 of an org over its last lessons (oldest first), for the trend line. */
  async trend(org: { id: number; path: string; name: string; kind: string; branch_count: number }, n: number) {
    const lessons = await this.db
      .selectFrom('lesson')
      .selectAll()
      .where('target_org_id', 'in', ancestorIds(org.path))
      .where('status', '=', 'published')
      .where('opens_at', '<=', nowIso())
      .orderBy('opens_at', 'desc')
      .limit(n)
      .execute();
    if (!lessons.length) return [];
    const stats = await this.db
      .selectFrom('lesson_stats')
      .selectAll()
      .where('org_id', '=', org.id)
      .where(
        'lesson_id',
        'in',
        lessons.map((l) => l.id),
      )
      .execute();
    const [now] = await this.figures(null, [org]);
    const byLesson = new Map(stats.map((s) => [s.lesson_id, s]));
    return lessons.reverse().map((l) => {
      const s = byLesson.get(l.id);
      return {
        lessonId: l.id,
        label: `${l.season}第${l.number}期`,
        membersLearned: s?.members_learned ?? 0,
        youthLearned: s?.youth_learned ?? 0,
        participation: ratio(s?.members_learned ?? 0, now!.members),
        coverage: ratio(s?.branches_covered ?? 0, org.branch_count),
      };
    });
  }

  /** How many branches of the subtree fall in each 10 % band of 参学率 (branches without members apart). */
  async distribution(actor: Actor, orgId: number, lessonId: number) {
    const org = await this.org(actor, orgId);
    await this.lessons.readable(actor, lessonId);
    const rows = await this.db
      .selectFrom('org')
      .leftJoin('lesson_stats as s', (j) => j.onRef('s.org_id', '=', 'org.id').on('s.lesson_id', '=', lessonId))
      .select((eb) => [
        eb
          .case()
          .when('org.member_count', '=', 0)
          .then(-1)
          .else(
            eb.parens(
              eb(eb.fn.coalesce('s.members_learned', eb.lit(0)), '*', eb.lit(10)),
              '/',
              eb.ref('org.member_count'),
            ),
          )
          .end()
          .as('band'),
        eb.fn.countAll<number>().as('n'),
      ])
      .where('org.kind', '=', 'branch')
      .where('org.status', '=', 'active')
      .where((eb) => inSubtree(eb, 'org.path', org.path))
      .groupBy('band')
      .execute();
    const bands = Array.from({ length: 10 }, (_, i) => ({ label: `${i * 10}%–${i === 9 ? 100 : i * 10 + 10}%`, n: 0 }));
    let empty = 0;
    for (const r of rows) {
      const b = Number(r.band);
      if (b < 0) empty += Number(r.n);
      else bands[Math.min(9, b)]!.n += Number(r.n);
    }
    return { bands, branchesWithoutMembers: empty };
  }

  /** Children of an org ranked per lesson and over a range of lessons (average of weekly ratios). */
  async ranking(actor: Actor, orgId: number, lessonIds: number[]) {
    const org = await this.org(actor, orgId);
    for (const id of lessonIds) await this.lessons.readable(actor, id);
    const kids = await this.children(actor, org.id);
    const perLesson = await Promise.all(lessonIds.map((id) => this.figures(id, kids)));
    const mean = (xs: (number | null)[]) => {
      const v = xs.filter((x): x is number => x !== null);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    };
    const rows = kids.map((k, i) => ({
      orgId: k.id,
      name: k.name,
      members: perLesson[0]?.[i]?.members ?? 0,
      perLesson: perLesson.map((fs) => fs[i]!.participation),
      average: mean(perLesson.map((fs) => fs[i]!.participation)),
      averageCoverage: mean(perLesson.map((fs) => fs[i]!.coverage)),
      youthLearned: perLesson.reduce((a, fs) => a + fs[i]!.youthLearned, 0),
    }));
    const lessons = lessonIds.length
      ? await this.db.selectFrom('lesson').select(['id', 'season', 'number']).where('id', 'in', lessonIds).execute()
      : [];
    const label = new Map(lessons.map((l) => [l.id, `${l.season}第${l.number}期`]));
    return {
      lessons: lessonIds.map((id) => ({ id, label: label.get(id) ?? String(id) })),
      rows: rank(rows, (r) => r.average),
      formulas: FORMULAS,
    };
  }

  /** 未学名单: members of a subtree (on the roster now) who have not checked in to the lesson. */
  async notYet(actor: Actor, orgId: number, lessonId: number, page: number, pageSize: number) {
    const org = await this.org(actor, orgId);
    const lesson = await this.lessons.readable(actor, lessonId);
    const base = this.notYetQuery(org.path, lesson.id);
    const [rows, [fig]] = await Promise.all([
      base
        .orderBy('member.org_path')
        .orderBy('member.id')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      this.figures(lesson.id, [org]),
    ]);
    return {
      lesson: presentLesson(lesson),
      total: Math.max(0, fig!.members - fig!.membersLearned),
      rows: rows.map((r) => ({
        memberId: r.id,
        name: r.name,
        orgId: r.org_id,
        orgName: r.orgName,
        phoneMask: r.phone_mask,
        leaguePost: r.league_post,
      })),
    };
  }

  private notYetQuery(path: string, lessonId: number) {
    return this.db
      .selectFrom('member')
      .innerJoin('org', 'org.id', 'member.org_id')
      .select([
        'member.id',
        'member.name',
        'member.org_id',
        'member.phone_mask',
        'member.league_post',
        'org.name as orgName',
      ])
      .where((eb) => inSubtree(eb, 'member.org_path', path))
      .where('member.status', 'in', CURRENT_STATUSES)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('lesson_checkin as c')
              .select('c.id')
              .whereRef('c.member_id', '=', 'member.id')
              .where('c.lesson_id', '=', lessonId),
          ),
        ),
      );
  }

  async notYetSheet(actor: Actor, orgId: number, lessonId: number): Promise<SheetSpec> {
    const org = await this.org(actor, orgId);
    const lesson = await this.lessons.readable(actor, lessonId);
    const rows = await this.notYetQuery(org.path, lesson.id)
      .orderBy('member.org_path')
      .orderBy('member.id')
      .limit(1_000_000)
      .execute();
    const p = presentLesson(lesson);
    return {
      name: '未学名单',
      title: `${org.name} ${p.label}「${p.title}」未学名单（截至 ${shanghaiDay(nowIso())}，手机号已脱敏）`,
      columns: [
        { header: '序号', key: 'n', width: 6 },
        { header: '姓名', key: 'name', width: 10 },
        { header: '所在团支部', key: 'orgName', width: 40 },
        { header: '团内职务', key: 'leaguePost', width: 12 },
        { header: '手机号', key: 'phoneMask', width: 14 },
      ],
      rows: rows.map((r, i) => ({
        n: i + 1,
        name: r.name,
        orgName: r.orgName,
        leaguePost: r.league_post ?? '',
        phoneMask: r.phone_mask ?? '',
      })),
    };
  }

  /** Members not yet learned, grouped by branch (for reminders). */
  async notYetByBranch(orgPath: string, lessonId: number, limit = 200_000) {
    const rows = await this.notYetQuery(orgPath, lessonId).limit(limit).execute();
    const byBranch = new Map<number, { orgName: string; members: { id: number; name: string }[] }>();
    for (const r of rows) {
      const b = byBranch.get(r.org_id) ?? { orgName: r.orgName, members: [] };
      b.members.push({ id: r.id, name: r.name });
      byBranch.set(r.org_id, b);
    }
    return byBranch;
  }

  async lessonOrThrow(id: number) {
    const l = await this.lessons.byId(id);
    if (!l) throw notFound('学习期次');
    return l;
  }
}
