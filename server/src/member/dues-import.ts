import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Database } from '../db/database.js';
import { can, inSubtree, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { importRejected, type FieldProblem } from '../common/errors.js';
import { readSheet, type SheetSpec } from '../common/excel.js';
import { cleanCell, toHalfWidth } from '../common/text.js';
import { nowIso } from '../common/time.js';
import {
  CURRENT_STATUSES,
  MEMBER_STATUS_LABELS,
  checkIdNumber,
  maskIdNumber,
  parseYearMonth,
} from './member-fields.js';
import { idNumberCell } from './member-import.js';
import type { MemberService } from './member.service.js';
import type { MemberRecordsService } from './member-records.service.js';
import { DEFAULT_DUES } from './member-records.service.js';

/** Column aliases of the 团费 import (see docs/member-records.md). */
export const DUES_IMPORT_COLUMNS: Record<string, string[]> = {
  name: ['姓名', '团员姓名'],
  idNumber: ['身份证号', '公民身份号码', '身份证号码', '证件号码'],
  month: ['缴费月份', '月份', '所属月份', '缴纳月份', '团费月份'],
  amount: ['金额（元）', '金额', '缴费金额', '团费金额', '实缴金额', '缴纳金额'],
};
const label = (k: string) => DUES_IMPORT_COLUMNS[k]![0]!;
const MAX_ROWS = 100_000;
/** One month's dues above this are surely a typo (a year's amount, or cents written as yuan). */
const MAX_CENTS = 100_000;

export interface DuesImportResult {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  rows: {
    row: number;
    name: string;
    idNumberMasked: string;
    orgName: string;
    month: string;
    amountCents: number;
    action: 'create' | 'update' | 'unchanged';
    changes: { field: string; label: string; from: string | null; to: string | null }[];
  }[];
}

const yuan = (cents: number) => (cents / 100).toFixed(2);

/** `0.2`, `０.２０`, `0.20元`, `¥1` → cents; undefined when blank; a string reason when unreadable. */
function parseAmount(raw: unknown, text: string): number | undefined | string {
  if (typeof raw === 'number') return Number.isFinite(raw) ? Math.round(raw * 100) : '金额无法识别';
  const t = toHalfWidth(text)
    .replace(/\s+/g, '')
    .replace(/^[¥￥]/, '')
    .replace(/元$/, '');
  if (!t) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(t)) return '金额应为数字（元），如 0.2';
  if (/\.\d{3,}$/.test(t)) return '金额最多两位小数（分）';
  return Math.round(Number(t) * 100);
}

/**
 * 团费 payments from Excel: one row per member and month, matched by ID number to a member of the target's
 * subtree. All or nothing with a row-by-row report; idempotent (a month already recorded with the same
 * amount is unchanged, with another amount it is updated and shown in the preview first).
 */
export class DuesImporter {
  private readonly db: Kysely<DB>;
  private readonly database: Database;

  constructor(
    private readonly members: MemberService,
    private readonly records: MemberRecordsService,
  ) {
    this.database = members.database;
    this.db = members.database.db;
  }

