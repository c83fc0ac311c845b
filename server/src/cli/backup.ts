import { createReadStream, createWriteStream } from 'node:fs';
import { createGunzip, createGzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { sha256 } from '../common/crypto.js';

/** Tables in dependency order (parents first). */
export const BACKUP_TABLES: (keyof DB)[] = [
  'org',
  'account',
  'org_contact',
  'role',
  'invite_code',
  'audit_log',
  'session',
  'login_failure',
  'member',
  'member_stats',
  'member_correction',
  'member_transfer',
  'party_recommendation',
  'member_evaluation',
  'dues_standard',
  'dues_payment',
  'member_sign_in_code',
  'member_session',
  'lesson',
  'lesson_checkin',
  'lesson_stats',
  'study_daily',
  'notification',
  'org_webhook',
  'work_plan',
  'task',
  'task_assignment',
  'task_report',
  'file_blob',
  'task_attachment',
  'upload_limit',
  'task_reminder',
];
/** Unique key to page through a table in order (`id` unless named here). */
const PAGE_KEY: Partial<Record<keyof DB, string[]>> = {
  invite_code: ['code'],
  session: ['id'],
  member_stats: ['org_id', 'status'],
  dues_standard: ['identity_category'],
  member_sign_in_code: ['code_hash'],
  lesson_stats: ['lesson_id', 'org_id'],
  study_daily: ['org_id', 'day'],
  org_webhook: ['org_id'],
  file_blob: ['sha256'],
  upload_limit: ['org_id'],
  task_reminder: ['assignment_id', 'milestone', 'kind'],
};
const pageKey = (table: keyof DB) => PAGE_KEY[table] ?? ['id'];
const FORMAT = 'tuanwu-backup/1';

/**
 * Logical backup, the same on SQLite and PostgreSQL (and restorable across them): gzip'd JSON lines, a header
 * then one line per row. Encrypted fields stay encrypted, so a restore needs the same instance key; the
 * header records the key's fingerprint and restore refuses another key. Reads run in one transaction, so
 * the server may keep running.
 */
export async function backup(
  database: Database,
  secretKey: Buffer,
  file: string,
  onTable?: (t: string, n: number) => void,
) {
  const out = createGzip();
  const sink = createWriteStream(file);
  out.pipe(sink);
  const write = async (obj: unknown) => {
    if (!out.write(JSON.stringify(obj) + '\n')) await once(out, 'drain');
  };
  const counts: Record<string, number> = {};
  await database.db.transaction().execute(async (trx) => {
    await write({
      format: FORMAT,
      createdAt: new Date().toISOString(),
      dialect: database.dialect.name,
      keyFingerprint: sha256(secretKey.toString('hex')).slice(0, 16),
    });
    for (const table of BACKUP_TABLES) {
      let n = 0;
      let last: Record<string, unknown> | null = null;
      const key = pageKey(table);
      const cols = sql.join(key.map((k) => sql.ref(k)));
      for (;;) {
        let q = trx
          .selectFrom(table)
          .selectAll()
          .orderBy(key.map((k) => sql.ref(k)))
          .limit(5000);
        // Row-value comparison pages through composite keys on both databases.
        if (last) q = q.where(sql<boolean>`(${cols}) > (${sql.join(key.map((k) => last![k]))})`);
        const rows = (await q.execute()) as Record<string, unknown>[];
        for (const r of rows) await write({ t: table, r });
        n += rows.length;
        if (rows.length < 5000) break;
        last = rows.at(-1)!;
      }
      counts[table] = n;
      onTable?.(table, n);
    }
  });
  out.end();
  await once(sink, 'finish');
  return counts;
}

export async function restore(
  database: Database,
  secretKey: Buffer,
  file: string,
  onTable?: (t: string, n: number) => void,
) {
  const { db, dialect } = database;
  for (const table of ['org', 'account'] as const) {
    const any = await db.selectFrom(table).select('id').limit(1).executeTakeFirst();
    if (any) throw new Error('恢复只能在空实例上进行：当前数据库已有组织或账号');
  }
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header: { format?: string; keyFingerprint?: string } | undefined;
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    let batch: Record<string, unknown>[] = [];
    let table: keyof DB | undefined;
    const flush = async () => {
      if (!table || !batch.length) return;
      const cols = Object.keys(batch[0]!).length;
      for (let i = 0; i < batch.length; i += dialect.batchRows(cols)) {
        await trx
          .insertInto(table)
          .values(batch.slice(i, i + dialect.batchRows(cols)) as never)
          .execute();
      }
      counts[table] = (counts[table] ?? 0) + batch.length;
      batch = [];
    };
    for await (const line of lines) {
      if (!line) continue;
      const obj = JSON.parse(line) as {
        t?: keyof DB;
        r?: Record<string, unknown>;
        format?: string;
        keyFingerprint?: string;
      };
      if (!header) {
        header = obj;
        if (obj.format !== FORMAT) throw new Error('不是 tuanwu 备份文件');
        if (obj.keyFingerprint !== sha256(secretKey.toString('hex')).slice(0, 16))
          throw new Error('备份使用的实例密钥与当前不同：请设置相同的 TUANWU_SECRET 或 secret.key 后再恢复');
        continue;
      }
      if (obj.t !== table) {
        await flush();
        if (table) onTable?.(table, counts[table] ?? 0);
        table = obj.t;
      }
      batch.push(obj.r!);
      if (batch.length >= 5000) await flush();
    }
    await flush();
    if (table) onTable?.(table, counts[table] ?? 0);
    for (const t of BACKUP_TABLES) if (!PAGE_KEY[t]) await dialect.resyncIds(trx, t);
  });
  if (!header) throw new Error('备份文件是空的');
  return counts;
}
