import type { Kysely } from 'kysely';
import type { DB, OrgKind } from '../db/schema.js';
import { requireOrg } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { importRejected, type FieldProblem } from '../common/errors.js';
import { readSheet, type SheetSpec } from '../common/excel.js';
import { normalizePhone } from '../common/text.js';
import { parseDate } from '../common/time.js';
import { KIND_LABELS, ORG_CATEGORIES, canHoldChild, kindRuleMessage, parseKind } from './org-kinds.js';
import type { OrgRow } from './org.repository.js';
import type { OrgService } from './org.service.js';
import type { ContactInput } from './org.schemas.js';

/** Column aliases (header text as people write it) → canonical keys. The first alias is the template's. */
export const ORG_IMPORT_COLUMNS: Record<string, string[]> = {
  name: ['组织全称', '组织名称', '全称', '名称', '团组织名称'],
  shortName: ['简称', '组织简称'],
  kind: ['组织类型', '类型', '组织层级', '组织级别'],
  category: ['组织类别', '类别', '所属领域'],
  code: ['组织代码', '代码', '组织编码'],
  parentCode: ['上级组织代码', '上级代码', '上级编码'],
  parentPath: ['上级组织', '上级组织路径', '上级组织名称', '上级'],
  secretaryName: ['书记姓名', '书记'],
  secretaryPhone: ['书记电话', '书记手机', '书记联系电话'],
  contactName: ['联系人', '联系人姓名'],
  contactPhone: ['联系人电话', '联系电话', '联系人手机'],
  establishedOn: ['成立日期', '成立时间'],
};
const REQUIRED = ['name', 'kind'];
const label = (key: string) => ORG_IMPORT_COLUMNS[key]![0]!;

interface PlannedOrg {
  row: number;
  name: string;
  shortName: string | null;
  kind: OrgKind;
  category: (typeof ORG_CATEGORIES)[number] | null;
  code: string | null;
  establishedOn: string | null;
  contacts: ContactInput[];
  parentRef: { code?: string; path?: string[] };
  /** Resolved parent: an existing org or another row of the file. */
  parent?: { existing: OrgRow } | { row: PlannedOrg };
  parentLabel?: string;
}

export interface ImportPreviewRow {
  row: number;
  name: string;
  kind: OrgKind;
  kindLabel: string;
  parentLabel: string;
  code: string | null;
  category: string | null;
}

/**
 * Bulk creation of orgs under one org from an .xlsx: every row is checked first; any problem rejects the
 * whole file with a row-by-row report and nothing is written. Parents are named by code or by a path of
 * names (`重庆市/渝中区/重庆XX中学`), and may be rows of the same file.
 */