  async run(ctx: Ctx, targetId: number, file: Buffer, dryRun: boolean): Promise<DuesImportResult> {
    const target = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', targetId)
      .executeTakeFirst();
    requireOrg(ctx.actor, 'write', target);
    const sheet = await readSheet(file, DUES_IMPORT_COLUMNS, ['idNumber', 'month']);
    if (sheet.rows.length === 0) throw importRejected([{ path: 'file', message: '文件中没有数据行' }]);
    if (sheet.rows.length > MAX_ROWS)
      throw importRejected([{ path: 'file', message: `单次最多导入 ${MAX_ROWS} 行，请分批导入` }]);

    const problems: FieldProblem[] = [];
    const add = (row: number, key: string, value: string, message: string) =>
      problems.push({ path: `第${row}行`, row, column: sheet.labels.get(key) ?? label(key), value, message });
    const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const latest = addMonths(thisMonth, 12);

    interface Parsed {
      row: number;
      name: string;
      idNumber: string;
      hash: string;
      month: string;
      amountCents: number | undefined;
    }
    const parsed: Parsed[] = [];
    const seen = new Map<string, number>();
    for (const { row, cells, raw } of sheet.rows) {
      const get = (k: string) => cells.get(k) ?? '';
      let ok = true;
      const idCell = idNumberCell(raw.get('idNumber'), get('idNumber'));
      let idNumber = '';
      if (!('text' in idCell)) {
        add(row, 'idNumber', idCell.value, idCell.problem);
        ok = false;
      } else if (!idCell.text) {
        add(row, 'idNumber', '', '身份证号不能为空');
        ok = false;
      } else {
        const id = checkIdNumber(idCell.text);
        if (!id.ok) {
          add(row, 'idNumber', idCell.text, id.reason);
          ok = false;
        } else idNumber = id.idNumber;
      }
      const monthText = get('month');
      const rawMonth = raw.get('month');
      const month = monthText
        ? parseYearMonth(rawMonth instanceof Date || typeof rawMonth === 'number' ? rawMonth : monthText)
        : null;
      if (!monthText) {
        add(row, 'month', '', '缴费月份不能为空');
        ok = false;
      } else if (!month) {
        add(row, 'month', monthText, '缴费月份无法识别，请写成 2026-01 或 2026年1月');
        ok = false;
      } else if (month > latest) {
        add(row, 'month', monthText, `缴费月份不能晚于 ${latest}（最多预缴12个月）`);
        ok = false;
      }
      const amount = parseAmount(raw.get('amount'), get('amount'));
      if (typeof amount === 'string') {
        add(row, 'amount', get('amount'), amount);
        ok = false;
      } else if (amount !== undefined && amount < 0) {
        add(row, 'amount', get('amount'), '金额不能为负数');
        ok = false;
      } else if (amount === 0) {
        add(row, 'amount', get('amount'), '金额应大于0（未缴的月份不必填写）');
        ok = false;
      } else if (amount !== undefined && amount > MAX_CENTS) {
        add(row, 'amount', get('amount'), `金额过大：每行是一个月的团费，不超过 ${yuan(MAX_CENTS)} 元`);
        ok = false;
      }
      if (!ok) continue;
      const hash = this.members.cipher.hash(idNumber);
      const key = `${hash}|${month}`;
      const dup = seen.get(key);
      if (dup) {
        add(row, 'idNumber', maskIdNumber(idNumber), `与第${dup}行重复（同一团员、同一月份）`);
        continue;
      }
      seen.set(key, row);
      const name = cleanCell(get('name')).replace(/\s+/g, '');
      parsed.push({ row, name, idNumber, hash, month: month!, amountCents: amount as number | undefined });
    }

    // The members, by ID number: registered, inside the target's subtree and writable, still current.
    const hashes = [...new Set(parsed.map((p) => p.hash))];
    const found = new Map<
      string,
      {
        id: number;
        name: string;
        org_id: number;
        org_path: string;
        status: string;
        joined_on: string | null;
        identity_category: string | null;
        orgName: string;
      }
    >();
    for (let i = 0; i < hashes.length; i += 500) {
      const rows = await this.db
        .selectFrom('member')
        .innerJoin('org', 'org.id', 'member.org_id')
        .select([
          'member.id',
          'member.name',
          'member.org_id',
          'member.org_path',
          'member.status',
          'member.joined_on',
          'member.identity_category',
          'member.id_number_hash',
          'org.name as orgName',
        ])
        .where('member.id_number_hash', 'in', hashes.slice(i, i + 500))
        .execute();
      for (const r of rows) found.set(r.id_number_hash, r);
    }
    const inTarget = (path: string) => path.startsWith(target!.path);
    const standards = new Map((await this.records.standards()).map((s) => [s.identityCategory, s.centsPerMonth]));
    interface Planned extends Parsed {
      memberId: number;
      memberName: string;
      orgName: string;
      cents: number;
    }
    const planned: Planned[] = [];
    for (const p of parsed) {
      const m = found.get(p.hash);
      const masked = maskIdNumber(p.idNumber);
      if (!m) {
        add(p.row, 'idNumber', masked, '系统中没有这个身份证号的团员（请先登记团员，或核对身份证号）');
        continue;
      }
      if (!inTarget(m.org_path) || !can(ctx.actor, 'write', { id: m.org_id, path: m.org_path })) {
        // Where the member is registered is not said: it lies outside this cadre's subtree.
        add(p.row, 'idNumber', masked, `该团员不在“${target!.name}”及其下级团支部中，不能在此登记团费`);
        continue;
      }
      if (!CURRENT_STATUSES.includes(m.status as 'normal'))
        add(p.row, 'idNumber', masked, `该团员状态为“${MEMBER_STATUS_LABELS[m.status as 'normal']}”，不能登记团费`);
      if (p.name && p.name !== m.name) add(p.row, 'name', p.name, `姓名与身份证号不符（登记的是${m.name}）`);
      if (m.joined_on && p.month < m.joined_on) add(p.row, 'month', p.month, `早于该团员的入团年月（${m.joined_on}）`);
      const cents = p.amountCents ?? standards.get(m.identity_category ?? '其他') ?? DEFAULT_DUES['其他']!;
      planned.push({ ...p, memberId: m.id, memberName: m.name, orgName: m.orgName, cents });
    }
    if (problems.length) {
      problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
      throw importRejected(problems, { rows: sheet.rows.length });
    }

    // Against what is already recorded.
    const existing = new Map<string, { id: number; amount_cents: number }>();
    const ids = [...new Set(planned.map((p) => p.memberId))];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('dues_payment')
        .select(['id', 'member_id', 'month', 'amount_cents'])
        .where('member_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) existing.set(`${r.member_id}|${r.month}`, r);
    }
    const result: DuesImportResult = { dryRun, created: 0, updated: 0, unchanged: 0, rows: [] };
    const creates: Planned[] = [];
    const updates: { id: number; cents: number }[] = [];
    for (const p of planned) {
      const e = existing.get(`${p.memberId}|${p.month}`);
      const action = !e ? 'create' : e.amount_cents === p.cents ? 'unchanged' : 'update';
      result[action === 'create' ? 'created' : action === 'update' ? 'updated' : 'unchanged']++;
      result.rows.push({
        row: p.row,
        name: p.memberName,
        idNumberMasked: maskIdNumber(p.idNumber),
        orgName: p.orgName,
        month: p.month,
        amountCents: p.cents,
        action,
        changes:
          action === 'update'
            ? [{ field: 'amount', label: '金额（元）', from: yuan(e!.amount_cents), to: yuan(p.cents) }]
            : [],
      });
      if (action === 'create') creates.push(p);
      if (action === 'update') updates.push({ id: e!.id, cents: p.cents });
    }
    if (dryRun || (!creates.length && !updates.length)) return result;

    await this.db.transaction().execute(async (trx) => {
      const now = nowIso();
      await this.database.bulkInsert(
        trx,
        'dues_payment',
        creates.map((p) => ({
          member_id: p.memberId,
          month: p.month,
          amount_cents: p.cents,
          recorded_by: ctx.actor.accountId,
          recorded_at: now,
        })),
      );
      for (const u of updates)
        await trx
          .updateTable('dues_payment')
          .set({ amount_cents: u.cents, recorded_by: ctx.actor.accountId, recorded_at: now })
          .where('id', '=', u.id)
          .execute();
      await audit(trx, ctx, {
        org: target!,
        action: 'dues.import',
        subjectType: 'org',
        subjectId: target!.id,
        after: { created: result.created, updated: result.updated, unchanged: result.unchanged },
      });
    });
    return { ...result, dryRun: false };
  }

