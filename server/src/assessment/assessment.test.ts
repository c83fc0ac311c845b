import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, DIALECTS, Factory, type Client, type TestEnv } from '../../test/harness.js';
import { uploadAs } from '../../test/xlsx-upload.js';
import { withCheckChar } from '../member/member-fields.js';
import { nowIso, shanghaiDay } from '../common/time.js';
import { quarterOf } from './period.js';

interface Results {
  published: boolean;
  rows: {
    orgId: number;
    name: string;
    total: number;
    rank: number;
    rankLabel: string;
    tiedWith: string[];
    level: string | null;
    items: { itemId: number; value: number | null; score: number }[];
  }[];
  rating: { quotas: { five: number; fiveAndFour: number }; cuts: { explanation: string }[] } | null;
}
interface Breakdown {
  scored: boolean;
  total: number | null;
  breakdown: {
    items: { name: string; value: number | null; score: number; explanation: string; gain: string | null }[];
    adjustments: { points: number; reason: string; approvedBy: string }[];
    deductions: { points: number; reason: string }[];
  } | null;
}

const ID = (birth: string, seq: string) => withCheckChar(`110101${birth}${seq}`);

/**
 * 考核评比 through the API on both databases: a city scores its districts on two computed indicators and one
 * reported with evidence; deductions, adjustments by a second person, ties, recomputation after the data
 * change, publication, bulletins read back, the next quarter side by side, 对标定级, bad input, foreign subtrees.
 */
