import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { badRequest } from '../common/errors.js';
import { toHalfWidth } from '../common/text.js';

/**
 * Reads a task list (重点工作任务清单) as league committees write it: a table in a Word document or a sheet in
 * an Excel workbook, with the columns 序号 / 工作内容 / 完成时限 / 责任单位 (or 牵头单位 / 配合单位), a title above
 * the table, merged cells and line breaks inside cells. Cells are returned as written (whitespace tidied); what
 * they mean (deadlines, org names) is for the importer to work out and report.
 */

export interface TaskListRow {
  /** 1-based row number in the sheet, or the table row number (header = 1) in Word. */
  row: number;
  /** 序号 as written ('' if the file has no 序号 column). */
  seq: string;
  /** 工作内容; line breaks inside the cell are kept as '\n'. */
  content: string;
  /** 完成时限 as written ('' when empty). */
  deadline: string;
  /**
   * 责任单位 as written; a vertically merged cell gives the text of the merge's first cell. '' when the file
   * has separate 牵头单位 and 配合单位 columns but no 责任单位 column (see `lead` and `support`).
   */
  responsible: string;
  /** Present when the file has a 牵头单位 column beside a 配合单位 or 责任单位 column. */
  lead?: string;
  /** Present when the file has a 配合单位 column. */
  support?: string;
  /** Present when the file has a 类别 / 分类 / 工作类别 column. */
  category?: string;
}

export type TaskListColumn = 'seq' | 'content' | 'deadline' | 'responsible' | 'lead' | 'support' | 'category';

export interface TaskListFile {
  format: 'docx' | 'xlsx';
  title: string | null;
  /** Column key → header text as found in the file. */
  columns: Record<string, string>;
  rows: TaskListRow[];
}

export interface ResponsibleName {
  name: string;
  role: 'lead' | 'support';
}

const UNSUPPORTED_MESSAGE = '无法读取文件：请上传 Word（.docx）或 Excel（.xlsx）格式的任务清单';
const unsupported = () => badRequest(UNSUPPORTED_MESSAGE, [{ path: 'file', message: '文件格式不支持' }]);

/** Compound File Binary: .doc, .xls, and Office files with an opening password. */
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

export async function readTaskListFile(buf: Buffer): Promise<TaskListFile> {
  if (buf.length >= 4 && buf.subarray(0, 4).equals(OLE_SIGNATURE)) {
    throw badRequest(
      '无法读取旧版 Word（.doc）或 Excel（.xls）文件：请在 Word 或 Excel 中“另存为” .docx 或 .xlsx 格式后再上传（设置了打开密码的文件也需先取消密码）',
      [{ path: 'file', message: '旧版 .doc/.xls 格式（或加密文件）不支持' }],
    );
  }
  if (buf.length < 4 || buf[0] !== 0x50 || buf[1] !== 0x4b) throw unsupported();
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(buf);
  } catch {
    throw unsupported();
  }
  const main = await mainPart(zip);
  const document = [main, 'word/document.xml'].find((p) => p?.startsWith('word/') && zip.file(p));
  if (document) {
    let xml: string;
    try {
      xml = await zip.file(document)!.async('string');
    } catch {
      throw unsupported();
    }
    return readDocx(xml);
  }
  if (zip.file('xl/workbook.xml') || (main?.startsWith('xl/') && zip.file(main))) return readXlsx(buf);
  throw unsupported();
}