export class OrgImporter {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly orgs: OrgService,
  ) {}

  async run(
    ctx: Ctx,
    targetId: number,
    file: Buffer,
    dryRun: boolean,
  ): Promise<{ dryRun: boolean; count: number; rows: ImportPreviewRow[] }> {
    const target = await this.orgs.repo.byId(targetId);
    requireOrg(ctx.actor, 'write', target);
    const sheet = await readSheet(file, ORG_IMPORT_COLUMNS, REQUIRED);
    const problems: FieldProblem[] = [];
    const add = (row: number, key: string, value: string, message: string) =>
      problems.push({ path: `第${row}行`, row, column: sheet.labels.get(key) ?? label(key), value, message });

    if (sheet.rows.length === 0) throw importRejected([{ path: 'file', message: '文件中没有数据行' }]);
    if (sheet.rows.length > 20000)
      throw importRejected([{ path: 'file', message: '单次最多导入 20000 个组织，请分批导入' }]);

    const planned: PlannedOrg[] = [];
    const codesInFile = new Map<string, PlannedOrg>();
    for (const { row, cells, raw } of sheet.rows) {
      const get = (k: string) => cells.get(k) ?? '';
      const name = get('name');
      if (!name) add(row, 'name', '', '组织全称不能为空');
      else if (name.length < 2 || name.length > 100) add(row, 'name', name, '组织全称应为2–100个字');
      const kindText = get('kind');
      const kind = parseKind(kindText);
      if (!kind)
        add(row, 'kind', kindText, kindText ? '组织类型应为 团委/团工委/团总支/团支部 之一' : '组织类型不能为空');
      const categoryText = get('category');
      const category = categoryText ? (ORG_CATEGORIES.find((c) => c === categoryText) ?? null) : null;
      if (categoryText && !category) add(row, 'category', categoryText, `组织类别应为：${ORG_CATEGORIES.join('、')}`);
      const code = get('code') || null;
      if (code && !/^[0-9A-Za-z-]{2,32}$/.test(code))
        add(row, 'code', code, '组织代码只能包含字母、数字和短横线，2–32位');
      const dateText = get('establishedOn');
      const establishedOn = dateText
        ? parseDate(raw.get('establishedOn') instanceof Date ? raw.get('establishedOn') : dateText)
        : null;
      if (dateText && !establishedOn) add(row, 'establishedOn', dateText, '日期无法识别，请写成 2020-04-26');
      const contacts: ContactInput[] = [];
      for (const [nameKey, phoneKey, post] of [
        ['secretaryName', 'secretaryPhone', '书记'],
        ['contactName', 'contactPhone', '联系人'],
      ] as const) {
        const person = get(nameKey);
        const phoneText = get(phoneKey);
        const phone = phoneText ? normalizePhone(phoneText) : null;
        if (phoneText && !phone) add(row, phoneKey, phoneText, '电话号码格式不正确');
        if (phoneText && !person) add(row, nameKey, '', '填写了电话但没有填写姓名');
        if (person) contacts.push({ name: person, post, phone });
      }
      const parentCode = get('parentCode');
      const parentPath = get('parentPath');
      const p: PlannedOrg = {
        row,
        name,
        shortName: get('shortName') || null,
        kind: kind ?? 'branch',
        category,
        code,
        establishedOn,
        contacts,
        parentRef: parentCode ? { code: parentCode } : parentPath ? { path: splitPath(parentPath) } : {},
      };
      if (code) {
        const dup = codesInFile.get(code);
        if (dup) add(row, 'code', code, `组织代码与第${dup.row}行重复`);
        else codesInFile.set(code, p);
      }
      planned.push(p);
    }

    // Codes already used in the system.
    const codes = [...codesInFile.keys()];
    for (let i = 0; i < codes.length; i += 500) {
      const taken = await this.db
        .selectFrom('org')
        .select(['code', 'name'])
        .where('code', 'in', codes.slice(i, i + 500))
        .execute();
      for (const t of taken) add(codesInFile.get(t.code)!.row, 'code', t.code, `组织代码已被“${t.name}”使用`);
    }

    await this.resolveParents(target!, planned, codesInFile, add);

    // Kind rules and duplicate names under one parent.
    // Names already under each existing parent, read once per parent rather than once per row.
    const namesByParent = new Map<number, Set<string>>();
    const namesUnder = async (parentId: number) => {
      let names = namesByParent.get(parentId);
      if (!names)
        namesByParent.set(
          parentId,
          (names = new Set((await this.orgs.repo.activeChildren(parentId)).map((c) => c.name))),
        );
      return names;
    };
    const siblingNames = new Map<string, number>();
    for (const p of planned) {
      if (!p.parent) continue;
      const parentKind = 'existing' in p.parent ? p.parent.existing.kind : p.parent.row.kind;
      if (!canHoldChild(parentKind, p.kind))
        add(p.row, 'kind', KIND_LABELS[p.kind], kindRuleMessage(parentKind, p.kind));
      const parentKey = 'existing' in p.parent ? `e${p.parent.existing.id}` : `r${p.parent.row.row}`;
      const key = `${parentKey}|${p.name}`;
      const dupRow = siblingNames.get(key);
      if (dupRow !== undefined) add(p.row, 'name', p.name, `与第${dupRow}行同名且上级相同`);
      else siblingNames.set(key, p.row);
      if ('existing' in p.parent) {
        const taken = await namesUnder(p.parent.existing.id);
        if (taken.has(p.name)) add(p.row, 'name', p.name, `“${p.parentLabel}”下已有同名组织`);
      }
    }

    if (problems.length) {
      problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
      throw importRejected(problems, { rows: planned.length });
    }

    const preview = planned.map((p) => ({
      row: p.row,
      name: p.name,
      kind: p.kind,
      kindLabel: KIND_LABELS[p.kind],
      parentLabel: p.parentLabel ?? '',
      code: p.code,
      category: p.category,
    }));
    if (dryRun) return { dryRun: true, count: planned.length, rows: preview };

    await this.db.transaction().execute(async (trx) => {
      const created = new Map<PlannedOrg, number>();
      for (const p of topological(planned)) {
        const parentId = 'existing' in p.parent! ? p.parent.existing.id : created.get(p.parent!.row)!;
        const org = await this.orgs.create(
          ctx,
          {
            parentId,
            kind: p.kind,
            name: p.name,
            shortName: p.shortName,
            code: p.code,
            category: p.category,
            establishedOn: p.establishedOn,
            contacts: p.contacts,
          },
          trx,
        );
        created.set(p, org.id);
      }
      await audit(trx, ctx, {
        org: target!,
        action: 'org.import',
        subjectType: 'org',
        subjectId: target!.id,
        after: { created: planned.length },
      });
    });
    return { dryRun: false, count: planned.length, rows: preview };
  }

  private async resolveParents(
    target: OrgRow,
    planned: PlannedOrg[],
    codesInFile: Map<string, PlannedOrg>,
    add: (row: number, key: string, value: string, message: string) => void,
  ): Promise<void> {
    const childCache = new Map<number, OrgRow[]>();
    const existingChildren = async (id: number) => {
      let c = childCache.get(id);
      if (!c) childCache.set(id, (c = await this.orgs.repo.activeChildren(id)));
      return c;
    };
    const within = (o: OrgRow) => o.status === 'active' && o.path.startsWith(target.path);
    const nameOf = (n: { existing: OrgRow } | { row: PlannedOrg }) => ('existing' in n ? n.existing.name : n.row.name);

    for (const p of planned) {
      if (!p.parentRef.code && !p.parentRef.path) {
        p.parent = { existing: target };
        p.parentLabel = target.name;
      } else if (p.parentRef.code) {
        const inFile = codesInFile.get(p.parentRef.code);
        if (inFile && inFile !== p) {
          p.parent = { row: inFile };
          p.parentLabel = `${inFile.name}（第${inFile.row}行）`;
        } else {
          const existing = await this.orgs.repo.byCode(p.parentRef.code);
          if (existing && within(existing)) {
            p.parent = { existing };
            p.parentLabel = existing.name;
          } else
            add(
              p.row,
              'parentCode',
              p.parentRef.code,
              `找不到上级组织代码 ${p.parentRef.code}（须是“${target.name}”或其下级）`,
            );
        }
      }
    }
    // Rows of the file by full and short name, for paths that run through them.
    const rowsByName = new Map<string, PlannedOrg[]>();
    for (const r of planned) {
      for (const n of new Set([r.name, r.shortName].filter((x): x is string => !!x))) {
        const list = rowsByName.get(n) ?? [];
        list.push(r);
        rowsByName.set(n, list);
      }
    }
    const named = (seg: string) => rowsByName.get(seg) ?? [];
    // Paths may run through rows of the file: resolve in passes until nothing more resolves.
    let pending = planned.filter((p) => p.parentRef.path && !p.parent);
    for (let pass = 0; pending.length && pass < 50; pass++) {
      const before = pending.length;
      for (const p of pending) {
        const segs = [...p.parentRef.path!];
        // A path may start with the chosen org's own name; it is skipped unless an org below bears that name too.
        if (segs[0] === target.name || segs[0] === target.short_name) {
          const first = segs[0];
          const below =
            (await existingChildren(target.id)).some((c) => c.name === first || c.short_name === first) ||
            named(first).some((r) => !r.parent || ('existing' in r.parent && r.parent.existing.id === target.id));
          if (!below) segs.shift();
        }
        let node: { existing: OrgRow } | { row: PlannedOrg } = { existing: target };
        let failed: string | undefined;
        let waiting = false;
        for (const seg of segs) {
          const candidates: ({ existing: OrgRow } | { row: PlannedOrg })[] = [];
          if ('existing' in node) {
            const cur: OrgRow = node.existing;
            for (const c of await existingChildren(cur.id))
              if (c.name === seg || c.short_name === seg) candidates.push({ existing: c });
            for (const r of named(seg))
              if (r.parent && 'existing' in r.parent && r.parent.existing.id === cur.id) candidates.push({ row: r });
          } else {
            const cur: PlannedOrg = node.row;
            for (const r of named(seg))
              if (r.parent && 'row' in r.parent && r.parent.row === cur) candidates.push({ row: r });
          }
          if (candidates.length > 1) {
            failed = `上级组织路径中“${seg}”有 ${candidates.length} 个同名组织，请改用上级组织代码`;
            break;
          }
          if (candidates.length === 0) {
            // It may be a row of the file whose own parent is not resolved yet.
            if (named(seg).some((r) => !r.parent && r !== p)) waiting = true;
            else failed = `找不到上级组织“${seg}”（在“${nameOf(node)}”之下）`;
            break;
          }
          node = candidates[0]!;
        }
        if (failed) {
          add(p.row, 'parentPath', p.parentRef.path!.join('/'), failed);
          p.parentRef = {};
          p.parent = undefined;
          (p as { failed?: boolean }).failed = true;
        } else if (!waiting) {
          if ('row' in node && node.row === p)
            add(p.row, 'parentPath', p.parentRef.path!.join('/'), '上级组织不能是自己');
          else {
            p.parent = node;
            p.parentLabel = 'existing' in node ? node.existing.name : `${node.row.name}（第${node.row.row}行）`;
          }
        }
      }
      pending = pending.filter((p) => !p.parent && !(p as { failed?: boolean }).failed);
      if (pending.length === before) break;
    }
    for (const p of pending)
      add(p.row, 'parentPath', p.parentRef.path!.join('/'), '上级组织无法确定（路径循环引用或找不到）');
  }
}

