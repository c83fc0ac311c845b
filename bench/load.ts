/**
 * A bounded mixed load on loopback against a real `tuanwu serve` process on the `province` demo (≈ 100,000 orgs,
 * ≈ 2.1 M members): phones opening a lesson and checking in, cadres of the province, cities, districts and towns
 * opening their 青年大学习 dashboard and 未学名单, and a member import (Excel) followed by a completion import (CSV)
 * running at the same time. The load comes from child processes (never the server's event loop); every kind
 * of request is reported with requests/s, p50/p99 latency, non-2xx answers and socket errors, and every
 * check-in answered 200 is looked up in the database afterwards (lost must be 0).
 *
 *   npm run bench:load                        # SQLite and PostgreSQL; appends a section to bench/RESULTS.md
 *   npm run bench:load -- sqlite              # one database
 *   BENCH_PRESET=county npm run bench:load    # a quick try (not written to RESULTS.md)
 *
 * Caps: BENCH_SECONDS (default 30) of mixed load, BENCH_MAX_REQUESTS (default 2,000,000) requests in all, and one
 * check-in per signed-in phone (BENCH_PHONES, default 200,000). Further knobs: BENCH_PHONE_PROCS (2),
 * BENCH_PHONE_CONNECTIONS (32 per process), BENCH_CADRES (24 accounts), BENCH_CADRE_CONNECTIONS (8, each waiting
 * BENCH_CADRE_THINK_MS = 250 ms between pages; phones do not wait),
 * BENCH_IMPORT_ROWS (20,000 members), BENCH_COMPLETION_ROWS (100,000), BENCH_LESSONS (10). TUANWU_CLI names another
 * build of the CLI to serve (default: server/bin/tuanwu.mjs), to compare two builds on the same machine.
 */
import { fork } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createServices } from '../server/src/services.js';
import { generateDemo } from '../server/src/demo/demo.js';
import { cliCtx } from '../server/src/cli/system-actor.js';
import { startEmbeddedPostgres } from '../server/test/embedded-pg.js';
import { ms, percentile, Results, ServerProcess, serverData, signedInMembers } from './common.js';
import { memberImportFile } from './member-file.js';
import { completionCsv } from './completion-file.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PRESET = (process.env.BENCH_PRESET ?? 'province') as 'county' | 'city' | 'province';
const LESSONS = env('BENCH_LESSONS', 10);
const SECONDS = env('BENCH_SECONDS', 30);
const MAX_REQUESTS = env('BENCH_MAX_REQUESTS', 2_000_000);
const PHONES = env('BENCH_PHONES', 200_000);
const PHONE_PROCS = env('BENCH_PHONE_PROCS', 2);
const PHONE_CONNECTIONS = env('BENCH_PHONE_CONNECTIONS', 32);
const CADRES = env('BENCH_CADRES', 24);
const CADRE_CONNECTIONS = env('BENCH_CADRE_CONNECTIONS', 8);
/** A cadre reads a page before opening the next one. */
const CADRE_THINK_MS = env('BENCH_CADRE_THINK_MS', 250);
const IMPORT_ROWS = env('BENCH_IMPORT_ROWS', 20_000);
const COMPLETION_ROWS = env('BENCH_COMPLETION_ROWS', 100_000);
const ANCHOR_SECONDS = 5;
/** The imports start a third into the mix: they run among the other requests, which are also seen without them. */
const IMPORT_DELAY_MS = Math.round((SECONDS * 1000) / 3);
const PASSWORD = 'Load-pass-2026';

// ---------------------------------------------------------------------------------------------------------------
// Load workers (child processes of this same file).

type WorkerSpec =
  | { role: 'health'; base: string; startAt: number; deadline: number; maxRequests: number; connections: number }
  | {
      role: 'phones';
      base: string;
      startAt: number;
      deadline: number;
      maxRequests: number;
      connections: number;
      lessonId: number;
      /** Lines of `memberId<TAB>token<TAB>csrf`, one phone each. */
      sessionsFile: string;
    }
  | {
      role: 'cadres';
      base: string;
      startAt: number;
      deadline: number;
      maxRequests: number;
      connections: number;
      lessonId: number;
      cadres: { username: string; orgId: number }[];
      thinkMs: number;
    }
  | {
      role: 'import';
      base: string;
      startAt: number;
      deadline: number;
      username: string;
      rootId: number;
      lessonId: number;
      memberFile: string;
      completionFile: string;
      dryRun: boolean;
    };