/** The package's main part as named in _rels/.rels (word/document.xml, xl/workbook.xml), if there is one. */
async function mainPart(zip: JSZip): Promise<string | undefined> {
  const rels = zip.file('_rels/.rels');
  if (!rels) return undefined;
  let xml: string;
  try {
    xml = await rels.async('string');
  } catch {
    return undefined;
  }
  for (const m of xml.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const type = /\bType\s*=\s*"([^"]*)"/.exec(m[0])?.[1] ?? '';
    const target = /\bTarget\s*=\s*"([^"]*)"/.exec(m[0])?.[1];
    if (target && /\/officeDocument$/.test(type)) return target.replace(/^\//, '');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Cells laid out on the table grid, shared by Word and Excel

interface GridCell {
  /** The same for every grid position a merged cell covers (across columns and rows). */
  id: string;
  text: string;
  /** False when the cell continues a vertical merge started in a row above. */
  own: boolean;
}

interface GridRow {
  /** Sheet row number (Excel) or table row number counted from 1 (Word). */
  number: number;
  /** Cell covering each grid column (0-based); undefined where the row has no cell. */
  at: (GridCell | undefined)[];
}

/** The distinct cells of a row in column order, each with the grid columns it covers. */
function cellsOf(row: GridRow): { cell: GridCell; cols: number[] }[] {
  const out: { cell: GridCell; cols: number[] }[] = [];
  const seen = new Map<string, number[]>();
  row.at.forEach((cell, col) => {
    if (!cell) return;
    const cols = seen.get(cell.id);
    if (cols) cols.push(col);
    else {
      const c = [col];
      seen.set(cell.id, c);
      out.push({ cell, cols: c });
    }
  });
  return out;
}

/**
 * Whitespace tidied line by line: runs of spaces and tabs become one space, each line is trimmed (full-width
 * spaces included), empty lines are dropped; the line breaks between lines are kept.
 */
function tidy(s: string): string {
  if (!s) return '';
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[^\S\n\u3000]+/g, ' ').replace(/^[\s\u200b]+|[\s\u200b]+$/g, ''))
    .filter((line) => line !== '')
    .join('\n');
}

