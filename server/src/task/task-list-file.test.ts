import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { AppError } from '../common/errors.js';
import { readTaskListFile, splitResponsible, taskListColumnOf } from './task-list-file.js';
import { contentsAsWritten, seedTaskList, taskListDocx, taskListXlsx } from '../../test/task-list-fixtures.js';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** A minimal .docx whose document body is the given WordprocessingML. */
async function docxWithBody(body: string): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="${W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>${body}<w:sectPr/></w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer' });
}

const run = (text: string) =>
  `<w:r><w:rPr><w:rFonts w:eastAsia="仿宋"/></w:rPr><w:t xml:space="preserve">${text}</w:t></w:r>`;
const p = (...runs: string[]) => `<w:p><w:pPr><w:jc w:val="center"/></w:pPr>${runs.map(run).join('')}</w:p>`;
const tc = (content: string, props = '') =>
  `<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/>${props}</w:tcPr>${content || '<w:p/>'}</w:tc>`;
const tr = (...cells: string[]) => `<w:tr>${cells.join('')}</w:tr>`;
const tbl = (...rows: string[]) => `<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>${rows.join('')}</w:tbl>`;
const span = (n: number) => `<w:gridSpan w:val="${n}"/>`;
const RESTART = '<w:vMerge w:val="restart"/>';
const CONTINUE = '<w:vMerge/>';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the file to be refused');
}

async function xlsxOf(fill: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb.addWorksheet('Sheet1'));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('task list from the seed, written as Word and as Excel', () => {
  const seed = seedTaskList();

  it('reads the seed list itself: 31 tasks, merged 责任单位 cells resolved from the cell above', () => {
    expect(seed.title).toBe('共青团平罗县委2020年重点工作任务清单');
    expect(seed.tasks).toHaveLength(31);
    expect(seed.tasks[1]).toMatchObject({
      seq: '2',
      deadline: '全年',
      responsible: '各乡（镇）团委，教育团工委，县直机关团委',
    });
    expect(seed.tasks[16]!.content.endsWith('覆盖率达到90%以上。')).toBe(true);
  });

  it('reads the Word table: title paragraph, 31 rows, deadlines as written, vertical merges, line breaks', async () => {
    const buf = await taskListDocx(seed.title, seed.tasks);
    const xml = await (await JSZip.loadAsync(buf)).file('word/document.xml')!.async('string');
    expect(xml).toContain('<w:vMerge w:val="restart"/>');
    expect(xml).toContain('<w:vMerge w:val="continue"/>');
    expect(xml).toContain('<w:br/>');

    const file = await readTaskListFile(buf);
    expect(file.format).toBe('docx');
    expect(file.title).toBe(seed.title);
    expect(file.columns).toEqual({ seq: '序号', content: '工作内容', deadline: '完成时限', responsible: '责任单位' });
    expect(file.rows).toHaveLength(31);
    expect(file.rows.map((r) => r.seq)).toEqual(Array.from({ length: 31 }, (_, i) => String(i + 1)));
    expect(file.rows.map((r) => r.row)).toEqual(Array.from({ length: 31 }, (_, i) => i + 2));
    expect(file.rows.map((r) => r.deadline)).toEqual(seed.tasks.map((t) => t.deadline));
    expect(file.rows.map((r) => r.deadline)).toContain('10月中旬、全年');
    expect(file.rows.map((r) => r.deadline)).toContain('县两会前');
    expect(file.rows.map((r) => r.responsible)).toEqual(seed.tasks.map((t) => t.responsible));
    expect(file.rows[6]!.responsible).toBe('各乡（镇）团委，教育团工委，县直机关团委');
    expect(file.rows.map((r) => r.content)).toEqual(contentsAsWritten(seed.tasks));
    expect(file.rows[0]!.content).toBe(
      '选树本地、本领域新冠肺炎疫情防控青年典型，做好相关推报工作。\n做好“平罗青年五四奖章”“两红两优”评选活动。',
    );
    expect(file.rows[0]!.lead).toBeUndefined();
  });

  it('reads the Excel sheet: title rows above the header, 序号 numbers, merged 责任单位 runs, line breaks', async () => {
    const file = await readTaskListFile(await taskListXlsx(seed.title, seed.tasks));
    expect(file.format).toBe('xlsx');
    expect(file.title).toBe(seed.title);
    expect(file.columns).toEqual({ seq: '序号', content: '工作内容', deadline: '完成时限', responsible: '责任单位' });
    expect(file.rows).toHaveLength(31);
    expect(file.rows[0]!.row).toBe(4);
    expect(file.rows[30]!.row).toBe(34);
    expect(file.rows.map((r) => r.seq)).toEqual(seed.tasks.map((t) => t.seq));
    expect(file.rows.map((r) => r.deadline)).toEqual(seed.tasks.map((t) => t.deadline));
    expect(file.rows.map((r) => r.responsible)).toEqual(seed.tasks.map((t) => t.responsible));
    expect(file.rows.map((r) => r.content)).toEqual(contentsAsWritten(seed.tasks));
    expect(file.rows[0]!.content.split('\n')).toHaveLength(2);
  });

  it('keeps line breaks the tasks already have instead of adding one', async () => {
    const tasks = seed.tasks.slice(0, 3).map((t) => ({ ...t }));
    tasks[2]!.content = '第一行\n第二行\n第三行';
    expect(contentsAsWritten(tasks)).toEqual(tasks.map((t) => t.content));
    for (const buf of [await taskListDocx('清单', tasks), await taskListXlsx('清单', tasks)]) {
      const file = await readTaskListFile(buf);
      expect(file.rows.map((r) => r.content)).toEqual(tasks.map((t) => t.content));
      expect(file.title).toBe('清单');
    }
  });
});