interface KindReport {
  /** Latency of each answered request (ms), and when it was sent (epoch ms). */
  lat: number[];
  at: number[];
  ok: number;
  non2xx: Record<string, number>;
  socket: number;
}
interface WorkerReport {
  kinds: Record<string, KindReport>;
  /** Members whose check-in was answered 200. */
  acked: number[];
  startedAt: number;
  endedAt: number;
}

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One HTTP request over a kept-alive agent; rejects on socket errors. */
function send(
  agent: http.Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function runWorker(spec: WorkerSpec): Promise<WorkerReport> {
  const kinds: Record<string, KindReport> = {};
  const acked: number[] = [];
  const connections = 'connections' in spec ? spec.connections : 2;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections + 1 });
  let requests = 0;
  const maxRequests = 'maxRequests' in spec ? spec.maxRequests : Infinity;
  const more = () => Date.now() < spec.deadline && requests < maxRequests;
  /** Times one request of a kind; returns the answer when it is 2xx. */
  const timed = async (kind: string, url: string, method: string, headers: Record<string, string>, body?: string) => {
    const k = (kinds[kind] ??= { lat: [], at: [], ok: 0, non2xx: {}, socket: 0 });
    requests++;
    const sentAt = Date.now();
    const t0 = process.hrtime.bigint();
    try {
      const res = await send(agent, spec.base + url, method, headers, body);
      k.lat.push(ms(t0));
      k.at.push(sentAt);
      if (res.status >= 200 && res.status < 300) {
        k.ok++;
        return res;
      }
      k.non2xx[res.status] = (k.non2xx[res.status] ?? 0) + 1;
    } catch {
      k.socket++;
    }
    return undefined;
  };
  const json = { 'content-type': 'application/json' };
  const login = async (username: string) => {
    const res = await send(
      agent,
      `${spec.base}/api/auth/login`,
      'POST',
      json,
      JSON.stringify({ username, password: PASSWORD }),
    );
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.body}`);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    return { cookie, csrf: (JSON.parse(res.body) as { csrfToken: string }).csrfToken };
  };
  const loops = async (n: number, body: () => Promise<boolean>) => {
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (more() && (await body()));
      }),
    );
  };

  // Preparation (sign-ins, files) happens before the common start.
  let work: () => Promise<void>;
  if (spec.role === 'health') {
    work = () =>
      loops(connections, async () => {
        await timed('GET /api/health', '/api/health', 'GET', {});
        return true;
      });
  } else if (spec.role === 'phones') {
    const phones = readFileSync(spec.sessionsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [memberId, token, csrf] = line.split('\t') as [string, string, string];
        return { memberId: Number(memberId), cookie: `tuanwu_member=${token}`, csrf };
      });
    let next = 0;
    const lesson = `/api/my/lessons/${spec.lessonId}`;
    work = () =>
      loops(connections, async () => {
        const phone = phones[next++];
        if (!phone) return false;
        const opened = await timed('phone: open lesson (GET /api/my/lessons/:id)', lesson, 'GET', {
          cookie: phone.cookie,
        });
        if (!opened || !more()) return true;
        const { viewToken } = JSON.parse(opened.body) as { viewToken: string };
        const done = await timed(
          'phone: check-in (POST /api/my/lessons/:id/check-in)',
          `${lesson}/check-in`,
          'POST',
          { ...json, cookie: phone.cookie, 'x-csrf-token': phone.csrf },
          JSON.stringify({ viewToken, answers: [[1]] }),
        );
        if (done) acked.push(phone.memberId);
        return true;
      });
  } else if (spec.role === 'cadres') {
    const sessions: { cookie: string; csrf: string; orgId: number }[] = [];
    for (const c of spec.cadres) sessions.push({ ...(await login(c.username)), orgId: c.orgId });
    let turn = 0;
    // Besides the cadres, one connection asks GET /api/health every 100 ms: how long the server stops answering
    // anything at all (its event loop busy) shows there.
    const watch = async () => {
      while (more()) {
        await timed('watch: GET /api/health every 100 ms', '/api/health', 'GET', {});
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    work = async () => {
      await Promise.all([watch(), cadreLoops()]);
    };
    const cadreLoops = () =>
      loops(connections, async () => {
        const s = sessions[turn++ % sessions.length]!;
        if (turn % 2)
          await timed(
            'cadre: dashboard (GET /api/orgs/:id/study/dashboard)',
            `/api/orgs/${s.orgId}/study/dashboard?lessonId=${spec.lessonId}`,
            'GET',
            { cookie: s.cookie },
          );
        else
          await timed(
            'cadre: 未学名单 (GET /api/orgs/:id/study/not-yet)',
            `/api/orgs/${s.orgId}/study/not-yet?lessonId=${spec.lessonId}&page=${1 + (turn % 3)}`,
            'GET',
            { cookie: s.cookie },
          );
        await new Promise((r) => setTimeout(r, spec.thinkMs));
        return true;
      });
  } else {
    const s = await login(spec.username);
    const upload = async (kind: string, url: string, file: string) => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(file)]), path.basename(file));
      const k = (kinds[kind] ??= { lat: [], at: [], ok: 0, non2xx: {}, socket: 0 });
      const sentAt = Date.now();
      const t0 = process.hrtime.bigint();
      try {
        // An import runs to its end even past the deadline (at most 10 minutes): it is one request.
        const res = await fetch(spec.base + url, {
          method: 'POST',
          headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
          body: form,
          signal: AbortSignal.timeout(600_000),
        });
        const text = await res.text();
        k.lat.push(ms(t0));
        k.at.push(sentAt);
        if (res.ok) k.ok++;
        else {
          k.non2xx[res.status] = (k.non2xx[res.status] ?? 0) + 1;
          console.error(`${kind}: ${res.status} ${text.slice(0, 500)}`);
        }
      } catch (e) {
        k.socket++;
        console.error(`${kind}: ${String(e)}`);
      }
    };
    work = async () => {
      await upload(
        `import: members .xlsx${spec.dryRun ? ' (dry run)' : ''} (POST /api/orgs/:id/members/import)`,
        `/api/orgs/${spec.rootId}/members/import?dryRun=${spec.dryRun}`,
        spec.memberFile,
      );
      await upload(
        `import: completion .csv${spec.dryRun ? ' (dry run)' : ''} (POST /api/lessons/:id/completions/import)`,
        `/api/lessons/${spec.lessonId}/completions/import?orgId=${spec.rootId}&dryRun=${spec.dryRun}`,
        spec.completionFile,
      );
    };
  }
  await new Promise((r) => setTimeout(r, Math.max(0, spec.startAt - Date.now())));
  const startedAt = Date.now();
  await work();
  const endedAt = Date.now();
  agent.destroy();
  return { kinds, acked, startedAt, endedAt };
}

/** Runs workers in child processes, all starting at the same instant; merges what they report. */
async function runWorkers(specs: WorkerSpec[]): Promise<WorkerReport> {
  const reports = await Promise.all(
    specs.map(
      (spec) =>
        new Promise<WorkerReport>((resolve, reject) => {
          const child = fork(import.meta.filename, [], {
            execArgv: ['--import', 'tsx'],
            env: { ...process.env, TUANWU_LOAD_WORKER: JSON.stringify(spec) },
            serialization: 'advanced',
          });
          let report: WorkerReport | undefined;
          child.on('message', (m) => (report = m as WorkerReport));
          child.on('error', reject);
          child.on('exit', (code) =>
            report ? resolve(report) : reject(new Error(`load worker (${spec.role}) exited with ${code}`)),
          );
        }),
    ),
  );
  const merged: WorkerReport = { kinds: {}, acked: [], startedAt: Infinity, endedAt: 0 };
  for (const r of reports) {
    for (const [kind, k] of Object.entries(r.kinds)) {
      const m = (merged.kinds[kind] ??= { lat: [], at: [], ok: 0, non2xx: {}, socket: 0 });
      for (const x of k.lat) m.lat.push(x);
      for (const x of k.at) m.at.push(x);
      m.ok += k.ok;
      m.socket += k.socket;
      for (const [s, n] of Object.entries(k.non2xx)) m.non2xx[s] = (m.non2xx[s] ?? 0) + n;
    }
    for (const id of r.acked) merged.acked.push(id);
    merged.startedAt = Math.min(merged.startedAt, r.startedAt);
    merged.endedAt = Math.max(merged.endedAt, r.endedAt);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark.

const results = new Results();
const fmtMs = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const errorsOf = (k: KindReport) => Object.values(k.non2xx).reduce((a, b) => a + b, 0);

async function bench(kind: 'sqlite' | 'postgres', pgUrl?: string) {
  const data = await serverData(kind, pgUrl);
  let server: ServerProcess | undefined;
  try {
    const { database } = data;
    const { db } = database;
    const services = createServices(database, data.key);

    // Setup: the demo, an open lesson for the whole tree, cadres at several levels, phones signed in, files.
    let t0 = process.hrtime.bigint();
    const demo = await generateDemo(database, services.cipher, PRESET, { lessons: LESSONS });
    const lesson = await services.lessons.create(cliCtx, demo.rootId, {
      season: '负载测试',
      number: 1,
      title: '混合负载测试',
      minSeconds: 0,
      quiz: [{ question: '1+1=?', options: ['1', '2'], answer: [1] }],
      opensAt: new Date(Date.now() - 3_600_000).toISOString(),
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    // Cadres: the province, then committees one, two and three levels down, in turn (towns and schools most).
    const committees = await db
      .selectFrom('org')
      .select(['id', 'path'])
      .where('kind', 'in', ['committee', 'working_committee'])
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    const byDepth = new Map<number, number[]>();
    for (const o of committees) {
      const depth = o.path.split('/').length - 3;
      const list = byDepth.get(depth);
      if (list) list.push(o.id);
      else byDepth.set(depth, [o.id]);
    }
    /** `n` committees `depth` levels below the root, spread over the tree. */
    const spread = (depth: number, n: number) => {
      const ids = byDepth.get(depth) ?? [];
      const k = Math.min(n, ids.length);
      return Array.from({ length: k }, (_, i) => ids[Math.floor((i * ids.length) / k)]!);
    };
    const sixth = Math.max(1, Math.round(CADRES / 6));
    const cadreOrgs = [demo.rootId, ...spread(1, sixth), ...spread(2, 2 * sixth)];
    cadreOrgs.push(...spread(3, CADRES - cadreOrgs.length));
    const cadres: { username: string; orgId: number }[] = [];
    for (const [i, orgId] of cadreOrgs.entries()) {
      const username = `load-cadre-${i}`;
      await db.transaction().execute(async (trx) => {
        const a = await services.accounts.insertAccount(trx, {
          username,
          displayName: `干部${i}`,
          password: PASSWORD,
          mustChangePassword: false,
        });
        await services.accounts.insertRole(trx, a.id, orgId, 'admin');
      });
      cadres.push({ username, orgId });
    }
    const members = await db
      .selectFrom('member')
      .select('id')
      .where('status', '=', 'normal')
      .orderBy('id')
      .limit(PHONES)
      .execute();
    // Phones in random order (the first members of the tree are also in the completion file).
    const ids = members.map((m) => m.id);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const phones = await signedInMembers(database, ids);
    const sessionFiles = Array.from({ length: PHONE_PROCS }, (_, p) => {
      const file = path.join(data.dir, `phones-${p}.tsv`);
      writeFileSync(
        file,
        phones
          .filter((_, i) => i % PHONE_PROCS === p)
          .map((s) => `${s.memberId}\t${s.token}\t${s.csrf}\n`)
          .join(''),
      );
      return file;
    });
    const memberFile = (await memberImportFile(database, IMPORT_ROWS, path.join(data.dir, 'members.xlsx'))).path;
    const completion = await completionCsv(
      database,
      demo.rootId,
      COMPLETION_ROWS,
      path.join(data.dir, 'completion.csv'),
    );
    const setupS = ms(t0) / 1000;
    results.note(
      `| ${kind} | (setup) tuanwu demo --preset ${PRESET} --lessons ${LESSONS}: ${demo.orgs} orgs, ${demo.members} members; ${phones.length} phones signed in, ${cadres.length} cadres, import files of ${IMPORT_ROWS} members and ${completion.rows} completions | ${setupS.toFixed(0)} s | — | — | — |`,
    );
    await database.close();

    t0 = process.hrtime.bigint();
    server = await ServerProcess.start(data.env, { cli: process.env.TUANWU_CLI, timeoutMs: 600_000 });
    console.log(`${kind}: tuanwu serve up in ${(ms(t0) / 1000).toFixed(1)} s at ${server.base}`);
    const base = server.base;
    const soon = () => Date.now() + 3000;

    // Anchors on the idle server: GET /api/health from the same generator, dry runs of the same import files.
    let at = soon();
    const health = await runWorkers(
      Array.from({ length: PHONE_PROCS }, () => ({
        role: 'health' as const,
        base,
        startAt: at,
        deadline: at + ANCHOR_SECONDS * 1000,
        maxRequests: MAX_REQUESTS,
        connections: PHONE_CONNECTIONS,
      })),
    );
    const healthK = health.kinds['GET /api/health']!;
    const healthRate = healthK.lat.length / ((health.endedAt - health.startedAt) / 1000);
    const healthP99 = percentile(healthK.lat, 0.99);
    at = soon();
    const importSpec = {
      role: 'import' as const,
      base,
      username: cadres[0]!.username,
      rootId: demo.rootId,
      lessonId: lesson.id,
      memberFile,
      completionFile: completion.path,
    };
    const dry = await runWorkers([{ ...importSpec, startAt: at, deadline: at, dryRun: true }]);
    const dryMs = (k: string) => Object.entries(dry.kinds).find(([n]) => n.startsWith(k))?.[1].lat[0] ?? NaN;

    // The mix.
    at = soon();
    const deadline = at + SECONDS * 1000;
    const perWorker = Math.floor(MAX_REQUESTS / (PHONE_PROCS + 1));
    // Other work may share the machine: its load average goes with the figures.
    const loadBefore = loadavg()[0]!;
    const mix = await runWorkers([
      ...sessionFiles.map((sessionsFile) => ({
        role: 'phones' as const,
        base,
        startAt: at,
        deadline,
        maxRequests: perWorker,
        connections: PHONE_CONNECTIONS,
        lessonId: lesson.id,
        sessionsFile,
      })),
      {
        role: 'cadres',
        base,
        startAt: at,
        deadline,
        maxRequests: perWorker,
        connections: CADRE_CONNECTIONS,
        lessonId: lesson.id,
        cadres,
        thinkMs: CADRE_THINK_MS,
      },
      { ...importSpec, startAt: at + IMPORT_DELAY_MS, deadline, dryRun: false },
    ]);
    const seconds = (mix.endedAt - mix.startedAt) / 1000;
    const loadAfter = loadavg()[0]!;

    // Every check-in answered 200 must be in the database, and the lesson's roll-up must count them all.
    const check = data.open();
    const stored = new Set(
      (
        await check.db.selectFrom('lesson_checkin').select('member_id').where('lesson_id', '=', lesson.id).execute()
      ).map((r) => r.member_id),
    );
    const root = await check.db
      .selectFrom('lesson_stats')
      .select('members_learned')
      .where('lesson_id', '=', lesson.id)
      .where('org_id', '=', demo.rootId)
      .executeTakeFirst();
    await check.close();
    const lost = mix.acked.filter((id) => !stored.has(id)).length;
    const rollUpOk = Number(root?.members_learned ?? 0) === stored.size;

    console.log(
      `\n${kind}, ${PRESET}: ${seconds.toFixed(1)} s of mixed load (${PHONE_PROCS}×${PHONE_CONNECTIONS} phone connections, ${CADRE_CONNECTIONS} cadre connections, imports from +${IMPORT_DELAY_MS / 1000} s)`,
    );
    // Latencies of requests sent while an import ran, and the others.
    const windows = Object.entries(mix.kinds)
      .filter(([n]) => n.startsWith('import:'))
      .flatMap(([, k]) => k.at.map((at, i) => [at, at + k.lat[i]!] as const));
    /** Requests/s of a kind over its own active time (phones may run out before the deadline). */
    const rate = (k: KindReport) => {
      if (!k.at.length) return 0;
      const first = k.at.reduce((a, b) => Math.min(a, b), Infinity);
      const last = k.at.reduce((a, at, i) => Math.max(a, at + k.lat[i]!), 0);
      return k.lat.length / (Math.max(1, last - first) / 1000);
    };
    const split = (k: KindReport) => {
      const during: number[] = [];
      const outside: number[] = [];
      k.lat.forEach((x, i) => (windows.some(([a, b]) => k.at[i]! >= a && k.at[i]! < b) ? during : outside).push(x));
      return { during, outside };
    };
    console.log(
      '| kind | requests | requests/s | p50 ms | p99 ms | max ms | p99 ms while an import runs | p99 ms otherwise | non-2xx | socket errors |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    const checkinKind = Object.keys(mix.kinds).find((k) => k.startsWith('phone: check-in'))!;
    for (const [name, k] of Object.entries(mix.kinds).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const { during, outside } = split(k);
      const figures = [
        k.lat.length + k.socket,
        rate(k).toFixed(1),
        fmtMs(percentile(k.lat, 0.5)),
        fmtMs(percentile(k.lat, 0.99)),
        fmtMs(percentile(k.lat, 1)),
        name.startsWith('import:') ? '—' : fmtMs(percentile(during, 0.99)),
        name.startsWith('import:') ? '—' : fmtMs(percentile(outside, 0.99)),
        errorsOf(k),
        k.socket,
      ];
      console.log(`| ${name} | ${figures.join(' | ')} |`);
      const line = `${name}: ${figures[0]} requests, ${figures[1]}/s, p50 ${figures[2]} ms, p99 ${figures[3]} ms, max ${figures[4]} ms (p99 while an import runs ${figures[5]} ms, otherwise ${figures[6]} ms), ${errorsOf(k)} non-2xx${Object.keys(k.non2xx).length ? ` (${JSON.stringify(k.non2xx)})` : ''}, ${k.socket} socket errors${name === checkinKind ? `, ${k.ok} answered 200, ${lost} lost` : ''}`;
      results.rows.push(`| ${kind} | (mix) ${line} | — | — | — | — |`);
    }
    console.log(
      `check-ins answered 200: ${mix.acked.length}; stored for the lesson (app and import): ${stored.size}; lost: ${lost}; root roll-up ${root?.members_learned ?? 0} ${rollUpOk ? '= stored' : '≠ stored'}`,
    );
    // The longest wait for GET /api/health (asked every 100 ms) while each import ran: the server answering nothing;
    // and the longest wait of a check-in sent meanwhile (a write: on SQLite it also waits for the import's writes).
    const watchK = Object.entries(mix.kinds).find(([n]) => n.startsWith('watch:'))?.[1];
    const longestWhile = (k: KindReport | undefined, from: number, to: number) =>
      (k?.lat ?? []).reduce((a, x, i) => (k!.at[i]! >= from && k!.at[i]! < to ? Math.max(a, x) : a), 0);
    results.rows.push(
      `| ${kind} | machine load average (1 min) before / after the mix; other work shares this 2-core machine | ${loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)} | — | — | — |`,
    );
    console.log(`machine load average (1 min): ${loadBefore.toFixed(2)} before the mix, ${loadAfter.toFixed(2)} after`);
    for (const [name, k] of Object.entries(mix.kinds).filter(([n]) => n.startsWith('import:'))) {
      const [from, to] = [k.at[0]!, k.at[0]! + k.lat[0]!];
      const stall = longestWhile(watchK, from, to);
      const checkinStall = longestWhile(mix.kinds[checkinKind], from, to);
      results.rows.push(
        `| ${kind} | longest wait for GET /api/health while ${name} ran (${((to - from) / 1000).toFixed(1)} s) | ${fmtMs(stall)} ms | — | — | — |`,
        `| ${kind} | longest wait of a check-in sent while ${name} ran | ${fmtMs(checkinStall)} ms | — | — | — |`,
      );
      console.log(
        `longest wait for GET /api/health while ${name} ran: ${fmtMs(stall)} ms; of a check-in: ${fmtMs(checkinStall)} ms`,
      );
    }
    console.log(
      `anchors on the idle server: GET /api/health ${healthRate.toFixed(0)}/s, p99 ${fmtMs(healthP99)} ms; dry runs: members ${fmtMs(dryMs('import: members'))} ms, completions ${fmtMs(dryMs('import: completion'))} ms\n`,
    );

    const ck = mix.kinds[checkinKind]!;
    results.record(
      kind,
      `check-ins over HTTP in the mix (${ck.ok} answered 200, ${errorsOf(ck)} non-2xx, ${ck.socket} socket errors, ${lost} lost; root roll-up ${rollUpOk ? 'equal to' : 'DIFFERENT from'} the stored check-ins)`,
      rate(ck),
      '0 lost, 0 errors',
      'GET /api/health alone, same generator',
      healthRate,
      '/s',
    );
    const ckSplit = split(ck);
    results.record(
      kind,
      `check-in p99 while an import runs (${ckSplit.during.length} check-ins)`,
      percentile(ckSplit.during, 0.99),
      '—',
      'check-in p99 in the mix when no import runs',
      percentile(ckSplit.outside, 0.99),
    );
    results.record(
      kind,
      'check-in p99 in the mix',
      percentile(ck.lat, 0.99),
      '—',
      'GET /api/health p99 alone',
      healthP99,
    );
    for (const [name, k] of Object.entries(mix.kinds).filter(([n]) => n.startsWith('cadre:')))
      results.record(
        kind,
        `${name} p99 in the mix`,
        percentile(k.lat, 0.99),
        '—',
        'GET /api/health p99 alone',
        healthP99,
      );
    for (const [name, k] of Object.entries(mix.kinds).filter(([n]) => n.startsWith('import:')))
      results.record(
        kind,
        `${name} during the mix (${name.includes('members') ? `${IMPORT_ROWS} rows` : `${completion.rows} rows`}${k.ok ? '' : ', FAILED'})`,
        k.lat[0] ?? NaN,
        '—',
        'dry run of the same file on the idle server',
        dryMs(name.split(' (')[0]!),
      );
    const errors = Object.values(mix.kinds).reduce((a, k) => a + errorsOf(k) + k.socket, 0);
    if (errors) console.error(`server output (last lines):\n${server.log().slice(-6000)}`);
    if (lost || errors || !rollUpOk)
      results.note(
        `| ${kind} | **mixed load not clean: ${lost} lost, ${errors} errors, roll-up ${rollUpOk ? 'ok' : 'wrong'}** | — | — | — | — |`,
      );
    return { lost, errors, rollUpOk };
  } catch (e) {
    if (server) console.error(server.log());
    throw e;
  } finally {
    await server?.stop();
    await data.dispose();
  }
}

if (process.env.TUANWU_LOAD_WORKER) {
  const report = await runWorker(JSON.parse(process.env.TUANWU_LOAD_WORKER) as WorkerSpec);
  process.send!(report, () => process.exit(0));
} else {
  const which = process.argv[2];
  let failed = false;
  if (which !== 'postgres') {
    const r = await bench('sqlite');
    failed ||= r.lost > 0 || !r.rollUpOk;
  }
  if (which !== 'sqlite') {
    const pgServer = await startEmbeddedPostgres({ durable: true });
    try {
      const r = await bench('postgres', pgServer.url);
      failed ||= r.lost > 0 || !r.rollUpOk;
    } finally {
      await pgServer.stop();
    }
  }
  if (PRESET === 'province') results.append('mixed load: phones, cadres and imports at once');
  else console.log(`(${PRESET}: not written to bench/RESULTS.md)`);
  process.exit(failed ? 1 : 0);
}
