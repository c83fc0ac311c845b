/**
 * The sorted roster and the member counts on the `province` demo, subtree by subtree (province, a city, a
 * district, smaller committees, a branch), on SQLite or PostgreSQL. Service calls without HTTP, 30 each, p95.
 *
 *   node --import tsx bench/roster-sort.ts sqlite [FILE]   # FILE: a copy of a province demo database (migrated here)
 *   node --import tsx bench/roster-sort.ts postgres        # a throwaway embedded PostgreSQL with the demo generated
 *
 * Results are described in docs/member-records.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, openSqlite, type Database } from '../server/src/db/database.js';
import { migrateToLatest } from '../server/src/db/migrate.js';
import { createServices } from '../server/src/services.js';
import { generateDemo } from '../server/src/demo/demo.js';
import { startEmbeddedPostgres } from '../server/test/embedded-pg.js';
import type { Actor } from '../server/src/access/access.js';

const kind = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const file = process.argv[3];
const dir = mkdtempSync(path.join(tmpdir(), 'tuanwu-roster-'));
let stopPg: (() => Promise<void>) | undefined;
let database: Database;
if (kind === 'postgres') {
  const pg = await startEmbeddedPostgres();
  stopPg = pg.stop;
  database = openDatabase({ databaseUrl: pg.url, dataDir: dir });
} else database = openSqlite(file ?? path.join(dir, 'bench.db'));

let t = performance.now();
const seconds = () => ((performance.now() - t) / 1000).toFixed(1);
console.log(`migrated ${(await migrateToLatest(database)).join(', ') || '(up to date)'} in ${seconds()} s`);
const services = createServices(database, randomBytes(32));
const hasMembers = await database.db.selectFrom('member').select('id').limit(1).executeTakeFirst();
if (!hasMembers) {
  t = performance.now();
  await generateDemo(database, services.cipher, 'province', { members: true, lessons: 0 });
  console.log(`demo province in ${seconds()} s`);
}
// A freshly loaded PostgreSQL table has no visibility map yet; autovacuum sets it on a running instance.
if (kind === 'postgres') await sql`vacuum analyze`.execute(database.db);

const actor: Actor = { accountId: 0, username: 'bench', displayName: 'bench', isSystemAdmin: true, roles: [] };
const orgs = await database.db
  .selectFrom('member_stats')
  .innerJoin('org', 'org.id', 'member_stats.org_id')
  .select(['org.id', 'org.kind', 'member_stats.n'])
  .where('member_stats.status', '=', 'normal')
  .orderBy('member_stats.n', 'desc')
  .execute();
const pick = (n: number) => orgs.find((o) => o.n <= n)!;
const subtrees = [orgs[0]!, pick(150_000), pick(20_000), pick(3_000), pick(500), pick(40)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const time = async (f: () => Promise<unknown>, n = 30) => {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  return xs;
};

console.log(`\n| ${kind} | subtree | page | branch | name | birthDate | joinedOn |`);
console.log('|---|---|---|---|---|---|---|');
for (const o of subtrees) {
  for (const page of [1, 200]) {
    const cells: string[] = [];
    for (const sort of ['branch', 'name', 'birthDate', 'joinedOn'] as const) {
      let i = 0;
      const xs = await time(() =>
        services.members.roster(actor, o.id, {}, page, 50, { sort, order: i++ % 2 ? 'desc' : 'asc' }),
      );
      cells.push(`${p95(xs).toFixed(1)} ms`);
    }
    console.log(`| ${kind} | ${o.kind} ${o.id}, ${o.n} members | ${page} | ${cells.join(' | ')} |`);
  }
}
console.log(`\n| ${kind} | subtree | counts: first call | counts: p95 of the next 10 |`);
console.log('|---|---|---|---|');
for (const o of subtrees) {
  const xs = await time(() => services.members.stats(actor, o.id), 11);
  console.log(
    `| ${kind} | ${o.kind} ${o.id}, ${o.n} members | ${xs[0]!.toFixed(1)} ms | ${p95(xs.slice(1)).toFixed(1)} ms |`,
  );
}
await database.close();
await stopPg?.();
rmSync(dir, { recursive: true, force: true });
