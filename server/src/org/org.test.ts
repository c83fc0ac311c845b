import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createEnv, DIALECTS, Factory, standardTree, type Client, type TestEnv } from '../../test/harness.js';

async function readXlsx(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: string[][] = [];
  ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v)))));
  return rows;
}

const countOrgs = async (env: TestEnv) =>
  Number(
    (
      await env.database.db
        .selectFrom('org')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const countAudit = async (env: TestEnv) =>
  Number(
    (
      await env.database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe.each(DIALECTS)('org tree (%s)', (dialect) => {
  let env: TestEnv;
  let f: Factory;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let cityAdmin: Client;

  beforeAll(async () => {
    env = await createEnv(dialect);
    f = new Factory(env);
    tree = await standardTree(f);
    cityAdmin = await f.account('city-admin', tree.city.id, 'admin');
  });
  afterAll(() => env.close());

  it('creates a child org with contacts; phones are encrypted at rest and masked on screen', async () => {
    const res = await cityAdmin.post('/api/orgs', {
      parentId: tree.districtA.id,
      kind: 'committee',
      name: '共青团甲区第二中学委员会',
      category: '学校',
      contacts: [{ name: '王书记', post: '书记', phone: '１３８１２３４５６７８' }],
    });
    expect(res.statusCode).toBe(201);
    const org = res.json<{ id: number; path: string; code: string; depth: number }>();
    expect(org.path).toBe(`${tree.districtA.path}${org.id}/`);
    expect(org.depth).toBe(2);
    expect(org.code).toMatch(/^T\d{9}$/);
    const stored = await env.database.db
      .selectFrom('org_contact')
      .selectAll()
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(stored.phone_enc).not.toContain('13812345678');
    expect(env.services.cipher.decrypt(stored.phone_enc!)).toBe('13812345678');
    const detail = await cityAdmin.get(`/api/orgs/${org.id}`);
    expect(detail.json<{ contacts: { phoneMasked: string }[] }>().contacts[0]!.phoneMasked).toBe('138****5678');
    const district = await cityAdmin.get(`/api/orgs/${tree.districtA.id}`);
    expect(district.json<{ descendantCount: number }>().descendantCount).toBe(3);
    // Revealing the full number is audited.
    const reveal = await cityAdmin.get(`/api/orgs/${org.id}/contacts/${stored.id}/phone`);
    expect(reveal.json<{ phone: string }>().phone).toBe('13812345678');
    const audit = await cityAdmin.get(`/api/orgs/${org.id}/audit?action=org.contact.reveal`);
    expect(audit.json<{ total: number }>().total).toBe(1);
  });

  it('rejects bad input with field-level Chinese messages and writes nothing', async () => {
    const before = [await countOrgs(env), await countAudit(env)];
    const cases: [unknown, string, string][] = [
      [{ parentId: tree.districtA.id, kind: 'committee', name: '' }, 'name', '组织全称'],
      [{ parentId: tree.districtA.id, kind: 'club', name: '某某社团' }, 'kind', '组织类型'],
      [{ parentId: tree.districtA.id, kind: 'committee', name: '某某团委', hacker: 1 }, 'hacker', '不认识的字段'],
      [
        { parentId: tree.districtA.id, kind: 'committee', name: '某某团委', establishedOn: '2020-13-45' },
        'establishedOn',
        '日期',
      ],
      [
        {
          parentId: tree.districtA.id,
          kind: 'committee',
          name: '某某团委',
          contacts: [{ name: '张', post: '书记', phone: 'abc' }],
        },
        'contacts.0.phone',
        '电话',
      ],
      [{ parentId: tree.branchA.id, kind: 'branch', name: '支部下的支部' }, 'kind', '团支部下不能'],
      [
        { parentId: tree.districtA.id, kind: 'committee', name: '重复代码团委', code: tree.schoolA.code },
        'code',
        '已被使用',
      ],
      [{ parentId: 'abc', kind: 'committee', name: '某某团委' }, 'parentId', ''],
    ];
    for (const [payload, field, text] of cases) {
      const res = await cityAdmin.post('/api/orgs', payload);
      expect([400, 404, 409], JSON.stringify(payload)).toContain(res.statusCode);
      const body = res.json<{ message: string; problems?: { path: string; message: string }[] }>();
      if (res.statusCode !== 404) {
        expect(
          body.problems?.map((p) => p.path),
          JSON.stringify(body),
        ).toContain(field);
        expect(body.message + JSON.stringify(body.problems)).toContain(text);
      }
    }
    expect([await countOrgs(env), await countAudit(env)]).toEqual(before);
  });

  /** descendant_count and branch_count kept by every tree change equal a count from scratch. */
  const expectCountsRight = async () => {
    const counts = await env.services.orgs.repo.recomputedCounts(tree.city.path);
    for (const [id, n] of counts) {
      const o = (await env.services.orgs.repo.byId(id))!;
      expect({ descendants: o.descendant_count, branches: o.branch_count }, `org ${id}`).toEqual(n);
    }
  };

  it('moves a whole subtree: paths, depths and every roll-up count follow', async () => {
    const school = await f.org(tree.districtA.id, 'committee', '移动测试中学团委');
    const grade = await f.org(school.id, 'general_branch', '移动测试中学2024级团总支');
    const branch = await f.org(grade.id, 'branch', '移动测试中学2024级1班团支部');
    const res = await cityAdmin.post(`/api/orgs/${school.id}/move`, { parentId: tree.districtB.id });
    expect(res.statusCode).toBe(200);
    const moved = await env.services.orgs.repo.byId(branch.id);
    expect(moved!.path).toBe(`${tree.districtB.path}${school.id}/${grade.id}/${branch.id}/`);
    expect(moved!.depth).toBe(4);
    await expectCountsRight();
    // Under itself, or a kind not allowed there: refused, nothing changes.
    expect((await cityAdmin.post(`/api/orgs/${school.id}/move`, { parentId: grade.id })).statusCode).toBe(400);
    const bad = await cityAdmin.post(`/api/orgs/${grade.id}/move`, { parentId: tree.branchA.id });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toContain('团支部下不能');
    expect((await env.services.orgs.repo.byId(branch.id))!.path).toBe(moved!.path);
  });

  it('merges two orgs of one kind and dissolves an empty org; both stay in history', async () => {
    const a = await f.org(tree.districtA.id, 'committee', '合并甲中学团委');
    const b = await f.org(tree.districtA.id, 'committee', '合并乙中学团委');
    const child = await f.org(a.id, 'branch', '合并甲中学1班团支部');
    expect((await cityAdmin.post(`/api/orgs/${a.id}/merge`, { intoId: child.id })).statusCode).toBe(400);
    const res = await cityAdmin.post(`/api/orgs/${a.id}/merge`, { intoId: b.id });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ descendantCount: number }>().descendantCount).toBe(1);
    const merged = await env.services.orgs.repo.byId(a.id);
    expect(merged!.status).toBe('merged');
    expect(merged!.merged_into_id).toBe(b.id);
    expect((await env.services.orgs.repo.byId(child.id))!.parent_id).toBe(b.id);
    const children = await cityAdmin.get(`/api/orgs/${tree.districtA.id}/children`);
    expect(children.json<{ items: { id: number }[] }>().items.map((i) => i.id)).not.toContain(a.id);

    const busy = await cityAdmin.post(`/api/orgs/${b.id}/dissolve`, { reason: '学校撤并' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json<{ message: string }>().message).toContain('下级组织');
    expect((await cityAdmin.post(`/api/orgs/${child.id}/dissolve`, { reason: '' })).statusCode).toBe(400);
    const ok = await cityAdmin.post(`/api/orgs/${child.id}/dissolve`, { reason: '班级毕业' });
    expect(ok.json<{ status: string }>().status).toBe('dissolved');
    expect((await env.services.orgs.repo.byId(b.id))!.descendant_count).toBe(0);
    await expectCountsRight();
    const audit = await cityAdmin.get(`/api/orgs/${tree.districtA.id}/audit?action=org.dissolve`);
    expect(audit.json<{ items: { before: { name: string } }[] }>().items[0]!.before.name).toBe('合并甲中学1班团支部');
  });

  it('lists completeness problems and exports the directory as a real workbook', async () => {
    await cityAdmin.put(`/api/orgs/${tree.schoolB.id}/contacts`, {
      contacts: [{ name: '赵书记', post: '书记', phone: '13700001234' }],
    });
    const comp = await cityAdmin.get(`/api/orgs/${tree.districtB.id}/completeness?pageSize=100`);
    const body = comp.json<{ summary: Record<string, number>; items: { orgId: number; problemCodes: string[] }[] }>();
    expect(body.items.find((i) => i.orgId === tree.schoolB.id)).toBeUndefined();
    expect(body.items.find((i) => i.orgId === tree.branchB.id)!.problemCodes).toEqual([
      'missing_secretary',
      'missing_phone',
      'small_branch',
    ]);
    expect(body.summary.missing_secretary).toBeGreaterThan(0);

    const masked = await cityAdmin.get(`/api/orgs/${tree.districtB.id}/directory.xlsx`);
    expect(masked.headers['content-type']).toContain('spreadsheetml');
    const rows = await readXlsx(masked.rawPayload);
    expect(rows[1]).toContain('电话');
    const row = rows.find((r) => r.includes('赵书记'))!;
    expect(row).toContain('137****1234');
    const auditBefore = await countAudit(env);
    const full = await readXlsx(
      (await cityAdmin.get(`/api/orgs/${tree.districtB.id}/directory.xlsx?full=1`)).rawPayload,
    );
    expect(full.find((r) => r.includes('赵书记'))).toContain('13700001234');
    expect(await countAudit(env)).toBe(auditBefore + 1);
  });

  it('issues single-use invite codes that register an admin of that org', async () => {
    const inv = await cityAdmin.post(`/api/orgs/${tree.schoolA.id}/invites`, {});
    expect(inv.statusCode).toBe(201);
    const { code, expiresAt } = inv.json<{ code: string; expiresAt: string }>();
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(Math.round((Date.parse(expiresAt) - Date.now()) / 86_400_000)).toBe(20);
    const lookup = await env.app.inject({ url: `/api/invites/${code.toLowerCase()}` });
    expect(lookup.statusCode, lookup.body).toBe(200);
    expect(lookup.json<{ orgName: string }>().orgName).toBe(tree.schoolA.name);
    const weak = await env.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { code, username: 'school-a-new', displayName: '新管理员', password: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    const reg = await env.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { code, username: 'school-a-new', displayName: '新管理员', password: 'Good-pass-2026' },
    });
    expect(reg.statusCode).toBe(200);
    const again = await env.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { code, username: 'school-a-other', displayName: '另一个', password: 'Good-pass-2026' },
    });
    expect(again.statusCode).toBe(410);
    expect(again.json<{ message: string }>().message).toContain('已使用');
    const accounts = await cityAdmin.get(`/api/orgs/${tree.schoolA.id}/accounts`);
    expect(accounts.json<{ items: { username: string; orgId: number }[] }>().items).toContainEqual(
      expect.objectContaining({ username: 'school-a-new', orgId: tree.schoolA.id }),
    );
  });
});