describe.each(DIALECTS)('assessment (%s)', (dialect) => {
  let env: TestEnv;
  let f: Factory;
  let city: { id: number };
  let d: { id: number; name: string }[];
  let branches: { id: number; name: string }[][];
  let cadre1: Client;
  let cadre2: Client;
  let d1Cadre: Client;
  let d2Cadre: Client;
  let d3Cadre: Client;
  const quarter = quarterOf(nowIso());
  let schemeId: number;
  let schemeItems: { indicatorId: number; points: number; rule: Record<string, unknown> }[];
  let items: { id: number; name: string }[];

  const secretary = (c: Client, orgId: number, name: string) =>
    c.put(`/api/orgs/${orgId}/contacts`, { contacts: [{ name, post: '书记', phone: '13900001111' }] });

  beforeAll(async () => {
    env = await createEnv(dialect);
    f = new Factory(env);
    city = await f.org(null, 'committee', '共青团示例市委员会');
    d = [];
    branches = [];
    for (const n of ['甲区', '乙区', '丙区', '丁区']) {
      const district = await f.org(city.id, 'committee', `共青团${n}委员会`);
      d.push({ id: district.id, name: `共青团${n}委员会` });
      const bs = [];
      for (const k of [1, 2]) {
        const name = `${n}第${k}团支部`;
        bs.push({ id: (await f.org(district.id, 'branch', name)).id, name });
      }
      branches.push(bs);
    }
    cadre1 = await f.account('city-organizer', city.id, 'organizer');
    cadre2 = await f.account('city-secretary', city.id, 'secretary');
    d1Cadre = await f.account('d1-secretary', d[0]!.id, 'secretary');
    d2Cadre = await f.account('d2-secretary', d[1]!.id, 'secretary');
    d3Cadre = await f.account('d3-secretary', d[2]!.id, 'secretary');
    // 书记 everywhere in 甲区 (3 of 3 posts), at 乙区 and its first branch (2 of 3), nowhere in 丙区 and 丁区.
    for (const o of [d[0]!, ...branches[0]!, d[1]!, branches[1]![0]!])
      expect((await secretary(cadre1, o.id, '书记')).statusCode).toBe(200);
    // Three members in 甲区's first branch: one branch of two has 3–50 members.
    for (const [i, name] of ['张一', '张二', '张三'].entries()) {
      const r = await cadre1.post(`/api/orgs/${branches[0]![0]!.id}/members`, {
        name,
        idNumber: ID('20050101', `12${i}`),
        politicalStatus: '共青团员',
      });
      expect(r.statusCode, r.body).toBe(201);
    }
  });
  afterAll(() => env.close());

  it('refuses bad schemes with the field named and writes nothing', async () => {
    const ind = await cadre1.post(`/api/orgs/${city.id}/indicators`, {
      name: '团干部配备率（测试）',
      source: 'computed',
      metric: 'cadre_staffing',
    });
    expect(ind.statusCode, ind.body).toBe(201);
    const indicatorId = ind.json<{ id: number }>().id;
    const base = {
      name: '错误方案',
      periodKind: 'quarter',
      period: quarter,
      subjects: { mode: 'children' },
      items: [{ indicatorId, points: 100, rule: { kind: 'linear', target: 0.85, direction: 'higher' } }],
    };
    const cases: [unknown, string][] = [
      [{ ...base, period: '2026Q5' }, 'period'],
      [
        { ...base, items: [{ ...base.items[0], rule: { kind: 'linear', target: 85, direction: 'higher' } }] },
        'items.0.rule',
      ],
      // 每达到 5% of a rate is 0.05: a bonus unit of 5 would never award a point.
      [
        { ...base, items: [{ ...base.items[0], points: 3, rule: { kind: 'bonus', per: 1, unit: 5, cap: 3 } }] },
        'items.0.rule',
      ],
      [{ ...base, items: [{ ...base.items[0], weight: 60 }] }, 'items'],
      [{ ...base, subjects: { mode: 'orgs', orgIds: [city.id] } }, 'subjects.orgIds.0'],
      [{ ...base, items: [{ ...base.items[0], indicatorId: 999_999 }] }, 'items.0.indicatorId'],
    ];
    // A count to keep low (安全事故 0 起) needs its own zero line: twice a target of 0 is 0.
    const accidents = await cadre1.post(`/api/orgs/${city.id}/indicators`, {
      name: '安全事故',
      source: 'reported',
      format: 'count',
      unit: '起',
      direction: 'lower',
    });
    expect(accidents.statusCode, accidents.body).toBe(201);
    cases.push([
      {
        ...base,
        items: [
          {
            indicatorId: accidents.json<{ id: number }>().id,
            points: 100,
            rule: { kind: 'linear', target: 0, direction: 'lower' },
          },
        ],
      },
      'items.0.rule',
    ]);
    for (const [body, path] of cases) {
      const r = await cadre1.post(`/api/orgs/${city.id}/assessment-schemes`, body);
      expect(r.statusCode, r.body).toBe(400);
      const err = r.json<{ message: string; problems?: { path: string }[] }>();
      expect(err.message).toMatch(/[\u4e00-\u9fa5]/);
      if (path !== 'items')
        expect(
          err.problems?.map((p) => p.path),
          r.body,
        ).toContain(path);
    }
    const count = await env.database.db
      .selectFrom('assessment_scheme')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('scores districts from the data and approved reports, with ties explained', async () => {
    const mk = async (body: object) => {
      const r = await cadre1.post(`/api/orgs/${city.id}/indicators`, body);
      expect(r.statusCode, r.body).toBe(201);
      return r.json<{ id: number }>().id;
    };
    const staffing = await mk({ name: '团干部配备率', source: 'computed', metric: 'cadre_staffing' });
    const norm = await mk({ name: '团支部规范化率', source: 'computed', metric: 'branch_size_norm' });
    const events = await mk({ name: '开展主题活动', source: 'reported', format: 'count', unit: '次' });
    const created = await cadre1.post(`/api/orgs/${city.id}/assessment-schemes`, {
      name: '区县团委季度考核',
      periodKind: 'quarter',
      period: quarter,
      subjects: { mode: 'children' },
      items: (schemeItems = [
        { indicatorId: staffing, points: 40, rule: { kind: 'linear', target: 0.85, direction: 'higher' } },
        { indicatorId: norm, points: 30, rule: { kind: 'pass_fail', target: 0.5, direction: 'higher' } },
        {
          indicatorId: events,
          points: 30,
          rule: {
            kind: 'steps',
            direction: 'higher',
            steps: [
              { min: 4, points: 30 },
              { min: 2, points: 15 },
            ],
          },
        },
      ]),
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<{ subjects: number }>().subjects).toBe(4);
    schemeId = created.json<{ id: number }>().id;
    items = (await cadre1.get(`/api/assessment-schemes/${schemeId}`)).json<{ items: { id: number; name: string }[] }>()
      .items;
    const eventsItem = items[2]!.id;

    // Reports with evidence: 甲区 5 (approved), 乙区 2 (approved), 丙区 6 (returned: not scored).
    const report = async (c: Client, orgId: number, value: number) => {
      const r = await c.put(`/api/assessment-schemes/${schemeId}/orgs/${orgId}/items/${eventsItem}/report`, {
        value,
        note: `开展活动 ${value} 次`,
      });
      expect(r.statusCode, r.body).toBe(200);
      return r.json<{ id: number }>().id;
    };
    const r1 = await report(d1Cadre, d[0]!.id, 5);
    const r2 = await report(d2Cadre, d[1]!.id, 2);
    const r3 = await report(d3Cadre, d[2]!.id, 6);
    const up = await uploadAs(
      env,
      d1Cadre,
      `/api/assessment-schemes/${schemeId}/reports/${r1}/evidence`,
      Buffer.from('%PDF-1.4\n活动记录\n'),
      '活动记录.pdf',
    );
    expect(up.statusCode, up.body).toBe(201);
    const exe = await uploadAs(
      env,
      d1Cadre,
      `/api/assessment-schemes/${schemeId}/reports/${r1}/evidence`,
      Buffer.from('MZ\x90\x00'),
      '活动.pdf',
    );
    expect(exe.statusCode).toBe(400);
    // A file sent by mistake can be removed while the report is not approved.
    const mistake = await uploadAs(
      env,
      d1Cadre,
      `/api/assessment-schemes/${schemeId}/reports/${r1}/evidence`,
      Buffer.from('%PDF-1.4\n错传的文件\n'),
      '错传.pdf',
    );
    const mistakeId = mistake.json<{ id: number }>().id;
    expect((await d2Cadre.request('DELETE', `/api/assessment-evidence/${mistakeId}`)).statusCode).toBe(404);
    expect((await d1Cadre.request('DELETE', `/api/assessment-evidence/${mistakeId}`)).statusCode).toBe(200);
    // A district cannot report for its neighbour.
    const foreign = await d1Cadre.put(
      `/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}/items/${eventsItem}/report`,
      {
        value: 99,
      },
    );
    expect([403, 404]).toContain(foreign.statusCode);
    for (const [id, approve] of [
      [r1, true],
      [r2, true],
    ] as const)
      expect(
        (await cadre1.post(`/api/assessment-schemes/${schemeId}/reports/${id}/review`, { approve })).statusCode,
      ).toBe(200);
    const returned = await cadre1.post(`/api/assessment-schemes/${schemeId}/reports/${r3}/review`, {
      approve: false,
      comment: '缺少活动照片',
    });
    expect(returned.statusCode, returned.body).toBe(200);

    const scored = await cadre1.post(`/api/assessment-schemes/${schemeId}/score`);
    expect(scored.statusCode, scored.body).toBe(200);
    expect(scored.json<{ orgs: number }>().orgs).toBe(4);
    const res = (await cadre1.get(`/api/assessment-schemes/${schemeId}/results`)).json<Results>();
    const by = new Map(res.rows.map((r) => [r.orgId, r]));
    // 甲区: 3/3 书记 → 40; 1 of 2 branches with 3–50 members → 30; 5 activities → 30.
    expect(by.get(d[0]!.id)!.total).toBe(100);
    // 乙区: 2/3 → 40 × 0.6667 ÷ 0.85 = 31.37; 0 of 2 → 0; 2 activities → 15.
    expect(by.get(d[1]!.id)!.items.map((i) => i.score)).toEqual([31.37, 0, 15]);
    expect(by.get(d[1]!.id)!.total).toBe(46.37);
    // 丙区 and 丁区: nothing (丙区's report was returned), tied at 0.
    expect(by.get(d[2]!.id)!.total).toBe(0);
    expect(by.get(d[2]!.id)!.items[2]!.value).toBeNull();
    expect(by.get(d[2]!.id)!.rankLabel).toBe('并列第3名');
    expect(by.get(d[2]!.id)!.tiedWith).toEqual([d[3]!.name]);
    expect(res.rows.map((r) => r.rank)).toEqual([1, 2, 3, 3]);

    const b2 = (await d2Cadre.get(`/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}`)).json<Breakdown>();
    // Not published yet: the district sees its reports but no scores.
    expect(b2.scored).toBe(false);
    const b2full = (await cadre1.get(`/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}`)).json<Breakdown>();
    expect(b2full.breakdown!.items[0]!.explanation).toContain('31.37');
    expect(b2full.breakdown!.items[0]!.gain).toContain('百分点');

    // Results keep figures and scores; the sentences are written from the scheme's items when read. A rename keeps
    // the results; a changed rule removes them until the next 计分, so no score sits beside a rule it was not
    // computed with.
    const edit = (body: unknown) => cadre1.patch(`/api/assessment-schemes/${schemeId}`, body);
    const resultRows = async () =>
      (await cadre1.get(`/api/assessment-schemes/${schemeId}/results`)).json<Results>().rows.length;
    const renamed = await edit({ name: '区县团委季度考核（修订）', items: schemeItems });
    expect(renamed.json<{ resultsRemoved: boolean }>()).toEqual({ ok: true, resultsRemoved: false });
    expect(await resultRows()).toBe(4);
    // The same rules written in another key order, with one indicator archived since: nothing changed, the results
    // stay (停用 stops new use of an indicator, not a draft's own).
    const normIndicator = schemeItems[1]!.indicatorId;
    const archive = (status: string) => cadre1.patch(`/api/indicators/${normIndicator}`, { status });
    expect((await archive('archived')).statusCode).toBe(200);
    const reordered = schemeItems.map((it) => ({
      ...it,
      rule: Object.fromEntries(Object.entries(it.rule).reverse()),
    }));
    const same = await edit({ items: reordered });
    expect(same.statusCode, same.body).toBe(200);
    expect(await resultRows()).toBe(4);
    expect((await archive('active')).statusCode).toBe(200);
    const target80 = { ...schemeItems[0], rule: { kind: 'linear', target: 0.8, direction: 'higher' } };
    const retargeted = await edit({ items: [target80, ...schemeItems.slice(1)] });
    expect(retargeted.json<{ resultsRemoved: boolean }>()).toEqual({ ok: true, resultsRemoved: true });
    expect(await resultRows()).toBe(0);
    expect(
      (await cadre1.get(`/api/assessment-schemes/${schemeId}`)).json<{ scoredAt: string | null }>().scoredAt,
    ).toBeNull();
    expect((await cadre1.post(`/api/assessment-schemes/${schemeId}/score`)).statusCode).toBe(200);
    const b2at80 = (await cadre1.get(`/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}`)).json<Breakdown>();
    // 40 × 66.7 ÷ 80 = 33.33
    expect(b2at80.breakdown!.items[0]!.score).toBe(33.33);
    expect(b2at80.breakdown!.items[0]!.explanation).toContain('÷ 80 = 33.33');
    // An edit while a scoring runs: whichever finishes first, no result is left that the items do not explain —
    // the scoring is refused (the items changed under it), its results are removed by the edit, or it read the
    // items after the edit and its results are of the new items (target 85 %: 40 × 66.7 ÷ 85 = 31.37).
    const [racing, edited] = await Promise.all([
      cadre1.post(`/api/assessment-schemes/${schemeId}/score`),
      edit({ items: schemeItems }),
    ]);
    expect(edited.statusCode).toBe(200);
    expect([200, 409]).toContain(racing.statusCode);
    if (racing.statusCode === 409) expect(racing.json<{ message: string }>().message).toContain('请重新计分');
    const left = (await cadre1.get(`/api/assessment-schemes/${schemeId}/results`)).json<Results>().rows;
    if (left.length) expect(left.find((r) => r.orgId === d[1]!.id)!.items[0]!.score).toBe(31.37);
    expect((await edit({ name: '区县团委季度考核', items: schemeItems })).statusCode).toBe(200);
    expect((await cadre1.post(`/api/assessment-schemes/${schemeId}/score`)).statusCode).toBe(200);

    // The records behind 乙区's 配备率: its children and the org without 书记.
    const drill = await cadre1.get(`/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}/items/${items[0]!.id}/drill`);
    expect(drill.statusCode, drill.body).toBe(200);
    const dd = drill.json<{
      children: { orgId: number; value: number | null }[];
      records: { rows: object[]; total: number };
    }>();
    expect(dd.children.map((c) => c.value).sort()).toEqual([0, 1]);
    expect(dd.records.total).toBe(1);
    expect(JSON.stringify(dd.records.rows)).toContain(branches[1]![1]!.name);
  });

  it('adjusts with a second approver, deducts with a reason and recomputes after the data change', async () => {
    const adj = await cadre1.post(`/api/assessment-schemes/${schemeId}/orgs/${d[2]!.id}/adjustments`, {
      points: 5,
      reason: '承办全市团干部培训，按规定加分',
    });
    expect(adj.statusCode, adj.body).toBe(201);
    const adjId = adj.json<{ id: number }>().id;
    const self = await cadre1.post(`/api/assessment-schemes/${schemeId}/adjustments/${adjId}/decision`, {
      approve: true,
    });
    expect(self.statusCode).toBe(403);
    const ok = await cadre2.post(`/api/assessment-schemes/${schemeId}/adjustments/${adjId}/decision`, {
      approve: true,
      note: '同意',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const ded = await cadre1.post(`/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}/deductions`, {
      points: 10,
      reason: '信息报送迟报两次',
    });
    expect(ded.statusCode, ded.body).toBe(201);
    const noReason = await cadre1.post(`/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}/deductions`, {
      points: 10,
      reason: '',
    });
    expect(noReason.statusCode).toBe(400);
    expect((await cadre1.get(`/api/assessment-schemes/${schemeId}`)).json<{ stale: boolean }>().stale).toBe(true);
    // Before publication the district sees neither its scores nor the points taken.
    const hidden = (await d2Cadre.get(`/api/assessment-schemes/${schemeId}/orgs/${d[1]!.id}`)).json<
      Breakdown & { deductions: unknown[] }
    >();
    expect(hidden.breakdown).toBeNull();
    expect(hidden.deductions).toEqual([]);

    // 丙区 gets its 书记 posts filled: the next scoring follows the data.
    for (const o of [d[2]!, ...branches[2]!]) expect((await secretary(d3Cadre, o.id, '丙书记')).statusCode).toBe(200);
    expect((await cadre1.post(`/api/assessment-schemes/${schemeId}/score`)).statusCode).toBe(200);
    const res = (await cadre1.get(`/api/assessment-schemes/${schemeId}/results`)).json<Results>();
    const by = new Map(res.rows.map((r) => [r.orgId, r]));
    expect(by.get(d[2]!.id)!.total).toBe(45); // 40 + 5 adjustment
    expect(by.get(d[1]!.id)!.total).toBe(36.37); // 46.37 − 10
    expect(res.rows.map((r) => r.orgId)).toEqual([d[0]!.id, d[2]!.id, d[1]!.id, d[3]!.id]);
    const b3 = (await cadre1.get(`/api/assessment-schemes/${schemeId}/orgs/${d[2]!.id}`)).json<Breakdown>();
    expect(b3.breakdown!.adjustments).toEqual([
      { points: 5, reason: '承办全市团干部培训，按规定加分', approvedBy: 'city-secretary' },
    ]);
  });

  it('publishes once every report is reviewed; districts see their own result and nothing of others', async () => {
    const events = items[2]!.id;
    const again = await d3Cadre.put(`/api/assessment-schemes/${schemeId}/orgs/${d[2]!.id}/items/${events}/report`, {
      value: 6,
      note: '补充了照片',
    });
    expect(again.statusCode).toBe(200);
    const blocked = await cadre1.post(`/api/assessment-schemes/${schemeId}/publish`);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json<{ message: string }>().message).toContain('待审核');
    expect(
      (
        await cadre2.post(`/api/assessment-schemes/${schemeId}/reports/${again.json<{ id: number }>().id}/review`, {
          approve: true,
        })
      ).statusCode,
    ).toBe(200);
    // A report arriving while the publication scores a last time: one of the two is refused, never a published
    // scheme holding a report nobody may review any more.
    const d4Cadre = await f.account('d4-secretary', d[3]!.id, 'secretary');
    const [racing, late] = await Promise.all([
      cadre1.post(`/api/assessment-schemes/${schemeId}/publish`),
      d4Cadre.put(`/api/assessment-schemes/${schemeId}/orgs/${d[3]!.id}/items/${events}/report`, {
        value: 1,
        note: '迟到的报送',
      }),
    ]);
    expect([racing.statusCode, late.statusCode].sort(), racing.body + late.body).toEqual([200, 409]);
    if (late.statusCode === 200) {
      expect(racing.json<{ message: string }>().message).toContain('待审核');
      const lateId = late.json<{ id: number }>().id;
      const ok = await cadre2.post(`/api/assessment-schemes/${schemeId}/reports/${lateId}/review`, { approve: true });
      expect(ok.statusCode).toBe(200);
    } else expect(late.json<{ message: string }>().message).toContain('已发布');
    const pub = racing.statusCode === 200 ? racing : await cadre1.post(`/api/assessment-schemes/${schemeId}/publish`);
    expect(pub.statusCode, pub.body).toBe(200);
    const waiting = await env.database.db
      .selectFrom('assessment_report')
      .select('id')
      .where('scheme_id', '=', schemeId)
      .where('status', '=', 'submitted')
      .execute();
    expect(waiting).toEqual([]);
    expect((await cadre1.post(`/api/assessment-schemes/${schemeId}/score`)).statusCode).toBe(409);

    const own = (await d3Cadre.get(`/api/assessment-schemes/${schemeId}/results`)).json<Results>();
    expect(own.rows.map((r) => r.orgId)).toEqual([d[2]!.id]);
    expect(own.rows[0]!.total).toBe(75); // 40 + 0 + 30 (6 activities) + 5
    const mine = (await d3Cadre.get(`/api/assessment-schemes/${schemeId}/orgs/${d[2]!.id}`)).json<Breakdown>();
    expect(mine.total).toBe(75);
    expect(mine.breakdown!.items[1]!.gain).toBeTruthy();
    const evidenceId = (await d1Cadre.get(`/api/assessment-schemes/${schemeId}/orgs/${d[0]!.id}`)).json<{
      reports: { evidence: { id: number }[] }[];
    }>().reports[0]!.evidence[0]!.id;
    expect((await d1Cadre.request('DELETE', `/api/assessment-evidence/${evidenceId}`)).statusCode).toBe(409);
    const pdf = await d1Cadre.get(`/api/assessment-evidence/${evidenceId}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.body).toContain('活动记录');
    expect((await d2Cadre.get(`/api/assessment-evidence/${evidenceId}`)).statusCode).toBe(404);
    expect((await d3Cadre.get(`/api/assessment-schemes/${schemeId}/orgs/${d[0]!.id}`)).statusCode).toBe(404);
    const notice = await env.database.db
      .selectFrom('notification')
      .select('title')
      .where('kind', '=', 'assessment.published')
      .where('org_id', '=', d[2]!.id)
      .executeTakeFirst();
    expect(notice?.title).toContain('区县团委季度考核');
    // A branch outside the scheme's orgs sees nothing of it.
    const outsider = await f.account('outside-branch', branches[3]![0]!.id, 'secretary');
    expect((await outsider.get(`/api/assessment-schemes/${schemeId}`)).statusCode).toBe(404);
  });

  it('shows key figures with traffic lights, the children compared, and the live feed of the big screen', async () => {
    const dash = await cadre1.get(`/api/orgs/${city.id}/assessment-dashboard?quarter=${quarter}`);
    expect(dash.statusCode, dash.body).toBe(200);
    const body = dash.json<{
      metrics: { key: string; value: number | null; target: number | null; light: string }[];
      children: { orgId: number; cells: { value: number | null; light: string }[] }[];
      schemes: { own: { id: number; leaders: { name: string }[] }[] };
    }>();
    const staffingAt = body.metrics.findIndex((m) => m.key === 'cadre_staffing');
    // The city: its own post and 12 below; 书记 at 甲区 (3), 乙区 (2) and 丙区 (3) → 8 of 13 orgs.
    expect(body.metrics[staffingAt]!.target).toBe(0.85);
    expect(body.metrics[staffingAt]).toMatchObject({ value: 8 / 13, light: 'red' });
    const lightOf = (orgId: number) => body.children.find((c) => c.orgId === orgId)!.cells[staffingAt]!;
    expect(lightOf(d[0]!.id)).toMatchObject({ value: 1, light: 'green' });
    expect(lightOf(d[1]!.id).light).toBe('red'); // 2 of 3 = 66.7 % < 76.5 %
    expect(lightOf(d[3]!.id)).toMatchObject({ value: 0, light: 'red' });
    expect(body.schemes.own[0]!.leaders[0]!.name).toBe(d[0]!.name);
    // A district cadre cannot open the city's dashboard.
    expect((await d1Cadre.get(`/api/orgs/${city.id}/assessment-dashboard`)).statusCode).toBe(404);

    const live = await cadre1.get(`/api/orgs/${city.id}/live`);
    expect(live.statusCode, live.body).toBe(200);
    const feed = live.json<{ checkinsToday: number; events: { org: string; text: string }[] }>();
    expect(feed.checkinsToday).toBe(0);
    expect(feed.events.some((e) => e.org === d[2]!.name && e.text.includes('开展主题活动'))).toBe(true);
  });

  it('keeps 本级 roles to their own org: no ranking, records or figures of the orgs below', async () => {
    const viewer = await f.account('city-org-viewer', city.id, 'org_viewer');
    const admin = await f.account('city-org-admin', city.id, 'org_admin');
    const evidenceId = (await d1Cadre.get(`/api/assessment-schemes/${schemeId}/orgs/${d[0]!.id}`)).json<{
      reports: { evidence: { id: number }[] }[];
    }>().reports[0]!.evidence[0]!.id;
    for (const c of [viewer, admin]) {
      // The city's schemes rank the districts: not listed, not opened.
      const list = await c.get(`/api/orgs/${city.id}/assessment-schemes`);
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json<{ own: unknown[]; canCreate: boolean }>()).toMatchObject({ own: [], canCreate: false });
      for (const path of ['', '/results', `/orgs/${d[0]!.id}`, `/orgs/${d[0]!.id}/items/${items[0]!.id}/drill`])
        expect((await c.get(`/api/assessment-schemes/${schemeId}${path}`)).statusCode, path).toBe(404);
      expect((await c.get(`/api/assessment-evidence/${evidenceId}`)).statusCode).toBe(404);
      // The dashboard keeps the city's own figures and drops the districts'.
      const dash = await c.get(`/api/orgs/${city.id}/assessment-dashboard?quarter=${quarter}`);
      expect(dash.statusCode, dash.body).toBe(200);
      const body = dash.json<{
        metrics: { value: number | null }[];
        children: unknown[];
        schemes: { own: unknown[] };
      }>();
      expect(body.metrics.length).toBeGreaterThan(0);
      expect(body.children).toEqual([]);
      expect(body.schemes.own).toEqual([]);
      const live = (await c.get(`/api/orgs/${city.id}/live`)).json<{ children: unknown[]; events: unknown[] }>();
      expect(live.children).toEqual([]);
      expect(live.events).toEqual([]);
    }
    expect((await cadre1.get(`/api/orgs/${city.id}/assessment-schemes`)).json<{ canCreate: boolean }>().canCreate).toBe(
      true,
    );
    // Nor does the 本级管理员 make, score or review a scheme of the districts.
    const made = await admin.post(`/api/orgs/${city.id}/assessment-schemes`, {
      name: '本级管理员的方案',
      periodKind: 'quarter',
      period: quarter,
      subjects: { mode: 'children' },
      items: schemeItems,
    });
    expect(made.statusCode).toBe(403);
    expect(made.json<{ message: string }>().message).toContain('本级管理员');
    expect((await admin.post(`/api/assessment-schemes/${schemeId}/score`)).statusCode).toBe(403);
    expect((await admin.get(`/api/assessment-schemes/${schemeId}/reports`)).statusCode).toBe(403);
    // A 本级查看 at 甲区 sees 甲区's published result, not the members and branches behind its figures.
    const d1Viewer = await f.account('d1-org-viewer', d[0]!.id, 'org_viewer');
    const mine = await d1Viewer.get(`/api/assessment-schemes/${schemeId}/orgs/${d[0]!.id}`);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json<{ canWrite: boolean }>().canWrite).toBe(false);
    const d1Own = await d1Cadre.get(`/api/assessment-schemes/${schemeId}/orgs/${d[0]!.id}`);
    expect(d1Own.json<{ canWrite: boolean }>().canWrite).toBe(true);
    const drill = await d1Viewer.get(
      `/api/assessment-schemes/${schemeId}/orgs/${d[0]!.id}/items/${items[0]!.id}/drill`,
    );
    expect(drill.statusCode).toBe(403);
    expect(drill.json<{ message: string }>().message).toContain('下级组织');
    // Its secretary does; a drill into an org the scheme does not assess is refused.
    const d1Drill = await d1Cadre.get(
      `/api/assessment-schemes/${schemeId}/orgs/${d[0]!.id}/items/${items[0]!.id}/drill`,
    );
    expect(d1Drill.statusCode, d1Drill.body).toBe(200);
    const branchDrill = await d1Cadre.get(
      `/api/assessment-schemes/${schemeId}/orgs/${branches[0]![0]!.id}/items/${items[0]!.id}/drill`,
    );
    expect(branchDrill.statusCode).toBe(404);
  });

  it('exports the bulletin as Word and Excel and reads them back', async () => {
    const docx = await cadre1.get(`/api/assessment-schemes/${schemeId}/bulletin?format=docx`);
    expect(docx.statusCode, docx.body.slice(0, 200)).toBe(200);
    const xml = await (await JSZip.loadAsync(docx.rawPayload)).file('word/document.xml')!.async('string');
    expect(xml).toContain('区县团委季度考核结果的通报');
    for (const o of d) expect(xml).toContain(o.name);
    const xlsx = await cadre1.get(`/api/assessment-schemes/${schemeId}/bulletin?format=xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('附件1')!;
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    const first = rows.find((r) => r.includes(d[0]!.name))!;
    expect(first[0]).toBe('1');
    expect(first).toContain('100');
    const third = rows.find((r) => r.includes(d[1]!.name))!;
    expect(third).toContain('−10');
  });

  it('puts the next quarter beside this one: who rose, who fell', async () => {
    const next = await cadre1.post(`/api/assessment-schemes/${schemeId}/next`);
    expect(next.statusCode, next.body).toBe(201);
    const nextId = next.json<{ id: number }>().id;
    // In the next quarter 乙区 fills its third post; no reports are in yet.
    expect((await secretary(d2Cadre, branches[1]![1]!.id, '乙书记')).statusCode).toBe(200);
    expect((await cadre1.post(`/api/assessment-schemes/${nextId}/score`)).statusCode).toBe(200);
    const series = (await cadre1.get(`/api/assessment-schemes/${nextId}/series`)).json<{
      periods: { schemeId: number }[];
      rows: { orgId: number; cells: ({ rank: number } | null)[]; trend: string | null; explanation: string | null }[];
    }>();
    expect(series.periods.map((p) => p.schemeId)).toEqual([schemeId, nextId]);
    const d2 = series.rows.find((r) => r.orgId === d[1]!.id)!;
    // 乙区 was 3rd; now 甲区 70 (staffing + norm), 乙区 and 丙区 40 each (staffing), 丁区 0: 乙区 shares 2nd.
    expect(d2.cells[0]!.rank).toBe(3);
    expect(d2.cells[1]!.rank).toBe(2);
    expect(d2.trend).toBe('rose');
    expect(d2.explanation).toContain('上升');
  });

  it('rates branches with quotas, excludes young branches, and records a self-assessment reviewed above', async () => {
    const young = await f.org(d[3]!.id, 'branch', '丁区新建团支部');
    await env.database.db
      .updateTable('org')
      .set({ established_on: shanghaiDay(nowIso()) })
      .where('id', '=', young.id)
      .execute();
    // A founding date typed loosely in an old import is treated as unknown: the branch takes part.
    await env.database.db
      .updateTable('org')
      .set({ established_on: '2005-02-30' })
      .where('id', '=', branches[3]![1]!.id)
      .execute();
    const staffing = (await cadre1.get(`/api/orgs/${city.id}/indicators`))
      .json<{ items: { id: number; metric: string | null; name: string }[] }>()
      .items.find((i) => i.name === '团干部配备率')!.id;
    const created = await cadre1.post(`/api/orgs/${city.id}/assessment-schemes`, {
      name: '团支部对标定级',
      periodKind: 'year',
      period: quarter.slice(0, 4),
      branchRating: true,
      subjects: { mode: 'kind', kind: 'branch' },
      items: [{ indicatorId: staffing, points: 100, rule: { kind: 'pass_fail', target: 1, direction: 'higher' } }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const rid = created.json<{ id: number; subjects: number }>().id;
    expect(created.json<{ subjects: number }>().subjects).toBe(9);
    expect((await cadre1.post(`/api/assessment-schemes/${rid}/score`)).statusCode).toBe(200);
    const res = (await cadre1.get(`/api/assessment-schemes/${rid}/results`)).json<Results>();
    const level = new Map(res.rows.map((r) => [r.orgId, r.level]));
    expect(level.get(young.id)).toBe('excluded');
    const youngCadre = await f.account('young-secretary', young.id, 'secretary');
    const youngSelf = await youngCadre.put(`/api/assessment-schemes/${rid}/orgs/${young.id}/self-rating`, {
      level: 'five',
      note: '新建团支部',
    });
    expect(youngSelf.statusCode).toBe(409);
    expect(youngSelf.json<{ message: string }>().message).toContain('不参加本次定级');
    // 8 rated: 5★ quota 1, 5★+4★ quota 4; six branches score 100 (tied) so none keeps 5★ or 4★.
    expect(res.rating!.quotas).toEqual({ ratedCount: 8, five: 1, fiveAndFour: 4 });
    expect(res.rating!.cuts.length).toBe(2);
    expect(level.get(branches[0]![0]!.id)).toBe('three');
    expect(level.get(branches[3]![0]!.id)).toBe('rectify');
    expect(level.get(branches[3]![1]!.id)).toBe('rectify');

    const branchCadre = await f.account('b11-secretary', branches[0]![0]!.id, 'secretary');
    const selfRate = await branchCadre.put(`/api/assessment-schemes/${rid}/orgs/${branches[0]![0]!.id}/self-rating`, {
      level: 'five',
      note: '三会两制一课全部落实',
    });
    expect(selfRate.statusCode, selfRate.body).toBe(200);
    const record = await cadre1.post(`/api/assessment-schemes/${rid}/orgs/${branches[0]![0]!.id}/rating-review`, {
      approve: true,
      level: 'five',
      note: null,
    });
    expect(record.statusCode, record.body).toBe(200); // the one 5★ slot is free
    const ratings = (await cadre1.get(`/api/assessment-schemes/${rid}/ratings`)).json<{
      items: { orgId: number; status: string; level: string | null; scoredLevel: string | null }[];
    }>().items;
    const rec = ratings.find((r) => r.orgId === branches[0]![0]!.id)!;
    expect(rec).toMatchObject({ status: 'recorded', level: 'five', scoredLevel: 'three' });
    const second = await f.account('b12-secretary', branches[0]![1]!.id, 'secretary');
    await second.put(`/api/assessment-schemes/${rid}/orgs/${branches[0]![1]!.id}/self-rating`, {
      level: 'five',
      note: '自评',
    });
    const full = await cadre1.post(`/api/assessment-schemes/${rid}/orgs/${branches[0]![1]!.id}/rating-review`, {
      approve: true,
      level: 'five',
      note: null,
    });
    expect(full.statusCode).toBe(409);
    expect(full.json<{ message: string }>().message).toContain('名额');

    // A branch dissolved after the scheme was made: the next scoring leaves it out and says why; the next period
    // does not take it along.
    const gone = await cadre1.post(`/api/orgs/${young.id}/dissolve`, { reason: '并入其他团支部' });
    expect(gone.statusCode, gone.body).toBe(200);
    expect((await cadre1.post(`/api/assessment-schemes/${rid}/score`)).statusCode).toBe(200);
    const after = (await cadre1.get(`/api/assessment-schemes/${rid}/results`)).json<
      Results & { leftOut: { orgId: number; reason: string }[] }
    >();
    expect(after.rows.map((r) => r.orgId)).not.toContain(young.id);
    expect(after.rows.length).toBe(8);
    expect(after.leftOut).toEqual([{ orgId: young.id, name: '丁区新建团支部', reason: '已撤销，不参加本次考核' }]);
    const next = await cadre1.post(`/api/assessment-schemes/${rid}/next`);
    expect(next.statusCode, next.body).toBe(201);
    const nextId = next.json<{ id: number }>().id;
    const nextSubjects = (await cadre1.get(`/api/assessment-schemes/${nextId}/subjects`)).json<{
      items: { orgId: number }[];
    }>().items;
    expect(nextSubjects.map((x) => x.orgId)).not.toContain(young.id);
    expect(nextSubjects.length).toBe(8);
  });
});