/** Lines joined into one: directly between Chinese characters, with a space otherwise. */
function singleLine(s: string): string {
  return s.replace(/\n/g, (_m, i: number) => {
    const before = s.charCodeAt(i - 1);
    const after = s.charCodeAt(i + 1);
    return before > 0x2e7f && after > 0x2e7f ? '' : ' ';
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Header recognition

const ALIASES: Record<TaskListColumn, string[]> = {
  seq: ['序号', '编号', 'No.', '序', '项次'],
  content: [
    '工作内容',
    '重点工作',
    '工作任务',
    '任务内容',
    '具体任务',
    '主要内容',
    '重点任务',
    '主要任务',
    '工作事项',
    '任务事项',
    '具体内容',
    '具体工作',
    '工作要点',
    '任务名称',
  ],
  deadline: [
    '完成时限',
    '完成时间',
    '时间节点',
    '时限要求',
    '截止时间',
    '时限',
    '完成期限',
    '时间要求',
    '截止日期',
    '完成日期',
  ],
  responsible: [
    '责任单位',
    '责任部门',
    '承办单位',
    '承办部门',
    '责任主体',
    '负责单位',
    '负责部门',
    '主责单位',
    '责任科室',
    '责任处室',
    '实施单位',
  ],
  lead: ['牵头单位', '牵头部门', '牵头科室'],
  support: ['配合单位', '配合部门', '协办单位', '参与单位', '协同单位', '配合科室'],
  category: ['类别', '分类', '类型', '工作类别', '任务类别', '工作分类', '项目类别'],
};

/** Header text reduced for matching: half-width, no spaces, no annotations in brackets, no `*` or colon. */
function headerKey(s: string): string {
  return toHalfWidth(s)
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/[（【〔[]/g, '(')
    .replace(/[）】〕\]]/g, ')')
    .replace(/\([^()]*\)?/g, '')
    .replace(/[*:：.．。]/g, '');
}

const EXACT = new Map<string, TaskListColumn>();
const LONG: { alias: string; key: TaskListColumn }[] = [];
for (const [key, names] of Object.entries(ALIASES) as [TaskListColumn, string[]][]) {
  for (const n of names) {
    const k = headerKey(n);
    EXACT.set(k, key);
    if (k.length >= 4) LONG.push({ alias: k, key });
  }
}
LONG.sort((a, b) => b.alias.length - a.alias.length);

/**
 * The column a header text names: the whole text (annotations such as （时间节点） ignored) is one of the names,
 * or starts or ends with one of the longer names (工作内容及要求, 计划完成时间).
 */
export function taskListColumnOf(text: string): TaskListColumn | undefined {
  const k = headerKey(text);
  if (!k) return undefined;
  const exact = EXACT.get(k);
  if (exact) return exact;
  for (const { alias, key } of LONG) {
    if (k.length <= alias.length + 6 && (k.startsWith(alias) || k.endsWith(alias))) return key;
  }
  return undefined;
}

const COLUMN_NAMES: Record<TaskListColumn, string> = {
  seq: '序号',
  content: '工作内容',
  deadline: '完成时限',
  responsible: '责任单位',
  lead: '牵头单位',
  support: '配合单位',
  category: '类别',
};

interface HeaderColumn {
  cols: number[];
  label: string;
}

interface HeaderMatch {
  index: number;
  keys: Map<TaskListColumn, HeaderColumn>;
  /** Index of the first data row (after a second header row of 牵头单位 / 配合单位 under a merged 责任单位). */
  dataStart: number;
}

const HEADER_SCAN_ROWS = 10;

function headerOfRow(row: GridRow): Map<TaskListColumn, HeaderColumn> {
  const keys = new Map<TaskListColumn, HeaderColumn>();
  for (const { cell, cols } of cellsOf(row)) {
    // A header cell merged down over the next row names its column once, in the row where it starts.
    if (!cell.own || !cell.text) continue;
    const key = taskListColumnOf(cell.text);
    if (key && !keys.has(key)) keys.set(key, { cols: [...cols], label: singleLine(cell.text) });
  }
  return keys;
}

/** The row among the first few that names the most columns (title rows above it are skipped). */
function findHeader(rows: GridRow[]): HeaderMatch | null {
  let best: HeaderMatch | null = null;
  for (let i = 0; i < Math.min(HEADER_SCAN_ROWS, rows.length); i++) {
    const keys = headerOfRow(rows[i]!);
    if (keys.size > 0 && (!best || keys.size > best.keys.size)) best = { index: i, keys, dataStart: i + 1 };
  }
  if (!best) return null;
  subHeader(rows, best);
  const { keys } = best;
  const lead = keys.get('lead');
  if (lead && !keys.has('support') && !keys.has('responsible')) {
    keys.set('responsible', lead);
    keys.delete('lead');
  }
  return best;
}

/**
 * A second header row under header cells that span several columns (责任单位 over 牵头单位 | 配合单位): taken
 * when every cell of the next row with text of its own lies under such a spanning header cell.
 */
function subHeader(rows: GridRow[], header: HeaderMatch): void {
  const head = rows[header.index]!;
  const next = rows[header.index + 1];
  if (!next) return;
  const spanning = cellsOf(head).filter((c) => c.cols.length > 1);
  if (!spanning.length) return;
  const subs: { cols: number[]; text: string }[] = [];
  for (const { cell, cols } of cellsOf(next)) {
    if (!cell.own || !cell.text) continue;
    if (!spanning.some((s) => s.cols.includes(cols[0]!))) return;
    subs.push({ cols, text: cell.text });
  }
  if (!subs.length) return;
  header.dataStart = header.index + 2;
  for (const sub of subs) {
    const key = taskListColumnOf(sub.text);
    if (!key) continue;
    const existing = header.keys.get(key);
    // The key may only be taken over from the spanning cell this sub-header lies under.
    if (existing && !existing.cols.includes(sub.cols[0]!)) continue;
    for (const [k, h] of header.keys) {
      h.cols = h.cols.filter((c) => !sub.cols.includes(c));
      if (!h.cols.length) header.keys.delete(k);
    }
    header.keys.set(key, { cols: [...sub.cols], label: singleLine(sub.text) });
  }
}

/** First non-empty row above the header within the sheet or table, not counting a bare 附件1 label. */
function titleAbove(rows: GridRow[], headerIndex: number): string | null {
  for (let i = 0; i < headerIndex; i++) {
    const text = cellsOf(rows[i]!)
      .filter((c) => c.cell.own && c.cell.text)
      .map((c) => singleLine(c.cell.text))
      .join(' ');
    if (text && !isAttachmentLabel(text)) return text;
  }
  return null;
}

const isAttachmentLabel = (s: string) => /^附\s*件\s*[0-9０-９一二三四五六七八九十]*\s*[:：]?$/.test(s.trim());

function missingContent(found: Map<TaskListColumn, HeaderColumn>, rowNumber: number) {
  const names = [...found.values()].map((h) => h.label).join('、');
  return badRequest(`任务清单缺少“工作内容”列（表头中找到：${names}），请在表头写明“工作内容”`, [
    { path: 'file', row: rowNumber, column: '工作内容', message: '缺少必需的列“工作内容”' },
  ]);
}

const HEADER_HINT = '表头应含“工作内容”列，以及序号、完成时限、责任单位';
const noHeader = (message: string) =>
  badRequest(`${message}（${HEADER_HINT}）`, [
    { path: 'file', column: '工作内容', message: '没有找到含“工作内容”列的表头' },
  ]);

function rowsOf(grid: GridRow[], header: HeaderMatch, rowNumber: (r: GridRow) => number): TaskListRow[] {
  const out: TaskListRow[] = [];
  const { keys } = header;
  for (let i = header.dataStart; i < grid.length; i++) {
    const row = grid[i]!;
    const cells = cellsOf(row);
    const own = cells.filter((c) => c.cell.own && c.cell.text);
    if (!own.length) continue;
    // The header written again further down (a table pasted in parts) is not a task.
    if (own.length >= 2 && own.every((c) => taskListColumnOf(c.cell.text))) continue;
    const text = (key: TaskListColumn): string => {
      const cols = keys.get(key)?.cols;
      if (!cols) return '';
      return cells
        .filter((c) => cols.includes(c.cols[0]!) && c.cell.text)
        .map((c) => c.cell.text)
        .join('\n');
    };
    const r: TaskListRow = {
      row: rowNumber(row),
      seq: text('seq'),
      content: text('content'),
      deadline: text('deadline'),
      responsible: text('responsible'),
    };
    if (keys.has('lead')) r.lead = text('lead');
    if (keys.has('support')) r.support = text('support');
    if (keys.has('category')) r.category = text('category');
    out.push(r);
  }
  return out;
}

function columnsRecord(keys: Map<TaskListColumn, HeaderColumn>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(COLUMN_NAMES) as TaskListColumn[]) {
    const h = keys.get(key);
    if (h) out[key] = h.label;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Word

interface XmlEl {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  children: (XmlEl | string)[];
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return XML_ENTITIES[e] ?? m;
  });
}

/**
 * A small namespace-aware XML reader for WordprocessingML: elements with their namespace URI, local name and
 * attributes (by local name); text is kept only inside text elements (w:t), the only place Word puts it.
 */
function parseXml(xml: string): XmlEl {
  const root: XmlEl = { ns: '', name: '', attrs: {}, children: [] };
  const stack: { el: XmlEl; qname: string; ns: Map<string, string> }[] = [
    { el: root, qname: '', ns: new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]) },
  ];
  const addText = (s: string) => {
    const top = stack[stack.length - 1]!.el;
    if (top.name === 't' && s) top.children.push(s);
  };
  const n = xml.length;
  let i = 0;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) addText(decodeEntities(xml.slice(i, textEnd)));
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const e = xml.indexOf('-->', lt + 4);
      i = e === -1 ? n : e + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const e = xml.indexOf(']]>', lt + 9);
      addText(xml.slice(lt + 9, e === -1 ? n : e));
      i = e === -1 ? n : e + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const e = xml.indexOf('?>', lt + 2);
      i = e === -1 ? n : e + 2;
      continue;
    }
    let j = lt + 1;
    let quote = 0;
    for (; j < n; j++) {
      const c = xml.charCodeAt(j);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 62) break;
    }
    if (j >= n) throw new Error('unterminated tag');
    const body = xml.slice(lt + 1, j);
    i = j + 1;
    if (body.startsWith('!')) continue;
    if (body.startsWith('/')) {
      const qname = body.slice(1).trim();
      for (let k = stack.length - 1; k > 0; k--) {
        if (stack[k]!.qname === qname) {
          stack.length = k;
          break;
        }
      }
      continue;
    }
    const selfClosing = body.endsWith('/');
    const inner = selfClosing ? body.slice(0, -1) : body;
    const qname = /^[^\s/>]+/.exec(inner)?.[0];
    if (!qname) throw new Error('bad tag');
    const parent = stack[stack.length - 1]!;
    let ns = parent.ns;
    const attrs: Record<string, string> = {};
    for (const m of inner.slice(qname.length).matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const name = m[1]!;
      const value = decodeEntities(m[2] ?? m[3] ?? '');
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (ns === parent.ns) ns = new Map(ns);
        ns.set(name === 'xmlns' ? '' : name.slice(6), value);
      } else attrs[name.slice(name.indexOf(':') + 1)] = value;
    }
    const colon = qname.indexOf(':');
    const el: XmlEl = {
      ns: ns.get(colon === -1 ? '' : qname.slice(0, colon)) ?? '',
      name: qname.slice(colon + 1),
      attrs,
      children: [],
    };
    parent.el.children.push(el);
    if (!selfClosing) stack.push({ el, qname, ns });
  }
  return root;
}

