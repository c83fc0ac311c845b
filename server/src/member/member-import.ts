import type { Kysely } from 'kysely';
import type ExcelJS from 'exceljs';
import type { FastifyRequest } from 'fastify';
import type { DB } from '../db/schema.js';
import type { Database } from '../db/database.js';
import { requireOrg, can } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, importRejected, type FieldProblem } from '../common/errors.js';
import { cellText, type SheetSpec } from '../common/excel.js';
import { readSheetOffThread } from '../common/sheet-thread.js';
import { cleanCell, toHalfWidth } from '../common/text.js';
import { nowIso } from '../common/time.js';
import { breathe } from '../common/breathe.js';
import { splitPath } from '../org/org-import.js';
import {
  EDUCATIONS,
  ETHNICITIES,
  IDENTITY_CATEGORIES,
  LEAGUE_POSTS,
  POLITICAL_STATUSES,
  maskIdNumber,
  overAgeProblem,
  parseYearMonth,
} from './member-fields.js';
import { MemberStats } from './member-stats.js';
import type { MemberService, PreparedMember } from './member.service.js';

/**
 * The ID number cell of an import row, as text. An ID number Excel stored as a number (or shows in scientific
 * notation) has lost its last digits: that is reported, never guessed.
 */
export function idNumberCell(
  raw: ExcelJS.CellValue | undefined,
  text: string,
): { text: string } | { value: string; problem: string } {
  const idText = toHalfWidth(text).replace(/\s+/g, '');
  if (typeof raw === 'number' && raw >= 1e15)
    return {
      value: cellText(raw),
      problem: '身份证号被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”后重新填写',
    };
  if (/e\+/i.test(idText))
    return { value: idText, problem: '身份证号是科学计数法（如 5.001E+17），无法还原；请把该列设为“文本”后重新填写' };
  return { text: idText.toUpperCase() };
}

/** The one .xlsx file of a multipart upload (at most 50 MB), or a 400 naming what is missing. */
export async function uploadedFile(req: FastifyRequest): Promise<Buffer> {
  const file = await req.file({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } });
  if (!file) throw badRequest('请选择要导入的 Excel 文件', [{ path: 'file', message: '没有上传文件' }]);
  const buf = await file.toBuffer();
  if (buf.length === 0) throw badRequest('文件是空的', [{ path: 'file', message: '空文件' }]);
  return buf;
}
const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** Column aliases, 智慧团建 template names first (see docs/member-import.md). */
export const MEMBER_IMPORT_COLUMNS: Record<string, string[]> = {
  name: ['姓名', '团员姓名'],
  gender: ['性别'],
  ethnicity: ['民族'],
  idNumber: ['身份证号', '公民身份号码', '身份证号码', '证件号码'],
  phone: ['手机号', '手机号码', '联系电话', '联系方式'],
  politicalStatus: ['政治面貌'],
  joinedOn: ['入团年月', '入团时间', '入团日期'],
  admissionNumber: ['发展团员编号', '团员编号'],
  education: ['学历', '全日制学历', '最高学历'],
  identityCategory: ['身份类别', '团员类别', '人员类别'],
  leaguePost: ['团内职务', '团内职务名称'],
  branchCode: ['团支部代码', '组织代码', '所在团支部代码'],
  branch: ['所在团支部', '所在组织', '团支部', '组织名称', '所在团组织'],
};
const label = (k: string) => MEMBER_IMPORT_COLUMNS[k]![0]!;
const MAX_ROWS = 200_000;

interface Planned {
  row: number;
  value: PreparedMember;
  branch: { id: number; path: string; name: string };
}

export interface MemberImportResult {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  rows: {
    row: number;
    name: string;
    idNumberMasked: string;
    orgName: string;
    action: 'create' | 'update' | 'unchanged';
    changes: { field: string; label: string; from: string | null; to: string | null }[];
  }[];
}

/**
 * Member import in the 智慧团建 column layout: tolerant of real files, all or nothing with a row-by-row
 * report, idempotent by ID number (re-importing a file changes nothing; an updated file reports what would
 * change before changing it).
 */
export class MemberImporter {
  private readonly db: Kysely<DB>;

  constructor(
    private readonly database: Database,
    private readonly members: MemberService,
  ) {
    this.db = database.db;
  }