  /** Payments of one month in a subtree (members the actor may read), for the 登记 screen. */
  async month(actor: Actor, orgId: number, month: string) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'kind'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    const rows = await this.db
      .selectFrom('member')
      .innerJoin('org', 'org.id', 'member.org_id')
      .leftJoin('dues_payment as p', (j) => j.onRef('p.member_id', '=', 'member.id').on('p.month', '=', month))
      .select([
        'member.id',
        'member.name',
        'member.org_id',
        'member.org_path',
        'member.identity_category',
        'member.id_number_mask',
        'org.name as orgName',
        'p.amount_cents',
        'p.recorded_at',
      ])
      .where((eb) => inSubtree(eb, 'member.org_path', org!.path))
      .where('member.status', 'in', CURRENT_STATUSES)
      .orderBy('member.org_path')
      .orderBy('member.id')
      .limit(MONTH_LIMIT + 1)
      .execute();
    const standards = new Map((await this.records.standards()).map((s) => [s.identityCategory, s.centsPerMonth]));
    const visible = rows.slice(0, MONTH_LIMIT).filter((r) => can(actor, 'read', { id: r.org_id, path: r.org_path }));
    return {
      month,
      truncated: rows.length > MONTH_LIMIT,
      paidCount: visible.filter((r) => r.amount_cents !== null).length,
      items: visible.map((r) => ({
        memberId: r.id,
        name: r.name,
        idNumberMasked: r.id_number_mask,
        orgId: r.org_id,
        orgName: r.orgName,
        identityCategory: r.identity_category,
        standardCents: standards.get(r.identity_category ?? '其他') ?? DEFAULT_DUES['其他']!,
        paidCents: r.amount_cents,
        canRecord: can(actor, 'write', { id: r.org_id, path: r.org_path }),
      })),
    };
  }
}
const MONTH_LIMIT = 2000;

function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}

/** The downloadable 团费 template and its instructions. */
export function duesTemplate(): SheetSpec[] {
  return [
    {
      name: '团费导入',
      columns: [
        { header: '姓名', key: 'name', width: 10 },
        { header: '身份证号', key: 'idNumber', width: 22 },
        { header: '缴费月份', key: 'month', width: 12 },
        { header: '金额（元）', key: 'amount', width: 12 },
      ],
      rows: [{ name: '张三', idNumber: '11010519491231002X', month: '2026-01', amount: '0.20' }],
    },
    {
      name: '填写说明',
      columns: [
        { header: '列', key: 'col', width: 16 },
        { header: '说明', key: 'note', width: 90 },
      ],
      rows: [
        { col: '身份证号', note: '必填，须是已登记在所选组织及其下级团支部的团员；请把该列设为“文本”格式' },
        { col: '姓名', note: '选填；填写时须与身份证号登记的姓名一致（用来发现填错的身份证号）' },
        { col: '缴费月份', note: '必填，每行一个月：2026-01、2026年1月、2026.1、202601；最多预缴12个月' },
        { col: '金额（元）', note: '选填，不填按团费标准（按身份类别）；须大于0，最多两位小数' },
        {
          col: '规则',
          note: '任何一行有问题时整个文件都不会导入；同一团员同一月份重复导入不会重复登记，金额不同时先预览变化再确认',
        },
      ],
    },
  ];
}
