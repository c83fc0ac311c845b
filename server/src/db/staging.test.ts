import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createEnv, DIALECTS, Factory, type TestEnv } from '../../test/harness.js';

describe.each(DIALECTS)('rows staged ahead of their transaction (%s)', (dialect) => {
  let env: TestEnv;
  let orgIds: number[];
  beforeAll(async () => {
    env = await createEnv(dialect);
    const f = new Factory(env);
    const root = await f.org(null);
    orgIds = [root.id];
    for (let i = 0; i < 4; i++) orgIds.push((await f.org(root.id)).id);
  });
  afterAll(() => env.close());

  // member_stats: a table with a composite unique key, and rows nobody else writes here.
  const rowsFor = (status: (i: number) => string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ org_id: orgIds[i % orgIds.length]!, status: status(i), n: i + 1 }));
  const count = async (prefix: string) =>
    Number(
      (
        await env.database.db
          .selectFrom('member_stats')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', 'like', `${prefix}%`)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('shows nothing before the transaction that publishes them, all of it after, in order', async () => {
    const staged = env.database.stage('member_stats');
    try {
      const rows = rowsFor((i) => `a${Math.floor(i / orgIds.length)}`, 5000);
      // Turns of a large staging let other queries in: one sent while it runs is answered before it ends.
      let order: string[] = [];
      await Promise.all([
        staged.add(rows).then(() => order.push('staged')),
        new Promise((r) => setImmediate(r))
          .then(() => env.database.db.selectFrom('org').select('id').limit(1).execute())
          .then(() => order.push('other query')),
      ]);
      if (dialect === 'sqlite') expect(order).toEqual(['other query', 'staged']);
      order = [];
      expect(staged.size).toBe(5000);
      expect(await count('a')).toBe(0);
      await env.database.db.transaction().execute((trx) => staged.publish(trx));
      expect(await count('a')).toBe(5000);
      const stored = await env.database.db
        .selectFrom('member_stats')
        .select(['org_id', 'status', 'n'])
        .where('status', 'like', 'a%')
        .orderBy('n')
        .execute();
      expect(stored).toEqual(rows);
    } finally {
      await staged.discard();
    }
    if (dialect === 'sqlite') {
      // The automatic checkpoint, held back while the rows went in, is back (the WAL was checkpointed off-thread).
      const { rows: setting } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
        env.database.db,
      );
      expect(setting[0]!.wal_autocheckpoint).toBe(1000);
    }
  });

  it('publishes only rows not there yet and tells which', async () => {
    await env.database.db.insertInto('member_stats').values({ org_id: orgIds[1]!, status: 'b1', n: 99 }).execute();
    const staged = env.database.stage('member_stats');
    try {
      await staged.add(rowsFor((i) => `b${i}`, 3));
      const inserted = await env.database.db
        .transaction()
        .execute((trx) => staged.publishNew(trx, ['org_id', 'status']));
      expect(inserted).toEqual([true, false, true]);
      expect(await count('b')).toBe(3);
      const kept = await env.database.db
        .selectFrom('member_stats')
        .select('n')
        .where('status', '=', 'b1')
        .executeTakeFirstOrThrow();
      expect(kept.n).toBe(99);
    } finally {
      await staged.discard();
    }
  });

  it('leaves nothing when the publishing transaction fails, and can be discarded twice', async () => {
    const staged = env.database.stage('member_stats');
    try {
      await staged.add(rowsFor((i) => `c${i}`, 10));
      await expect(
        env.database.db.transaction().execute(async (trx) => {
          await staged.publish(trx);
          throw new Error('rejected');
        }),
      ).rejects.toThrow('rejected');
      expect(await count('c')).toBe(0);
    } finally {
      await staged.discard();
      await staged.discard();
    }
    expect(staged.size).toBe(0);
  });
});
