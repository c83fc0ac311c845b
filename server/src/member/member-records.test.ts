import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, DIALECTS, Factory, standardTree, type Client, type TestEnv } from '../../test/harness.js';
import { maskIdNumber, withCheckChar } from './member-fields.js';
import { uploadAs, xlsx } from '../../test/xlsx-upload.js';
import ExcelJS from 'exceljs';

describe.each(DIALECTS)('推优入党, 评议 and 团费 (%s)', (dialect) => {
  let env: TestEnv;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let branch: Client;
  let school: Client;
  let system: Client;
  const ids: number[] = [];

  beforeAll(async () => {
    env = await createEnv(dialect);
    const f = new Factory(env);
    tree = await standardTree(f);
    branch = await f.account('r-branch', tree.branchA.id, 'secretary');
    school = await f.account('r-school', tree.schoolA.id, 'admin');
    system = await f.account('r-system', null, 'admin', { system: true });
    for (const [i, cat] of ['学生', '学生', '在职'].entries()) {
      const res = await branch.post(`/api/orgs/${tree.branchA.id}/members`, {
        name: `团员${i}`,
        idNumber: withCheckChar(`500102200001${String(i + 1).padStart(2, '0')}12${i}`),
        politicalStatus: '共青团员',
        identityCategory: cat,
        joinedOn: '2016-05',
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json<{ id: number }>().id);
    }
  });
  afterAll(() => env.close());

  it('recommends a member, approved above, and counts the 推优入党率 once they join the Party', async () => {
    const bad = await branch.post(`/api/members/${ids[0]}/recommendations`, {
      applied: false,
      appliedOn: '2026-01-01',
      recommendedOn: '2026-03-01',
    });
    expect(bad.statusCode).toBe(400);
    const late = await branch.post(`/api/members/${ids[0]}/recommendations`, {
      applied: true,
      appliedOn: '2026-05-01',
      recommendedOn: '2026-03-01',
    });
    expect(late.json<{ problems: { path: string }[] }>().problems[0]!.path).toBe('appliedOn');
    const rec = await branch.post(`/api/members/${ids[0]}/recommendations`, {
      applied: true,
      appliedOn: '2026-01-10',
      recommendedOn: '2026-03-01',
    });
    expect(rec.statusCode, rec.body).toBe(201);
    const id = rec.json<{ id: number }>().id;
    expect((await branch.post(`/api/recommendations/${id}/approve`, {})).statusCode).toBe(403);
    expect((await school.post(`/api/recommendations/${id}/outcome`, { outcome: 'probationary' })).statusCode).toBe(409);
    expect((await school.post(`/api/recommendations/${id}/approve`, {})).json()).toEqual({ status: 'approved' });
    expect(
      (await school.post(`/api/recommendations/${id}/outcome`, { confirmedOn: '2026-02-01', outcome: 'probationary' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await school.post(`/api/recommendations/${id}/outcome`, { confirmedOn: '2026-06-01', outcome: 'probationary' }))
        .statusCode,
    ).toBe(200);
    // A second Party member who joined without a recommendation halves the rate.
    await env.database.db
      .updateTable('member')
      .set({ political_status: '中共党员' })
      .where('id', '=', ids[2]!)
      .execute();
    const list = await school.get(`/api/orgs/${tree.schoolA.id}/recommendations`);
    expect(list.json()).toMatchObject({ partyMembers: 2, recommended: 1, rate: 0.5 });
  });

  it('enters grades in the branch, certifies them above, and then keeps them', async () => {
    const foreign = await branch.put(`/api/orgs/${tree.branchA.id}/evaluations`, {
      year: 2026,
      grades: [{ memberId: 999999, grade: '优秀' }],
    });
    expect(foreign.statusCode).toBe(400);
    const wrong = await branch.put(`/api/orgs/${tree.branchA.id}/evaluations`, {
      year: 2026,
      grades: [{ memberId: ids[0], grade: '很好' }],
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ message: string }>().message).toContain('等次');
    const ok = await branch.put(`/api/orgs/${tree.branchA.id}/evaluations`, {
      year: 2026,
      grades: [
        { memberId: ids[0], grade: '优秀' },
        { memberId: ids[1], grade: '合格' },
      ],
    });
    expect(ok.json()).toEqual({ saved: 2 });
    expect((await branch.post(`/api/orgs/${tree.branchA.id}/evaluations/certify`, { year: 2026 })).statusCode).toBe(
      403,
    );
    expect((await school.post(`/api/orgs/${tree.branchA.id}/evaluations/certify`, { year: 2026 })).json()).toEqual({
      certified: 2,
    });
    expect(
      (
        await branch.put(`/api/orgs/${tree.branchA.id}/evaluations`, {
          year: 2026,
          grades: [{ memberId: ids[0], grade: '合格' }],
        })
      ).statusCode,
    ).toBe(409);
    const summary = (await school.get(`/api/orgs/${tree.schoolA.id}/evaluations?year=2026`)).json<{
      summary: Record<string, number>;
    }>().summary;
    expect(summary).toMatchObject({ 优秀: 1, 合格: 1, 未评议: 1 });
  });

  it('records dues at the standard for each category and lists members 6+ months behind', async () => {
    expect(
      (await school.put('/api/dues/standards', { items: [{ identityCategory: '在职', centsPerMonth: 200 }] }))
        .statusCode,
    ).toBe(403);
    expect(
      (await system.put('/api/dues/standards', { items: [{ identityCategory: '在职', centsPerMonth: 200 }] }))
        .statusCode,
    ).toBe(200);
    for (const month of ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']) {
      expect(
        (await branch.post(`/api/orgs/${tree.branchA.id}/dues`, { month, memberIds: [ids[0], ids[2]] })).statusCode,
      ).toBe(201);
    }
    const twice = await branch.post(`/api/orgs/${tree.branchA.id}/dues`, {
      month: '2026-11',
      memberIds: [ids[1], ids[2]],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('已登记');
    const amounts = await env.database.db
      .selectFrom('dues_payment')
      .select(['member_id', 'amount_cents'])
      .where('month', '=', '2026-11')
      .orderBy('member_id')
      .execute();
    expect(amounts.map((a) => a.amount_cents)).toEqual([20, 200]);
    const arrears = (await school.get(`/api/orgs/${tree.schoolA.id}/dues/arrears?asOf=2026-11&months=12`)).json<{
      flaggedCount: number;
      items: { memberId: number; unpaidMonths: number; flagged: boolean }[];
    }>();
    expect(arrears.items.find((i) => i.memberId === ids[1])).toMatchObject({ unpaidMonths: 12, flagged: true });
    expect(arrears.items.find((i) => i.memberId === ids[2])).toMatchObject({ unpaidMonths: 6, flagged: true });
    expect(arrears.items.find((i) => i.memberId === ids[0])).toMatchObject({ unpaidMonths: 6, flagged: true });
    expect(arrears.flaggedCount).toBe(3);
  });

  it('imports dues from a real .xlsx all or nothing, reports each bad row in Chinese, and re-imports idempotently', async () => {
    const idOf = (i: number) => withCheckChar(`500102200001${String(i + 1).padStart(2, '0')}12${i}`);
    // A member of the other district's branch: outside the school's subtree.
    const foreignAdmin = await new Factory(env).account('r-branch-b', tree.branchB.id, 'secretary');
    const foreignId = withCheckChar('50010220010505771');
    expect(
      (
        await foreignAdmin.post(`/api/orgs/${tree.branchB.id}/members`, {
          name: '乙区团员',
          idNumber: foreignId,
          politicalStatus: '共青团员',
        })
      ).statusCode,
    ).toBe(201);
    const template = await school.get('/api/dues/import-template.xlsx');
    const tw = new ExcelJS.Workbook();
    await tw.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
    expect(tw.worksheets[0]!.getRow(1).values).toEqual([undefined, '姓名', '身份证号', '缴费月份', '金额（元）']);

    const header = ['姓名', '身份证号', '缴费月份', '金额（元）'];
    const good: unknown[][] = [
      ['团员1', idOf(1), '2025年11月', '0.2'],
      ['团员1', idOf(1), '2025.12', ''],
      ['团员2', idOf(2), '202512', '１.５０'],
    ];
    const bad: unknown[][] = [
      ...good,
      ['团员1', idOf(1), '2025年13月', '0.2'],
      ['无名', withCheckChar('11010519900307001'), '2025-11', '0.2'],
      ['乙区团员', foreignId, '2025-11', '0.2'],
      ['团员2', idOf(2), '2025-10', '-1'],
      ['团员1', idOf(1), '2025-12', '0.2'],
      ['张冠李戴', idOf(0), '2025-10', '0.2'],
    ];
    const count = async () =>
      Number(
        (
          await env.database.db
            .selectFrom('dues_payment')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const url = (dry: boolean) => `/api/orgs/${tree.schoolA.id}/dues/import?dryRun=${dry}`;
    const rejected = await uploadAs(env, school, url(false), await xlsx(header, bad, ['2025年团费缴纳表']));
    expect(rejected.statusCode, rejected.body).toBe(422);
    const problems = rejected.json<{ problems: { row: number; column: string; value: string; message: string }[] }>()
      .problems;
    const at = (row: number) => problems.filter((p) => p.row === row);
    expect(at(6)).toEqual([
      expect.objectContaining({
        column: '缴费月份',
        value: '2025年13月',
        message: expect.stringContaining('无法识别'),
      }),
    ]);
    expect(at(7)[0]).toMatchObject({ column: '身份证号', message: expect.stringContaining('系统中没有这个身份证号') });
    expect(at(8)[0]).toMatchObject({
      column: '身份证号',
      message: expect.stringContaining('不在“共青团甲区第一中学委员会”'),
    });
    expect(JSON.stringify(at(8))).not.toContain('乙区第一中学');
    expect(at(9)[0]).toMatchObject({ column: '金额(元)', value: '-1', message: '金额不能为负数' });
    expect(at(10)[0]).toMatchObject({
      column: '身份证号',
      value: maskIdNumber(idOf(1)),
      message: expect.stringContaining('与第4行重复'),
    });
    expect(at(11)[0]).toMatchObject({ column: '姓名', message: expect.stringContaining('姓名与身份证号不符') });
    expect(at(3).concat(at(4), at(5))).toEqual([]);
    expect(await count()).toBe(before);

    const file = await xlsx(header, good, ['2025年团费缴纳表']);
    const preview = await uploadAs(env, school, url(true), file);
    expect(preview.json()).toMatchObject({ dryRun: true, created: 3, updated: 0, unchanged: 0 });
    expect(await count()).toBe(before);
    const done = await uploadAs(env, school, url(false), file);
    expect(done.json()).toMatchObject({ dryRun: false, created: 3 });
    const amounts = await env.database.db
      .selectFrom('dues_payment')
      .select(['member_id', 'month', 'amount_cents'])
      .where('month', 'in', ['2025-11', '2025-12'])
      .orderBy('member_id')
      .orderBy('month')
      .execute();
    // A blank amount takes the member's standard (学生 0.20 元).
    expect(amounts.map((a) => `${a.member_id}:${a.month}:${a.amount_cents}`)).toEqual([
      `${ids[1]}:2025-11:20`,
      `${ids[1]}:2025-12:20`,
      `${ids[2]}:2025-12:150`,
    ]);
    expect((await uploadAs(env, school, url(false), file)).json()).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 3,
    });
    expect(await count()).toBe(before + 3);
    const changed = await uploadAs(env, school, url(true), await xlsx(header, [['团员2', idOf(2), '2025-12', '2']]));
    expect(changed.json<{ rows: { changes: unknown[] }[] }>().rows[0]!.changes).toEqual([
      { field: 'amount', label: '金额（元）', from: '1.50', to: '2.00' },
    ]);
    // The month's list shows who paid.
    const month = (await branch.get(`/api/orgs/${tree.branchA.id}/dues?month=2025-12`)).json<{
      paidCount: number;
      items: { memberId: number; paidCents: number | null; canRecord: boolean }[];
    }>();
    expect(month.paidCount).toBe(2);
    expect(month.items.find((i) => i.memberId === ids[0])).toMatchObject({ paidCents: null, canRecord: true });
  });

  it('configures income bands beside the category standards and records a month at a band amount', async () => {
    const bands = [
      { identityCategory: '在职·月收入3000元以上', centsPerMonth: 300 },
      { identityCategory: '在职·月收入3000元及以下', centsPerMonth: 100 },
    ];
    expect((await school.put('/api/dues/standards', { items: [], bands })).statusCode).toBe(403);
    const clash = await system.put('/api/dues/standards', {
      items: [],
      bands: [{ identityCategory: '学生', centsPerMonth: 10 }],
    });
    expect(clash.statusCode).toBe(400);
    expect(clash.body).toContain('不能与身份类别相同');
    const saved = await system.put('/api/dues/standards', { items: [], bands });
    expect(saved.statusCode, saved.body).toBe(200);
    const list = (await branch.get('/api/dues/standards')).json<{
      items: { identityCategory: string; centsPerMonth: number; kind: string }[];
    }>().items;
    expect(list.filter((i) => i.kind === 'band').map((i) => i.centsPerMonth)).toEqual([100, 300]);
    expect(list.find((i) => i.identityCategory === '学生')).toMatchObject({ centsPerMonth: 20, kind: 'category' });
    const paid = await branch.post(`/api/orgs/${tree.branchA.id}/dues`, {
      month: '2025-01',
      memberIds: [ids[2]],
      amountCents: 300,
    });
    expect(paid.statusCode, paid.body).toBe(201);
    const row = await env.database.db
      .selectFrom('dues_payment')
      .select('amount_cents')
      .where('member_id', '=', ids[2]!)
      .where('month', '=', '2025-01')
      .executeTakeFirstOrThrow();
    expect(row.amount_cents).toBe(300);
    // Bands given again replace the old ones; categories stay.
    await system.put('/api/dues/standards', { items: [], bands: bands.slice(0, 1) });
    const after = (await branch.get('/api/dues/standards')).json<{ items: { kind: string }[] }>().items;
    expect(after.filter((i) => i.kind === 'band')).toHaveLength(1);
    expect(after.filter((i) => i.kind === 'category')).toHaveLength(7);
  });

  it('keeps every new route inside the cadre’s subtree', async () => {
    const f = new Factory(env);
    const other = await f.account('r-other-district', tree.districtB.id, 'admin');
    const file = await xlsx(['身份证号', '缴费月份'], [[withCheckChar('50010220000102121'), '2025-01']]);
    expect((await uploadAs(env, other, `/api/orgs/${tree.schoolA.id}/dues/import?dryRun=true`, file)).statusCode).toBe(
      404,
    );
    // From its own subtree the other district cannot reach school A's member either (not even by ID number).
    const own = await uploadAs(env, other, `/api/orgs/${tree.districtB.id}/dues/import?dryRun=true`, file);
    expect(own.statusCode).toBe(422);
    expect(own.body).not.toContain('甲区');
    for (const url of [
      `/api/orgs/${tree.branchA.id}/dues?month=2026-01`,
      `/api/orgs/${tree.schoolA.id}/dues/arrears?asOf=2026-11`,
      `/api/orgs/${tree.schoolA.id}/dues/arrears.xlsx?asOf=2026-11`,
      `/api/orgs/${tree.schoolA.id}/evaluations?year=2026`,
      `/api/orgs/${tree.schoolA.id}/recommendations`,
      `/api/orgs/${tree.branchA.id}/members/stats`,
      `/api/orgs/${tree.branchA.id}/members?sort=name`,
    ])
      expect((await other.get(url)).statusCode, url).toBe(404);
    expect(
      (await other.post(`/api/orgs/${tree.branchA.id}/dues`, { month: '2026-01', memberIds: [ids[0]] })).statusCode,
    ).toBe(404);
    expect((await other.post(`/api/orgs/${tree.branchA.id}/evaluations/certify`, { year: 2026 })).statusCode).toBe(404);
    expect(
      (await other.post(`/api/members/${ids[0]}/recommendations`, { applied: false, recommendedOn: '2026-01-01' }))
        .statusCode,
    ).toBe(404);
    // The district's own lists do not contain school A's members.
    const arrears = (await other.get(`/api/orgs/${tree.districtB.id}/dues/arrears?asOf=2026-11`)).json<{
      items: { memberId: number }[];
    }>();
    expect(arrears.items.some((i) => ids.includes(i.memberId))).toBe(false);
    const evals = (await other.get(`/api/orgs/${tree.districtB.id}/evaluations?year=2026`)).json<{
      items: { memberId: number }[];
    }>();
    expect(evals.items.some((i) => ids.includes(i.memberId))).toBe(false);
  });

  it('exports the arrears list and lists branches with what the cadre may do about their grades', async () => {
    const sheet = await school.get(`/api/orgs/${tree.schoolA.id}/dues/arrears.xlsx?asOf=2026-11&months=12`);
    expect(sheet.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.rawPayload as unknown as ArrayBuffer);
    const names = wb.worksheets[0]!.getColumn(1).values.slice(3);
    expect(names).toContain('团员1');
    const evals = (await school.get(`/api/orgs/${tree.schoolA.id}/evaluations?year=2026`)).json<{
      branches: {
        orgId: number;
        members: number;
        graded: number;
        certified: number;
        canEnter: boolean;
        canCertify: boolean;
      }[];
    }>();
    expect(evals.branches).toEqual([
      {
        orgId: tree.branchA.id,
        orgName: expect.any(String),
        members: 3,
        graded: 2,
        certified: 2,
        canEnter: true,
        canCertify: true,
      },
    ]);
    const mine = (await branch.get(`/api/orgs/${tree.branchA.id}/evaluations?year=2026`)).json<{
      branches: { canEnter: boolean; canCertify: boolean }[];
    }>();
    expect(mine.branches[0]).toMatchObject({ canEnter: true, canCertify: false });
  });
});