  async run(ctx: Ctx, targetId: number, file: Buffer, dryRun: boolean): Promise<MemberImportResult> {
    const target = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind', 'status'])
      .where('id', '=', targetId)
      .executeTakeFirst();
    requireOrg(ctx.actor, 'write', target);
    // Parsing a large workbook takes seconds: on a worker thread, while this one serves other requests.
    const sheet = await readSheetOffThread(file, MEMBER_IMPORT_COLUMNS, ['name', 'idNumber']);
    if (target!.kind !== 'branch' && !sheet.columns.has('branch') && !sheet.columns.has('branchCode')) {
      throw badRequest(`导入到“${target!.name}”时需要“所在团支部”或“团支部代码”列`, [
        { path: 'file', column: label('branch'), message: '缺少所在团支部列' },
      ]);
    }
    if (sheet.rows.length === 0) throw importRejected([{ path: 'file', message: '文件中没有数据行' }]);
    if (sheet.rows.length > MAX_ROWS)
      throw importRejected([{ path: 'file', message: `单次最多导入 ${MAX_ROWS} 名团员，请分批导入` }]);

    const problems: FieldProblem[] = [];
    const add = (row: number, key: string, value: string, message: string) =>
      problems.push({ path: `第${row}行`, row, column: sheet.labels.get(key) ?? label(key), value, message });

    // Branches of the target's subtree, by code, full name, short name and path of names.
    const branches = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'short_name', 'code', 'status'])
      .where('kind', '=', 'branch')
      .where('status', '=', 'active')
      .where('path', '>=', target!.path)
      .where('path', '<', target!.path.slice(0, -1) + '0')
      .execute();
    const byCode = new Map(branches.map((b) => [b.code, b]));
    const byName = new Map<string, (typeof branches)[number][]>();
    for (const b of branches)
      for (const n of new Set([b.name, b.short_name].filter((x): x is string => !!x)))
        byName.set(n, [...(byName.get(n) ?? []), b]);

    const planned: Planned[] = [];
    const seenId = new Map<string, number>();
    const seenAdmission = new Map<string, number>();
    let read = 0;
    for (const { row, cells, raw } of sheet.rows) {
      if (++read % 1000 === 0) await breathe();
      const get = (k: string) => cells.get(k) ?? '';
      // ID numbers that Excel stored as numbers have lost their last digits: say so, never guess.
      const idCell = idNumberCell(raw.get('idNumber'), get('idNumber'));
      if (!('text' in idCell)) {
        add(row, 'idNumber', idCell.value, idCell.problem);
        continue;
      }
      const idText = idCell.text;
      const name = cleanCell(get('name')).replace(/\s+/g, '');
      if (!name) add(row, 'name', '', '姓名不能为空');
      const pick = <T extends string>(key: string, list: readonly T[], what: string): T | null => {
        const v = get(key);
        if (!v) return null;
        const hit = list.find((x) => x === v);
        if (!hit) add(row, key, v, `${what}应为：${list.join('、')}`);
        return hit ?? null;
      };
      const joinedText = get('joinedOn');
      const joinedOn = joinedText
        ? parseYearMonth(
            raw.get('joinedOn') instanceof Date || typeof raw.get('joinedOn') === 'number'
              ? raw.get('joinedOn')
              : joinedText,
          )
        : null;
      if (joinedText && !joinedOn) add(row, 'joinedOn', joinedText, '入团年月无法识别，请写成 2005-03 或 2005年3月');
      const genderText = get('gender');
      const gender: '男' | '女' | undefined = genderText === '男' || genderText === '女' ? genderText : undefined;
      if (genderText && !gender) add(row, 'gender', genderText, '性别应为 男 或 女');
      const admissionNumber = toHalfWidth(get('admissionNumber')).replace(/\s+/g, '') || null;
      const politicalStatus =
        pick('politicalStatus', POLITICAL_STATUSES, '政治面貌') ?? (get('politicalStatus') ? null : '共青团员');
      const input = {
        name,
        idNumber: idText,
        ...(gender && { gender }),
        ethnicity: pick('ethnicity', ETHNICITIES, '民族'),
        phone: get('phone') || null,
        politicalStatus,
        joinedOn,
        admissionNumber,
        education: pick('education', EDUCATIONS, '学历'),
        identityCategory: pick('identityCategory', IDENTITY_CATEGORIES, '身份类别'),
        leaguePost: pick('leaguePost', LEAGUE_POSTS, '团内职务'),
      };
      const { value, problems: fieldProblems } = this.members.prepare(input);
      for (const p of fieldProblems)
        if (p.path !== 'politicalStatus' || get('politicalStatus') === '') add(row, p.path, p.value ?? '', p.message);
      // The branch: by code, by name or path of names, or the target itself when it is a branch.
      let branch: (typeof branches)[number] | undefined;
      const code = get('branchCode');
      const bname = get('branch');
      if (code) {
        branch = byCode.get(code);
        if (!branch) add(row, 'branchCode', code, `找不到团支部代码 ${code}（须是“${target!.name}”之下的团支部）`);
      } else if (bname) {
        const segs = splitPath(bname);
        const candidates = byName.get(segs.at(-1)!) ?? [];
        if (candidates.length === 1) branch = candidates[0];
        else if (candidates.length === 0)
          add(row, 'branch', bname, `找不到团支部“${segs.at(-1)}”（须是“${target!.name}”之下的团支部）`);
        else add(row, 'branch', bname, `有 ${candidates.length} 个团支部叫“${segs.at(-1)}”，请改用团支部代码`);
      } else if (target!.kind === 'branch')
        branch = { ...target!, short_name: null, code: '' } as (typeof branches)[number];
      else add(row, 'branch', '', '所在团支部不能为空');
      if (value) {
        const dup = seenId.get(value.idNumberHash);
        if (dup) add(row, 'idNumber', maskIdNumber(value.idNumber), `身份证号与第${dup}行重复`);
        else seenId.set(value.idNumberHash, row);
        if (value.admissionNumber) {
          const d2 = seenAdmission.get(value.admissionNumber);
          if (d2) add(row, 'admissionNumber', value.admissionNumber, `发展团员编号与第${d2}行重复`);
          else seenAdmission.set(value.admissionNumber, row);
        }
        if (branch && !problems.some((p) => p.row === row))
          planned.push({ row, value, branch: { id: branch.id, path: branch.path, name: branch.name } });
      }
    }

    // Against what is already registered: same person (by ID number) → update or unchanged; in a foreign
    // subtree → refused without naming it; admission numbers must stay unique.
    const dup = await this.members.duplicates(
      planned.map((p) => p.value.idNumberHash),
      planned.flatMap((p) => (p.value.admissionNumber ? [p.value.admissionNumber] : [])),
    );
    const existingIds = [...dup.byHash.values()].map((d) => d.id);
    const existing = new Map<string, Awaited<ReturnType<typeof this.loadExisting>>[number]>();
    for (const e of await this.loadExisting(existingIds)) existing.set(e.id_number_hash, e);
    for (const p of planned) {
      const e = existing.get(p.value.idNumberHash);
      const overAge = e ? null : overAgeProblem(p.value.birthDate, p.value.leaguePost);
      if (overAge) add(p.row, 'leaguePost', p.value.leaguePost ?? '', overAge);
      if (e && !can(ctx.actor, 'write', { id: e.org_id, path: e.org_path })) {
        add(
          p.row,
          'idNumber',
          maskIdNumber(p.value.idNumber),
          '该身份证号已在您管辖范围以外的组织登记，请联系上级组织办理组织关系转接',
        );
      }
      const adm = p.value.admissionNumber ? dup.byAdmission.get(p.value.admissionNumber) : undefined;
      if (adm && adm.hash !== p.value.idNumberHash)
        add(p.row, 'admissionNumber', p.value.admissionNumber!, `发展团员编号已被${adm.name}使用`);
    }
    if (problems.length) {
      problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
      throw importRejected(problems, { rows: sheet.rows.length });
    }

    const result: MemberImportResult = { dryRun, created: 0, updated: 0, unchanged: 0, rows: [] };
    const creates: Planned[] = [];
    const updates: { p: Planned; id: number; fromPath: string; status: string }[] = [];
    for (const p of planned) {
      const e = existing.get(p.value.idNumberHash);
      const changes = e ? this.members.changes(e, p.value) : [];
      if (e && e.org_id !== p.branch.id)
        changes.push({ field: 'branch', label: '所在团支部', from: e.orgName, to: p.branch.name });
      const action = !e ? 'create' : changes.length ? 'update' : 'unchanged';
      result[action === 'create' ? 'created' : action === 'update' ? 'updated' : 'unchanged']++;
      result.rows.push({
        row: p.row,
        name: p.value.name,
        idNumberMasked: maskIdNumber(p.value.idNumber),
        orgName: p.branch.name,
        action,
        changes,
      });
      if (action === 'create') creates.push(p);
      if (action === 'update') updates.push({ p, id: e!.id, fromPath: e!.org_path, status: e!.status });
    }
    if (dryRun || (!creates.length && !updates.length)) return result;

    // Encrypting the personal data is the costly part: done before the transaction, in turns, each turn's new
    // members staged (on SQLite in a temporary table) and inserted all at once by the transaction below, so that
    // nothing of the import is seen before it commits and all of it after.
    const now = nowIso();
    const staged = this.database.stage('member');
    try {
      const rows: ReturnType<MemberService['row']>[] = [];
      for (const [i, p] of creates.entries()) {
        rows.push(this.members.row(p.value, p.branch, 'normal', now));
        if (rows.length === 1000 || i === creates.length - 1) {
          await staged.add(rows);
          rows.length = 0;
        }
      }
      const changed: ReturnType<MemberService['row']>[] = [];
      for (const [i, u] of updates.entries()) {
        changed.push(this.members.row(u.p.value, u.p.branch, 'normal', now));
        if (i % 1000 === 999) await breathe();
      }
      await this.db.transaction().execute(async (trx) => {
        const stats = new MemberStats();
        await staged.publish(trx);
        for (const p of creates) stats.add(p.branch.path, 'normal', 1);
        for (const [i, u] of updates.entries()) {
          const r = changed[i]!;
          await trx
            .updateTable('member')
            .set({ ...this.members.editableColumns(r), org_id: r.org_id, org_path: r.org_path, name: r.name })
            .where('id', '=', u.id)
            .execute();
          if (u.fromPath !== u.p.branch.path)
            stats.add(u.fromPath, u.status as 'normal', -1).add(u.p.branch.path, u.status as 'normal', 1);
        }
        await stats.flush(trx);
        await audit(trx, ctx, {
          org: target!,
          action: 'member.import',
          subjectType: 'member',
          subjectId: null,
          after: { created: result.created, updated: result.updated, unchanged: result.unchanged },
        });
      });
    } finally {
      await staged.discard();
    }
    return { ...result, dryRun: false };
  }

  private async loadExisting(ids: number[]) {
    const out = [];
    for (let i = 0; i < ids.length; i += 500) {
      out.push(
        ...(await this.db
          .selectFrom('member')
          .innerJoin('org', 'org.id', 'member.org_id')
          .selectAll('member')
          .select('org.name as orgName')
          .where('member.id', 'in', ids.slice(i, i + 500))
          .execute()),
      );
    }
    return out;
  }
}

