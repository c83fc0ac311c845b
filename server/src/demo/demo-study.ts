import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { ancestorIds } from '../access/access.js';
import { nowIso, shanghaiDay } from '../common/time.js';
import { weekOf } from '../study/lesson.service.js';
import { StudyStats } from '../study/study-stats.js';
import { rng } from './names.js';

const TITLES = [
  '学习贯彻党的二十届四中全会精神',
  '走进新时代的青年担当',
  '传承五四精神 争做时代新人',
  '科技自立自强 青年大有可为',
  '乡村振兴中的青春力量',
  '绿水青山就是金山银山',
  '弘扬志愿精神 服务社会发展',
  '强国有我 请党放心',
  '劳动创造美好生活',
  '守护好我们的精神家园',
  '青春心向党 建功新时代',
  '法治中国 青年同行',
];

const QUIZ = JSON.stringify([
  { question: '本期学习的主题是？', options: ['青年担当', '体育竞赛'], answer: [0] },
  { question: '以下说法正确的有？', options: ['学习要联系实际', '学习可以走过场', '知行合一'], answer: [0, 2] },
]);

export interface DemoStudyResult {
  lessons: number;
  checkins: number;
  latestCheckins: number;
  /** Milliseconds to rebuild the latest lesson's roll-up from its check-ins. */
  recomputeMs: number;
}

/**
 * A season of weekly lessons published by the root for its whole tree, the latest open now, with check-ins
 * of members spread realistically: each district has its own level (some near 95 %, some near 40 %), branches
 * vary around it, and a few school branches have non-member youth learners. The roll-up is then rebuilt from
 * the check-ins, as a committee would after importing completion lists.
 */