const W_NS = new Set([
  'http://schemas.openxmlformats.org/wordprocessingml/2006/main',
  'http://purl.oclc.org/ooxml/wordprocessingml/main',
]);
const MC_NS = 'http://schemas.openxmlformats.org/markup-compatibility/2006';

const isW = (el: XmlEl, name: string) => el.name === name && W_NS.has(el.ns);
const elements = (el: XmlEl) => el.children.filter((c): c is XmlEl => typeof c !== 'string');
const wChild = (el: XmlEl | undefined, name: string) => (el ? elements(el).find((c) => isW(c, name)) : undefined);
const wVal = (el: XmlEl | undefined) => el?.attrs['val'];
const isOff = (v: string | undefined) => v === '0' || v === 'false' || v === 'off';

/** Containers Word wraps around block content, rows or cells (content controls, custom XML). */
function unwrap(el: XmlEl, visit: (child: XmlEl) => void): void {
  for (const c of elements(el)) {
    if (isW(c, 'sdt')) {
      const content = wChild(c, 'sdtContent');
      if (content) unwrap(content, visit);
    } else if (isW(c, 'customXml') || isW(c, 'ins') || isW(c, 'moveTo')) unwrap(c, visit);
    else visit(c);
  }
}

/** Text of a paragraph: runs in order, w:tab as a tab, w:br / w:cr as a line break; deleted and hidden text left out. */
function paragraphText(p: XmlEl): string {
  let out = '';
  const inline = (el: XmlEl) => {
    for (const c of elements(el)) {
      if (c.ns === MC_NS) {
        if (c.name === 'AlternateContent') {
          const fallback = elements(c).find((x) => x.ns === MC_NS && x.name === 'Fallback');
          if (fallback) inline(fallback);
        }
        continue;
      }
      if (!W_NS.has(c.ns)) continue;
      switch (c.name) {
        case 'r': {
          const vanish = wChild(wChild(c, 'rPr'), 'vanish');
          if (vanish && !isOff(wVal(vanish))) break;
          run(c);
          break;
        }
        case 'hyperlink':
        case 'ins':
        case 'moveTo':
        case 'smartTag':
        case 'fldSimple':
        case 'customXml':
        case 'dir':
        case 'bdo':
        case 'sdtContent':
          inline(c);
          break;
        case 'sdt': {
          const content = wChild(c, 'sdtContent');
          if (content) inline(content);
          break;
        }
      }
    }
  };
  const run = (r: XmlEl) => {
    for (const c of elements(r)) {
      if (c.ns === MC_NS && c.name === 'AlternateContent') {
        const fallback = elements(c).find((x) => x.ns === MC_NS && x.name === 'Fallback');
        if (fallback) run(fallback);
        continue;
      }
      if (!W_NS.has(c.ns)) continue;
      switch (c.name) {
        case 't':
          out += c.children.join('');
          break;
        case 'tab':
        case 'ptab':
          out += '\t';
          break;
        case 'br':
        case 'cr':
          out += '\n';
          break;
        case 'noBreakHyphen':
          out += '-';
          break;
      }
    }
  };
  inline(p);
  return out;
}