/** The downloadable template with the 智慧团建 column names and a sheet of instructions. */
export function memberTemplate(): SheetSpec[] {
  const keys = [
    'name',
    'gender',
    'ethnicity',
    'idNumber',
    'phone',
    'politicalStatus',
    'joinedOn',
    'admissionNumber',
    'education',
    'identityCategory',
    'leaguePost',
    'branch',
    'branchCode',
  ];
  return [
    {
      name: '团员导入',
      columns: keys.map((key) => ({
        header: label(key),
        key,
        width: key === 'idNumber' || key === 'branch' ? 24 : 12,
      })),
      rows: [
        {
          name: '张三',
          gender: '男',
          ethnicity: '汉族',
          idNumber: '11010519491231002X',
          phone: '13800000000',
          politicalStatus: '共青团员',
          joinedOn: '2019-05',
          admissionNumber: '201900000001',
          education: '本科',
          identityCategory: '学生',
          leaguePost: '团员',
          branch: '示例团支部',
        },
      ],
    },
    {
      name: '填写说明',
      columns: [
        { header: '列', key: 'col', width: 16 },
        { header: '说明', key: 'note', width: 90 },
      ],
      rows: [
        {
          col: '姓名、身份证号',
          note: '必填。身份证号18位，最后一位可为X；请把该列设为“文本”格式，否则 Excel 会丢失后几位',
        },
        { col: '性别', note: '选填，不填按身份证号判断；填写时须与身份证号一致' },
        { col: '政治面貌', note: `选填，默认共青团员：${POLITICAL_STATUSES.join('、')}` },
        { col: '入团年月', note: '如 2019-05、2019年5月、2019.5、201905；入团时须年满14周岁' },
        { col: '发展团员编号', note: '12位数字；2017年起入团的，前四位为入团年份' },
        {
          col: '所在团支部 / 团支部代码',
          note: '二选一；导入到某个团支部时可不填。名称须在所选组织之下唯一，否则请用代码',
        },
        {
          col: '规则',
          note: '任何一行有问题时整个文件都不会导入；同一身份证号重复导入不会重复登记，信息有变化时先预览变化再确认',
        },
      ],
    },
  ];
}
