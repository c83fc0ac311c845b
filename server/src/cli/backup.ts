import { createReadStream, createWriteStream } from 'node:fs';
import { createGunzip, createGzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { sha256 } from '../common/crypto.js';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FileStore } from '../files/file-store.js';

/**
 * Tables in dependency order (parents first). Not backed up: org_fact and org_fact_dirty, derived from member and
 * its records (assessment/org-facts.ts); a restore's inserts mark every restored branch, and the first scoring
 * (or the hourly refresh of `serve`) recomputes them.
 */
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
  'assessment_indicator',
  'assessment_scheme',
  'assessment_subject',
  'assessment_item',
  'assessment_deduction',
  'assessment_adjustment',
  'assessment_report',
  'assessment_evidence',
  'assessment_result',
  'branch_rating',
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
  assessment_subject: ['scheme_id', 'org_id'],
  assessment_result: ['scheme_id', 'org_id'],
  branch_rating: ['scheme_id', 'org_id'],
};
const pageKey = (table: keyof DB) => PAGE_KEY[table] ?? ['id'];
const FORMAT = 'tuanwu-backup/1';

/** Rows of a table in key order, a page at a time (the same order for backups and checksums). */
async function* tableRows(db: Database['db'], table: keyof DB) {
  const key = pageKey(table);
  const cols = sql.join(key.map((k) => sql.ref(k)));
  let last: Record<string, unknown> | null = null;
  for (;;) {
    let q = db
      .selectFrom(table)
      .selectAll()
      .orderBy(key.map((k) => sql.ref(k)))
      .limit(5000);
    // Row-value comparison pages through composite keys on both databases.
    if (last) q = q.where(sql<boolean>`(${cols}) > (${sql.join(key.map((k) => last![k]))})`);
    const rows = (await q.execute()) as Record<string, unknown>[];
    yield rows;
    if (rows.length < 5000) return;
    last = rows.at(-1)!;
  }
}

/** Row count and SHA-256 of every table's rows in key order (to prove a restore identical to its source). */
export async function tableChecksums(database: Database): Promise<Record<string, { rows: number; sha256: string }>> {
  const out: Record<string, { rows: number; sha256: string }> = {};
  for (const table of BACKUP_TABLES) {
    const hash = createHash('sha256');
    let rows = 0;
    for await (const page of tableRows(database.db, table))
      for (const r of page) {
        hash.update(
          JSON.stringify(
            Object.keys(r)
              .sort()
              .map((k) => [k, r[k]]),
          ) + '\n',
        );
        rows++;
      }
    out[table] = { rows, sha256: hash.digest('hex') };
  }
  return out;
}

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
  store?: FileStore,
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
      for await (const rows of tableRows(trx, table)) {
        for (const r of rows) await write({ t: table, r });
        n += rows.length;
      }
      counts[table] = n;
      onTable?.(table, n);
    }
    // Attachments: each stored file as chunks after the rows, checked against its name on restore.
    if (store) {
      let files = 0;
      for await (const page of tableRows(trx, 'file_blob'))
        for (const b of page) {
          const shaOf = String(b.sha256);
          if ((await store.size(shaOf)) === null)
            throw new Error(`附件文件缺失：${shaOf}（请先运行 tuanwu tasks collect-files 或从旧备份恢复）`);
          for await (const chunk of store.read(shaOf))
            await write({ f: shaOf, d: (chunk as Buffer).toString('base64') });
          files++;
        }
      counts['files'] = files;
      onTable?.('files', files);
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
  store?: FileStore,
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
    const integerIds = new Set<keyof DB>();
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
      if (typeof batch[0]!.id === 'number') integerIds.add(table);
      batch = [];
    };
    let current = null as { sha: string; stream: PassThrough; done: Promise<{ sha256: string }> } | null;
    const finishFile = async () => {
      if (!current) return;
      current.stream.end();
      const stored = await current.done;
      if (stored.sha256 !== current.sha) throw new Error(`备份中的附件 ${current.sha} 已损坏（校验不符）`);
      counts['files'] = (counts['files'] ?? 0) + 1;
      current = null;
    };
    for await (const line of lines) {
      if (!line) continue;
      const obj = JSON.parse(line) as {
        t?: keyof DB;
        r?: Record<string, unknown>;
        f?: string;
        d?: string;
        format?: string;
        keyFingerprint?: string;
      };
      if (obj.f !== undefined && header) {
        if (!store) throw new Error('备份包含附件，但没有给出附件存储位置');
        if (current?.sha !== obj.f) {
          await finishFile();
          const stream = new PassThrough();
          current = { sha: obj.f, stream, done: store.put(stream, Number.MAX_SAFE_INTEGER, () => {}) };
        }
        if (!current!.stream.write(Buffer.from(obj.d ?? '', 'base64'))) await once(current!.stream, 'drain');
        continue;
      }
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
    await finishFile();
    if (table) onTable?.(table, counts[table] ?? 0);
    if (counts['files']) onTable?.('files', counts['files']);
    // Tables with generated integer ids continue above the restored ones (text ids have no generator).
    for (const t of integerIds) await dialect.resyncIds(trx, t);
  });
  if (!header) throw new Error('备份文件是空的');
  return counts;
}
