import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, DIALECTS, type TestEnv } from '../../test/harness.js';
import {
  describeFinding,
  fuzzFixture,
  runFuzz,
  summarize,
  KNOWN_5XX,
  type Finding,
  type FuzzFixture,
  type FuzzReport,
} from '../../test/fuzz.js';
import { badRequest } from '../common/errors.js';
import { cliCtx } from '../cli/system-actor.js';

/**
 * A short fuzzing run (the long one is `npm run fuzz`): hostile requests generated from the OpenAPI document for
 * every operation, as a system administrator, a branch cadre and a member, on both databases. No answer may be a
 * 5xx, nothing may be thrown outside a request, and a request answered with a 4xx must not have written anything.
 * The seed is random unless FUZZ_SEED is set; it is printed, and a failure names each request with the seed.
 */
const RUNS = Number(process.env.FUZZ_TEST_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const AGAIN = `again with FUZZ_SEED=${SEED} FUZZ_TEST_RUNS=${RUNS} npx vitest run --project server server/src/security/fuzz.test.ts`;
const list = (findings: Finding[]) => `${AGAIN}\n\n${findings.map((f) => describeFinding(f, SEED)).join('\n\n')}`;

describe.each(DIALECTS)('generated hostile requests (%s)', (dialect) => {
  let env: TestEnv;
  let fx: FuzzFixture;

  beforeAll(async () => {
    env = await createEnv(dialect);
    fx = await fuzzFixture(env);
  });
  afterAll(() => env.close());

  it(`${RUNS} requests over every operation: no 5xx, no crash, nothing written by a rejected request`, async () => {
    const report: FuzzReport = await runFuzz(fx, { runs: RUNS, seed: SEED, keep: 1000 });
    console.log(`fuzz (${dialect}) ${summarize(report)}`);
    const strict = process.env.FUZZ_STRICT === '1';
    const known = strict ? [] : KNOWN_5XX;
    const unknown = report.serverErrors.filter((f) => !known.some((k) => k.matches(f, dialect)));
    for (const k of known) {
      const n = report.serverErrors.filter((f) => k.matches(f, dialect)).length;
      if (n) console.warn(`fuzz (${dialect}): ${n} × known 5xx, to be fixed: ${k.bug}`);
    }
    expect(report.serverErrorCount, 'every 5xx was kept for the report').toBeLessThanOrEqual(1000);
    expect(unknown, `responses ≥ 500 — ${list(unknown)}`).toEqual([]);
    expect(report.writesOnRejection, `4xx that wrote — ${list(report.writesOnRejection)}`).toEqual([]);
    expect(report.hangs, `no answer — ${list(report.hangs)}`).toEqual([]);
    expect(report.crashes).toEqual([]);
    expect(report.notSent).toEqual([]);
    expect(report.aliveAfter).toBe(true);
    expect(report.tried).toBe(RUNS);
    // The run reaches the services as well as the validation: both kinds of answer are common.
    expect(report.byClass['2xx']).toBeGreaterThan(RUNS / 10);
    expect(report.byClass['4xx']).toBeGreaterThan(RUNS / 3);
  }, 180_000);

  it('catches a route that throws a plain Error, and a rejected request that wrote', async () => {
    const orgs = env.services.orgs;
    const children = orgs.children.bind(orgs);
    orgs.children = async () => {
      throw new Error('boom');
    };
    try {
      const r = await runFuzz(fx, { runs: 60, seed: SEED, only: (op) => op.key === 'GET /api/orgs/{id}/children' });
      expect(r.serverErrorCount).toBeGreaterThan(0);
      expect(r.serverErrors[0]!.detail).toContain('Error: boom');
      expect(describeFinding(r.serverErrors[0]!, SEED)).toContain(`FUZZ_SEED=${SEED}`);
    } finally {
      orgs.children = children;
    }

    const reminders = env.services.reminders;
    const setWebhook = reminders.setWebhook.bind(reminders);
    reminders.setWebhook = async () => {
      await orgs.create(cliCtx, { parentId: null, kind: 'committee', name: '不该留下的组织' });
      throw badRequest('地址不正确');
    };
    try {
      const r = await runFuzz(fx, { runs: 60, seed: SEED, only: (op) => op.key === 'PUT /api/orgs/{id}/webhook' });
      expect(r.writesOnRejectionCount).toBeGreaterThan(0);
      expect(r.writesOnRejection[0]!.detail).toContain('org (');
    } finally {
      reminders.setWebhook = setWebhook;
    }
  }, 60_000);
});
