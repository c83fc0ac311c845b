import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnv,
  DIALECTS,
  Factory,
  MemberClient,
  standardTree,
  type Client,
  type TestEnv,
} from '../../test/harness.js';
import { withCheckChar } from './member-fields.js';

describe.each(DIALECTS)('transfers and 学社衔接 (%s)', (dialect) => {
  let env: TestEnv;
  let f: Factory;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let branchA: Client;
  let districtA: Client;
  let districtB: Client;
  let cityAdmin: Client;
  const add = async (name: string, seq: string, extra: Record<string, unknown> = {}) => {
    const res = await branchA.post(`/api/orgs/${tree.branchA.id}/members`, {
      name,
      idNumber: withCheckChar(`50010220050101${seq}`),
      politicalStatus: '共青团员',
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number }>().id;
  };
  const total = async (c: Client, orgId: number) =>
    (await c.get(`/api/orgs/${orgId}/members/stats`)).json<{ total: number; byStatus: Record<string, number> }>();

  beforeAll(async () => {
    env = await createEnv(dialect);
    f = new Factory(env);
    tree = await standardTree(f);
    branchA = await f.account('t-branch-a', tree.branchA.id, 'secretary');
    districtA = await f.account('t-district-a', tree.districtA.id, 'admin');
    districtB = await f.account('t-district-b', tree.districtB.id, 'admin');
    cityAdmin = await f.account('t-city', tree.city.id, 'admin');
  });
  afterAll(() => env.close());

  it('moves a member between districts when the sending org starts and the receiving branch approves', async () => {
    const id = await add('转出甲', '111');
    const targets = await branchA.get(`/api/transfer-targets?q=${encodeURIComponent('乙区第一中学高一')}`);
    const target = targets.json<{ items: { id: number; name: string }[] }>().items[0]!;
    expect(target.id).toBe(tree.branchB.id);
    const start = await branchA.post(`/api/members/${id}/transfers`, { toOrgId: target.id, reason: '随父母工作调动' });
    expect(start.statusCode, start.body).toBe(201);
    const transferId = start.json<{ id: number }>().id;
    expect((await total(districtA, tree.districtA.id)).byStatus.transferring_out).toBe(1);
    // The sending side cannot approve its own request; a twice-started transfer is refused.
    expect((await branchA.post(`/api/transfers/${transferId}/approve`, {})).statusCode).toBe(403);
    expect(
      (await branchA.post(`/api/members/${id}/transfers`, { toOrgId: target.id, reason: '重复' })).statusCode,
    ).toBe(409);
    const incoming = await districtB.get(`/api/orgs/${tree.districtB.id}/transfers?direction=in`);
    expect(incoming.json<{ items: { id: number; canDecide: boolean }[] }>().items).toContainEqual(
      expect.objectContaining({ id: transferId, canDecide: true }),
    );
    const ok = await districtB.post(`/api/transfers/${transferId}/approve`, { note: '欢迎' });
    expect(ok.json()).toEqual({ status: 'completed' });
    expect((await total(districtA, tree.districtA.id)).total).toBe(0);
    expect((await total(districtB, tree.districtB.id)).total).toBe(1);
    expect((await districtB.get(`/api/members/${id}`)).json<{ orgId: number; status: string }>()).toMatchObject({
      orgId: tree.branchB.id,
      status: 'normal',
    });
    // The sending side keeps seeing the transfer's outcome, no longer the member.
    const history = await districtA.get(`/api/orgs/${tree.districtA.id}/transfers?direction=out`);
    expect(history.json<{ items: { id: number; statusLabel: string }[] }>().items[0]).toMatchObject({
      id: transferId,
      statusLabel: '已完成',
      memberReadable: false,
    });
    expect(
      (await districtB.get(`/api/members/${id}/transfers`)).json<{ items: { memberReadable: boolean }[] }>().items[0],
    ).toMatchObject({ memberReadable: true });
    expect((await districtA.get(`/api/members/${id}`)).statusCode).toBe(404);
  });

  it('lets the receiving org ask by ID number and name, then assign a branch after the sender approves', async () => {
    const id = await add('转入乙', '222');
    const wrongName = await districtB.post(`/api/orgs/${tree.districtB.id}/transfers/incoming`, {
      idNumber: withCheckChar('50010220050101222'),
      name: '别人',
      reason: '入职',
    });
    expect(wrongName.statusCode).toBe(404);
    const ask = await districtB.post(`/api/orgs/${tree.districtB.id}/transfers/incoming`, {
      idNumber: withCheckChar('50010220050101222'),
      name: '转入乙',
      reason: '入职',
    });
    expect(ask.statusCode, ask.body).toBe(201);
    const transferId = ask.json<{ id: number }>().id;
    expect((await districtA.post(`/api/transfers/${transferId}/reject`, {})).statusCode).toBe(400);
    expect((await districtA.post(`/api/transfers/${transferId}/approve`, {})).json()).toEqual({
      status: 'awaiting_assignment',
    });
    expect(
      (await districtB.post(`/api/transfers/${transferId}/assign`, { branchId: tree.branchA.id })).statusCode,
    ).toBe(404);
    expect((await districtB.post(`/api/transfers/${transferId}/assign`, { branchId: tree.branchB.id })).json()).toEqual(
      { status: 'completed' },
    );
    expect((await districtB.get(`/api/members/${id}`)).json<{ orgId: number }>().orgId).toBe(tree.branchB.id);
    const history = await districtB.get(`/api/members/${id}/transfers`);
    expect(history.json<{ items: { status: string }[] }>().items.map((i) => i.status)).toEqual(['completed']);
  });

  it('restores the member when a transfer is rejected or withdrawn', async () => {
    const id = await add('驳回丙', '333');
    const a = (await branchA.post(`/api/members/${id}/transfers`, { toOrgId: tree.branchB.id, reason: '调动' })).json<{
      id: number;
    }>().id;
    expect((await districtB.post(`/api/transfers/${a}/reject`, { note: '查无此人' })).json()).toEqual({
      status: 'rejected',
    });
    expect((await branchA.get(`/api/members/${id}`)).json<{ status: string }>().status).toBe('normal');
    const b = (
      await branchA.post(`/api/members/${id}/transfers`, { toOrgId: tree.branchB.id, reason: '再次调动' })
    ).json<{ id: number }>().id;
    expect((await districtB.post(`/api/transfers/${b}/cancel`)).statusCode).toBe(403);
    expect((await branchA.post(`/api/transfers/${b}/cancel`)).json()).toEqual({ status: 'cancelled' });
    expect((await total(districtA, tree.districtA.id)).byStatus.transferring_out ?? 0).toBe(0);
  });

  it('computes the 学社衔接率 from graduation dates and completed handovers', async () => {
    const community = await f.org(tree.districtB.id, 'branch', '共青团乙区滨江社区支部委员会');
    const g1 = await add('毕业一', '444', { graduationDate: '2026-06-30' });
    await add('毕业二', '555', { graduationDate: '2026-06-30' });
    await add('明年毕业', '666', { graduationDate: '2027-06-30' });
    const t = (
      await branchA.post(`/api/members/${g1}/transfers`, {
        toOrgId: community.id,
        reason: '毕业回社区',
        kind: 'graduate_handover',
      })
    ).json<{ id: number }>().id;
    expect((await districtB.post(`/api/transfers/${t}/approve`, {})).json()).toEqual({ status: 'completed' });
    const res = await cityAdmin.get(`/api/orgs/${tree.districtA.id}/graduate-handover?from=2026-01-01&to=2026-12-31`);
    const body = res.json<{
      graduated: number;
      handedOver: number;
      rate: number;
      pendingTotal: number;
      pending: { name: string }[];
    }>();
    expect(body).toMatchObject({ graduated: 2, handedOver: 1, rate: 0.5 });
    expect(body.pending.map((p) => p.name)).toEqual(['毕业二']);
    expect(body.pendingTotal).toBe(1);
    const city = (
      await cityAdmin.get(`/api/orgs/${tree.city.id}/graduate-handover?from=2026-01-01&to=2026-12-31`)
    ).json<{
      graduated: number;
      handedOver: number;
      children: { orgId: number; graduated: number; handedOver: number; rate: number | null }[];
    }>();
    // The handed-over graduate now in district B is not pending there, nor counted twice for the city.
    expect(city).toMatchObject({ graduated: 2, handedOver: 1 });
    expect(city.children).toEqual([
      expect.objectContaining({ orgId: tree.districtA.id, graduated: 2, handedOver: 1, rate: 0.5 }),
      expect.objectContaining({ orgId: tree.districtB.id, graduated: 0, handedOver: 0, rate: null }),
    ]);
    // Nothing of district A is visible to district B through this route.
    expect(
      (await districtB.get(`/api/orgs/${tree.districtA.id}/graduate-handover?from=2026-01-01&to=2026-12-31`))
        .statusCode,
    ).toBe(404);
  });

  it('marks graduates in bulk within the subtree only, and exports the figures and the pending list', async () => {
    const a = await add('标记一', '777');
    const b = await add('标记二', '888');
    const foreign = await districtB.post(`/api/orgs/${tree.branchB.id}/members`, {
      name: '乙区团员',
      idNumber: withCheckChar('50010220050101999'),
      politicalStatus: '共青团员',
    });
    const foreignId = foreign.json<{ id: number }>().id;
    // One member outside the org: refused, and nobody is marked.
    const refused = await branchA.post(`/api/orgs/${tree.branchA.id}/graduates`, {
      memberIds: [a, foreignId],
      graduationDate: '2025-07-01',
    });
    expect(refused.statusCode).toBe(400);
    expect((await branchA.get(`/api/members/${a}`)).json<{ graduationDate: string | null }>().graduationDate).toBe(
      null,
    );
    expect(
      (await districtB.post(`/api/orgs/${tree.branchA.id}/graduates`, { memberIds: [a], graduationDate: '2025-07-01' }))
        .statusCode,
    ).toBe(404);
    const ok = await branchA.post(`/api/orgs/${tree.branchA.id}/graduates`, {
      memberIds: [a, b],
      graduationDate: '2025-07-01',
    });
    expect(ok.json()).toEqual({ updated: 2 });
    const y2025 = `/api/orgs/${tree.districtA.id}/graduate-handover?from=2025-01-01&to=2025-12-31`;
    expect((await districtA.get(y2025)).json<{ graduated: number; pending: { name: string }[] }>()).toMatchObject({
      graduated: 2,
      pending: [{ name: '标记一' }, { name: '标记二' }],
    });
    expect(
      (await branchA.post(`/api/orgs/${tree.branchA.id}/graduates`, { memberIds: [b], graduationDate: null })).json(),
    ).toEqual({ updated: 1 });
    expect((await districtA.get(y2025)).json<{ graduated: number }>().graduated).toBe(1);
    const audits = await cityAdmin.get(`/api/orgs/${tree.districtA.id}/audit?action=member.update`);
    expect(audits.body).toContain('graduationDate');

    const file = await districtA.get(
      `/api/orgs/${tree.districtA.id}/graduate-handover.xlsx?from=2025-01-01&to=2025-12-31`,
    );
    expect(file.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const pendingSheet = wb.getWorksheet('待衔接名单')!;
    expect(pendingSheet.getRow(3).getCell(1).value).toBe('标记一');
    expect(String(pendingSheet.getRow(3).getCell(2).value)).toMatch(/^5001\*+\d{3}[\dX]$/);
    expect(wb.getWorksheet('学社衔接率')!.getRow(3).getCell(4).value).toBe('0.0%');
    expect(
      (await districtB.get(`/api/orgs/${tree.districtA.id}/graduate-handover.xlsx?from=2025-01-01&to=2025-12-31`))
        .statusCode,
    ).toBe(404);
  });
  it('lets a member apply on their phone: the sending side approves first, then the receiving org assigns a branch', async () => {
    const id = await add('自己申请', '901');
    const code = (await branchA.post(`/api/members/${id}/sign-in-code`)).json<{ codes: { code: string }[] }>().codes[0]!
      .code;
    const phone = new MemberClient(env.app);
    expect((await phone.redeem(code)).statusCode).toBe(200);
    const targets = (await phone.get(`/api/my/transfer-targets?q=${encodeURIComponent('乙区委员会')}`)).json<{
      items: { id: number }[];
    }>();
    expect(targets.items.map((t) => t.id)).toContain(tree.districtB.id);
    // A request withdrawn by the member before anyone decided it.
    const first = await phone.post('/api/my/transfers', { toOrgId: tree.districtB.id, reason: '考上乙区学校' });
    expect(first.statusCode, first.body).toBe(201);
    const firstId = first.json<{ id: number }>().id;
    expect((await districtA.post(`/api/transfers/${firstId}/cancel`, {})).statusCode).toBe(403);
    expect((await phone.post(`/api/my/transfers/${firstId}/cancel`)).json()).toEqual({ status: 'cancelled' });
    const start = await phone.post('/api/my/transfers', { toOrgId: tree.districtB.id, reason: '考上乙区学校' });
    const transferId = start.json<{ id: number }>().id;
    // The receiving org cannot decide before the sending side has.
    expect((await districtB.post(`/api/transfers/${transferId}/approve`, {})).statusCode).toBe(403);
    const out = (await branchA.get(`/api/orgs/${tree.branchA.id}/transfers?direction=out`)).json<{
      items: { id: number; canDecide: boolean; statusLabel: string; initiatedBySide: string }[];
    }>();
    expect(out.items.find((t) => t.id === transferId)).toMatchObject({
      canDecide: true,
      statusLabel: '待转出团支部审核',
      initiatedBySide: 'member',
    });
    expect((await branchA.post(`/api/transfers/${transferId}/approve`, {})).json()).toEqual({ status: 'pending' });
    const mine = (await phone.get('/api/my/transfers')).json<{
      items: { id: number; statusLabel: string; canCancel: boolean }[];
    }>();
    expect(mine.items[0]).toMatchObject({ id: transferId, statusLabel: '待接收组织审核', canCancel: false });
    expect((await phone.post(`/api/my/transfers/${transferId}/cancel`)).statusCode).toBe(409);
    expect((await branchA.post(`/api/transfers/${transferId}/approve`, {})).statusCode).toBe(403);
    expect((await districtB.post(`/api/transfers/${transferId}/approve`, {})).json()).toEqual({
      status: 'awaiting_assignment',
    });
    expect((await districtB.post(`/api/transfers/${transferId}/assign`, { branchId: tree.branchB.id })).json()).toEqual(
      {
        status: 'completed',
      },
    );
    expect((await phone.get('/api/my/profile')).json<{ orgId: number }>().orgId).toBe(tree.branchB.id);
    // Another member's session cannot see or cancel it.
    const other = await add('旁人', '902');
    const otherCode = (await branchA.post(`/api/members/${other}/sign-in-code`)).json<{ codes: { code: string }[] }>()
      .codes[0]!.code;
    const otherPhone = new MemberClient(env.app);
    await otherPhone.redeem(otherCode);
    expect((await otherPhone.get('/api/my/transfers')).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await otherPhone.post(`/api/my/transfers/${firstId}/cancel`)).statusCode).toBe(404);
  });
});