/** Text of a table cell: its paragraphs on separate lines; tables nested in the cell are left out. */
function cellText(tc: XmlEl): string {
  const lines: string[] = [];
  unwrap(tc, (c) => {
    if (isW(c, 'p')) lines.push(paragraphText(c));
  });
  return tidy(lines.join('\n'));
}

/** A Word table on its grid: w:gridSpan widens a cell, w:vMerge continue repeats the cell above. */
function tableGrid(tbl: XmlEl, tableNo: number): GridRow[] {
  const rows: GridRow[] = [];
  const trs: XmlEl[] = [];
  unwrap(tbl, (c) => {
    if (isW(c, 'tr')) trs.push(c);
  });
  trs.forEach((tr, ri) => {
    const at: (GridCell | undefined)[] = [];
    const above = rows[ri - 1]?.at ?? [];
    const trPr = wChild(tr, 'trPr');
    let col = Number(wVal(wChild(trPr, 'gridBefore')) ?? 0) || 0;
    let ci = 0;
    let last: GridCell | undefined;
    unwrap(tr, (tc) => {
      if (!isW(tc, 'tc')) return;
      const tcPr = wChild(tc, 'tcPr');
      const span = Math.max(1, Number(wVal(wChild(tcPr, 'gridSpan')) ?? 1) || 1);
      const vMerge = wChild(tcPr, 'vMerge');
      const hMerge = wChild(tcPr, 'hMerge');
      let cell: GridCell;
      if (hMerge && wVal(hMerge) !== 'restart' && last) cell = last;
      else if (vMerge && wVal(vMerge) !== 'restart') {
        const up = above[col];
        cell = up ? { id: up.id, text: up.text, own: false } : { id: `${tableNo}.${ri}.${ci}`, text: '', own: false };
      } else cell = { id: `${tableNo}.${ri}.${ci}`, text: cellText(tc), own: true };
      for (let k = 0; k < span; k++) at[col + k] = cell;
      col += span;
      ci++;
      last = cell;
    });
    rows.push({ number: ri + 1, at });
  });
  return rows;
}

