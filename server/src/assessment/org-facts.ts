/**
 * Per-branch counts of member records (org_fact), so 推优入党率, 评议参评率 and 团费交纳率 add up one row per branch
 * and period instead of reading every recommendation, grade and payment.
 *
 * Each fact counts exactly what the indicator counted from the records, grouped by the member's current branch
 * (member.org_id):
 * - `party` (period ''): members whose 政治面貌 is 中共预备党员 or 中共党员 (any status, as the indicator counts them);
 * - `recommended` (period: a day): those of them with an approved 推优, at the day of their earliest approved one
 *   (the indicator counts those recommended on or before the last day of the period);
 * - `evaluated` (period: the year): grades of that year of members on the roll (正常, 转出中);
 * - `dues_paid` (period: `YYYY-MM`): payments for that month of members with status 正常, from their 入团年月 on.
 *
 * Triggers (migration 2026-11-30-09) mark a branch in org_fact_dirty whenever one of its members or their records
 * change; refreshFacts() recomputes the marked branches. It runs before those indicators are computed and every
 * hour in `serve`, so a figure always reflects every committed write.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Dialect } from '../db/dialect.js';
import { breathe } from '../common/breathe.js';
import { CURRENT_STATUSES } from '../member/member-fields.js';
import { DUES_STATUSES, PARTY_STATUSES } from '../member/member-records.service.js';

/** Branches recomputed per statement (bind-parameter limits). */
const CHUNK = 5000;
/** PostgreSQL advisory lock held by a refresh: two refreshes never replace the same branch's rows at once. */
const REFRESH_LOCK = 7_340_291;

const inList = (values: readonly (string | number)[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/**
 * From this many marked branches on, PostgreSQL recomputes every branch in one pass over the whole tables (hash
 * joins): after a migration, `tuanwu demo` or a restore of a province that takes ≈ 13 s instead of ≈ 33 s in
 * chunks. SQLite keeps to chunks: its one connection would otherwise answer no request for the whole pass.
 */
const WHOLE_TABLE = 20_000;

/** The statements that recompute the facts of the branches `ids`, or of every branch (their old rows deleted first). */
function recompute(ids: number[] | 'all') {
  const branches = ids === 'all' ? null : inList(ids);
  const member = branches ? sql`member.org_id in (${branches})` : sql`true`;
  return [
    branches ? sql`delete from org_fact where org_id in (${branches})` : sql`delete from org_fact`,
    sql`insert into org_fact (org_id, fact, period, n)
      select member.org_id, 'party', '', count(*) from member
      where ${member} and member.political_status in (${inList(PARTY_STATUSES)})
      group by member.org_id`,
    sql`insert into org_fact (org_id, fact, period, n)
      select x.org_id, 'recommended', x.day, count(*) from (
        select member.org_id,
          (select min(r.recommended_on) from party_recommendation r
           where r.member_id = member.id and r.status = 'approved') as day
        from member
        where ${member} and member.political_status in (${inList(PARTY_STATUSES)})
      ) x
      where x.day is not null
      group by x.org_id, x.day`,
    sql`insert into org_fact (org_id, fact, period, n)
      select member.org_id, 'evaluated', cast(e.year as text), count(*)
      from member join member_evaluation e on e.member_id = member.id
      where ${member} and member.status in (${inList(CURRENT_STATUSES)})
      group by member.org_id, e.year`,
    sql`insert into org_fact (org_id, fact, period, n)
      select member.org_id, 'dues_paid', p.month, count(*)
      from member join dues_payment p on p.member_id = member.id
      where ${member} and member.status in (${inList(DUES_STATUSES)})
        and (member.joined_on is null or p.month >= member.joined_on)
      group by member.org_id, p.month`,
  ];
}

/**
 * Recomputes the facts of the branches marked dirty, CHUNK branches per transaction (so requests get the
 * connection in between); returns how many branches it recomputed. Nothing marked: one indexed read. A cold
 * database (right after `tuanwu demo`, a restore or the migration) has every branch marked: the first refresh
 * reads every record once — on PostgreSQL in one pass when at least `wholeTableFrom` branches are marked.
 */
export async function refreshFacts(
  db: Kysely<DB>,
  dialect: Dialect,
  { wholeTableFrom = dialect.name === 'postgres' ? WHOLE_TABLE : Infinity } = {},
): Promise<number> {
  // Each statement must see what was committed before it started (see the migration's note on the race), and two
  // refreshes never replace the same branch's rows at once.
  const refresh = (work: (trx: Kysely<DB>) => Promise<number>) =>
    (dialect.name === 'postgres' ? db.transaction().setIsolationLevel('read committed') : db.transaction()).execute(
      async (trx) => {
        if (dialect.name === 'postgres') await sql`select pg_advisory_xact_lock(${REFRESH_LOCK})`.execute(trx);
        return work(trx);
      },
    );
  let total = 0;
  if (Number.isFinite(wholeTableFrom)) {
    const marked = await db
      .selectFrom('org_fact_dirty')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    if (Number(marked.n) >= wholeTableFrom)
      total += await refresh(async (trx) => {
        // Every mark taken (with the locking the migration describes), every branch recomputed: a branch written
        // after the marks were taken keeps its new mark for the next refresh.
        const taken = await trx.deleteFrom('org_fact_dirty').executeTakeFirst();
        for (const q of recompute('all')) await q.execute(trx);
        return Number(taken.numDeletedRows);
      });
  }
  for (;;) {
    const any = await db.selectFrom('org_fact_dirty').select('org_id').limit(1).executeTakeFirst();
    if (!any) return total;
    total += await refresh(async (trx) => {
      const taken = await trx
        .deleteFrom('org_fact_dirty')
        .where('org_id', 'in', (eb) => eb.selectFrom('org_fact_dirty').select('org_id').orderBy('org_id').limit(CHUNK))
        .returning('org_id')
        .execute();
      const ids = taken.map((r) => r.org_id).sort((a, b) => a - b);
      if (ids.length) for (const q of recompute(ids)) await q.execute(trx);
      return ids.length;
    });
    await breathe();
  }
}