export async function generateDemoStudy(
  database: Database,
  opts: {
    rootId: number;
    rootPath: string;
    lessons?: number;
    seed?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<DemoStudyResult> {
  const { db } = database;
  const random = rng((opts.seed ?? 2026) + 31);
  const nLessons = opts.lessons ?? 10;
  const now = nowIso();
  const thisWeek = weekOf(now);
  const year = Number(shanghaiDay(now).slice(0, 4));
  const maxNumber = await db
    .selectFrom('lesson')
    .select(sql<number>`coalesce(max(number), 0)`.as('n'))
    .where('org_id', '=', opts.rootId)
    .where('season', '=', `${year}年`)
    .executeTakeFirstOrThrow();
  const lessonRows = Array.from({ length: nLessons }, (_, i) => {
    const weeksAgo = nLessons - 1 - i;
    const opensAt = new Date(Date.parse(thisWeek.opensAt) - weeksAgo * 7 * 86_400_000).toISOString();
    const closesAt = new Date(Date.parse(thisWeek.closesAt) - weeksAgo * 7 * 86_400_000).toISOString();
    return {
      org_id: opts.rootId,
      target_org_id: opts.rootId,
      season: `${year}年`,
      number: Number(maxNumber.n) + i + 1,
      title: TITLES[i % TITLES.length]!,
      video_url: null,
      body: '请认真观看本期视频，完成课后习题。',
      quiz: QUIZ,
      min_seconds: 300,
      opens_at: opensAt,
      closes_at: closesAt,
      status: 'published' as const,
      created_by: null,
      created_at: now,
      updated_at: now,
    };
  });
  const lessons = await db.insertInto('lesson').values(lessonRows).returning(['id', 'opens_at', 'closes_at']).execute();

  // Levels: per district (depth 2 below a province root, or the root's children otherwise), then per branch.
  const branches = await db
    .selectFrom('org')
    .select(['id', 'path', 'category', 'member_count'])
    .where('kind', '=', 'branch')
    .where('status', '=', 'active')
    .where('path', '>=', opts.rootPath)
    .where('path', '<', opts.rootPath.slice(0, -1) + '0')
    .execute();
  const rootDepth = ancestorIds(opts.rootPath).length;
  const districtLevel = new Map<number, number>();
  const branchLevel = new Map<number, number>();
  const branchPath = new Map<number, string>();
  for (const b of branches) {
    const ids = ancestorIds(b.path);
    const district = ids[Math.min(ids.length - 1, rootDepth + 1)]!;
    let level = districtLevel.get(district);
    if (level === undefined) {
      const r = random();
      level = r < 0.25 ? 0.9 + random() * 0.08 : r < 0.45 ? 0.38 + random() * 0.1 : 0.62 + random() * 0.3;
      districtLevel.set(district, level);
    }
    branchLevel.set(b.id, Math.max(0.05, Math.min(1, level + (random() - 0.5) * 0.25)));
    branchPath.set(b.id, b.path);
  }

  const total = lessons.length * branches.reduce((a, b) => a + b.member_count, 0);
  let done = 0;
  let checkins = 0;
  let latestCheckins = 0;
  const nowMs = Date.parse(now);
  for (const [li, lesson] of lessons.entries()) {
    const latest = li === lessons.length - 1;
    // Later weeks do a little better: the trend a dashboard should show.
    const drift = (li - lessons.length + 1) * 0.012;
    const from = Date.parse(lesson.opens_at);
    const to = Math.min(Date.parse(lesson.closes_at), nowMs);
    const daily = new Map<string, number>();
    await db.transaction().execute(async (trx) => {
      let last: { path: string; id: number } | null = null;
      const chunk: Record<string, unknown>[] = [];
      for (;;) {
        let q = trx
          .selectFrom('member')
          .select(['id', 'org_id', 'org_path'])
          .where('org_path', '>=', opts.rootPath)
          .where('org_path', '<', opts.rootPath.slice(0, -1) + '0')
          .where('status', 'in', ['normal', 'transferring_out'])
          .orderBy('org_path')
          .orderBy('id')
          .limit(50_000);
        if (last) {
          const l: { path: string; id: number } = last;
          q = q.where((eb) =>
            eb.or([eb('org_path', '>', l.path), eb.and([eb('org_path', '=', l.path), eb('id', '>', l.id)])]),
          );
        }
        const members = await q.execute();
        if (!members.length) break;
        last = { path: members.at(-1)!.org_path, id: members.at(-1)!.id };
        for (const m of members) {
          if (random() >= (branchLevel.get(m.org_id) ?? 0.5) + drift) continue;
          // Most learn early in the week, many on the evening of the deadline.
          const t =
            random() < 0.7 ? from + random() ** 2 * (to - from) : to - random() * Math.min(to - from, 6 * 3_600_000);
          const at = new Date(t).toISOString();
          chunk.push({
            lesson_id: lesson.id,
            learner_key: `m:${m.id}`,
            kind: 'member',
            member_id: m.id,
            name: null,
            number: null,
            org_id: m.org_id,
            source: 'app',
            checked_in_at: at,
          });
          if (latest) {
            const k = `${m.org_id}|${shanghaiDay(at)}`;
            daily.set(k, (daily.get(k) ?? 0) + 1);
          }
          if (chunk.length >= 20_000) {
            await database.bulkInsert(trx, 'lesson_checkin', chunk as never);
            checkins += chunk.length;
            if (latest) latestCheckins += chunk.length;
            chunk.length = 0;
          }
        }
        done += members.length;
        opts.onProgress?.(done, total);
      }
      // Youth in a few school branches, in the latest lesson.
      if (latest) {
        for (const b of branches) {
          if (b.category !== '学校' || random() > 0.05) continue;
          const n = 1 + Math.floor(random() * 5);
          for (let k = 0; k < n; k++) {
            const at = new Date(from + random() * (to - from)).toISOString();
            chunk.push({
              lesson_id: lesson.id,
              learner_key: `y:${b.id}:2026${String(k).padStart(4, '0')}`,
              kind: 'youth',
              member_id: null,
              name: '青年学员',
              number: `2026${String(k).padStart(4, '0')}`,
              org_id: b.id,
              source: 'app',
              checked_in_at: at,
            });
            const dk = `${b.id}|${shanghaiDay(at)}`;
            daily.set(dk, (daily.get(dk) ?? 0) + 1);
          }
        }
      }
      if (chunk.length) {
        await database.bulkInsert(trx, 'lesson_checkin', chunk as never);
        checkins += chunk.length;
        if (latest) latestCheckins += chunk.length;
      }
      await StudyStats.recompute(trx, lesson.id);
      if (latest) {
        const up = new Map<string, number>();
        for (const [k, n] of daily) {
          const [branchId, day] = k.split('|') as [string, string];
          for (const id of ancestorIds(branchPath.get(Number(branchId))!))
            up.set(`${id}|${day}`, (up.get(`${id}|${day}`) ?? 0) + n);
        }
        const rows = [...up].map(([k, n]) => ({ org_id: Number(k.split('|')[0]), day: k.split('|')[1]!, n }));
        for (let i = 0; i < rows.length; i += 10_000)
          await database.bulkInsert(trx, 'study_daily', rows.slice(i, i + 10_000));
      }
    });
  }
  await database.dialect.resyncIds(db, 'lesson_checkin');
  const started = Date.now();
  await db.transaction().execute((trx) => StudyStats.recompute(trx, lessons.at(-1)!.id));
  const recomputeMs = Date.now() - started;
  await sql`analyze`.execute(db);
  return { lessons: lessons.length, checkins, latestCheckins, recomputeMs };
}
