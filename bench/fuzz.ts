/**
 * The long fuzzing run: generated hostile requests for every operation of the OpenAPI document (see
 * server/test/fuzz.ts), on SQLite and PostgreSQL. Prints the cases tried, the answers by status class, every 5xx
 * (there must be none) with the request that caused it and its stack, rejected requests that wrote, and the time.
 *
 *   npm run fuzz                                   # 100,000 requests on each database
 *   FUZZ_RUNS=20000 FUZZ_SEED=42 npm run fuzz -- sqlite
 *   npm run fuzz -- --append                       # also appends the figures to bench/RESULTS.md
 *
 * Exits with status 1 when a 5xx, a hang, a crash or a write by a rejected request was seen.
 */
import { randomBytes } from 'node:crypto';
import { createServices } from '../server/src/services.js';
import { buildApp } from '../server/src/app.js';
import { startEmbeddedPostgres } from '../server/test/embedded-pg.js';
import type { TestEnv } from '../server/test/harness.js';
import { describeFinding, fuzzFixture, KNOWN_5XX, runFuzz, summarize, type FuzzReport } from '../server/test/fuzz.js';
import { benchDatabase, Results } from './common.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const args = process.argv.slice(2);
const append = args.includes('--append');
const which = args.find((a) => a === 'sqlite' || a === 'postgres');
const results = new Results();

async function benchEnv(kind: 'sqlite' | 'postgres', pgUrl?: string): Promise<TestEnv> {
  const { database, dispose } = await benchDatabase(kind, pgUrl);
  const key = randomBytes(32);
  const services = createServices(database, key);
  const app = await buildApp({ services });
  return {
    dialect: kind,
    database,
    services,
    app,
    key,
    async close() {
      await app.close();
      await dispose();
    },
  };
}

async function fuzz(kind: 'sqlite' | 'postgres', pgUrl?: string): Promise<FuzzReport> {
  const env = await benchEnv(kind, pgUrl);
  try {
    const t0 = Date.now();
    const fx = await fuzzFixture(env);
    console.log(`\n${kind}: fixture ready in ${Date.now() - t0} ms; ${RUNS} requests, FUZZ_SEED=${SEED}`);
    const report = await runFuzz(fx, {
      runs: RUNS,
      seed: SEED,
      keep: 2000,
      progressEvery: Math.max(1000, Math.round(RUNS / 10)),
      onProgress: (r) =>
        console.log(
          `  ${r.tried} tried, ${(r.ms / 1000).toFixed(0)} s: 2xx ${r.byClass['2xx']} · 4xx ${r.byClass['4xx']} · 5xx ${r.serverErrorCount}`,
        ),
    });
    console.log(summarize(report));
    const never = Object.entries(report.byOperation)
      .filter(([, st]) => !Object.keys(st).some((c) => c.startsWith('2')))
      .map(
        ([op, st]) =>
          `${op} (${Object.entries(st)
            .map(([c, n]) => `${c}×${n}`)
            .join(' ')})`,
      );
    console.log(`operations never answered 2xx (${never.length}):\n  ${never.join('\n  ')}`);
    // Grouped by error message (numbers left out): one full example each, and the operations it was seen on.
    const groups = new Map<string, { example: (typeof report.serverErrors)[number]; ops: Set<string>; n: number }>();
    for (const f of report.serverErrors) {
      const key = f.detail.split('\n')[0]!.replace(/\d+/g, 'N');
      const g = groups.get(key) ?? { example: f, ops: new Set<string>(), n: 0 };
      g.ops.add(f.request.op);
      g.n++;
      groups.set(key, g);
    }
    for (const [key, g] of groups) {
      const known = KNOWN_5XX.find((k) => k.matches(g.example, kind));
      console.log(`\n5xx "${key}" — ${g.n} of the first ${report.serverErrors.length} kept`);
      console.log(known ? `  known, reported, not yet fixed: ${known.bug}` : '  NEW');
      console.log(`  on ${g.ops.size} operations:`);
      console.log(`  ${[...g.ops].join('\n  ')}`);
      console.log(`example: ${describeFinding(g.example, SEED)}`);
    }
    for (const f of report.writesOnRejection.slice(0, 20))
      console.log(`\nwrote on rejection ${describeFinding(f, SEED)}`);
    for (const f of report.hangs.slice(0, 10)) console.log(`\nhang ${describeFinding(f, SEED)}`);
    for (const c of report.crashes.slice(0, 10)) console.log(`\ncrash ${c}`);
    for (const f of report.notSent.slice(0, 5)) console.log(`\nnot sent ${describeFinding(f, SEED)}`);
    const known = report.serverErrors.filter((f) => KNOWN_5XX.some((k) => k.matches(f, kind)));
    const bugs = new Set(known.map((f) => KNOWN_5XX.find((k) => k.matches(f, kind))!.bug)).size;
    results.note(
      `| ${kind} | fuzz: ${report.tried} generated hostile requests over ${report.operations} operations as system administrator, branch cadre and member (FUZZ_SEED=${SEED}); 2xx ${report.byClass['2xx']} · 4xx ${report.byClass['4xx']} | ${report.serverErrorCount} responses ≥ 500 (${known.length} from ${bugs} reported bugs, ${report.serverErrors.length - known.length} new) | 0 | rejected requests that wrote: ${report.writesOnRejectionCount}; hangs: ${report.hangs.length}; crashes: ${report.crashes.length}; ${(report.ms / 1000).toFixed(0)} s | — |`,
    );
    return report;
  } finally {
    await env.close();
  }
}

const reports: FuzzReport[] = [];
if (which !== 'postgres') reports.push(await fuzz('sqlite'));
if (which !== 'sqlite') {
  const server = await startEmbeddedPostgres();
  try {
    reports.push(await fuzz('postgres', server.url));
  } finally {
    await server.stop();
  }
}
if (append) results.append('fuzzing from the OpenAPI document (proof under attack)');
const bad = reports.some(
  (r) => r.serverErrorCount || r.writesOnRejectionCount || r.hangs.length || r.crashes.length || !r.aliveAfter,
);
process.exit(bad ? 1 : 0);
