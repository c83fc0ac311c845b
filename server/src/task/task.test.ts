import { Readable } from 'node:stream';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, DIALECTS, Factory, type Client, type TestEnv } from '../../test/harness.js';
import { uploadAs } from '../../test/xlsx-upload.js';
import { seedTaskList, taskListDocx, taskListXlsx } from '../../test/task-list-fixtures.js';
import { cliCtx } from '../cli/system-actor.js';
import { backup, restore, tableChecksums } from '../cli/backup.js';
import { addDays, nowIso, shanghaiDay } from '../common/time.js';

interface Board {
  counts: Record<string, number>;
  total: number;
  items: {
    id: number;
    orgId: number;
    orgName: string;
    state: string;
    overdue: boolean;
    dueOn: string | null;
    content: string;
  }[];
}
interface Detail {
  id: number;
  state: string;
  dueOn: string | null;
  task: { targets: { kind: string; value: number }[] };
  reports: {
    id: number;
    status: string;
    body: string;
    reviewComment: string | null;
    attachments: { id: number; thumbnailUrl: string | null }[];
  }[];
  pendingAttachments: { id: number }[];
  children: { id: number; orgId: number; state: string; dueOn: string | null }[];
  canReport: boolean;
  canReview: boolean;
}

const jpeg = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#c00' } })
    .jpeg()
    .toBuffer();

/** A county committee as in seed 002: towns, the education working committee, organs, an industrial park. */
async function countyTree(env: TestEnv) {
  const f = new Factory(env);
  const county = await f.org(null, 'committee', '共青团平罗县委员会');
  const towns = [];
  for (const n of ['城关镇团委', '黄渠桥镇团委', '宝丰镇团委', '高庄乡团委', '通伏乡团委'])
    towns.push(await f.org(county.id, 'committee', n));
  const education = await f.org(county.id, 'working_committee', '教育团工委');
  const organs = await f.org(county.id, 'working_committee', '县直机关团委');
  const park = await f.org(county.id, 'working_committee', '平罗工业园区团工委');
  const village1 = await f.org(towns[0]!.id, 'branch', '城关镇一村团支部');
  const village2 = await f.org(towns[0]!.id, 'branch', '城关镇二村团支部');
  const other = await f.org(null, 'committee', '共青团惠农区委员会');
  const otherBranch = await f.org(other.id, 'branch', '惠农区一村团支部');
  return { f, county, towns, education, organs, park, village1, village2, other, otherBranch };
}

