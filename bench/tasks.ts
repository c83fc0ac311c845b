/**
 * 督查督办 benchmarks (issue 5) on the `province` demo tree (≈ 100,000 orgs): the status board of a city whose
 * subtree carries ≥ 5,000 assignments (every city carries as many, ≈ 80,000 in all), and the server's memory
 * while a 500 MB video is uploaded by a separate process (curl), streamed to the attachment store.
 *
 *   npm run bench:tasks            # SQLite and PostgreSQL; appends a section to bench/RESULTS.md
 *   npm run bench:tasks -- sqlite  # one database
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, closeSync, writeSync, ftruncateSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createServices } from '../server/src/services.js';
import { generateDemo } from '../server/src/demo/demo.js';
import { cliCtx } from '../server/src/cli/system-actor.js';
import { nowIso } from '../server/src/common/time.js';
import { benchDatabase, benchServer, onEachDatabase, ms, p95, Results, timeHttp } from './common.js';

const results = new Results();

/** Runs `fn` while sampling this process's resident memory every 10 ms; growth = peak − the value before. */
async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMb: (peak - before) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}
const TASKS_PER_CITY = 52;
const CHILDREN_PER_DISTRICT = 6;
const VIDEO_BYTES = 500 * 1024 * 1024;

async function bench(kind: 'sqlite' | 'postgres', pgUrl?: string) {
  const { dir, database, dispose } = await benchDatabase(kind, pgUrl);
  const { db } = database;
  const services = createServices(database, randomBytes(32));
  const demo = await generateDemo(database, services.cipher, 'province', { members: false, lessons: 0 });

  // Setup: a plan per city, each task assigned to every district, each district's part forwarded to six of its
  // schools and towns; a spread of states (some done, some waiting for review, some overdue).
  let t0 = process.hrtime.bigint();
  const cities = await db.selectFrom('org').select(['id', 'path']).where('parent_id', '=', demo.rootId).execute();
  const now = nowIso();
  let assignments = 0;
  let measuredCity = { id: 0, assignments: 0 };
  for (const city of cities) {
    const districts = await db.selectFrom('org').select('id').where('parent_id', '=', city.id).execute();
    if (!districts.length) continue;
    const plan = await services.plans.create(cliCtx, city.id, { year: 2026, title: '2026年重点工作任务清单' });
    let inCity = 0;
    for (let i = 0; i < TASKS_PER_CITY; i++) {
      await services.plans.addTask(cliCtx, plan.id, {
        content: `第${i + 1}项重点工作：开展主题活动不少于${(i % 5) + 1}场次，覆盖率达到90%以上。`,
        deadline: ['4-5月', '全年', '8月底前', '10月中旬、全年', '6月', '12月'][i % 6]!,
        responsible: districts.map((d) => ({ orgId: d.id, role: 'lead' as const })),
      });
      inCity += districts.length;
    }
    const parents = await db
      .selectFrom('task_assignment as a')
      .innerJoin('task as t', 't.id', 'a.task_id')
      .select(['a.id', 'a.task_id', 'a.org_id', 'a.due_on'])
      .where('t.plan_id', '=', plan.id)
      .execute();
    const childrenOf = new Map<number, number[]>();
    for (const d of districts)
      childrenOf.set(
        d.id,
        (
          await db
            .selectFrom('org')
            .select('id')
            .where('parent_id', '=', d.id)
            .orderBy('id')
            .limit(CHILDREN_PER_DISTRICT)
            .execute()
        ).map((c) => c.id),
      );
    const rows = parents.flatMap((p) =>
      (childrenOf.get(p.org_id) ?? []).map((orgId, j) => ({
        task_id: p.task_id,
        parent_id: p.id,
        org_id: orgId,
        assigner_org_id: p.org_id,
        role: 'lead' as const,
        due_on: j % 4 === 0 ? '2026-06-30' : p.due_on,
        state: (['not_started', 'in_progress', 'submitted', 'returned', 'done'] as const)[(p.id + j) % 5]!,
        note: null,
        assigned_by: null,
        assigned_at: now,
        completed_at: (p.id + j) % 5 === 4 ? now : null,
        updated_at: now,
      })),
    );
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 5000)
        await database.bulkInsert(trx, 'task_assignment', rows.slice(i, i + 5000));
    });
    inCity += rows.length;
    assignments += inCity;
    if (!measuredCity.id) measuredCity = { id: city.id, assignments: inCity };
  }
  results.note(
    `| ${kind} | (setup) province tree (${demo.orgs} orgs), ${cities.length} city plans × ${TASKS_PER_CITY} tasks, ${assignments} assignments | ${(ms(t0) / 1000).toFixed(0)} s | — | — | — |`,
  );

  // HTTP server on loopback with a system administrator signed in.
  const { app, base, cookie, csrf } = await benchServer(services);

  await timeHttp(`${base}/api/health`, cookie, 20);
  const noop = await timeHttp(`${base}/api/health`, cookie, 300);
  const boardUrl = `${base}/api/orgs/${measuredCity.id}/tasks`;
  await timeHttp(boardUrl, cookie, 20);
  const board = await timeHttp(boardUrl, cookie, 300);
  const check = (await (await fetch(boardUrl, { headers: { cookie } })).json()) as { counts: { total: number } };
  results.record(
    kind,
    `GET /api/orgs/{city}/tasks — board of a city with ${check.counts.total} assignments (counts by state, 逾期, 7 天内到期, first page) p95`,
    p95(board),
    '≤ 50 ms',
    'GET /api/health p95',
    p95(noop),
  );
  const overdue = await timeHttp(`${boardUrl}?state=overdue`, cookie, 200);
  results.record(
    kind,
    'GET …/tasks?state=overdue (same city) p95',
    p95(overdue),
    '≤ 50 ms',
    'GET /api/health p95',
    p95(noop),
  );
  const province = await timeHttp(`${base}/api/orgs/${demo.rootId}/tasks`, cookie, 50);
  results.record(
    kind,
    `GET /api/orgs/{province}/tasks — whole province, ${assignments} assignments p95`,
    p95(province),
    '—',
    'GET /api/health p95',
    p95(noop),
  );

  // Uploading a 500 MB video: curl streams it from disk; the server's resident memory is sampled meanwhile.
  const branchAssignment = await db
    .selectFrom('task_assignment')
    .select('id')
    .where('parent_id', 'is not', null)
    .where('state', '=', 'not_started')
    .executeTakeFirstOrThrow();
  const video = path.join(dir, 'video.mp4');
  const fd = openSync(video, 'w');
  writeSync(fd, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), randomBytes(4096)]));
  ftruncateSync(fd, VIDEO_BYTES);
  closeSync(fd);
  t0 = process.hrtime.bigint();
  const upload = await peakGrowth(() =>
    promisify(execFile)('curl', [
      '-s',
      '-o',
      '-',
      '-w',
      '\n%{http_code}',
      '-H',
      `cookie: ${cookie}`,
      '-H',
      `x-csrf-token: ${csrf}`,
      '-F',
      `file=@${video};filename=活动视频.mp4`,
      `${base}/api/task-assignments/${branchAssignment.id}/attachments`,
    ]),
  );
  const uploadMs = ms(t0);
  const status = upload.result.stdout.trim().split('\n').at(-1);
  if (status !== '201') throw new Error(`upload failed: ${upload.result.stdout.slice(0, 500)}`);
  // Anchor: the same sampling while the file is read into memory, as a server that buffers uploads would.
  const buffered = await peakGrowth(() => readFile(video));
  results.note(
    `| ${kind} | upload a 500 MB video (curl, multipart) — server memory growth (RSS peak − before, sampled every 10 ms) | ${upload.growthMb.toFixed(1)} MB | < 50 MB | reading the file into memory, same sampling: ${buffered.growthMb.toFixed(0)} MB | ${(upload.growthMb / buffered.growthMb).toFixed(3)}× |`,
  );
  // Anchor: reading and hashing the same file, the least storing it can cost.
  t0 = process.hrtime.bigint();
  const hash = createHash('sha256');
  await pipeline(createReadStream(video), hash);
  const hashMs = ms(t0);
  results.record(kind, 'upload a 500 MB video — time', uploadMs, '—', 'reading and hashing the file', hashMs);

  await app.close();
  await dispose();
}

await onEachDatabase(bench);
results.append('督查督办 (issue 5)');
process.exit(0);