describe('Word tables', () => {
  it('reads a merged 工作内容 header cell (gridSpan), entities, tabs, runs, paragraphs, vertical merges; skips empty and repeated header rows', async () => {
    const buf = await docxWithBody(
      p('通知正文') +
        tbl(tr(tc(p('姓名')), tc(p('电话'))), tr(tc(p('张三')), tc(p('138')))) +
        p('附件') +
        p('2021年', '重点工作任务清单') +
        '<w:p/>' +
        tbl(
          tr(
            tc(p('序 号')),
            tc(p('工作', '内容'), span(2)),
            tc(p('完成时限') + p('（时间节点）')),
            tc(p('责任', '单位')),
          ),
          tr(
            tc(p('1')),
            tc(p('思想引领')),
            tc(
              p('A &amp; B &lt;C&gt; &quot;D&quot; &#x4E2D;&#25991;') +
                `<w:p><w:r><w:t>第二段</w:t><w:tab/><w:t>x</w:t></w:r></w:p>`,
            ),
            tc(p('3月')),
            tc(p('县团委'), RESTART),
          ),
          tr(
            tc(p('2')),
            tc(
              `<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行  </w:t></w:r><w:r><w:t>\u3000</w:t></w:r></w:p>`,
              span(2),
            ),
            tc(p('全年')),
            tc(p(''), CONTINUE),
          ),
          tr(tc(p('序号')), tc(p('工作内容'), span(2)), tc(p('完成时限')), tc(p('责任单位'))),
          tr(tc(p('')), tc('', span(2)), tc(p('  ')), tc('')),
          tr(tc(''), tc('', span(2)), tc(p('6月')), tc(p('教育团工委'), RESTART)),
          tr(
            tc(p('4')),
            tc(
              p('主体') +
                tbl(tr(tc(p('嵌套表格')))) +
                `<w:p><w:del w:id="1"><w:r><w:delText>删除的</w:delText></w:r></w:del><w:ins w:id="2"><w:r><w:t>插入的</w:t></w:r></w:ins><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏的</w:t></w:r><w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink></w:p>`,
              span(2),
            ),
            tc(''),
            tc('', CONTINUE),
          ),
        ),
    );
    const file = await readTaskListFile(buf);
    expect(file.title).toBe('2021年重点工作任务清单');
    expect(file.columns).toEqual({
      seq: '序 号',
      content: '工作内容',
      deadline: '完成时限（时间节点）',
      responsible: '责任单位',
    });
    expect(file.rows).toEqual([
      {
        row: 2,
        seq: '1',
        content: '思想引领\nA & B <C> "D" 中文\n第二段 x',
        deadline: '3月',
        responsible: '县团委',
      },
      { row: 3, seq: '2', content: '第一行\n第二行', deadline: '全年', responsible: '县团委' },
      { row: 6, seq: '', content: '', deadline: '6月', responsible: '教育团工委' },
      { row: 7, seq: '4', content: '主体\n插入的链接', deadline: '', responsible: '教育团工委' },
    ]);
  });

  it('reads a title row inside the table and 牵头单位 / 配合单位 under a merged 责任单位 header', async () => {
    const buf = await docxWithBody(
      p('不是标题') +
        tbl(
          tr(tc(p('附件1'), span(5))),
          tr(tc(p('某某团委2021年工作任务清单'), span(5))),
          tr(
            tc(p('序号'), RESTART),
            tc(p('具体任务'), RESTART),
            tc(p('完成时间'), RESTART),
            tc(p('责任单位'), span(2)),
          ),
          tr(tc('', CONTINUE), tc('', CONTINUE), tc('', CONTINUE), tc(p('牵头单位')), tc(p('配合单位'))),
          tr(tc(p('1')), tc(p('任务一')), tc(p('5月')), tc(p('县团委')), tc(p('教育团工委、县直机关团委'))),
          tr(tc(p('2')), tc(p('任务二')), tc(p('6月')), tc(p('教育团工委')), tc('')),
        ),
    );
    const file = await readTaskListFile(buf);
    expect(file.title).toBe('某某团委2021年工作任务清单');
    expect(file.columns).toEqual({
      seq: '序号',
      content: '具体任务',
      deadline: '完成时间',
      lead: '牵头单位',
      support: '配合单位',
    });
    expect(file.rows).toEqual([
      {
        row: 3,
        seq: '1',
        content: '任务一',
        deadline: '5月',
        responsible: '',
        lead: '县团委',
        support: '教育团工委、县直机关团委',
      },
      { row: 4, seq: '2', content: '任务二', deadline: '6月', responsible: '', lead: '教育团工委', support: '' },
    ]);
  });

  it('takes the title from the paragraph nearest the table, and null when there is none', async () => {
    const table = tbl(tr(tc(p('工作内容')), tc(p('责任单位'))), tr(tc(p('任务')), tc(p('县团委'))));
    expect((await readTaskListFile(await docxWithBody(p('旧标题') + p('新标题') + table))).title).toBe('新标题');
    expect((await readTaskListFile(await docxWithBody(table))).title).toBeNull();
  });
});