function readDocx(xml: string): TaskListFile {
  let doc: XmlEl;
  try {
    doc = parseXml(xml);
  } catch {
    throw badRequest('无法读取 Word 文件：文件内容已损坏，请在 Word 中打开后重新保存为 .docx', [
      { path: 'file', message: '文件内容已损坏' },
    ]);
  }
  const body = wChild(wChild(doc, 'document'), 'body');
  if (!body) throw unsupported();

  // Tables in document order with the paragraphs written since the previous table (a title is one of them).
  const tables: { tbl: XmlEl; before: string[] }[] = [];
  let paragraphs: string[] = [];
  const blocks = (el: XmlEl) =>
    unwrap(el, (c) => {
      if (isW(c, 'p')) {
        const text = singleLine(tidy(paragraphText(c)));
        if (text) paragraphs.push(text);
      } else if (isW(c, 'tbl')) {
        tables.push({ tbl: c, before: paragraphs });
        paragraphs = [];
      }
    });
  blocks(body);

  let withoutContent: { keys: Map<TaskListColumn, HeaderColumn>; row: number } | undefined;
  for (const [t, { tbl, before }] of tables.entries()) {
    const grid = tableGrid(tbl, t);
    const header = findHeader(grid);
    if (!header) continue;
    if (!header.keys.has('content')) {
      if (!withoutContent && header.keys.size >= 2) withoutContent = { keys: header.keys, row: header.index + 1 };
      continue;
    }
    const title = titleAbove(grid, header.index) ?? [...before].reverse().find((p) => !isAttachmentLabel(p)) ?? null;
    return {
      format: 'docx',
      title,
      columns: columnsRecord(header.keys),
      rows: rowsOf(grid, header, (r) => r.number - header.index),
    };
  }
  if (withoutContent) throw missingContent(withoutContent.keys, withoutContent.row);
  throw noHeader(
    tables.length
      ? '没有找到任务清单的表头：Word 文件的表格中没有“工作内容”列'
      : '没有找到任务清单表格：Word 文件中没有表格，任务清单应写成表格',
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Excel

/** A cell's value as text, whatever Excel stored (rich text, formula results, hyperlinks, numbers, dates). */
function excelText(v: ExcelJS.CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return excelText(v.result as ExcelJS.CellValue);
    if ('hyperlink' in v) return excelText(v.text as ExcelJS.CellValue);
    if ('error' in v) return String(v.error);
    return '';
  }
  return String(v);
}

function sheetGrid(ws: ExcelJS.Worksheet, fromRow: number, toRow: number): GridRow[] {
  const cols = ws.columnCount;
  const texts = new Map<string, string>();
  const rows: GridRow[] = [];
  for (let r = fromRow; r <= toRow; r++) {
    const row = ws.getRow(r);
    const at: (GridCell | undefined)[] = [];
    const inRow = new Map<string, GridCell>();
    for (let c = 1; c <= cols; c++) {
      const master = row.getCell(c).master;
      const id = master.address;
      let cell = inRow.get(id);
      if (!cell) {
        let text = texts.get(id);
        if (text === undefined) {
          text = tidy(excelText(master.value));
          texts.set(id, text);
        }
        cell = { id, text, own: Number(master.row) === r };
        inRow.set(id, cell);
      }
      at[c - 1] = cell;
    }
    rows.push({ number: r, at });
  }
  return rows;
}

async function readXlsx(buf: Buffer): Promise<TaskListFile> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw badRequest('无法读取 Excel 文件：文件内容已损坏或不是 .xlsx 格式，请在 Excel 中打开后重新保存为 .xlsx', [
      { path: 'file', message: '不是有效的 .xlsx 文件' },
    ]);
  }
  let withoutContent: { keys: Map<TaskListColumn, HeaderColumn>; row: number } | undefined;
  for (const ws of wb.worksheets) {
    const last = ws.rowCount;
    if (last < 1) continue;
    const top = sheetGrid(ws, 1, Math.min(last, HEADER_SCAN_ROWS + 1));
    const header = findHeader(top);
    if (!header) continue;
    if (!header.keys.has('content')) {
      if (!withoutContent && header.keys.size >= 2) withoutContent = { keys: header.keys, row: header.index + 1 };
      continue;
    }
    const grid = sheetGrid(ws, 1, last);
    return {
      format: 'xlsx',
      title: titleAbove(grid, header.index),
      columns: columnsRecord(header.keys),
      rows: rowsOf(grid, header, (r) => r.number),
    };
  }
  if (withoutContent) throw missingContent(withoutContent.keys, withoutContent.row);
  throw noHeader(`没有找到任务清单的表头：Excel 工作表的前 ${HEADER_SCAN_ROWS} 行中没有“工作内容”列`);
}

