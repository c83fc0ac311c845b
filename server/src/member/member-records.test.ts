import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, DIALECTS, Factory, standardTree, type Client, type TestEnv } from '../../test/harness.js';
import { withCheckChar } from './member-fields.js';

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
});