describe('Excel sheets', () => {
  it('recognises header variants and reads rich text, formulas, numbers and a category column', async () => {
    const buf = await xlsxOf((ws) => {
      ws.getCell('A1').value = '附件1';
      ws.getCell('A2').value = '  某某团委重点工作任务清单 ';
      ws.mergeCells('A2:G2');
      ws.getRow(3).values = [
        ' 序 号 ',
        '工 作 内 容',
        '完成时限（时间节点）',
        '牵头单位',
        '配合单位',
        '工作类别',
        '备注',
      ];
      ws.getRow(4).values = [
        1,
        { richText: [{ text: '第一句，' }, { font: { bold: true }, text: '加粗\r\n第二行' }] },
        { formula: '"6月"&"底"', result: '6月底' },
        '县团委',
        '教育团工委、\n县直机关团委',
        '组织建设',
        '',
      ];
      ws.getRow(6).values = [{ formula: 'A4+1', result: 2 }, '第二项', '全年', '县团委', '', '宣传思想', '备注'];
      ws.getRow(7).values = ['一、思想引领'];
      ws.mergeCells('A7:G7');
    });
    const file = await readTaskListFile(buf);
    expect(file.title).toBe('某某团委重点工作任务清单');
    expect(file.columns).toEqual({
      seq: '序 号',
      content: '工 作 内 容',
      deadline: '完成时限（时间节点）',
      lead: '牵头单位',
      support: '配合单位',
      category: '工作类别',
    });
    expect(file.rows).toEqual([
      {
        row: 4,
        seq: '1',
        content: '第一句，加粗\n第二行',
        deadline: '6月底',
        responsible: '',
        lead: '县团委',
        support: '教育团工委、\n县直机关团委',
        category: '组织建设',
      },
      {
        row: 6,
        seq: '2',
        content: '第二项',
        deadline: '全年',
        responsible: '',
        lead: '县团委',
        support: '',
        category: '宣传思想',
      },
      // A row the importer reports: text only in the 序号 column.
      { row: 7, seq: '一、思想引领', content: '', deadline: '', responsible: '', lead: '', support: '', category: '' },
    ]);
  });

  it('reads 牵头单位 as the 责任单位 when there is no 配合单位 column; header text with line breaks', async () => {
    const buf = await xlsxOf((ws) => {
      ws.addRow(['编号', '重点工作任务', '完成\n时限', '牵头单位']);
      ws.addRow(['（一）', '任务', '3月', '县团委']);
      ws.addRow(['（二）', '任务二', '', '']);
      ws.mergeCells('D2:D3');
    });
    const file = await readTaskListFile(buf);
    expect(file.title).toBeNull();
    expect(file.columns).toEqual({
      seq: '编号',
      content: '重点工作任务',
      deadline: '完成时限',
      responsible: '牵头单位',
    });
    expect(file.rows).toEqual([
      { row: 2, seq: '（一）', content: '任务', deadline: '3月', responsible: '县团委' },
      { row: 3, seq: '（二）', content: '任务二', deadline: '', responsible: '县团委' },
    ]);
  });

  it('reads a two-row header: 牵头单位 / 配合单位 under a merged 责任单位, other header cells merged down', async () => {
    const buf = await xlsxOf((ws) => {
      ws.getRow(1).values = ['序号', '工作内容', '完成时限', '责任单位'];
      ws.getRow(2).values = ['', '', '', '牵头单位', '配合单位'];
      for (const range of ['A1:A2', 'B1:B2', 'C1:C2', 'D1:E1']) ws.mergeCells(range);
      ws.getRow(3).values = [1, '任务一', '全年', '县团委', '各乡（镇）团委'];
      ws.getRow(4).values = [2, '任务二', '9月', '', '教育团工委'];
      ws.mergeCells('D3:D4');
    });
    const file = await readTaskListFile(buf);
    expect(file.columns).toEqual({
      seq: '序号',
      content: '工作内容',
      deadline: '完成时限',
      lead: '牵头单位',
      support: '配合单位',
    });
    expect(file.rows).toEqual([
      {
        row: 3,
        seq: '1',
        content: '任务一',
        deadline: '全年',
        responsible: '',
        lead: '县团委',
        support: '各乡（镇）团委',
      },
      { row: 4, seq: '2', content: '任务二', deadline: '9月', responsible: '', lead: '县团委', support: '教育团工委' },
    ]);
  });

  it('uses the first sheet that has the header', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['填表说明：请按模板填写']);
    const ws = wb.addWorksheet('清单');
    ws.addRow(['工作任务', '责任部门']);
    ws.addRow(['任务', '县团委']);
    const file = await readTaskListFile(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(file.rows).toEqual([{ row: 2, seq: '', content: '任务', deadline: '', responsible: '县团委' }]);
  });

  it('matches header names, not titles or unrelated columns', () => {
    expect(taskListColumnOf('完成时限(时间节点)')).toBe('deadline');
    expect(taskListColumnOf('工作内容\n及要求')).toBe('content');
    expect(taskListColumnOf('No.')).toBe('seq');
    expect(taskListColumnOf('责任单位（部门）')).toBe('responsible');
    expect(taskListColumnOf('计划完成时间')).toBe('deadline');
    expect(taskListColumnOf('配合单位')).toBe('support');
    expect(taskListColumnOf('分　类')).toBe('category');
    expect(taskListColumnOf('备注')).toBeUndefined();
    expect(taskListColumnOf('完成情况')).toBeUndefined();
    expect(taskListColumnOf('共青团平罗县委2020年重点工作任务清单')).toBeUndefined();
  });
});

