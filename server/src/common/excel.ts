import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { cleanCell, headerKey } from './text.js';
import { badRequest } from './errors.js';

export interface SheetSpec {
  name: string;
  columns: { header: string; key: string; width?: number }[];
  rows: Record<string, unknown>[];
  /** Lines written above the header (title, notes). */
  title?: string;
  /** Lines written below the rows (how the figures are computed). */
  notes?: string[];
}

export async function workbookBuffer(sheets: SheetSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'tuanwu';
  wb.created = new Date();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    let headerRow = 1;
    if (s.title) {
      ws.addRow([s.title]).font = { bold: true, size: 14 };
      ws.mergeCells(1, 1, 1, Math.max(1, s.columns.length));
      headerRow = 2;
    }
    const header = ws.addRow(s.columns.map((c) => c.header));
    header.font = { bold: true };
    header.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0FE' } };
    });
    s.columns.forEach((c, i) => (ws.getColumn(i + 1).width = c.width ?? Math.max(10, c.header.length * 2 + 4)));
    for (const r of s.rows) ws.addRow(s.columns.map((c) => r[c.key] ?? null));
    if (s.notes?.length) {
      ws.addRow([]);
      for (const n of s.notes) ws.addRow([n]).font = { italic: true, color: { argb: 'FF666666' } };
    }
    ws.views = [{ state: 'frozen', ySplit: headerRow }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function sendWorkbook(reply: FastifyReply, filename: string, sheets: SheetSpec[]): Promise<FastifyReply> {
  const buf = await workbookBuffer(sheets);
  return reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header(
      'content-disposition',
      `attachment; filename="export.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    )
    .send(buf);
}

/** A cell's value as text, whatever Excel stored (rich text, formulas, hyperlinks, numbers, dates). */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return '';
    return '';
  }
  return String(v);
}

export interface ParsedSheet {
  /** Canonical column key → column number (1-based). */
  columns: Map<string, number>;
  /** Header label as written in the file, by canonical key. */
  labels: Map<string, string>;
  headerRow: number;
  rows: { row: number; cells: Map<string, string>; raw: Map<string, ExcelJS.CellValue> }[];
}

/**
 * Reads the first worksheet of an .xlsx, finding the header row among the first 10 (title rows above it
 * are skipped) by matching header aliases; empty rows are skipped.
 */
export async function readSheet(
  buf: Buffer,
  aliases: Record<string, string[]>,
  required: string[],
): Promise<ParsedSheet> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw badRequest('无法读取文件：请上传 Excel（.xlsx）文件', [{ path: 'file', message: '不是有效的 .xlsx 文件' }]);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw badRequest('文件中没有工作表', [{ path: 'file', message: '没有工作表' }]);
  const lookup = new Map<string, string>();
  for (const [key, names] of Object.entries(aliases)) for (const n of names) lookup.set(headerKey(n), key);
  let best: { row: number; columns: Map<string, number>; labels: Map<string, string> } | undefined;
  for (let r = 1; r <= Math.min(10, ws.rowCount); r++) {
    const columns = new Map<string, number>();
    const labels = new Map<string, string>();
    ws.getRow(r).eachCell((cell, col) => {
      const label = cleanCell(cellText(cell.value));
      // Annotations such as （必填） or (选填) after a header name are ignored.
      const key = lookup.get(headerKey(label)) ?? lookup.get(headerKey(label).replace(/\(.*?\)/g, ''));
      if (key && !columns.has(key)) {
        columns.set(key, col);
        labels.set(key, label);
      }
    });
    if (!best || columns.size > best.columns.size) best = { row: r, columns, labels };
  }
  if (!best || best.columns.size === 0) {
    const names = required.map((k) => aliases[k]?.[0]).join('、');
    throw badRequest(`没有找到表头（应包含：${names}），请使用下载的导入模板`, [
      { path: 'file', message: `缺少表头，应包含：${required.map((k) => aliases[k]?.[0]).join('、')}` },
    ]);
  }
  const missing = required.filter((k) => !best.columns.has(k));
  if (missing.length) {
    const problems = missing.map((k) => ({
      path: 'file',
      row: best.row,
      column: aliases[k]?.[0] ?? k,
      message: `缺少必需的列“${aliases[k]?.[0]}”`,
    }));
    throw badRequest(
      `文件缺少必需的列：${missing.map((k) => aliases[k]?.[0]).join('、')}（请使用下载的导入模板）`,
      problems,
    );
  }
  const rows: ParsedSheet['rows'] = [];
  for (let r = best.row + 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells = new Map<string, string>();
    const raw = new Map<string, ExcelJS.CellValue>();
    let any = false;
    for (const [key, col] of best.columns) {
      const v = row.getCell(col).value;
      const text = cleanCell(cellText(v));
      if (text) any = true;
      cells.set(key, text);
      raw.set(key, v);
    }
    if (any) rows.push({ row: r, cells, raw });
  }
  return { columns: best.columns, labels: best.labels, headerRow: best.row, rows };
}