describe.each(DIALECTS)('督查督办 tasks (%s)', (dialect) => {
  let env: TestEnv;
  let t: Awaited<ReturnType<typeof countyTree>>;
  let countyAdmin: Client;
  let townAdmin: Client;
  let villageCadre: Client;
  let village2Cadre: Client;
  let foreignAdmin: Client;
  let planId: number;

  beforeAll(async () => {
    env = await createEnv(dialect);
    t = await countyTree(env);
    countyAdmin = await t.f.account('county-admin', t.county.id, 'admin');
    townAdmin = await t.f.account('town-admin', t.towns[0]!.id, 'admin');
    villageCadre = await t.f.account('village-secretary', t.village1.id, 'secretary');
    village2Cadre = await t.f.account('village2-secretary', t.village2.id, 'secretary');
    foreignAdmin = await t.f.account('foreign-admin', t.other.id, 'admin');
    const plan = await countyAdmin.post(`/api/orgs/${t.county.id}/work-plans`, {
      year: 2020,
      title: '2020年重点工作任务清单',
    });
    expect(plan.statusCode, plan.body).toBe(201);
    planId = plan.json<{ id: number }>().id;
  });
  afterAll(() => env.close());

  it('imports seed 002’s task list from Word: deadlines read, collective names expanded, nothing written before commit, idempotent', async () => {
    const seed = seedTaskList();
    const docx = await taskListDocx(seed.title, seed.tasks);
    const preview = await uploadAs(env, countyAdmin, `/api/work-plans/${planId}/import`, docx, '任务清单.docx');
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json<{
      title: string;
      rows: {
        seqLabel: string;
        dueOn: string | null;
        deadline: { needsDate: unknown[]; milestones: { date: string }[] };
        targets: { kind: string; value: number }[];
        responsible: { name: string; orgs: { id: number }[]; how: string }[];
      }[];
      unresolved: unknown[];
      needsDate: number;
      dryRun: boolean;
    }>();
    expect(p.dryRun).toBe(true);
    expect(p.title).toContain('重点工作任务清单');
    expect(p.rows).toHaveLength(31);
    expect(p.unresolved).toEqual([]);
    expect(p.rows[0]!.dueOn).toBe('2020-05-31');
    expect(p.rows[0]!.responsible.map((r) => r.name)).toEqual(['各乡（镇）团委', '教育团工委', '县直机关团委']);
    expect(p.rows[0]!.responsible[0]!.orgs.map((o) => o.id).sort()).toEqual(t.towns.map((x) => x.id).sort());
    const row = (seq: string) => p.rows.find((r) => r.seqLabel === seq)!;
    expect(row('18').dueOn).toBe('2020-08-31');
    expect(row('20').deadline.milestones.map((m) => m.date)).toEqual(['2020-10-20', '2020-12-31']);
    expect(row('27').dueOn).toBeNull();
    expect(row('27').deadline.needsDate).toHaveLength(1);
    expect(p.needsDate).toBe(1);
    expect(row('5').targets).toEqual([expect.objectContaining({ kind: 'count', value: 3 })]);
    expect(row('8').responsible[0]!.how).toBe('本级');
    expect(await env.database.db.selectFrom('task').select('id').execute()).toHaveLength(0);

    const commit = await uploadAs(
      env,
      countyAdmin,
      `/api/work-plans/${planId}/import?commit=true`,
      docx,
      '任务清单.docx',
    );
    expect(commit.statusCode, commit.body).toBe(200);
    expect(commit.json<{ created: number }>().created).toBe(31);
    const again = await uploadAs(
      env,
      countyAdmin,
      `/api/work-plans/${planId}/import?commit=true`,
      docx,
      '任务清单.docx',
    );
    expect(again.json<{ created: number }>().created).toBe(0);
    const plan = (await countyAdmin.get(`/api/work-plans/${planId}`)).json<{
      tasks: { seqLabel: string; content: string; assignments: { orgId: number; role: string }[] }[];
    }>();
    expect(plan.tasks).toHaveLength(31);
    expect(plan.tasks[0]!.assignments).toHaveLength(7);
    expect(plan.tasks.find((x) => x.seqLabel === '8')!.assignments.map((a) => a.orgId)).toEqual([t.county.id]);
    // The towns were told.
    const notes = await env.database.db
      .selectFrom('notification')
      .select('id')
      .where('kind', '=', 'task.assigned')
      .where('org_id', '=', t.towns[0]!.id)
      .execute();
    expect(notes.length).toBeGreaterThan(0);
  });

  it('imports from Excel; an unknown 责任单位 is listed, refuses the commit, and is resolved by a person', async () => {
    const seed = seedTaskList();
    const tasks = seed.tasks
      .slice(0, 3)
      .map((x, i) => (i === 1 ? { ...x, responsible: '县青年联合会，教育团工委' } : x));
    const xlsx = await taskListXlsx(seed.title, tasks);
    const plan = await countyAdmin.post(`/api/orgs/${t.county.id}/work-plans`, { year: 2020, title: '补充任务' });
    const id = plan.json<{ id: number }>().id;
    const preview = await uploadAs(env, countyAdmin, `/api/work-plans/${id}/import`, xlsx, '清单.xlsx');
    expect(preview.statusCode, preview.body).toBe(200);
    const unresolved = preview.json<{ unresolved: { name: string; kind: string; rows: number[] }[] }>().unresolved;
    expect(unresolved).toEqual([expect.objectContaining({ name: '县青年联合会', kind: 'unmatched' })]);
    const refused = await uploadAs(env, countyAdmin, `/api/work-plans/${id}/import?commit=true`, xlsx, '清单.xlsx');
    expect(refused.statusCode).toBe(422);
    const problems = refused.json<{ problems: { column: string; value: string; row: number }[] }>().problems;
    expect(problems[0]).toMatchObject({ column: '责任单位', value: '县青年联合会', row: unresolved[0]!.rows[0] });
    expect(await env.database.db.selectFrom('task').select('id').where('plan_id', '=', id).execute()).toHaveLength(0);
    // A foreign org cannot be chosen; the county itself can.
    const foreign = await uploadAs(env, countyAdmin, `/api/work-plans/${id}/import?commit=true`, xlsx, '清单.xlsx', {
      resolutions: JSON.stringify({ 县青年联合会: [t.other.id] }),
    });
    expect(foreign.statusCode).toBe(400);
    const ok = await uploadAs(env, countyAdmin, `/api/work-plans/${id}/import?commit=true`, xlsx, '清单.xlsx', {
      resolutions: JSON.stringify({ 县青年联合会: [t.county.id] }),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ created: number }>().created).toBe(3);
  });

  it('refuses files that are not task lists, with nothing written', async () => {
    const res = await uploadAs(
      env,
      countyAdmin,
      `/api/work-plans/${planId}/import`,
      Buffer.from('MZ not a document'),
      'a.docx',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toContain('Word');
  });

  it('forwards down two levels, reports with a photo, returns, reports again, approves; ledger and on-time rate', async () => {
    const task = await countyAdmin.post(`/api/work-plans/${planId}/tasks`, {
      content: '开展主题团日活动，全年不少于3场次。',
      deadline: '12月',
      responsible: [{ orgId: t.towns[0]!.id, role: 'lead' }],
    });
    expect(task.statusCode, task.body).toBe(201);
    const board = (
      await townAdmin.get(`/api/orgs/${t.towns[0]!.id}/tasks?scope=mine&q=${encodeURIComponent('主题团日')}`)
    ).json<Board>();
    expect(board.items).toHaveLength(1);
    const townAssignment = board.items[0]!.id;
    expect(board.items[0]!.dueOn).toBe('2020-12-31');

    // Forwarding: not later than the town's date, only to orgs below the town.
    const late = await townAdmin.post(`/api/task-assignments/${townAssignment}/forward`, {
      children: [{ orgId: t.village1.id, dueOn: '2021-01-15' }],
    });
    expect(late.statusCode).toBe(400);
    expect(late.json<{ problems: { path: string }[] }>().problems[0]!.path).toBe('children.0.dueOn');
    // A day that does not exist is refused, not rolled over (2020-11-31 would otherwise be read as 12-01).
    const impossible = await townAdmin.post(`/api/task-assignments/${townAssignment}/forward`, {
      children: [{ orgId: t.village1.id, dueOn: '2020-11-31' }],
    });
    expect(impossible.statusCode).toBe(400);
    expect(impossible.json<{ problems: { path: string; message: string }[] }>().problems[0]).toMatchObject({
      path: 'children.0.dueOn',
      message: '日期不存在',
    });
    const sideways = await townAdmin.post(`/api/task-assignments/${townAssignment}/forward`, {
      children: [{ orgId: t.towns[1]!.id }],
    });
    expect(sideways.statusCode).toBe(400);
    const fwd = await townAdmin.post(`/api/task-assignments/${townAssignment}/forward`, {
      children: [
        { orgId: t.village1.id, dueOn: '2020-11-30' },
        { orgId: t.village2.id, dueOn: '2020-12-15' },
      ],
    });
    expect(fwd.statusCode, fwd.body).toBe(200);
    const town = (await townAdmin.get(`/api/task-assignments/${townAssignment}`)).json<Detail>();
    expect(town.state).toBe('in_progress');
    expect(town.children.map((c) => c.dueOn)).toEqual(['2020-11-30', '2020-12-15']);
    const villageAssignment = town.children[0]!.id;

    // The branch reports with a photo; the sibling branch sees nothing of it.
    const up = await uploadAs(
      env,
      villageCadre,
      `/api/task-assignments/${villageAssignment}/attachments`,
      await jpeg(),
      '活动照片.jpg',
    );
    expect(up.statusCode, up.body).toBe(201);
    const photo = up.json<{ id: number; kind: string; thumbnailUrl: string | null; filename: string }>();
    expect(photo).toMatchObject({ kind: 'image', filename: '活动照片.jpg' });
    expect(photo.thumbnailUrl).toBeTruthy();
    const thumb = await villageCadre.get(photo.thumbnailUrl!);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await village2Cadre.get(`/api/task-assignments/${villageAssignment}`)).statusCode).toBe(404);
    expect((await village2Cadre.get(`/api/task-attachments/${photo.id}/content`)).statusCode).toBe(404);

    const detail = (await villageCadre.get(`/api/task-assignments/${villageAssignment}`)).json<Detail>();
    expect(detail.task.targets).toEqual([expect.objectContaining({ kind: 'count', value: 3 })]);
    const first = await villageCadre.post(`/api/task-assignments/${villageAssignment}/reports`, {
      body: '已开展主题团日活动1场，参加团员25人。',
      figures: [{ target: 0, value: 1 }],
      attachmentIds: [photo.id],
    });
    expect(first.statusCode, first.body).toBe(201);
    const firstId = first.json<{ id: number }>().id;
    // Only the assigning org reviews.
    expect((await villageCadre.post(`/api/task-reports/${firstId}/review`, { decision: 'approve' })).statusCode).toBe(
      403,
    );
    expect((await townAdmin.post(`/api/task-reports/${firstId}/review`, { decision: 'return' })).statusCode).toBe(400);
    const ret = await townAdmin.post(`/api/task-reports/${firstId}/review`, {
      decision: 'return',
      comment: '场次不足3场，请补充后再报。',
    });
    expect(ret.statusCode, ret.body).toBe(200);
    expect((await villageCadre.get(`/api/task-assignments/${villageAssignment}`)).json<Detail>().state).toBe(
      'returned',
    );

    const second = await villageCadre.post(`/api/task-assignments/${villageAssignment}/reports`, {
      body: '又开展2场，共3场。',
      figures: [{ target: 0, value: 3 }],
      attachmentIds: [],
    });
    expect(second.statusCode, second.body).toBe(201);
    const board2 = (await townAdmin.get(`/api/orgs/${t.towns[0]!.id}/task-reviews`)).json<{
      items: { id: number }[];
    }>();
    expect(board2.items.map((i) => i.id)).toEqual([second.json<{ id: number }>().id]);
    const approve = await townAdmin.post(`/api/task-reports/${second.json<{ id: number }>().id}/review`, {
      decision: 'approve',
      comment: '',
    });
    expect(approve.statusCode, approve.body).toBe(200);
    const done = (await villageCadre.get(`/api/task-assignments/${villageAssignment}`)).json<Detail>();
    expect(done.state).toBe('done');
    expect(done.reports.map((r) => r.status)).toEqual(['returned', 'approved']);
    expect(done.reports[0]!.reviewComment).toContain('场次不足');
    expect(done.reports[0]!.attachments.map((a) => a.id)).toEqual([photo.id]);
    expect(done.canReport).toBe(false);

    // 台账 as Excel, read back; as Word with the official fonts.
    const ledger = await countyAdmin.get(`/api/orgs/${t.county.id}/tasks/ledger?year=2020&format=xlsx`);
    expect(ledger.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(ledger.rawPayload as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => cells.push(String(c.value)))));
    expect(cells).toContain('又开展2场，共3场。');
    expect(cells).toContain('活动照片.jpg');
    expect(cells).toContain('场次不足3场，请补充后再报。');
    // Figures are named after the task's target, not numbered.
    expect(cells.some((c) => c.endsWith('：3') && !c.startsWith('指标'))).toBe(true);
    const word = await countyAdmin.get(`/api/tasks/${task.json<{ id: number }>().id}/ledger?format=docx`);
    expect(word.statusCode).toBe(200);
    const xml = await (await JSZip.loadAsync(word.rawPayload)).file('word/document.xml')!.async('string');
    expect(xml).toContain('仿宋_GB2312');
    expect(xml).toContain('城关镇一村团支部');

    // On-time rate: the branch finished before its date (the server's clock is past 2020).
    const rate = (
      await countyAdmin.get(`/api/orgs/${t.towns[0]!.id}/tasks/on-time?from=2020-01-01&to=2020-12-31`)
    ).json<{
      children: { orgId: number; due: number; onTime: number; late: number }[];
    }>();
    const v1 = rate.children.find((c) => c.orgId === t.village1.id)!;
    expect(v1).toMatchObject({ due: 1, onTime: 0, late: 1 });
  });

  it('board counts overdue and due-soon work; reminders are sent once', async () => {
    const today = shanghaiDay(nowIso());
    const plan = await countyAdmin.post(`/api/orgs/${t.county.id}/work-plans`, {
      year: Number(today.slice(0, 4)),
      title: '本年度任务',
    });
    const id = plan.json<{ id: number }>().id;
    const soon = shanghaiDay(addDays(nowIso(), 3));
    const past = shanghaiDay(addDays(nowIso(), -3));
    for (const [content, dueOn] of [
      ['即将到期的任务', soon],
      ['已经逾期的任务', past],
    ] as const) {
      const r = await countyAdmin.post(`/api/work-plans/${id}/tasks`, {
        content,
        deadline: '见日期',
        dueOn,
        responsible: [{ orgId: t.towns[1]!.id, role: 'lead' }],
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const board = (await countyAdmin.get(`/api/orgs/${t.towns[1]!.id}/tasks?year=${today.slice(0, 4)}`)).json<Board>();
    expect(board.counts).toMatchObject({ overdue: 1, dueSoon: 1, not_started: 2 });
    const overdue = (
      await countyAdmin.get(`/api/orgs/${t.county.id}/tasks?state=overdue&year=${today.slice(0, 4)}`)
    ).json<Board>();
    expect(overdue.items.map((i) => i.content)).toEqual(['已经逾期的任务']);
    const first = await env.services.taskReminders.sweep();
    expect(first).toEqual({ before: 1, after: 1 });
    expect(await env.services.taskReminders.sweep()).toEqual({ before: 0, after: 0 });
  });

  it('whoever sent a report does not approve it; board search treats _ and % as text, not wildcards', async () => {
    const task = await countyAdmin.post(`/api/work-plans/${planId}/tasks`, {
      content: '自报自审的任务',
      deadline: '全年',
      responsible: [{ orgId: t.towns[3]!.id, role: 'lead' }],
    });
    expect(task.statusCode).toBe(201);
    const a = (
      await countyAdmin.get(`/api/orgs/${t.towns[3]!.id}/tasks?scope=mine&q=${encodeURIComponent('自报自审')}`)
    ).json<Board>().items[0]!.id;
    // The county admin may write for the town, but not approve what they sent themselves.
    const sent = await countyAdmin.post(`/api/task-assignments/${a}/reports`, { body: '代为报送', attachmentIds: [] });
    expect(sent.statusCode, sent.body).toBe(201);
    const own = await countyAdmin.post(`/api/task-reports/${sent.json<{ id: number }>().id}/review`, {
      decision: 'approve',
    });
    expect(own.statusCode).toBe(403);
    expect(own.json<{ message: string }>().message).toContain('不能审核自己');
    expect((await countyAdmin.get(`/api/task-assignments/${a}`)).json<Detail>().canReport).toBe(false);
    const wild = (await countyAdmin.get(`/api/orgs/${t.county.id}/tasks?q=${encodeURIComponent('_')}`)).json<Board>();
    expect(wild.total).toBe(0);
  });

  it('rejects bad uploads with nothing stored: renamed .exe, wrong extension, empty, over the size and count limits, broken off', async () => {
    const task = await countyAdmin.post(`/api/work-plans/${planId}/tasks`, {
      content: '报送佐证材料',
      deadline: '全年',
      responsible: [{ orgId: t.village2.id, role: 'lead' }],
    });
    const board = (
      await village2Cadre.get(`/api/orgs/${t.village2.id}/tasks?scope=mine&q=${encodeURIComponent('佐证材料')}`)
    ).json<Board>();
    const a = board.items[0]!.id;
    expect(task.statusCode).toBe(201);
    const url = `/api/task-assignments/${a}/attachments`;
    const blobs = async () => (await env.database.db.selectFrom('file_blob').select('sha256').execute()).length;
    const before = await blobs();
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(2000, 1)]);
    const r1 = await uploadAs(env, village2Cadre, url, exe, '照片.jpg');
    expect(r1.statusCode).toBe(400);
    expect(r1.json<{ message: string }>().message).toContain('按文件内容识别');
    const r2 = await uploadAs(env, village2Cadre, url, await jpeg(), '总结.pdf');
    expect(r2.statusCode).toBe(400);
    expect(r2.json<{ message: string }>().message).toContain('与扩展名 .pdf 不符');
    const r3 = await uploadAs(env, village2Cadre, url, Buffer.alloc(0), '空.jpg');
    expect(r3.statusCode).toBe(400);
    // Limits are set above the org: the branch cannot raise its own.
    expect(
      (await village2Cadre.put(`/api/orgs/${t.village2.id}/upload-limits`, { maxFiles: 2, maxFileMb: 1 })).statusCode,
    ).toBe(403);
    const set = await townAdmin.put(`/api/orgs/${t.village2.id}/upload-limits`, { maxFiles: 2, maxFileMb: 1 });
    expect(set.statusCode, set.body).toBe(200);
    const big = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(1024 * 1024 + 10)]);
    const r4 = await uploadAs(env, village2Cadre, url, big, '视频.mp4');
    expect(r4.statusCode).toBe(413);
    expect(await blobs()).toBe(before);
    const tmp = path.join(env.services.attachments.store.root, 'tmp');
    expect(readdirSync(tmp)).toEqual([]);

    // A video within limits plays from any byte (range requests).
    const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(5000, 7)]);
    const ok = await uploadAs(env, village2Cadre, url, video, '活动视频.mp4');
    expect(ok.statusCode, ok.body).toBe(201);
    const vid = ok.json<{ id: number; url: string }>();
    const part = await village2Cadre.request('GET', vid.url, undefined, { range: 'bytes=4-11' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 4-11/${video.length}`);
    expect(part.rawPayload.toString('latin1')).toBe('ftypmp42');
    expect(part.headers['content-type']).toBe('video/mp4');
    // The same content again is stored once; then the count limit (2) is reached.
    expect((await uploadAs(env, village2Cadre, url, video, '又一次.mp4')).statusCode).toBe(201);
    expect(await blobs()).toBe(before + 1);
    const r5 = await uploadAs(env, village2Cadre, url, await jpeg(), '第三个.jpg');
    expect(r5.statusCode).toBe(400);
    expect(r5.json<{ message: string }>().message).toContain('最多 2 个');

    // An upload that breaks off leaves nothing behind.
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(env.services.attachments.store.put(broken, 10 * 1024 * 1024, () => {})).rejects.toThrow();
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('collects orphans: uploads never sent, then the stored files', async () => {
    const task = await countyAdmin.post(`/api/work-plans/${planId}/tasks`, {
      content: '上传后未报送的材料',
      deadline: '全年',
      responsible: [{ orgId: t.towns[2]!.id, role: 'lead' }],
    });
    expect(task.statusCode).toBe(201);
    const a = (
      await countyAdmin.get(`/api/orgs/${t.towns[2]!.id}/tasks?scope=mine&q=${encodeURIComponent('未报送')}`)
    ).json<Board>().items[0]!.id;
    const png = await sharp({ create: { width: 9, height: 9, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer();
    const up = await uploadAs(env, countyAdmin, `/api/task-assignments/${a}/attachments`, png, '孤儿.png');
    expect(up.statusCode, up.body).toBe(201);
    const row = await env.database.db
      .selectFrom('task_attachment')
      .selectAll()
      .where('id', '=', up.json<{ id: number }>().id)
      .executeTakeFirstOrThrow();
    expect(await env.services.attachments.store.size(row.sha256)).toBe(png.length);
    const later = addDays(nowIso(), 31);
    const res = await env.services.attachments.collect(later);
    expect(res.pendingDropped).toBeGreaterThanOrEqual(1);
    expect(await env.services.attachments.store.size(row.sha256)).toBeNull();
    expect(await env.services.attachments.store.size(row.thumb_sha256!)).toBeNull();
    // Files of submitted reports stay.
    const kept = await env.database.db
      .selectFrom('task_attachment')
      .select('sha256')
      .where('report_id', 'is not', null)
      .execute();
    for (const k of kept) expect(await env.services.attachments.store.verify(k.sha256)).toBe(true);
  });

  it('backs up while running and restores into an empty instance: identical tables and attachments', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tuanwu-backup-'));
    const file = path.join(dir, 'backup.gz');
    const store = env.services.attachments.store;
    const counts = await backup(env.database, env.key, file, undefined, store);
    expect(counts.files).toBeGreaterThan(0);
    const copy = await createEnv(dialect, env.key);
    try {
      const restored = await restore(copy.database, copy.key, file, undefined, copy.services.attachments.store);
      expect(restored.files).toBe(counts.files);
      expect(await tableChecksums(copy.database)).toEqual(await tableChecksums(env.database));
      const blobs = await copy.database.db.selectFrom('file_blob').select('sha256').execute();
      for (const b of blobs) expect(await copy.services.attachments.store.verify(b.sha256)).toBe(true);
      // The restored instance serves the same photo.
      const f = await copy.database.db
        .selectFrom('task_attachment')
        .select(['id', 'sha256', 'size'])
        .where('kind', '=', 'image')
        .executeTakeFirstOrThrow();
      expect(await copy.services.attachments.store.size(f.sha256)).toBe(Number(f.size));
    } finally {
      await copy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nothing outside the subtree: a foreign cadre sees no plan, task, board, report or file', async () => {
    const a = (
      await countyAdmin.get(`/api/orgs/${t.county.id}/tasks?q=${encodeURIComponent('主题团日')}`)
    ).json<Board>().items;
    expect(a.length).toBeGreaterThan(0);
    const id = a[0]!.id;
    expect((await foreignAdmin.get(`/api/task-assignments/${id}`)).statusCode).toBe(404);
    expect((await foreignAdmin.get(`/api/work-plans/${planId}`)).statusCode).toBe(404);
    expect((await foreignAdmin.get(`/api/orgs/${t.county.id}/tasks`)).statusCode).toBe(404);
    expect(
      (await uploadAs(env, foreignAdmin, `/api/task-assignments/${id}/attachments`, await jpeg(), 'x.jpg')).statusCode,
    ).toBe(404);
    const own = (await foreignAdmin.get(`/api/orgs/${t.other.id}/tasks`)).json<Board>();
    expect(own.total).toBe(0);
    // A town sees its own part of the county's board, not the other towns'.
    const townBoard = (await townAdmin.get(`/api/orgs/${t.towns[0]!.id}/tasks?pageSize=500`)).json<Board>();
    const allowed = new Set([t.towns[0]!.id, t.village1.id, t.village2.id]);
    expect(townBoard.items.every((i) => allowed.has(i.orgId))).toBe(true);
    expect((await townAdmin.get(`/api/orgs/${t.county.id}/tasks`)).statusCode).toBe(404);
  });

  it('reads deadlines for the form', async () => {
    const r = await countyAdmin.get(`/api/deadline-reading?text=${encodeURIComponent('10月中旬、全年')}&year=2026`);
    expect(r.json<{ dueOn: string; milestones: { date: string }[] }>()).toMatchObject({
      dueOn: '2026-12-31',
      milestones: [{ date: '2026-10-20' }, { date: '2026-12-31' }],
    });
    // A person sets the date of an event-based deadline.
    const task = await env.services.plans.addTask({ ...cliCtx }, planId, {
      content: '县两会前完成提案征集',
      deadline: '县两会前',
    });
    const row = await env.database.db
      .selectFrom('task')
      .selectAll()
      .where('id', '=', task.id)
      .executeTakeFirstOrThrow();
    expect(row.due_on).toBeNull();
    expect((await countyAdmin.patch(`/api/tasks/${task.id}`, { dueOn: '2020-02-30' })).statusCode).toBe(400);
    const set = await countyAdmin.patch(`/api/tasks/${task.id}`, { dueOn: '2020-01-10' });
    expect(set.statusCode, set.body).toBe(200);
    const after = await env.database.db
      .selectFrom('task')
      .selectAll()
      .where('id', '=', task.id)
      .executeTakeFirstOrThrow();
    expect(after.due_on).toBe('2020-01-10');
    expect(after.needs_date).toBeNull();
    expect(after.content).toBe('县两会前完成提案征集');
    expect(after.deadline_text).toBe('县两会前');
  });
});