/** `重庆市 / 渝中区 ／ 重庆XX中学` → segments. */
export function splitPath(s: string): string[] {
  return s
    .split(/[/／>＞\\]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

function topological(rows: PlannedOrg[]): PlannedOrg[] {
  const out: PlannedOrg[] = [];
  const done = new Set<PlannedOrg>();
  const visit = (p: PlannedOrg, depth = 0) => {
    if (done.has(p) || depth > 100) return;
    if (p.parent && 'row' in p.parent) visit(p.parent.row, depth + 1);
    done.add(p);
    out.push(p);
  };
  rows.forEach((r) => visit(r));
  return out;
}

/** The downloadable template: the header row, two example rows and a sheet of instructions. */
export function importTemplate(): SheetSpec[] {
  const columns = [
    'name',
    'shortName',
    'kind',
    'category',
    'code',
    'parentCode',
    'parentPath',
    'secretaryName',
    'secretaryPhone',
    'contactName',
    'contactPhone',
    'establishedOn',
  ].map((key) => ({ header: label(key), key, width: key === 'name' || key === 'parentPath' ? 32 : 16 }));
  return [
    {
      name: '组织导入',
      columns,
      rows: [
        {
          name: '共青团重庆XX中学委员会',
          shortName: 'XX中学团委',
          kind: '团委',
          category: '学校',
          code: '',
          parentCode: '',
          parentPath: '',
          secretaryName: '张三',
          secretaryPhone: '13800000000',
          establishedOn: '2015-09-01',
        },
        {
          name: '共青团重庆XX中学高2023级1班支部',
          shortName: '高2023级1班团支部',
          kind: '团支部',
          category: '学校',
          code: '',
          parentCode: '',
          parentPath: '共青团重庆XX中学委员会',
          secretaryName: '李四',
          secretaryPhone: '13900000000',
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
        { col: '组织全称', note: '必填，2–100字' },
        { col: '组织类型', note: '必填：团委、团工委、团总支、团支部（团总支下只能设团支部；团支部下不能再设组织）' },
        { col: '组织类别', note: `选填：${ORG_CATEGORIES.join('、')}` },
        { col: '组织代码', note: '选填，字母数字；不填自动生成；不能与已有组织重复' },
        { col: '上级组织代码', note: '与“上级组织”二选一；都不填则挂在导入时所选组织之下' },
        {
          col: '上级组织',
          note: '用“/”分隔的名称路径，从导入时所选组织往下写，如：XX区团委/XX中学团委；可以引用本文件中的其他行',
        },
        { col: '书记姓名/电话、联系人/电话', note: '选填；电话为手机或座机号' },
        { col: '成立日期', note: '选填，如 2020-04-26' },
        { col: '规则', note: '任何一行有问题时整个文件都不会导入，并逐行列出问题；请先“预览”再“确认导入”' },
      ],
    },
  ];
}
