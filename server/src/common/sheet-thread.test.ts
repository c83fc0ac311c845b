import { describe, expect, it } from 'vitest';
import { readSheet, workbookBuffer } from './excel.js';
import { readSheetOffThread } from './sheet-thread.js';
import { AppError } from './errors.js';

const aliases = { name: ['姓名'], idNumber: ['身份证号'], joinedOn: ['入团年月'], note: ['备注'] };

describe('reading a worksheet on a worker thread', () => {
  it('gives what readSheet gives, cell values included', async () => {
    const buf = await workbookBuffer([
      {
        name: '团员',
        title: '某某团支部团员名单',
        columns: [
          { header: '姓名', key: 'name' },
          { header: '身份证号', key: 'idNumber' },
          { header: '入团年月', key: 'joinedOn' },
          { header: '备注（选填）', key: 'note' },
        ],
        rows: [
          { name: ' 张三 ', idNumber: '11010519491231002X', joinedOn: new Date('2019-05-01T00:00:00Z'), note: 3 },
          { name: '', idNumber: '', joinedOn: null, note: null },
          { name: '李四', idNumber: 110105194912310020, joinedOn: '2019年5月', note: '转入' },
        ],
      },
    ]);
    const off = await readSheetOffThread(buf, aliases, ['name', 'idNumber']);
    expect(off).toEqual(await readSheet(buf, aliases, ['name', 'idNumber']));
    expect(off.rows.map((r) => r.row)).toEqual([3, 5]);
    expect(off.rows[0]!.raw.get('joinedOn')).toBeInstanceOf(Date);
    expect(off.rows[1]!.raw.get('idNumber')).toBe(110105194912310020);
  });

  it('raises the same errors, in Chinese with the column', async () => {
    const notXlsx = Buffer.from('姓名,身份证号\n张三,1\n');
    const e1 = await readSheetOffThread(notXlsx, aliases, ['name']).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(AppError);
    expect(e1).toMatchObject({ status: 400, message: '无法读取文件：请上传 Excel（.xlsx）文件' });
    const noId = await workbookBuffer([
      { name: '团员', columns: [{ header: '姓名', key: 'name' }], rows: [{ name: '张三' }] },
    ]);
    const e2 = await readSheetOffThread(noId, aliases, ['name', 'idNumber']).catch((e: unknown) => e);
    const e3 = await readSheet(noId, aliases, ['name', 'idNumber']).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(AppError);
    expect(e2).toMatchObject({
      status: (e3 as AppError).status,
      code: (e3 as AppError).code,
      message: (e3 as AppError).message,
      problems: (e3 as AppError).problems,
    });
    expect((e2 as AppError).message).toContain('身份证号');
  });
});