describe('files that cannot be read', () => {
  it('refuses random bytes, a zip that is neither Word nor Excel, and an empty file', async () => {
    const noise = randomBytes(512);
    noise[0] = 0x00;
    for (const buf of [
      noise,
      Buffer.alloc(0),
      Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(100)]),
      await new JSZip().file('readme.txt', 'hello').generateAsync({ type: 'nodebuffer' }),
    ]) {
      const e = await rejection(readTaskListFile(buf));
      expect(e.status).toBe(400);
      expect(e.message).toBe('无法读取文件：请上传 Word（.docx）或 Excel（.xlsx）格式的任务清单');
      expect(e.problems).toEqual([{ path: 'file', message: '文件格式不支持' }]);
    }
  });

  it('asks for .docx / .xlsx when given an old .doc or .xls', async () => {
    const e = await rejection(
      readTaskListFile(
        Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]),
      ),
    );
    expect(e.status).toBe(400);
    expect(e.message).toContain('.doc');
    expect(e.message).toContain('.xls');
    expect(e.message).toContain('另存为');
  });

  it('names the 工作内容 column when a table or sheet lacks it', async () => {
    const word = await docxWithBody(
      p('标题') +
        tbl(tr(tc(p('序号')), tc(p('任务')), tc(p('完成时限')), tc(p('责任单位'))), tr(tc(p('1')), tc(p('x')))),
    );
    const excel = await xlsxOf((ws) => {
      ws.addRow(['清单']);
      ws.addRow(['序号', '事项', '完成时限', '责任单位']);
      ws.addRow([1, 'x', '全年', '县团委']);
    });
    for (const buf of [word, excel]) {
      const e = await rejection(readTaskListFile(buf));
      expect(e.status).toBe(400);
      expect(e.message).toContain('缺少“工作内容”列');
      expect(e.message).toContain('序号、完成时限、责任单位');
      expect(e.problems?.[0]).toMatchObject({ path: 'file', column: '工作内容' });
    }
    const noTable = await rejection(readTaskListFile(await docxWithBody(p('只有文字，没有表格'))));
    expect(noTable.status).toBe(400);
    expect(noTable.message).toContain('工作内容');
    expect(noTable.message).toContain('没有表格');
  });
});

