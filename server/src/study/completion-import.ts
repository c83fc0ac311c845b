import { readFile } from 'node:fs/promises';
import { breathe } from '../common/breathe.js';
import { sql } from 'kysely';
import { isUtf8 } from 'node:buffer';
import type { Database } from '../db/database.js';
import type { FieldCipher } from '../common/crypto.js';
import { inSubtree, ancestorIds, requireOrg } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict } from '../common/errors.js';
import { readSheetOffThread } from '../common/sheet-thread.js';
import { cleanCell, headerKey, normalizePhone, toHalfWidth } from '../common/text.js';
import { nowIso, shanghaiDay, shanghaiInstant } from '../common/time.js';
import { CURRENT_STATUSES, checkIdNumber } from '../member/member-fields.js';
import type { LessonService } from './lesson.service.js';
import { StudyStats, type LearnerDelta } from './study-stats.js';

/** Column names seen in provincial completion exports (first = the name shown in messages). */
export const COMPLETION_COLUMNS = {
  name: ['姓名', '学员姓名', '团员姓名', '真实姓名', '用户姓名'],
  idNumber: ['身份证号', '身份证号码', '公民身份号码', '证件号码'],
  admissionNumber: ['发展团员编号', '团员编号'],
  phone: ['手机号', '手机号码', '联系电话'],
  number: ['学号', '工号', '学号/工号', '学号或工号'],
  org: ['所在组织', '所属组织', '所在团支部', '团支部', '组织', '组织名称', '组织路径', '所在团组织'],
  completedAt: ['完成时间', '学习时间', '打卡时间', '提交时间'],
} satisfies Record<string, string[]>;

type ColumnKey = keyof typeof COMPLETION_COLUMNS & string;
/** One row of the file: every known column, empty where the file has none. */
type CompletionRow = Record<ColumnKey, string>;
const row = (cell: (key: ColumnKey) => string): CompletionRow => ({
  name: cell('name'),
  idNumber: cell('idNumber'),
  admissionNumber: cell('admissionNumber'),
  phone: cell('phone'),
  number: cell('number'),
  org: cell('org'),
  completedAt: cell('completedAt'),
});

/** Problems listed in a report (the counts cover every row). */
const MAX_LISTED = 2000;
const MAX_BYTES = 300 * 1024 * 1024;
/** Rows read per query before other requests get their turn. */
const READ_PAGE = 20_000;
/** Rows of the file handled before other requests get their turn. */
const TURN_ROWS = 5000;

export interface CompletionProblem {
  row: number;
  column: string;
  value: string;
  reason: string;
  kind: 'unmatched' | 'ambiguous';
  candidates?: { memberId: number; name: string; orgName: string }[];
}

export interface CompletionReport {
  rows: number;
  matched: number;
  alreadyIn: number;
  created: number;
  duplicatesInFile: number;
  unmatched: number;
  ambiguous: number;
  problems: CompletionProblem[];
  dryRun: boolean;
  ms: number;
}

/** Names compared without spaces, full-width characters or the dots of minority names written differently. */
const normName = (s: string) =>
  /[\s.．・•\uFF01-\uFF5E\u3000]/.test(s)
    ? toHalfWidth(s)
        .replace(/\s+/g, '')
        .replace(/[.．・•]/g, '·')
    : s;
const normOrg = (s: string) => toHalfWidth(s).replace(/\s+/g, '').replace(/[（]/g, '(').replace(/[）]/g, ')');

/** Splits CSV text into rows of fields (RFC 4180 quotes; a fast path when the file has none). */
export function parseCsv(text: string): string[][] {
  return [...csvRows(text)];
}

/** The rows of CSV text one at a time, so that a reader of a large file can let other work run in between. */
function* csvRows(text: string): Generator<string[]> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const sep =
    (body.slice(0, 2000).match(/\t/g)?.length ?? 0) > (body.slice(0, 2000).match(/,/g)?.length ?? 0) ? '\t' : ',';
  if (!body.includes('"')) {
    // Line by line (as split(/\r?\n/) would cut them), without first cutting a file of many megabytes at once.
    for (let start = 0; start <= body.length;) {
      const nl = body.indexOf('\n', start);
      const end = nl < 0 ? body.length : nl;
      yield body.slice(start, nl > start && body.charCodeAt(nl - 1) === 13 ? nl - 1 : end).split(sep);
      start = end + 1;
    }
    return;
  }
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      row.push(field);
      yield row;
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    yield row;
  }
}

