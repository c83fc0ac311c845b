import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AlignmentType,
  Document,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalMergeType,
  WidthType,
} from 'docx';
import ExcelJS from 'exceljs';

/**
 * Test fixtures: the task list of a real county league committee (seed 002, 共青团平罗县委2020年重点工作任务清单)
 * and the same list written as a Word table and as an Excel sheet, the way committees send them.
 */

export interface SeedTask {
  seq: string;
  content: string;
  deadline: string;
  responsible: string;
}

export const SEED_TASK_LIST_FILE = path.resolve(
  fileURLToPath(new URL('../..', import.meta.url)),
  '../shared/seeds/002_f18f31987188af28.txt',
);

const SEED_TITLE = '共青团平罗县委2020年重点工作任务清单';
const HEADER = ['序号', '工作内容', '完成时限', '责任单位'];

/**
 * The 31 tasks of seed 002's list. In the text each cell is a tab-indented line and rows are separated by blank
 * lines; the empty 责任单位 cells continue a merged cell of the original table, so each gets the text of the
 * nearest non-empty cell above.
 */
export function seedTaskList(): { title: string; tasks: SeedTask[] } {
  const lines = readFileSync(SEED_TASK_LIST_FILE, 'utf8').split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === SEED_TITLE);
  if (start < 0) throw new Error(`${SEED_TASK_LIST_FILE}: no line “${SEED_TITLE}”`);
  const groups: string[][] = [];
  let cur: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '') {
      if (cur.length) groups.push(cur);
      cur = [];
    } else cur.push(line.replace(/^\t/, '').trim());
  }
  if (cur.length) groups.push(cur);
  const [header, ...rows] = groups;
  if (header?.join('|') !== HEADER.join('|')) throw new Error(`unexpected header: ${header?.join('|')}`);
  const tasks: SeedTask[] = [];
  let above = '';
  for (const cells of rows) {
    if (cells.length !== 4) throw new Error(`row with ${cells.length} cells: ${cells.join('|')}`);
    const [seq, content, deadline, responsible] = cells as [string, string, string, string];
    above = responsible || above;
    tasks.push({ seq, content, deadline, responsible: above });
  }
  if (tasks.length !== 31) throw new Error(`expected 31 tasks, found ${tasks.length}`);
  return { title: SEED_TITLE, tasks };
}

/**
 * 工作内容 as the generated files write it. Line breaks already in a content are kept; when no content has one,
 * the first content with a second sentence is written on two lines (a break after its first 。), so every file
 * has a multi-line 工作内容.
 */
export function contentsAsWritten(tasks: SeedTask[]): string[] {
  const contents = tasks.map((t) => t.content);
  if (contents.some((c) => c.includes('\n'))) return contents;
  const i = contents.findIndex((c) => /。./.test(c));
  if (i >= 0) contents[i] = contents[i]!.replace('。', '。\n');
  return contents;
}

/** Runs of equal 责任单位 in consecutive rows: for each row, how many rows its merged cell covers (0 = continued). */
function mergeRuns(tasks: SeedTask[]): number[] {
  const runs = tasks.map(() => 0);
  for (let i = 0; i < tasks.length;) {
    let j = i + 1;
    while (j < tasks.length && tasks[j]!.responsible === tasks[i]!.responsible && tasks[i]!.responsible) j++;
    runs[i] = j - i;
    i = j;
  }
  return runs;
}

const FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '仿宋_GB2312' };

/**
 * A .docx with the title as a paragraph and the tasks as a Word table: header row, 责任单位 cells that repeat the
 * cell above written as vertical merges (restart + continue), 工作内容 line breaks as <w:br/> (see
 * `contentsAsWritten`).
 */
export async function taskListDocx(title: string, tasks: SeedTask[]): Promise<Buffer> {
  const contents = contentsAsWritten(tasks);
  const runs = mergeRuns(tasks);
  const text = (s: string, bold = false) =>
    new Paragraph({
      children: s.split('\n').map((line, i) => new TextRun({ text: line, break: i ? 1 : undefined, font: FONT, bold })),
    });
  const cell = (s: string, opts: { bold?: boolean; verticalMerge?: 'restart' | 'continue' } = {}) =>
    new TableCell({
      children: [text(s, opts.bold)],
      verticalMerge:
        opts.verticalMerge === 'restart'
          ? VerticalMergeType.RESTART
          : opts.verticalMerge === 'continue'
            ? VerticalMergeType.CONTINUE
            : undefined,
    });
  const table = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    columnWidths: [700, 6000, 1300, 2000],
    rows: [
      new TableRow({ tableHeader: true, children: HEADER.map((h) => cell(h, { bold: true })) }),
      ...tasks.map(
        (t, i) =>
          new TableRow({
            children: [
              cell(t.seq),
              cell(contents[i]!),
              cell(t.deadline),
              runs[i] === 0
                ? cell('', { verticalMerge: 'continue' })
                : cell(t.responsible, { verticalMerge: runs[i]! > 1 ? 'restart' : undefined }),
            ],
          }),
      ),
    ],
  });
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new TextRun({ text: title, bold: true, size: 32, font: FONT })],
          }),
          new Paragraph({ children: [] }),
          table,
        ],
      },
    ],
  });
  return Buffer.from(await Packer.toBuffer(doc));
}

/**
 * A .xlsx with the title in a merged first row, an empty second row, the header in row 3 and the tasks from row 4
 * (序号 as numbers); 责任单位 runs merged vertically the same way; 工作内容 wrapped, with line breaks as Alt+Enter.
 */
export async function taskListXlsx(title: string, tasks: SeedTask[]): Promise<Buffer> {
  const contents = contentsAsWritten(tasks);
  const runs = mergeRuns(tasks);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('任务清单');
  ws.columns = [{ width: 6 }, { width: 70 }, { width: 14 }, { width: 24 }];
  ws.getCell('A1').value = title;
  ws.getCell('A1').font = { bold: true, size: 16 };
  ws.getCell('A1').alignment = { horizontal: 'center' };
  ws.mergeCells('A1:D1');
  ws.getRow(3).values = HEADER;
  ws.getRow(3).font = { bold: true };
  tasks.forEach((t, i) => {
    const r = 4 + i;
    const row = ws.getRow(r);
    row.getCell(1).value = /^\d+$/.test(t.seq) ? Number(t.seq) : t.seq;
    row.getCell(2).value = contents[i]!;
    row.getCell(3).value = t.deadline;
    if (runs[i]) row.getCell(4).value = t.responsible;
    for (const c of [2, 4]) row.getCell(c).alignment = { wrapText: true, vertical: 'middle' };
  });
  tasks.forEach((_t, i) => {
    if (runs[i]! > 1) ws.mergeCells(4 + i, 4, 4 + i + runs[i]! - 1, 4);
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
