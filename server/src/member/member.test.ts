import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createEnv, DIALECTS, Factory, standardTree, type Client, type TestEnv } from '../../test/harness.js';
import { uploadAs, xlsx } from '../../test/xlsx-upload.js';
import { checkIdNumber, parseYearMonth, withCheckChar, maskIdNumber, ageOn } from './member-fields.js';

const ID = (birth: string, seq: string) => withCheckChar(`500101${birth}${seq}`);

describe('member fields', () => {
  it('checks ID numbers by GB 11643 and reads 入团年月 the ways people write it', () => {
    expect(checkIdNumber('11010519491231002X')).toMatchObject({ ok: true, birthDate: '1949-12-31', gender: '女' });
    expect(checkIdNumber('11010519491231002x')).toMatchObject({ ok: true });
    expect(checkIdNumber('１１０１０５１９４９１２３１００２Ｘ')).toMatchObject({ ok: true });
    expect(checkIdNumber('110105194912310021')).toMatchObject({ ok: false, reason: expect.stringContaining('校验位') });
    expect(checkIdNumber('11010519491331002X')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('出生日期'),
    });
    expect(checkIdNumber('1101051949123100')).toMatchObject({ ok: false, reason: expect.stringContaining('18位') });
    for (const [v, want] of [
      ['2005年3月', '2005-03'],
      ['2005.03', '2005-03'],
      ['2005-3', '2005-03'],
      ['200503', '2005-03'],
      ['2005/3/15', '2005-03'],
      [38412, '2005-03'],
      ['2005年13月', null],
      ['三月', null],
    ] as const) {
      expect(parseYearMonth(v), String(v)).toBe(want);
    }
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(ageOn('2000-06-15', '2028-06-14')).toBe(27);
    expect(ageOn('2000-06-15', '2028-06-15')).toBe(28);
  });
});

