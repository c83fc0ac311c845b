import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, DIALECTS, Factory, standardTree, type Client, type TestEnv } from '../../test/harness.js';
import { routeAccess, type AccessSpec, type RefType } from './access-plugin.js';
import { withCheckChar } from '../member/member-fields.js';
import { uploadAs } from '../../test/xlsx-upload.js';

/**
 * Enumerates every route of the OpenAPI document and proves that a cadre of one branch gets 403/404 for
 * everything outside their subtree. New routes are covered automatically: a route that declares no access
 * does not even start (see access-plugin.ts), and every declared reference is probed here.
 */
describe.each(DIALECTS)('access from a foreign subtree (%s)', (dialect) => {
  let env: TestEnv;
  let tree: Awaited<ReturnType<typeof standardTree>>;
  let cadreA: Client;
  let foreignIds: Record<RefType, number | string>;

  beforeAll(async () => {
    env = await createEnv(dialect);
    const f = new Factory(env);
    tree = await standardTree(f);
    cadreA = await f.account('branch-a-secretary', tree.branchA.id, 'secretary');
    const cadreB = await f.account('school-b-admin', tree.schoolB.id, 'admin');
    const accountB = await env.database.db
      .selectFrom('account')
      .select('id')
      .where('username', '=', 'school-b-admin')
      .executeTakeFirstOrThrow();
    const roleB = await env.database.db
      .selectFrom('role')
      .select('id')
      .where('account_id', '=', accountB.id)
      .executeTakeFirstOrThrow();
    const invite = await cadreB.post(`/api/orgs/${tree.schoolB.id}/invites`, {});
    expect(invite.statusCode).toBe(201);
    await cadreB.put(`/api/orgs/${tree.branchB.id}/contacts`, {
      contacts: [{ name: '乙书记', post: '书记', phone: '13900001111' }],
    });
    const memberB = await cadreB.post(`/api/orgs/${tree.branchB.id}/members`, {
      name: '乙团员',
      idNumber: withCheckChar('50010220050101123'),
      politicalStatus: '共青团员',
    });
    expect(memberB.statusCode, memberB.body).toBe(201);
    const memberBId = memberB.json<{ id: number }>().id;
    const correction = await cadreB.post(`/api/members/${memberBId}/corrections`, {
      field: 'name',
      value: '乙团员改',
      reason: '录入错误',
    });
    expect(correction.statusCode, correction.body).toBe(201);
    const recommendation = await cadreB.post(`/api/members/${memberBId}/recommendations`, {
      applied: true,
      appliedOn: '2026-03-01',
      recommendedOn: '2026-04-01',
    });
    expect(recommendation.statusCode, recommendation.body).toBe(201);
    const transfer = await cadreB.post(`/api/members/${memberBId}/transfers`, {
      toOrgId: tree.schoolB.id,
      reason: '调整团支部',
    });
    expect(transfer.statusCode, transfer.body).toBe(201);
    const lesson = await cadreB.post(`/api/orgs/${tree.schoolB.id}/lessons`, {
      season: '2026年',
      number: 1,
      title: '乙校第一期',
      minSeconds: 0,
    });
    expect(lesson.statusCode, lesson.body).toBe(201);
    const plan = await cadreB.post(`/api/orgs/${tree.schoolB.id}/work-plans`, { year: 2026, title: '乙校工作要点' });
    expect(plan.statusCode, plan.body).toBe(201);
    const planId = plan.json<{ id: number }>().id;
    const task = await cadreB.post(`/api/work-plans/${planId}/tasks`, {
      content: '乙校任务',
      deadline: '12月',
      responsible: [{ orgId: tree.branchB.id, role: 'lead' }],
    });
    expect(task.statusCode, task.body).toBe(201);
    const assignmentB = (await cadreB.get(`/api/orgs/${tree.branchB.id}/tasks?scope=mine`)).json<{
      items: { id: number }[];
    }>().items[0]!.id;
    const upload = await uploadAs(
      env,
      cadreB,
      `/api/task-assignments/${assignmentB}/attachments`,
      Buffer.from('%PDF-1.4\n乙校材料\n'),
      '材料.pdf',
    );
    expect(upload.statusCode, upload.body).toBe(201);
    const reportB = await cadreB.post(`/api/task-assignments/${assignmentB}/reports`, {
      body: '已完成',
      attachmentIds: [],
    });
    expect(reportB.statusCode, reportB.body).toBe(201);
    const indicator = await cadreB.post(`/api/orgs/${tree.schoolB.id}/indicators`, {
      name: '乙校活动数',
      source: 'reported',
      format: 'count',
      unit: '次',
    });
    expect(indicator.statusCode, indicator.body).toBe(201);
    const scheme = await cadreB.post(`/api/orgs/${tree.schoolB.id}/assessment-schemes`, {
      name: '乙校考核',
      periodKind: 'quarter',
      period: '2026Q4',
      subjects: { mode: 'kind', kind: 'branch' },
      items: [
        {
          indicatorId: indicator.json<{ id: number }>().id,
          points: 10,
          rule: { kind: 'linear', target: 4, direction: 'higher' },
        },
      ],
    });
    expect(scheme.statusCode, scheme.body).toBe(201);
    const schemeId = scheme.json<{ id: number }>().id;
    const itemId = (await cadreB.get(`/api/assessment-schemes/${schemeId}`)).json<{ items: { id: number }[] }>()
      .items[0]!.id;
    const reported = await cadreB.put(
      `/api/assessment-schemes/${schemeId}/orgs/${tree.branchB.id}/items/${itemId}/report`,
      {
        value: 3,
        note: '开展活动 3 次',
      },
    );
    expect(reported.statusCode, reported.body).toBe(200);
    const evidence = await uploadAs(
      env,
      cadreB,
      `/api/assessment-schemes/${schemeId}/reports/${reported.json<{ id: number }>().id}/evidence`,
      Buffer.from('%PDF-1.4\n乙校活动\n'),
      '活动.pdf',
    );
    expect(evidence.statusCode, evidence.body).toBe(201);
    foreignIds = {
      indicator: indicator.json<{ id: number }>().id,
      scheme: schemeId,
      evidence: evidence.json<{ id: number }>().id,
      org: tree.branchB.id,
      account: accountB.id,
      role: roleB.id,
      invite: invite.json<{ code: string }>().code,
      member: memberBId,
      correction: correction.json<{ id: number }>().id,
      transfer: transfer.json<{ id: number }>().id,
      recommendation: recommendation.json<{ id: number }>().id,
      lesson: lesson.json<{ id: number }>().id,
      plan: planId,
      task: task.json<{ id: number }>().id,
      assignment: assignmentB,
      report: reportB.json<{ id: number }>().id,
      attachment: upload.json<{ id: number }>().id,
    };
  });
  afterAll(() => env.close());

  it('every OpenAPI operation declares its access', async () => {
    const doc = (await env.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(ops.length).toBeGreaterThan(30);
    for (const op of ops) expect(routeAccess.has(op), `${op} has an access declaration`).toBe(true);
  });

  it('a branch cadre gets 403/404 for every foreign reference of every route', async () => {
    const doc = (await env.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    let probed = 0;
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const spec = routeAccess.get(`${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`) as AccessSpec;
        if (typeof spec !== 'object') continue;
        for (const target of spec.refs) {
          // Every reference gets a foreign id; the others get the cadre's own branch so only `target` is foreign.
          const own: Record<RefType, number | string> = {
            org: tree.branchA.id,
            account: 0,
            role: 0,
            invite: 'NONE',
            member: 0,
            correction: 0,
            transfer: 0,
            recommendation: 0,
            lesson: 0,
            plan: 0,
            task: 0,
            assignment: 0,
            report: 0,
            attachment: 0,
            indicator: 0,
            scheme: 0,
            evidence: 0,
          };
          let url = p;
          const body: Record<string, unknown> = {};
          const query: string[] = [];
          for (const ref of spec.refs) {
            const value = ref === target ? foreignIds[ref.type] : own[ref.type];
            if (ref.from === 'params') url = url.replace(`{${ref.key}}`, String(value));
            else if (ref.from === 'body') body[ref.key] = value;
            else query.push(`${ref.key}=${value}`);
          }
          url = url.replace(/\{\w+\}/g, '1');
          if (query.length) url += `?${query.join('&')}`;
          const res = await cadreA.request(method.toUpperCase(), url, method === 'get' ? undefined : body);
          expect([403, 404], `${method.toUpperCase()} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(
            res.statusCode,
          );
          probed++;
        }
      }
    }
    expect(probed).toBeGreaterThan(25);
    console.log(`access probe (${dialect}): ${probed} foreign references tried on every route, 0 leaks`);
  });

  it('lists and searches filtered by scope never show foreign orgs', async () => {
    const search = await cadreA.get(`/api/orgs/search?q=${encodeURIComponent('共青团')}&limit=100`);
    expect(search.statusCode).toBe(200);
    const ids = search.json<{ items: { id: number }[] }>().items.map((i) => i.id);
    expect(ids).toEqual([tree.branchA.id]);
    const roots = await cadreA.get('/api/orgs/roots');
    expect(roots.json<{ items: { id: number }[] }>().items.map((i) => i.id)).toEqual([tree.branchA.id]);
    const me = await cadreA.get('/api/auth/me');
    expect(me.json<{ roles: { orgId: number }[] }>().roles.map((r) => r.orgId)).toEqual([tree.branchA.id]);
  });

  it('a district admin reaches their own subtree but not the sibling district', async () => {
    const f = new Factory(env);
    const districtAdmin = await f.account('district-a-admin', tree.districtA.id, 'admin');
    expect((await districtAdmin.get(`/api/orgs/${tree.branchA.id}`)).statusCode).toBe(200);
    expect((await districtAdmin.get(`/api/orgs/${tree.branchB.id}`)).statusCode).toBe(404);
    expect((await districtAdmin.get(`/api/orgs/${tree.city.id}`)).statusCode).toBe(404);
    const dir = await districtAdmin.get(`/api/orgs/${tree.districtA.id}/directory?pageSize=500`);
    expect(dir.json<{ items: { orgId: number }[] }>().items.every((i) => i.orgId !== tree.branchB.id)).toBe(true);
    // Moving an own org under a foreign parent is refused and nothing moves.
    const move = await districtAdmin.post(`/api/orgs/${tree.schoolA.id}/move`, { parentId: tree.districtB.id });
    expect(move.statusCode).toBe(404);
    const school = await env.services.orgs.repo.byId(tree.schoolA.id);
    expect(school!.parent_id).toBe(tree.districtA.id);
  });

  it('a read-only inspector can read but not write', async () => {
    const f = new Factory(env);
    const inspector = await f.account('district-a-inspector', tree.districtA.id, 'inspector');
    expect((await inspector.get(`/api/orgs/${tree.schoolA.id}`)).statusCode).toBe(200);
    const res = await inspector.patch(`/api/orgs/${tree.schoolA.id}`, { name: '改名的学校团委' });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ message: string }>().message).toContain('只有查看权限');
  });

  it('guessed sequential ids reveal nothing', async () => {
    const max = await env.database.db
      .selectFrom('org')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirstOrThrow();
    for (let id = 1; id <= Number(max.m) + 3; id++) {
      const res = await cadreA.get(`/api/orgs/${id}`);
      expect(res.statusCode, `org ${id}`).toBe(id === tree.branchA.id ? 200 : 404);
    }
  });
});