// ---------------------------------------------------------------------------------------------------------------
// 责任单位 → org names

const LEAD_WORDS = ['牵头单位', '牵头部门', '牵头', '主责单位', '主责部门', '主责', '责任单位', '责任部门', '负责单位'];
const SUPPORT_WORDS = [
  '配合单位',
  '配合部门',
  '配合',
  '协办单位',
  '协办部门',
  '协办',
  '参与单位',
  '参与部门',
  '参与',
  '协同单位',
];
const roleOfWord = (w: string): ResponsibleName['role'] | undefined =>
  LEAD_WORDS.includes(w) ? 'lead' : SUPPORT_WORDS.includes(w) ? 'support' : undefined;

const OPEN = '（(【[〔';
const CLOSE = '）)】]〕';
const OPEN_CLASS = '（(【\\[〔';
const CLOSE_CLASS = '）)】\\]〕';
const SEPARATORS = /[，,、；;/／|｜\s]/;
const LABEL = new RegExp(`^(${[...LEAD_WORDS, ...SUPPORT_WORDS].join('|')})\\s*[:：]\\s*`);
const BRACKET_MARK = new RegExp(`[${OPEN_CLASS}](${[...LEAD_WORDS, ...SUPPORT_WORDS].join('|')})[${CLOSE_CLASS}]`);
const MARK_AT_END = new RegExp(`${BRACKET_MARK.source}$`);
const MARK_AT_START = new RegExp(`^${BRACKET_MARK.source}`);
const BARE_SUFFIX = /^(.{2,}?)(牵头|配合|协办)$/;