describe.each(DIALECTS)('members (%s)', (dialect) => {
  let env: TestEnv;
  let f: Factory;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let branchAdmin: Client;
  let districtAdmin: Client;
  const upload = (c: Client, orgId: number, file: Buffer, dryRun: boolean) =>
    uploadAs(env, c, `/api/orgs/${orgId}/members/import?dryRun=${dryRun}`, file);
  const memberCount = async () =>
    Number(
      (
        await env.database.db
          .selectFrom('member')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    env = await createEnv(dialect);
    f = new Factory(env);
    tree = await standardTree(f);
    branchAdmin = await f.account('branch-a', tree.branchA.id, 'secretary');
    districtAdmin = await f.account('district-a', tree.districtA.id, 'admin');
  });
  afterAll(() => env.close());

  it('adds a member to a branch with encrypted, masked personal data; rejects what 智慧团建 rejects', async () => {
    const id = ID('20060510', '123');
    const res = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '王小明',
      idNumber: id,
      phone: '13912345678',
      politicalStatus: '共青团员',
      joinedOn: '2021-05',
      admissionNumber: '202100000001',
    });
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json<{
      id: number;
      idNumberMasked: string;
      phoneMasked: string;
      gender: string;
      birthDate: string;
    }>();
    expect(m).toMatchObject({
      idNumberMasked: maskIdNumber(id),
      phoneMasked: '139****5678',
      gender: '男',
      birthDate: '2006-05-10',
    });
    const row = await env.database.db.selectFrom('member').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.id_number_enc).not.toContain(id);
    expect(row.phone_enc).not.toContain('13912345678');
    expect(
      (
        await env.database.db
          .selectFrom('org')
          .select('member_count')
          .where('id', '=', tree.branchA.id)
          .executeTakeFirstOrThrow()
      ).member_count,
    ).toBe(1);

    const before = await memberCount();
    const bad: [Record<string, unknown>, string, string][] = [
      [
        { name: '李', idNumber: id.slice(0, 17) + (id.endsWith('1') ? '2' : '1'), politicalStatus: '共青团员' },
        'idNumber',
        '校验位',
      ],
      [
        { name: '李', idNumber: ID('20120101', '234'), politicalStatus: '共青团员', joinedOn: '2025-06' },
        'joinedOn',
        '未满14周岁',
      ],
      [
        { name: '李', idNumber: ID('20050101', '234'), politicalStatus: '共青团员', gender: '男' },
        'gender',
        '性别与身份证号不符',
      ],
      [
        {
          name: '李',
          idNumber: ID('20050101', '234'),
          politicalStatus: '共青团员',
          joinedOn: '2020-05',
          admissionNumber: '201900000002',
        },
        'admissionNumber',
        '前四位',
      ],
      [{ name: '李', idNumber: ID('20050101', '234'), politicalStatus: '群众' }, 'politicalStatus', '政治面貌'],
      [
        { name: '李', idNumber: ID('20050101', '234'), politicalStatus: '共青团员', joinedOn: '2099-01' },
        'joinedOn',
        '不能晚于本月',
      ],
      [{ name: '重复', idNumber: id, politicalStatus: '共青团员' }, 'idNumber', '已登记'],
    ];
    for (const [payload, field, text] of bad) {
      const r = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, payload);
      expect([400, 409], r.body).toContain(r.statusCode);
      const body = r.json<{ message: string; problems: { path: string }[] }>();
      expect(
        body.problems.map((p) => p.path),
        r.body,
      ).toContain(field);
      expect(body.message + JSON.stringify(body.problems)).toContain(text);
    }
    const notBranch = await districtAdmin.post(`/api/orgs/${tree.schoolA.id}/members`, {
      name: '李',
      idNumber: ID('20050101', '234'),
      politicalStatus: '共青团员',
    });
    expect(notBranch.statusCode).toBe(400);
    expect(await memberCount()).toBe(before);

    // Full values only on request, audited.
    const full = await branchAdmin.get(`/api/members/${m.id}/sensitive`);
    expect(full.json()).toEqual({ idNumber: id, phone: '13912345678' });
    const audit = await branchAdmin.get(`/api/orgs/${tree.branchA.id}/audit?action=member.reveal`);
    expect(audit.json<{ total: number }>().total).toBe(1);
  });

  it('imports a messy 智慧团建 file all-or-nothing, then idempotently, then reports changes first', async () => {
    const header = [
      '序号',
      '姓名',
      '性别',
      '民族',
      '公民身份号码',
      '联系电话',
      '政治面貌',
      '入团时间',
      '团员编号',
      '学历',
      '团员类别',
      ' 所在团支部 ',
    ];
    const branch = '共青团甲区第一中学高一1班支部委员会';
    const rows = [
      [
        1,
        '张 三',
        '男',
        '汉族',
        ID('20070301', '111'),
        '１３８００１３８０００',
        '共青团员',
        '2021年5月',
        '202100000011',
        '高中',
        '学生',
        branch,
      ],
      [
        2,
        '李四',
        '女',
        '汉族',
        ID('20070302', '122').toLowerCase(),
        '13800138001',
        '共青团员',
        '2021.05',
        '',
        '高中',
        '学生',
        branch,
      ],
      [3, '王五', '男', '回族', ID('20070303', '131'), '', '', '202105', '', '高中', '学生', branch],
      [
        4,
        '赵六',
        '男',
        '汉族',
        ID('20070304', '141').slice(0, 17) + '0',
        '',
        '共青团员',
        '2021-05',
        '',
        '高中',
        '学生',
        branch,
      ],
      [5, '钱七', '女', '汉族', ID('20120305', '152'), '', '共青团员', '2022-05', '', '初中', '学生', branch],
      [6, '孙八', '男', '汉族', ID('20070301', '111'), '', '共青团员', '2021-05', '', '高中', '学生', branch],
      [7, '周九', '男', '汉族', ID('20070306', '171'), '', '共青团员', '2021-05', '', '高中', '学生', '不存在的支部'],
      [8, '吴十', '男', '汉族', ID('20070307', '181'), '', '共青团员', '2021-05', '12345', '高中', '学生', branch],
    ];
    const before = await memberCount();
    const bad = await upload(
      districtAdmin,
      tree.districtA.id,
      await xlsx(header, rows, ['XX中学团员信息采集表']),
      false,
    );
    expect(bad.statusCode, bad.body).toBe(422);
    const problems = bad.json<{ problems: { row: number; column: string; message: string }[] }>().problems;
    const at = (r: number) =>
      problems
        .filter((p) => p.row === r)
        .map((p) => `${p.column}:${p.message}`)
        .join('|');
    expect(at(6)).toContain('公民身份号码:身份证号校验位不正确');
    expect(at(7)).toContain('入团时未满14周岁');
    expect(at(8)).toContain('身份证号与第3行重复');
    expect(at(9)).toContain('找不到团支部“不存在的支部”');
    expect(at(10)).toContain('发展团员编号应为12位数字');
    expect(at(3) + at(4) + at(5)).toBe('');
    expect(await memberCount()).toBe(before);

    const good = await xlsx(header, rows.slice(0, 3), ['XX中学团员信息采集表']);
    const preview = await upload(districtAdmin, tree.districtA.id, good, true);
    expect(preview.json()).toMatchObject({ dryRun: true, created: 3, updated: 0, unchanged: 0 });
    expect(await memberCount()).toBe(before);
    expect((await upload(districtAdmin, tree.districtA.id, good, false)).json()).toMatchObject({ created: 3 });
    expect(await memberCount()).toBe(before + 3);
    const again = await upload(districtAdmin, tree.districtA.id, good, false);
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await memberCount()).toBe(before + 3);

    const changed = rows.slice(0, 3).map((r) => [...r]);
    changed[1]![5] = '13800138999';
    changed[2]![9] = '中专';
    const diff = await upload(districtAdmin, tree.districtA.id, await xlsx(header, changed), true);
    const body = diff.json<{
      updated: number;
      rows: { name: string; changes: { label: string; from: string; to: string }[] }[];
    }>();
    expect(body.updated).toBe(2);
    expect(body.rows.find((r) => r.name === '李四')!.changes).toEqual([
      { field: 'phone', label: '手机号', from: '138****8001', to: '138****8999' },
    ]);
    expect(body.rows.find((r) => r.name === '王五')!.changes[0]).toMatchObject({
      label: '学历',
      from: '高中',
      to: '中专',
    });

    // An ID number Excel stored as a number has lost digits: reported, never guessed.
    const numeric = rows.slice(0, 1).map((r) => [...r]);
    numeric[0]![4] = Number(ID('20070309', '191').slice(0, 17));
    const lost = await upload(districtAdmin, tree.districtA.id, await xlsx(header, numeric), true);
    expect(lost.statusCode).toBe(422);
    expect(lost.body).toContain('存成了数字');
  });

  it('keeps counts by status rolled up the tree through moves, and lists rosters by subtree', async () => {
    const stats = await districtAdmin.get(`/api/orgs/${tree.districtA.id}/members/stats`);
    const total = stats.json<{ total: number }>().total;
    expect(total).toBe(4);
    const city = await f.account('city-stats', tree.city.id, 'admin');
    expect((await city.get(`/api/orgs/${tree.city.id}/members/stats`)).json<{ total: number }>().total).toBe(4);
    // The tree shows each org's members including everything below it.
    const children = (await city.get(`/api/orgs/${tree.city.id}/children`)).json<{
      items: { id: number; memberCount: number }[];
    }>().items;
    expect(children.find((c) => c.id === tree.districtA.id)!.memberCount).toBe(4);
    expect(children.find((c) => c.id === tree.districtB.id)!.memberCount).toBe(0);
    // Move school A (with its branch and members) to district B: the figures follow.
    expect((await city.post(`/api/orgs/${tree.schoolA.id}/move`, { parentId: tree.districtB.id })).statusCode).toBe(
      200,
    );
    expect((await city.get(`/api/orgs/${tree.districtA.id}/members/stats`)).json<{ total: number }>().total).toBe(0);
    expect((await city.get(`/api/orgs/${tree.districtB.id}/members/stats`)).json<{ total: number }>().total).toBe(4);
    const roster = await city.get(`/api/orgs/${tree.districtB.id}/members?pageSize=2`);
    const r = roster.json<{ total: number; items: { orgId: number; idNumberMasked: string }[] }>();
    expect(r.total).toBe(4);
    expect(r.items).toHaveLength(2);
    expect(r.items.every((i) => i.idNumberMasked.includes('**********'))).toBe(true);
    const filtered = await city.get(`/api/orgs/${tree.city.id}/members?q=${encodeURIComponent('李')}`);
    expect(filtered.json<{ total: number; items: { name: string }[] }>().items.map((i) => i.name)).toEqual(['李四']);
    const byId = await city.get(`/api/orgs/${tree.city.id}/members?q=${ID('20070302', '122')}`);
    expect(byId.json<{ total: number }>().total).toBe(1);
    const sheet = await city.get(`/api/orgs/${tree.city.id}/members.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.rowCount).toBe(2 + 4);
    expect(JSON.stringify(wb.worksheets[0]!.getSheetValues())).not.toContain(ID('20070302', '122'));
    await city.post(`/api/orgs/${tree.schoolA.id}/move`, { parentId: tree.districtA.id });
  });

  it('routes corrections of 姓名 and 身份证号 to the next higher level', async () => {
    const list = await branchAdmin.get(`/api/orgs/${tree.branchA.id}/members?q=${encodeURIComponent('王五')}`);
    const memberId = list.json<{ items: { id: number }[] }>().items[0]!.id;
    expect((await branchAdmin.patch(`/api/members/${memberId}`, { name: '王五五' })).statusCode).toBe(400);
    const newId = ID('20070303', '139');
    const req = await branchAdmin.post(`/api/members/${memberId}/corrections`, {
      field: 'id_number',
      value: newId,
      reason: '录入时输错一位',
    });
    expect(req.statusCode, req.body).toBe(201);
    const correctionId = req.json<{ id: number }>().id;
    // The branch cannot approve its own request; the school above it can.
    expect((await branchAdmin.post(`/api/corrections/${correctionId}/approve`, {})).statusCode).toBe(403);
    const school = await f.account('school-a-corr', tree.schoolA.id, 'admin');
    const pending = await school.get(`/api/orgs/${tree.schoolA.id}/corrections?status=pending`);
    expect(
      pending.json<{ items: { id: number; canDecide: boolean; newValueMasked: string }[] }>().items[0],
    ).toMatchObject({ id: correctionId, canDecide: true, newValueMasked: maskIdNumber(newId) });
    expect((await school.post(`/api/corrections/${correctionId}/reject`, {})).statusCode).toBe(400);
    expect((await school.post(`/api/corrections/${correctionId}/approve`, { note: '核对户口本无误' })).statusCode).toBe(
      200,
    );
    expect((await branchAdmin.get(`/api/members/${memberId}/sensitive`)).json<{ idNumber: string }>().idNumber).toBe(
      newId,
    );
    expect((await school.post(`/api/corrections/${correctionId}/approve`, {})).statusCode).toBe(409);
  });

  it('lists members ageing out and marks them in bulk, refusing anyone not on the list', async () => {
    const year = Number(new Date().toISOString().slice(0, 4));
    // A new member past 28 needs an office; one who gave it up later is on the age-out list.
    const old = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '老团员',
      idNumber: ID(`${year - 28}0101`, '211'),
      politicalStatus: '共青团员',
      leaguePost: '团小组长',
    });
    expect(old.statusCode, old.body).toBe(201);
    expect(
      (await branchAdmin.patch(`/api/members/${old.json<{ id: number }>().id}`, { leaguePost: '团员' })).statusCode,
    ).toBe(200);
    const cadre = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '老书记',
      idNumber: ID(`${year - 28}0202`, '221'),
      politicalStatus: '共青团员',
      leaguePost: '团支部书记',
    });
    expect(cadre.statusCode).toBe(201);
    const list = await districtAdmin.get(`/api/orgs/${tree.districtA.id}/members/age-out?year=${year}`);
    const names = list.json<{ items: { name: string }[] }>().items.map((i) => i.name);
    expect(names).toEqual(['老团员']);
    const young = (await branchAdmin.get(`/api/orgs/${tree.branchA.id}/members?q=${encodeURIComponent('张三')}`)).json<{
      items: { id: number }[];
    }>().items[0]!.id;
    const refused = await districtAdmin.post(`/api/orgs/${tree.districtA.id}/members/age-out`, {
      memberIds: [old.json<{ id: number }>().id, young],
      year,
    });
    expect(refused.statusCode).toBe(400);
    const ok = await districtAdmin.post(`/api/orgs/${tree.districtA.id}/members/age-out`, {
      memberIds: [old.json<{ id: number }>().id],
      year,
    });
    expect(ok.json()).toEqual({ updated: 1 });
    const stats = (await districtAdmin.get(`/api/orgs/${tree.districtA.id}/members/stats`)).json<{
      byStatus: Record<string, number>;
    }>();
    expect(stats.byStatus.aged_out).toBe(1);
  });

  it('refuses a NEW member who turned 28 in an earlier year without a league office, and a joining age of 28 or more', async () => {
    const year = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
    const before = await memberCount();
    const over = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '超龄青年',
      idNumber: ID(`${year - 30}0101`, '311'),
      politicalStatus: '共青团员',
      joinedOn: `${year - 14}-05`,
    });
    expect(over.statusCode).toBe(400);
    expect(over.json<{ problems: { path: string; message: string }[] }>().problems[0]).toMatchObject({
      path: 'leaguePost',
      message: expect.stringContaining('超过团员年龄上限'),
    });
    const plain = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '超龄青年',
      idNumber: ID(`${year - 30}0101`, '311'),
      politicalStatus: '共青团员',
      leaguePost: '团员',
    });
    expect(plain.statusCode).toBe(400);
    const lateJoin = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '晚入团',
      idNumber: ID(`${year - 29}0301`, '321'),
      politicalStatus: '共青团员',
      leaguePost: '团支部书记',
      joinedOn: `${year - 1}-05`,
    });
    expect(lateJoin.json<{ problems: { path: string; message: string }[] }>().problems).toEqual([
      expect.objectContaining({ path: 'joinedOn', message: expect.stringContaining('入团时已满28周岁') }),
    ]);
    expect(await memberCount()).toBe(before);
    // Turning 28 this year is still accepted (this year's age-out list takes them).
    const thisYear = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '今年满28',
      idNumber: ID(`${year - 28}0101`, '351'),
      politicalStatus: '共青团员',
    });
    expect(thisYear.statusCode, thisYear.body).toBe(201);
    // Holding an office, the same person may be added.
    const secretary = await branchAdmin.post(`/api/orgs/${tree.branchA.id}/members`, {
      name: '超龄书记',
      idNumber: ID(`${year - 30}0101`, '311'),
      politicalStatus: '中共党员',
      leaguePost: '团支部书记',
      joinedOn: `${year - 14}-05`,
    });
    expect(secretary.statusCode, secretary.body).toBe(201);
    // The import applies the same rule to new rows only; the registered secretary re-imports unchanged.
    const header = ['姓名', '身份证号', '政治面貌', '团内职务'];
    const file = await xlsx(header, [
      ['超龄书记', ID(`${year - 30}0101`, '311'), '中共党员', '团支部书记'],
      ['超龄新人', ID(`${year - 29}0101`, '331'), '共青团员', ''],
      ['超龄委员', ID(`${year - 29}0101`, '341'), '共青团员', '组织委员'],
    ]);
    const res = await upload(branchAdmin, tree.branchA.id, file, true);
    expect(res.statusCode, res.body).toBe(422);
    const problems = res.json<{ problems: { row: number; column: string; message: string }[] }>().problems;
    expect(problems).toEqual([
      expect.objectContaining({ row: 3, column: '团内职务', message: expect.stringContaining('超过团员年龄上限') }),
    ]);
  });

  it('sorts the roster by name, birth date, joining month and branch, both ways, on both plans', async () => {
    const city = await f.account('city-sort', tree.city.id, 'admin');
    const get = async (q: string) =>
      (await city.get(`/api/orgs/${tree.city.id}/members?${q.includes('pageSize') ? '' : 'pageSize=100&'}${q}`)).json<{
        total: number;
        items: { id: number; name: string; birthDate: string; joinedOn: string | null; orgId: number }[];
      }>();
    const all = (await get('')).items;
    expect(all.length).toBeGreaterThan(3);
    const check = async (sort: string, key: (m: (typeof all)[number]) => string) => {
      for (const order of ['asc', 'desc'] as const) {
        const items = (await get(`sort=${sort}&order=${order}`)).items;
        expect(items.map((m) => m.id).sort()).toEqual(all.map((m) => m.id).sort());
        const keys = items.map(key);
        const sorted = [...keys].sort();
        expect(keys, `${sort} ${order}`).toEqual(order === 'asc' ? sorted : sorted.reverse());
      }
    };
    await check('name', (m) => m.name);
    await check('birthDate', (m) => m.birthDate);
    await check('joinedOn', (m) => m.joinedOn ?? '');
    // The page is the same whichever plan finds it: walking the sort index (the whole tree is this subtree)
    // or sorting the rows of the subtree (a filter forces it).
    const page2 = (await get('sort=name&order=desc&page=2&pageSize=2')).items;
    expect(page2.map((m) => m.name)).toEqual((await get('sort=name&order=desc')).items.slice(2, 4).map((m) => m.name));
    const students = (await get('sort=birthDate&category=' + encodeURIComponent('学生'))).items;
    expect(students.map((m) => m.birthDate)).toEqual(students.map((m) => m.birthDate).sort());
    const tooDeep = await city.get(`/api/orgs/${tree.city.id}/members?sort=name&page=201&pageSize=50`);
    expect(tooDeep.statusCode).toBe(400);
    expect(tooDeep.body).toContain('10,000');
    expect((await city.get(`/api/orgs/${tree.city.id}/members?sort=age`)).statusCode).toBe(400);
    const sheet = await city.get(`/api/orgs/${tree.city.id}/members.xlsx?sort=name&order=desc`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.rawPayload as unknown as ArrayBuffer);
    const names = wb.worksheets[0]!.getColumn(1).values.slice(3) as string[];
    expect(names).toEqual([...names].sort().reverse());
  });

  it('counts by status, category and child org; a role reading one org gets its own counts', async () => {
    const city = await f.account('city-stats2', tree.city.id, 'admin');
    const s = (await city.get(`/api/orgs/${tree.city.id}/members/stats`)).json<{
      total: number;
      byCategory: Record<string, number>;
      children: { id: number; total: number }[];
      scope: string;
      categoryAsOf: string | null;
    }>();
    expect(s.scope).toBe('subtree');
    expect(s.categoryAsOf).toBeNull();
    expect(Object.values(s.byCategory).reduce((a, n) => a + n, 0)).toBe(s.total);
    expect(s.byCategory['学生']).toBeGreaterThanOrEqual(3);
    expect(s.children.map((c) => c.id)).toEqual([tree.districtA.id, tree.districtB.id]);
    expect(s.children[0]!.total).toBe(s.total);
    // 本级查看 at the branch: no subtree scope, but the branch's own members are counted.
    const viewer = await f.account('branch-viewer', tree.branchA.id, 'org_viewer');
    const own = (await viewer.get(`/api/orgs/${tree.branchA.id}/members/stats`)).json<{
      total: number;
      scope: string;
      byCategory: Record<string, number>;
    }>();
    expect(own.scope).toBe('visible');
    expect(own.total).toBe(
      (await branchAdmin.get(`/api/orgs/${tree.branchA.id}/members/stats`)).json<{ total: number }>().total,
    );
    expect(own.total).toBeGreaterThan(0);
    // At an org it reads only itself (a committee holds no members), and never a foreign subtree.
    const schoolViewer = await f.account('school-viewer', tree.schoolA.id, 'org_viewer');
    expect((await schoolViewer.get(`/api/orgs/${tree.schoolA.id}/members/stats`)).json<{ total: number }>().total).toBe(
      0,
    );
    expect((await viewer.get(`/api/orgs/${tree.branchB.id}/members/stats`)).statusCode).toBe(404);
    expect((await viewer.get(`/api/orgs/${tree.branchB.id}/members?sort=name`)).statusCode).toBe(404);
  });
});
