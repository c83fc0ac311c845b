import {
  AlignmentType,
  BorderStyle,
  Document,
  LineRuleType,
  Packer,
  PageBreak,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import type { FastifyReply } from 'fastify';
import { sendWorkbook, type SheetSpec } from './excel.js';

/**
 * An official document (公文) in the layout of GB/T 9704: red header with the issuing organ, document number,
 * red rule, title, addressees, body, attachment list, signature and date, then each attachment on its own page.
 * Built once as data, rendered to Word here and to Excel by `documentSheets`, so both outputs say the same.
 */
export interface OfficialDocument {
  /** 发文机关 (red header), e.g. 共青团某某市委员会. */
  issuer: string;
  /** 发文字号, e.g. 某团〔2026〕12号. */
  docNumber?: string;
  title: string;
  /** 主送机关, e.g. 各区县团委. */
  addressees?: string;
  paragraphs: string[];
  attachments: { title: string; columns: string[]; rows: (string | number)[][]; notes?: string[] }[];
  signature: string;
  /** 成文日期, e.g. 2026年11月22日. */
  date: string;
}

const FANGSONG = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '仿宋_GB2312' };
const HEITI = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '黑体' };
const XIAOBIAOSONG = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '方正小标宋简体' };
/** 三号 (16 pt) body text on a fixed 28 pt line, as official documents are set. */
const BODY_SIZE = 32;
const LINE = { line: 560, lineRule: LineRuleType.EXACT };
const RED = 'E60012';

const body = (
  text: string,
  opts: { indent?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType] } = {},
) =>
  new Paragraph({
    spacing: LINE,
    alignment: opts.align ?? AlignmentType.JUSTIFIED,
    indent: opts.indent === false ? undefined : { firstLine: 640 },
    children: [new TextRun({ text, font: FANGSONG, size: BODY_SIZE })],
  });

function table(columns: string[], rows: (string | number)[][]): Table {
  const cell = (text: string, header: boolean) =>
    new TableCell({
      verticalAlign: VerticalAlign.CENTER,
      children: [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          children: [new TextRun({ text, font: header ? HEITI : FANGSONG, size: 24, bold: false })],
        }),
      ],
    });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: columns.map((c) => cell(c, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((v) => cell(String(v), false)) })),
    ],
  });
}

export async function documentBuffer(doc: OfficialDocument): Promise<Buffer> {
  const front: (Paragraph | Table)[] = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 400, after: 200 },
      children: [new TextRun({ text: `${doc.issuer}文件`, font: XIAOBIAOSONG, size: 72, color: RED })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 120 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 18, color: RED, space: 8 } },
      children: [new TextRun({ text: doc.docNumber ?? '', font: FANGSONG, size: BODY_SIZE })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 480, after: 480, line: 700, lineRule: LineRuleType.EXACT },
      children: [new TextRun({ text: doc.title, font: XIAOBIAOSONG, size: 44 })],
    }),
  ];
  if (doc.addressees) front.push(body(`${doc.addressees}：`, { indent: false }));
  for (const p of doc.paragraphs) front.push(body(p));
  if (doc.attachments.length) {
    front.push(body(''));
    doc.attachments.forEach((a, i) =>
      front.push(
        new Paragraph({
          spacing: LINE,
          indent: { left: i === 0 ? 640 : 1600, hanging: i === 0 ? 0 : 0 },
          children: [
            new TextRun({
              text: `${i === 0 ? '附件：' : ''}${doc.attachments.length > 1 ? `${i + 1}. ` : ''}${a.title}`,
              font: FANGSONG,
              size: BODY_SIZE,
            }),
          ],
        }),
      ),
    );
  }
  front.push(body(''), body(''));
  front.push(body(doc.signature, { indent: false, align: AlignmentType.RIGHT }));
  front.push(body(doc.date, { indent: false, align: AlignmentType.RIGHT }));
  doc.attachments.forEach((a, i) => {
    front.push(new Paragraph({ children: [new PageBreak()] }));
    front.push(
      new Paragraph({
        spacing: LINE,
        children: [
          new TextRun({ text: doc.attachments.length > 1 ? `附件${i + 1}` : '附件', font: HEITI, size: BODY_SIZE }),
        ],
      }),
    );
    front.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        spacing: { before: 240, after: 240 },
        children: [new TextRun({ text: a.title, font: XIAOBIAOSONG, size: 36 })],
      }),
    );
    front.push(table(a.columns, a.rows));
    for (const n of a.notes ?? [])
      front.push(
        new Paragraph({
          spacing: { before: 120 },
          children: [new TextRun({ text: n, font: FANGSONG, size: 21 })],
        }),
      );
  });
  const document = new Document({
    creator: 'tuanwu',
    title: doc.title,
    styles: { default: { document: { run: { font: FANGSONG, size: BODY_SIZE } } } },
    sections: [
      {
        properties: {
          // GB/T 9704 margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (A4).
          page: {
            size: { width: 11906, height: 16838 },
            margin: { top: 2098, bottom: 1984, left: 1587, right: 1474 },
          },
        },
        children: front,
      },
    ],
  });
  return Buffer.from(await Packer.toBuffer(document));
}

/** The same document as worksheets: the text first, then one sheet per attachment. */
export function documentSheets(doc: OfficialDocument): SheetSpec[] {
  const text: SheetSpec = {
    name: '正文',
    title: doc.title,
    columns: [{ header: doc.docNumber ?? doc.issuer, key: 't', width: 120 }],
    rows: [
      ...(doc.addressees ? [{ t: `${doc.addressees}：` }] : []),
      ...doc.paragraphs.map((t) => ({ t })),
      { t: '' },
      { t: doc.signature },
      { t: doc.date },
    ],
  };
  return [
    text,
    ...doc.attachments.map((a, i) => ({
      name: `附件${i + 1}`,
      title: a.title,
      columns: a.columns.map((c, j) => ({ header: c, key: `c${j}`, width: j === 1 ? 36 : 12 })),
      rows: a.rows.map((r) => Object.fromEntries(r.map((v, j) => [`c${j}`, v]))),
      ...(a.notes && { notes: a.notes }),
    })),
  ];
}

/** Sends an official document as Word (.docx) or, with the same content, as an Excel workbook. */
export async function sendDocument(reply: FastifyReply, doc: OfficialDocument, format: 'docx' | 'xlsx') {
  const name = `${doc.title}.${format}`;
  if (format === 'xlsx') return sendWorkbook(reply, name, documentSheets(doc));
  return reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    .header('content-disposition', `attachment; filename="document.docx"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .send(await documentBuffer(doc));
}