/** Text of a CSV export: UTF-8 (with or without BOM), or GB18030 as older platforms write it. */
export function decodeCsv(buf: Buffer): string {
  return isUtf8(buf) ? buf.toString('utf8') : new TextDecoder('gb18030').decode(buf);
}

/** `2026-11-20 20:31:05`, `2026/11/20 20:31`, ISO, or an Excel serial; a time without zone is Beijing time. */
export function parseCompletedAt(raw: string): string | null {
  const t = toHalfWidth(raw).trim();
  if (!t) return null;
  if (/^\d+(\.\d+)?$/.test(t)) {
    const serial = Number(t);
    if (serial > 20000 && serial < 80000)
      return new Date(Math.round((serial - 25569) * 86_400_000) - 8 * 3_600_000).toISOString();
    return null;
  }
  if (/[zZ]|[+-]\d\d:?\d\d$/.test(t) && !Number.isNaN(Date.parse(t))) return new Date(t).toISOString();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?)?/.exec(
    t,
  );
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const day = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
  const iso = shanghaiInstant(day, `${h.padStart(2, '0')}:${mi.padStart(2, '0')}`);
  const out = new Date(Date.parse(iso) + Number(s) * 1000);
  return Number.isNaN(out.getTime()) ? null : out.toISOString();
}

interface OrgNode {
  id: number;
  parent: number | null;
  path: string;
  name: string;
  kind: string;
}

/**
 * Imports the completion list of a provincial platform for one lesson: each row is matched to a member of the
 * importing org's subtree — by 身份证号, 发展团员编号 or 手机号 when the file has them, otherwise by the name within
 * the branch its 所在组织 names. Rows that match nobody, or more than one person, are listed with the
 * candidates for a person to resolve; nothing is guessed. Members already checked in are left as they are,
 * so importing the same file again changes nothing.
 */