describe('splitResponsible', () => {
  it('splits on Chinese and ASCII separators and keeps brackets inside names', () => {
    expect(splitResponsible('各乡（镇）团委，教育团工委，县直机关团委')).toEqual([
      { name: '各乡（镇）团委', role: 'lead' },
      { name: '教育团工委', role: 'lead' },
      { name: '县直机关团委', role: 'lead' },
    ]);
    expect(splitResponsible('县团委;教育团工委/县直机关团委(含各局、办)、平罗工业园区团工委')).toEqual([
      { name: '县团委', role: 'lead' },
      { name: '教育团工委', role: 'lead' },
      { name: '县直机关团委(含各局、办)', role: 'lead' },
      { name: '平罗工业园区团工委', role: 'lead' },
    ]);
  });

  it('reads （牵头） / （配合） markers', () => {
    expect(splitResponsible('县团委（牵头），教育团工委（配合）')).toEqual([
      { name: '县团委', role: 'lead' },
      { name: '教育团工委', role: 'support' },
    ]);
    expect(splitResponsible('各乡（镇）团委(配合)、县团委 （牵头）')).toEqual([
      { name: '各乡（镇）团委', role: 'support' },
      { name: '县团委', role: 'lead' },
    ]);
    // Names beside a （牵头） name without a marker of their own work with it.
    expect(splitResponsible('县团委（牵头）、教育团工委')).toEqual([
      { name: '县团委', role: 'lead' },
      { name: '教育团工委', role: 'support' },
    ]);
  });

  it('reads 牵头单位： / 配合单位： labels', () => {
    expect(splitResponsible('牵头单位：县团委；配合单位：教育团工委、县直机关团委')).toEqual([
      { name: '县团委', role: 'lead' },
      { name: '教育团工委', role: 'support' },
      { name: '县直机关团委', role: 'support' },
    ]);
    expect(splitResponsible('牵头单位: 县团委\n配合单位: 教育团工委')).toEqual([
      { name: '县团委', role: 'lead' },
      { name: '教育团工委', role: 'support' },
    ]);
  });

  it('takes names from separate 牵头单位 / 配合单位 columns, each name once', () => {
    expect(splitResponsible('', '县团委', '教育团工委、县直机关团委')).toEqual([
      { name: '县团委', role: 'lead' },
      { name: '教育团工委', role: 'support' },
      { name: '县直机关团委', role: 'support' },
    ]);
    expect(splitResponsible('教育团工委', '县团委', '教育团工委')).toEqual([
      { name: '教育团工委', role: 'lead' },
      { name: '县团委', role: 'lead' },
    ]);
  });

  it('ignores stray spaces, line breaks and empty pieces; empty text gives no names', () => {
    expect(splitResponsible(' 县团委 \n  教育团工委 ，，　县直机关团委。 ')).toEqual([
      { name: '县团委', role: 'lead' },
      { name: '教育团工委', role: 'lead' },
      { name: '县直机关团委', role: 'lead' },
    ]);
    expect(splitResponsible('')).toEqual([]);
    expect(splitResponsible(' \n ，')).toEqual([]);
    expect(splitResponsible('', '', '')).toEqual([]);
  });
});
