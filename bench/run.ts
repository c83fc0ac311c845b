/**
 * Foundation benchmarks on the `province` demo data (≥ 100,000 orgs), on SQLite and on PostgreSQL.
 * Each figure is printed with its anchor, measured in the same run on the same machine, and the ratio.
 *
 *   npm run bench            # both databases; appends a section to bench/RESULTS.md
 *   npm run bench -- sqlite  # one database
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { createServices } from '../server/src/services.js';
import { generateDemo } from '../server/src/demo/demo.js';
import { generateDemoMembers } from '../server/src/demo/demo-members.js';
import { memberImportFile } from './member-file.js';
import ExcelJS from 'exceljs';
import { cliCtx } from '../server/src/cli/system-actor.js';
import { measureTreeBrowser } from './tree-browser.js';
import { benchDatabase, benchServer, onEachDatabase, ms, p95, Results, timeHttp } from './common.js';

const results = new Results();
const record = results.record.bind(results);

async function bench(kind: 'sqlite' | 'postgres', pgUrl?: string) {
  const { dir, database, dispose } = await benchDatabase(kind, pgUrl);
  const key = randomBytes(32);
  const services = createServices(database, key);

  // 1. tuanwu demo --preset province
  let t0 = process.hrtime.bigint();
  const demo = await generateDemo(database, services.cipher, 'province', { members: false, lessons: 0 });
  const demoMs = ms(t0);
  // Anchor: raw better-sqlite3 prepared inserts of the same number of org-sized rows in one transaction.
  const raw = new SQLite(path.join(dir, 'anchor.db'));
  raw.exec(
    'create table t (id integer primary key, parent_id integer, path text, depth integer, kind text, name text, code text unique, created_at text)',
  );
  const ins = raw.prepare('insert into t values (?,?,?,?,?,?,?,?)');
  t0 = process.hrtime.bigint();
  raw.transaction(() => {
    for (let i = 1; i <= demo.orgs + demo.contacts; i++)
      ins.run(i, i - 1, `/1/${i}/`, 3, 'branch', `共青团某某学校某某班支部委员会${i}`, `T${i}`, '2026-11-22T00:00:00Z');
  })();
  const anchorInsert = ms(t0);
  raw.close();
  console.log(`demo: ${demo.orgs} orgs, ${demo.contacts} contacts, depth ${demo.maxDepth}`);
  record(
    kind,
    `tuanwu demo --preset province (${demo.orgs} orgs + ${demo.contacts} contacts)`,
    demoMs,
    '≤ 10 000 ms',
    'raw SQLite insert of as many rows',
    anchorInsert,
  );

  // HTTP server on loopback with a system administrator signed in.
  const { app, base, cookie, csrf } = await benchServer(services, { webDir: path.resolve('web/dist') });

  // 2. Subtree listing with per-child descendant counts for the root.
  await timeHttp(`${base}/api/orgs/${demo.rootId}/children`, cookie, 20);
  const children = await timeHttp(`${base}/api/orgs/${demo.rootId}/children`, cookie, 300);
  await timeHttp(`${base}/api/health`, cookie, 20);
  const noop = await timeHttp(`${base}/api/health`, cookie, 300);
  record(
    kind,
    'GET /api/orgs/{root}/children (with descendant counts) p95',
    p95(children),
    '≤ 20 ms',
    'GET /api/health p95',
    p95(noop),
  );
  const city = (await (await fetch(`${base}/api/orgs/${demo.rootId}/children`, { headers: { cookie } })).json()) as {
    items: { id: number }[];
  };
  const districtList = await timeHttp(`${base}/api/orgs/${city.items[0]!.id}/children`, cookie, 200);
  record(kind, 'GET /api/orgs/{city}/children p95', p95(districtList), '—', 'GET /api/health p95', p95(noop));
  const search = await timeHttp(`${base}/api/orgs/search?q=${encodeURIComponent('第3中学')}`, cookie, 50);
  record(kind, 'GET /api/orgs/search?q=第3中学 (100k orgs) p95', p95(search), '—', 'GET /api/health p95', p95(noop));

  // 3. Moving a subtree of ≥ 10,000 orgs: two cities are grouped under a new committee, which is then moved.
  const group = await services.orgs.create(cliCtx, {
    parentId: demo.rootId,
    kind: 'committee',
    name: '共青团基准测试片区委员会',
  });
  await services.orgs.move(cliCtx, city.items[0]!.id, group.id);
  await services.orgs.move(cliCtx, city.items[1]!.id, group.id);
  const size = (await services.orgs.repo.byId(group.id))!.descendant_count + 1;
  t0 = process.hrtime.bigint();
  await services.orgs.move(cliCtx, group.id, city.items[2]!.id);
  const moveMs = ms(t0);
  // Anchor: touching the same rows with the simplest possible update.
  const moved = (await services.orgs.repo.byId(group.id))!;
  t0 = process.hrtime.bigint();
  await database.db
    .updateTable('org')
    .set({ updated_at: new Date().toISOString() })
    .where('path', '>=', moved.path)
    .where('path', '<', moved.path.slice(0, -1) + '0')
    .execute();
  const anchorUpdate = ms(t0);
  record(
    kind,
    `move a subtree of ${size} orgs (one transaction)`,
    moveMs,
    '≤ 1 000 ms',
    'plain UPDATE of the same rows',
    anchorUpdate,
  );

  // 4. Tree browser in Chromium: open the root and expand a node.
  if (existsSync('/usr/bin/chromium') && existsSync('web/dist/index.html')) {
    const r = await measureTreeBrowser(base, 'bench-admin', 'Bench-pass-2026');
    if (r) {
      record(
        kind,
        'tree browser: open the root node, its children shown (Chromium)',
        r.openRoot,
        '≤ 300 ms',
        'blank page load',
        r.anchor,
      );
      record(
        kind,
        'tree browser: expand a second-level node (Chromium)',
        r.expand,
        '≤ 300 ms',
        'blank page load',
        r.anchor,
      );
      record(
        kind,
        'tree browser: whole app start to root shown, session check included (Chromium)',
        r.pageBoot,
        '—',
        'blank page load',
        r.anchor,
      );
    }
  }

  // 5. Members (issue 3): the province's ≈ 2 M members, a 100,000-row import, roster and counts.
  t0 = process.hrtime.bigint();
  const members = await generateDemoMembers(database, services.cipher, { rootPath: `/${demo.rootId}/` });
  console.log(`demo members: ${members} in ${(ms(t0) / 1000).toFixed(1)} s`);
  results.note(`| ${kind} | (setup) tuanwu demo members: ${members} members | ${ms(t0).toFixed(0)} ms | — | — | — |`);
  const rosterRoot = await timeHttp(`${base}/api/orgs/${demo.rootId}/members?pageSize=50`, cookie, 200);
  record(
    kind,
    `GET /api/orgs/{root}/members first page (subtree of ${members} members) p95`,
    p95(rosterRoot),
    '≤ 50 ms',
    'GET /api/health p95',
    p95(noop),
  );
  const countRoot = await timeHttp(`${base}/api/orgs/${demo.rootId}/members/stats`, cookie, 200);
  record(
    kind,
    'GET /api/orgs/{root}/members/stats (count by status) p95',
    p95(countRoot),
    '≤ 50 ms',
    'GET /api/health p95',
    p95(noop),
  );
  const file = await memberImportFile(database, 100_000, path.join(dir, 'members.xlsx'));
  t0 = process.hrtime.bigint();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file.path);
  const readMs = ms(t0);
  const form = new FormData();
  form.append('file', new Blob([await import('node:fs').then((fs) => fs.readFileSync(file.path))]), 'members.xlsx');
  t0 = process.hrtime.bigint();
  const imported = await fetch(`${base}/api/orgs/${demo.rootId}/members/import?dryRun=false`, {
    method: 'POST',
    body: form,
    headers: { cookie, 'x-csrf-token': csrf, connection: 'close' },
  });
  const importMs = ms(t0);
  const result = (await imported.json()) as { created?: number; message?: string };
  if (result.created !== 100_000) throw new Error(`import: ${JSON.stringify(result).slice(0, 500)}`);
  record(
    kind,
    'import a 100,000-row member .xlsx over HTTP (validate, write)',
    importMs,
    '≤ 30 000 ms',
    'ExcelJS reading the same file',
    readMs,
  );

  await app.close();
  await dispose();
}

await onEachDatabase(bench);
results.append('org tree (issue 2) and members (issue 3)');
process.exit(0);