export class CompletionImporter {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly lessons: LessonService,
  ) {}

  private get db() {
    return this.database.db;
  }

  async importFile(ctx: Ctx, lessonId: number, orgId: number, file: string, opts: { dryRun: boolean }) {
    return this.run(ctx, lessonId, orgId, await readFile(file), opts);
  }

  async run(
    ctx: Ctx,
    lessonId: number,
    orgId: number,
    buf: Buffer,
    opts: { dryRun: boolean },
  ): Promise<CompletionReport> {
    const started = Date.now();
    if (!buf.length) throw badRequest('文件是空的', [{ path: 'file', message: '空文件' }]);
    if (buf.length > MAX_BYTES)
      throw badRequest('文件超过 300 MB，请按区县分开导入', [{ path: 'file', message: '文件过大' }]);
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(ctx.actor, 'write', org);
    const lesson = await this.lessons.readable(ctx.actor, lessonId);
    if (!org!.path.startsWith(lesson.targetPath) && !lesson.targetPath.startsWith(org!.path))
      throw badRequest('本期学习不面向该组织', [{ path: 'orgId', message: '不在本期学习对象范围内' }]);
    if (lesson.status === 'withdrawn') throw conflict('本期学习已撤回');

    const table = await this.readTable(buf);
    const col = table.columns;
    if (!col.has('name'))
      throw badRequest('文件缺少“姓名”列', [{ path: 'file', column: '姓名', message: '缺少必需的列“姓名”' }]);
    if (!col.has('org') && !col.has('idNumber') && !col.has('admissionNumber') && !col.has('phone'))
      throw badRequest('文件需要“所在组织”列，或身份证号、发展团员编号、手机号之一，才能认出是谁', [
        { path: 'file', column: '所在组织', message: '缺少用来匹配的列' },
      ]);

    // Everyone who could be meant: current members of the subtree, by branch and name.
    // Read in pages along the (org_path, id) index, letting other requests run in between: on SQLite one
    // query over two million members would hold the only connection for seconds.
    const byId = new Map<number, { id: number; org_id: number; name: string }>();
    const byBranchName = new Map<number, Map<string, number[]>>();
    for (let after: { org_path: string; id: number } | null = null; ;) {
      let q = this.db
        .selectFrom('member')
        .select(['id', 'org_id', 'name', 'org_path'])
        .where((eb) => inSubtree(eb, 'member.org_path', org!.path))
        .where('status', 'in', CURRENT_STATUSES)
        .orderBy('org_path')
        .orderBy('id')
        .limit(READ_PAGE);
      const last = after;
      if (last) q = q.where(sql<boolean>`(org_path, id) > (${last.org_path}, ${last.id})`);
      const page = await q.execute();
      for (const m of page) {
        byId.set(m.id, { id: m.id, org_id: m.org_id, name: m.name });
        let names = byBranchName.get(m.org_id);
        if (!names) byBranchName.set(m.org_id, (names = new Map()));
        const k = normName(m.name);
        const list = names.get(k);
        if (list) list.push(m.id);
        else names.set(k, [m.id]);
      }
      if (page.length < READ_PAGE) break;
      after = page.at(-1)!;
      await breathe();
    }
    // The orgs of the subtree, in pages along the path index too (a province has about 100,000).
    const orgById = new Map<number, OrgNode>();
    const branchesByName = new Map<string, OrgNode[]>();
    for (let after: string | null = null; ;) {
      let q = this.db
        .selectFrom('org')
        .select(['id', 'parent_id', 'path', 'name', 'short_name', 'kind'])
        .where((eb) => inSubtree(eb, 'org.path', org!.path))
        .where('status', '=', 'active')
        .orderBy('path')
        .limit(READ_PAGE);
      if (after !== null) q = q.where('path', '>', after);
      const page = await q.execute();
      for (const o of page) {
        const node = { id: o.id, parent: o.parent_id, path: o.path, name: normOrg(o.name), kind: o.kind };
        orgById.set(o.id, node);
        if (o.kind !== 'branch') continue;
        for (const n of new Set([node.name, o.short_name ? normOrg(o.short_name) : ''])) {
          if (!n) continue;
          const list = branchesByName.get(n);
          if (list) list.push(node);
          else branchesByName.set(n, [node]);
        }
      }
      if (page.length < READ_PAGE) break;
      after = page.at(-1)!.path;
      await breathe();
    }
    const branchCache = new Map<string, { branch?: OrgNode; reason?: string }>();
    const resolveBranch = (raw: string) => {
      let hit = branchCache.get(raw);
      if (hit) return hit;
      const segments = raw
        .split(/[/>＞|\\、]+/)
        .map(normOrg)
        .filter(Boolean);
      const last = segments.at(-1);
      const candidates = last ? (branchesByName.get(last) ?? []) : [];
      if (!candidates.length) hit = { reason: `在${org!.name}下没有找到团支部“${last ?? raw}”` };
      else if (candidates.length === 1) hit = { branch: candidates[0]! };
      else {
        // Several branches of that name: keep those whose ancestors carry the most of the other segments, in order.
        const score = (b: OrgNode) => {
          let s = 0;
          let i = segments.length - 2;
          for (let p = b.parent; p !== null && i >= 0;) {
            const o = orgById.get(p);
            if (!o) break;
            if (o.name === segments[i]) {
              s++;
              i--;
            }
            p = o.parent;
          }
          return s;
        };
        const scored = candidates.map((b) => ({ b, s: score(b) }));
        const best = Math.max(...scored.map((x) => x.s));
        const top = scored.filter((x) => x.s === best);
        hit =
          top.length === 1
            ? { branch: top[0]!.b }
            : { reason: `有 ${top.length} 个团支部都叫“${last}”，请在所在组织中写出上级组织` };
      }
      branchCache.set(raw, hit);
      return hit;
    };

    // Exact keys first (hashes looked up in one pass per column).
    const exact = new Map<number, number>(); // row index → member id
    const exactMiss = new Map<number, { column: string; value: string; reason: string }>();
    const lookup = async (key: 'idNumber' | 'phone' | 'admissionNumber') => {
      const wanted = new Map<string, number[]>();
      for (let i = 0; i < table.rows.length; i++) {
        if (i % TURN_ROWS === TURN_ROWS - 1) await breathe();
        if (exact.has(i)) continue;
        const raw = table.rows[i]![key];
        if (!raw) continue;
        let k: string | null;
        if (key === 'idNumber') {
          const c = checkIdNumber(raw);
          k = c.ok ? this.cipher.hash(c.idNumber) : null;
        } else if (key === 'phone') {
          const p = normalizePhone(raw);
          k = p ? this.cipher.hash(p) : null;
        } else k = toHalfWidth(raw).replace(/\s+/g, '');
        if (!k) continue;
        const list = wanted.get(k);
        if (list) list.push(i);
        else wanted.set(k, [i]);
      }
      const keys = [...wanted.keys()];
      const column = key === 'idNumber' ? 'id_number_hash' : key === 'phone' ? 'phone_hash' : 'admission_number';
      for (let i = 0; i < keys.length; i += 1000) {
        const found = await this.db
          .selectFrom('member')
          .select(['id', column])
          .where(column, 'in', keys.slice(i, i + 1000))
          .where('status', 'in', CURRENT_STATUSES)
          .where((eb) => inSubtree(eb, 'member.org_path', org!.path))
          .execute();
        const seen = new Map<string, number[]>();
        for (const f of found) {
          const k = String((f as Record<string, unknown>)[column]);
          seen.set(k, [...(seen.get(k) ?? []), f.id]);
        }
        for (const k of keys.slice(i, i + 1000)) {
          const ids = seen.get(k) ?? [];
          for (const row of wanted.get(k)!) {
            if (ids.length === 1) exact.set(row, ids[0]!);
            else if (ids.length > 1 && !exactMiss.has(row))
              exactMiss.set(row, {
                column: table.labels.get(key)!,
                value: table.rows[row]![key],
                reason: '手机号对应多名团员',
              });
          }
        }
      }
    };
    if (col.has('idNumber')) await lookup('idNumber');
    if (col.has('admissionNumber')) await lookup('admissionNumber');
    if (col.has('phone')) await lookup('phone');

    const already = new Set<number>();
    for (let after = 0; ;) {
      const page = await this.db
        .selectFrom('lesson_checkin')
        .select('member_id')
        .where('lesson_id', '=', lessonId)
        .where('member_id', '>', after)
        .orderBy('member_id')
        .limit(READ_PAGE)
        .execute();
      for (const e of page) already.add(e.member_id!);
      if (page.length < READ_PAGE) break;
      after = page.at(-1)!.member_id!;
      await breathe();
    }

    const report: CompletionReport = {
      rows: table.rows.length,
      matched: 0,
      alreadyIn: 0,
      created: 0,
      duplicatesInFile: 0,
      unmatched: 0,
      ambiguous: 0,
      problems: [],
      dryRun: opts.dryRun,
      ms: 0,
    };
    const problem = (p: CompletionProblem) => {
      if (p.kind === 'unmatched') report.unmatched++;
      else report.ambiguous++;
      if (report.problems.length < MAX_LISTED) report.problems.push(p);
    };
    const now = nowIso();
    const fallbackAt = lesson.closes_at < now ? lesson.closes_at : now;
    const inFile = new Set<number>();
    const toInsert: { memberId: number; at: string }[] = [];
    const nameLabel = table.labels.get('name')!;
    const orgLabel = table.labels.get('org') ?? '所在组织';
    for (let i = 0; i < table.rows.length; i++) {
      if (i % TURN_ROWS === TURN_ROWS - 1) await breathe();
      const r = table.rows[i]!;
      const rowNo = table.rowNumbers[i]!;
      let memberId = exact.get(i);
      if (memberId === undefined) {
        const miss = exactMiss.get(i);
        const name = normName(r.name);
        const orgText = r.org;
        if (!name) {
          problem({ row: rowNo, column: nameLabel, value: '', reason: '姓名为空', kind: 'unmatched' });
          continue;
        }
        if (!orgText) {
          problem({
            row: rowNo,
            column: miss?.column ?? orgLabel,
            value: miss?.value ?? '',
            reason: miss?.reason ?? '没有所在组织，也没有能认出本人的身份证号、发展团员编号或手机号',
            kind: 'unmatched',
          });
          continue;
        }
        const b = resolveBranch(orgText);
        if (!b.branch) {
          problem({ row: rowNo, column: orgLabel, value: orgText, reason: b.reason!, kind: 'unmatched' });
          continue;
        }
        const ids = byBranchName.get(b.branch.id)?.get(name) ?? [];
        if (ids.length === 0) {
          problem({
            row: rowNo,
            column: nameLabel,
            value: r.name,
            reason: `团支部里没有名为“${r.name}”的在册团员`,
            kind: 'unmatched',
          });
          continue;
        }
        if (ids.length > 1) {
          problem({
            row: rowNo,
            column: nameLabel,
            value: r.name,
            reason: `团支部里有 ${ids.length} 名同名团员，请选择是哪一位`,
            kind: 'ambiguous',
            candidates: ids.map((id) => ({ memberId: id, name: byId.get(id)!.name, orgName: b.branch!.name })),
          });
          continue;
        }
        memberId = ids[0]!;
      }
      report.matched++;
      if (already.has(memberId)) {
        report.alreadyIn++;
        continue;
      }
      if (inFile.has(memberId)) {
        report.duplicatesInFile++;
        continue;
      }
      inFile.add(memberId);
      toInsert.push({ memberId, at: parseCompletedAt(r.completedAt) ?? fallbackAt });
    }
    report.created = toInsert.length;
    if (!opts.dryRun && toInsert.length) {
      // The check-ins are staged in turns (on SQLite a temporary table), then inserted with the roll-up and the
      // audit entry in one short transaction: nothing of the import is seen before it commits, all of it after.
      const staged = this.database.stage('lesson_checkin');
      try {
        const rows = [];
        // The roll-up's changes, per branch and day (as many deltas of one learner each would give).
        const perBranchDay = new Map<string, LearnerDelta>();
        for (const [i, t] of toInsert.entries()) {
          const m = byId.get(t.memberId)!;
          rows.push({
            lesson_id: lessonId,
            learner_key: `m:${t.memberId}`,
            kind: 'member' as const,
            member_id: t.memberId,
            name: null,
            number: null,
            org_id: m.org_id,
            source: 'import' as const,
            checked_in_at: t.at,
          });
          const day = shanghaiDay(t.at);
          const k = `${m.org_id}|${day}`;
          const d = perBranchDay.get(k);
          if (d) d.members++;
          else
            perBranchDay.set(k, {
              lessonId,
              branchId: m.org_id,
              branchPath: orgById.get(m.org_id)!.path,
              members: 1,
              youth: 0,
              day,
            });
          if (rows.length === TURN_ROWS || i === toInsert.length - 1) {
            await staged.add(rows);
            rows.length = 0;
          }
        }
        await this.db.transaction().execute(async (trx) => {
          // A member may check in on their phone while the file is read: such rows are skipped, not counted twice.
          const inserted = await staged.publishNew(trx, ['lesson_id', 'learner_key']);
          inserted.forEach((ok, i) => {
            if (ok) return;
            report.created--;
            report.alreadyIn++;
            const t = toInsert[i]!;
            perBranchDay.get(`${byId.get(t.memberId)!.org_id}|${shanghaiDay(t.at)}`)!.members--;
          });
          await StudyStats.apply(trx, [...perBranchDay.values()]);
          await audit(trx, ctx, {
            org: org!,
            action: 'study.import',
            subjectType: 'lesson',
            subjectId: lessonId,
            after: {
              rows: report.rows,
              created: report.created,
              alreadyIn: report.alreadyIn,
              unmatched: report.unmatched,
              ambiguous: report.ambiguous,
            },
          });
        });
      } finally {
        await staged.discard();
      }
    }
    report.ms = Date.now() - started;
    return report;
  }

  /** A person resolved listed rows: the chosen members are recorded as having learned (source: import). */
  async resolve(ctx: Ctx, lessonId: number, memberIds: number[]) {
    const lesson = await this.lessons.readable(ctx.actor, lessonId);
    const rows = await this.db
      .selectFrom('member')
      .select(['id', 'org_id', 'org_path', 'status'])
      .where('id', 'in', memberIds.length ? memberIds : [0])
      .execute();
    if (rows.length !== new Set(memberIds).size)
      throw badRequest('有团员不存在', [{ path: 'memberIds', message: '团员不存在' }]);
    for (const m of rows) {
      requireOrg(ctx.actor, 'write', { id: m.org_id, path: m.org_path });
      if (!m.org_path.startsWith(lesson.targetPath)) throw badRequest('有团员不在本期学习对象范围内');
      if (!CURRENT_STATUSES.includes(m.status)) throw badRequest('只能为在册团员补录');
    }
    const at = lesson.closes_at < nowIso() ? lesson.closes_at : nowIso();
    let created = 0;
    await this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('lesson_checkin')
        .values(
          rows.map((m) => ({
            lesson_id: lessonId,
            learner_key: `m:${m.id}`,
            kind: 'member' as const,
            member_id: m.id,
            name: null,
            number: null,
            org_id: m.org_id,
            source: 'import' as const,
            checked_in_at: at,
          })),
        )
        .onConflict((oc) => oc.columns(['lesson_id', 'learner_key']).doNothing())
        .returning('member_id')
        .execute();
      const fresh = new Set(inserted.map((r) => r.member_id));
      created = fresh.size;
      await StudyStats.apply(
        trx,
        rows
          .filter((m) => fresh.has(m.id))
          .map((m) => ({
            lessonId,
            branchId: m.org_id,
            branchPath: m.org_path,
            members: 1,
            youth: 0,
            day: shanghaiDay(at),
          })),
      );
      await audit(trx, ctx, {
        org: { id: ancestorIds(lesson.targetPath).at(-1)!, path: lesson.targetPath },
        action: 'study.resolve',
        subjectType: 'lesson',
        subjectId: lessonId,
        after: { memberIds, created },
      });
    });
    return { created };
  }

  private async readTable(buf: Buffer) {
    const isXlsx = buf[0] === 0x50 && buf[1] === 0x4b;
    if (isXlsx) {
      const sheet = await readSheetOffThread(buf, COMPLETION_COLUMNS, []);
      return {
        columns: new Set(sheet.columns.keys()),
        labels: sheet.labels,
        rows: sheet.rows.map((r) => row((key) => r.cells.get(key) ?? '')),
        rowNumbers: sheet.rows.map((r) => r.row),
      };
    }
    const lines = csvRows(decodeCsv(buf));
    // The header is among the first ten lines.
    const head: string[][] = [];
    while (head.length < 10) {
      const next = lines.next();
      if (next.done) break;
      head.push(next.value);
    }
    const lookup = new Map<string, string>();
    for (const [key, names] of Object.entries(COMPLETION_COLUMNS)) for (const n of names) lookup.set(headerKey(n), key);
    let header = -1;
    let columns = new Map<string, number>();
    let labels = new Map<string, string>();
    for (let r = 0; r < head.length; r++) {
      const c = new Map<string, number>();
      const l = new Map<string, string>();
      head[r]!.forEach((cell, i) => {
        const key = lookup.get(headerKey(cleanCell(cell)));
        if (key && !c.has(key)) {
          c.set(key, i);
          l.set(key, cleanCell(cell));
        }
      });
      if (c.size > columns.size) {
        header = r;
        columns = c;
        labels = l;
      }
    }
    if (header < 0)
      throw badRequest('没有找到表头（应包含：姓名、所在组织），请检查文件', [{ path: 'file', message: '缺少表头' }]);
    const rows: CompletionRow[] = [];
    const rowNumbers: number[] = [];
    const at = Object.fromEntries(Object.keys(COMPLETION_COLUMNS).map((k) => [k, columns.get(k) ?? -1]));
    let r = header;
    const following = function* () {
      yield* head.slice(header + 1);
      yield* lines;
    };
    for (const line of following()) {
      r++;
      if (r % TURN_ROWS === 0) await breathe();
      let any = false;
      const cells = row((key) => {
        const i = at[key]!;
        const v = i < 0 ? '' : cleanCell(line[i] ?? '');
        if (v) any = true;
        return v;
      });
      if (!any) continue;
      rows.push(cells);
      rowNumbers.push(r + 1);
    }
    return { columns: new Set(columns.keys()), labels, rows, rowNumbers };
  }
}