/** Pieces of the text between separators outside brackets. */
function pieces(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch)) depth = Math.max(0, depth - 1);
    if (depth === 0 && SEPARATORS.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

interface ParsedName {
  name: string;
  /** Role given by a marker on the name itself, or by a 牵头单位： / 配合单位： label before it. */
  role?: ResponsibleName['role'];
  marked?: boolean;
}

function parseNames(text: string, initial?: ResponsibleName['role']): ParsedName[] {
  const out: ParsedName[] = [];
  let current = initial;
  for (let p of pieces(toHalfWidthColon(text))) {
    for (let m = LABEL.exec(p); m; m = LABEL.exec(p)) {
      current = roleOfWord(m[1]!);
      p = p.slice(m[0].length);
    }
    p = p.trim();
    if (!p) continue;
    const word = roleOfWord(p);
    if (word) {
      current = word;
      continue;
    }
    let role: ResponsibleName['role'] | undefined;
    const end = MARK_AT_END.exec(p) ?? MARK_AT_START.exec(p);
    if (end) {
      role = roleOfWord(end[1]!);
      p = (p.slice(0, end.index) + p.slice(end.index + end[0].length)).trim();
      if (!p) {
        // A marker standing apart ("县团委 （牵头）") belongs to the name before it.
        const prev = out[out.length - 1];
        if (prev) Object.assign(prev, { role, marked: true });
        continue;
      }
    } else {
      const bare = BARE_SUFFIX.exec(p);
      if (bare) {
        role = roleOfWord(bare[2]!);
        p = bare[1]!;
      }
    }
    p = p.replace(/[。.．]+$/, '').trim();
    if (!p) continue;
    out.push(role ? { name: p, role, marked: true } : { name: p, role: current });
  }
  return out;
}

/** Colons are compared in one form only; brackets and everything else stay as written. */
const toHalfWidthColon = (s: string) => s.replace(/：/g, ':');

/**
 * Splits a 责任单位 text into org names. Separators: ，,、；;/ line breaks and spaces (outside brackets, so
 * 各乡（镇）团委 stays one name). Markers set the role: "县团委（牵头）", "教育团工委（配合）", "牵头单位：… 配合单位：…".
 * Without markers every name is 'lead'; when names are marked （牵头） and none （配合）, the unmarked names are
 * 'support' (县团委（牵头），教育团工委 → 教育团工委 配合). Names from the `lead` / `support` columns take that role
 * unless marked otherwise. A name given twice is listed once, as 'lead' if either says so.
 */
export function splitResponsible(text: string, lead?: string, support?: string): ResponsibleName[] {
  const parsed = parseNames(text ?? '');
  const marks = parsed.filter((p) => p.marked);
  const defaultRole: ResponsibleName['role'] =
    marks.some((p) => p.role === 'lead') && !marks.some((p) => p.role === 'support') ? 'support' : 'lead';
  const all: ResponsibleName[] = [
    ...parsed.map((p) => ({ name: p.name, role: p.role ?? defaultRole })),
    ...parseNames(lead ?? '', 'lead').map((p) => ({ name: p.name, role: p.role ?? 'lead' })),
    ...parseNames(support ?? '', 'support').map((p) => ({ name: p.name, role: p.role ?? 'support' })),
  ];
  const out: ResponsibleName[] = [];
  const byName = new Map<string, ResponsibleName>();
  for (const n of all) {
    const seen = byName.get(n.name);
    if (seen) {
      if (n.role === 'lead') seen.role = 'lead';
      continue;
    }
    const copy = { ...n };
    byName.set(n.name, copy);
    out.push(copy);
  }
  return out;
}
