import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createEnv, DIALECTS, Factory, standardTree, type Client, type TestEnv } from '../../test/harness.js';

/** Builds a real .xlsx: optional title rows, then the header, then rows. */
async function xlsx(header: string[], rows: unknown[][], titleRows: string[] = []): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  for (const t of titleRows) ws.addRow([t]);
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function multipart(file: Buffer, filename = 'orgs.xlsx') {
  const boundary = '----tuanwu' + Math.random().toString(16).slice(2);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, file, tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const HEADER = ['组织全称', '组织类型', '组织类别', '组织代码', '上级组织代码', '上级组织', '书记姓名', '书记电话'];

describe.each(DIALECTS)('org import from Excel (%s)', (dialect) => {
  let env: TestEnv;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let admin: Client;
  const upload = (orgId: number, file: Buffer, dryRun: boolean) => {
    const m = multipart(file);
    return env.app.inject({
      method: 'POST',
      url: `/api/orgs/${orgId}/import?dryRun=${dryRun}`,
      payload: m.payload,
      headers: { ...m.headers, cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    });
  };
  const orgCount = async () =>
    Number(
      (
        await env.database.db
          .selectFrom('org')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    env = await createEnv(dialect);
    const f = new Factory(env);
    tree = await standardTree(f);
    admin = await f.account('district-admin', tree.districtA.id, 'admin');
  });
  afterAll(() => env.close());

  it('rejects a file with bad rows, reporting row, column and value, and writes nothing', async () => {
    const before = await orgCount();
    const file = await xlsx(
      HEADER,
      [
        ['共青团甲区第三中学委员会', '团委', '学校', 'JQ03', '', '', '钱书记', '13800138000'],
        ['共青团甲区第三中学高一1班支部委员会', '团支部', '学校', '', 'JQ03', '', '', ''],
        ['', '团支部', '', '', '', '', '', ''],
        ['共青团某社团委员会', '社团', '', '', '', '', '', ''],
        ['共青团甲区第三中学高一2班支部委员会', '团支部', '学校', 'JQ03', '', '', '', ''],
        ['共青团甲区不存在上级支部委员会', '团支部', '', '', 'NOPE99', '', '', ''],
        ['共青团甲区路径错误支部委员会', '团支部', '', '', '', '共青团甲区第一中学委员会/不存在的总支', '', ''],
        ['共青团甲区电话错误团委', '团委', '', '', '', '', '孙书记', '12345'],
        ['共青团乙区第一中学委员会的子支部', '团支部', '', '', tree.schoolB.code, '', '', ''],
        ['共青团甲区第一中学高一1班支部委员会', '团支部', '', '', tree.schoolA.code, '', '', ''],
        ['支部下的支部', '团支部', '', '', tree.branchA.code, '', '', ''],
      ],
      ['共青团甲区委员会下级组织导入表', '填表日期：2026年11月'],
    );
    const res = await upload(tree.districtA.id, file, false);
    expect(res.statusCode).toBe(422);
    const body = res.json<{
      code: string;
      message: string;
      problems: { row: number; column: string; value: string; message: string }[];
    }>();
    expect(body.code).toBe('import_rejected');
    expect(body.message).toContain('未写入任何数据');
    const at = (row: number) =>
      body.problems
        .filter((p) => p.row === row)
        .map((p) => `${p.column}:${p.message}`)
        .join('|');
    expect(at(6)).toContain('组织全称:组织全称不能为空');
    expect(at(7)).toContain('组织类型:组织类型应为');
    expect(at(8)).toContain('组织代码:组织代码与第4行重复');
    expect(at(9)).toContain('找不到上级组织代码 NOPE99');
    expect(at(10)).toContain('找不到上级组织“不存在的总支”');
    expect(at(11)).toContain('书记电话:电话号码格式不正确');
    expect(at(12)).toContain(`找不到上级组织代码 ${tree.schoolB.code}`);
    expect(at(13)).toContain('下已有同名组织');
    expect(at(14)).toContain('团支部下不能');
    expect(await orgCount()).toBe(before);
  });

  it('previews then imports a tree whose parents are rows of the same file, tolerating messy cells', async () => {
    const file = await xlsx(
      ['组织 全称', '组织类型（必填）', '组织类别', '组织代码', '上级组织代码', '上级组织', '书记姓名', '书记电话'],
      [
        ['共青团甲区第四中学委员会', ' 团委 ', '学校', 'ＪＱ０４', '', '', '李书记', '１３９００１３９０００'],
        [
          '共青团甲区第四中学2024级总支部委员会',
          '团总支',
          '学校',
          '',
          '',
          '共青团甲区委员会/共青团甲区第四中学委员会',
          '',
          '',
        ],
        [
          '共青团甲区第四中学2024级1班支部委员会',
          '团支部',
          '学校',
          '',
          '',
          '共青团甲区第四中学委员会 / 共青团甲区第四中学2024级总支部委员会',
          '',
          '',
        ],
        [null, null, null, null, null, null, null, null],
        ['共青团甲区第四中学2024级2班\n支部委员会', '支部', '学校', '', 'JQ04', '', '', ''],
      ],
    );
    const before = await orgCount();
    const preview = await upload(tree.districtA.id, file, true);
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json<{ dryRun: boolean; count: number; rows: { parentLabel: string }[] }>();
    expect(p).toMatchObject({ dryRun: true, count: 4 });
    expect(await orgCount()).toBe(before);
    const res = await upload(tree.districtA.id, file, false);
    expect(res.statusCode, res.body).toBe(200);
    expect(await orgCount()).toBe(before + 4);
    const school = await env.services.orgs.repo.byCode('JQ04');
    expect(school!.descendant_count).toBe(3);
    const children = await env.services.orgs.repo.activeChildren(school!.id);
    expect(children.map((c) => c.name).sort()).toEqual([
      '共青团甲区第四中学2024级2班 支部委员会',
      '共青团甲区第四中学2024级总支部委员会',
    ]);
    const contact = await env.database.db
      .selectFrom('org_contact')
      .selectAll()
      .where('org_id', '=', school!.id)
      .executeTakeFirstOrThrow();
    expect(env.services.cipher.decrypt(contact.phone_enc!)).toBe('13900139000');
    // The same file again: every row now collides, nothing is written twice.
    const again = await upload(tree.districtA.id, file, false);
    expect(again.statusCode).toBe(422);
    expect(await orgCount()).toBe(before + 4);
  });

  it('refuses files that are not the template: wrong columns, not xlsx, empty', async () => {
    const wrong = await upload(
      tree.districtA.id,
      await xlsx(['姓名', '身份证号'], [['张三', '500101200001011234']]),
      true,
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ message: string }>().message).toContain('组织全称');
    const notXlsx = await upload(tree.districtA.id, Buffer.from('MZ this is an exe'), true);
    expect(notXlsx.statusCode).toBe(400);
    expect(notXlsx.json<{ message: string }>().message).toContain('.xlsx');
    const empty = await upload(tree.districtA.id, Buffer.alloc(0), true);
    expect(empty.statusCode).toBe(400);
    const headerOnly = await upload(tree.districtA.id, await xlsx(HEADER, []), true);
    expect(headerOnly.statusCode).toBe(422);
    // An upload over the 10 MB limit is cut off and refused; nothing is written.
    const before = await orgCount();
    const huge = await upload(tree.districtA.id, Buffer.alloc(11 * 1024 * 1024, 1), false);
    expect(huge.statusCode).toBe(413);
    expect(huge.json<{ message: string }>().message).toContain('过大');
    expect(await orgCount()).toBe(before);
  });

  it('exports the subtree in the import layout and the template downloads', async () => {
    const res = await admin.get(`/api/orgs/${tree.districtA.id}/export.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const names: string[] = [];
    wb.worksheets[0]!.eachRow((row, n) => n > 1 && names.push(String(row.getCell(1).value)));
    expect(names).toContain('共青团甲区第一中学委员会');
    expect(names).not.toContain('共青团乙区第一中学委员会');
    const template = await admin.get('/api/orgs/import-template.xlsx');
    expect(template.statusCode).toBe(200);
    const t = new ExcelJS.Workbook();
    await t.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
    expect(t.worksheets.map((w) => w.name)).toEqual(['组织导入', '填写说明']);
  });
});
