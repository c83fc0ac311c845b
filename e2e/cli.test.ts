import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { seedTaskList, taskListDocx } from '../server/test/task-list-fixtures.js';

const BIN = path.resolve('server/bin/tuanwu.mjs');
const dirs: string[] = [];
function instance() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tuanwu-cli-'));
  dirs.push(dir);
  const run = (...args: string[]) =>
    execFileSync('node', [BIN, ...args], {
      env: { ...process.env, TUANWU_DATA_DIR: dir, DATABASE_URL: '' },
      encoding: 'utf8',
      cwd: dir,
    });
  return { dir, run };
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The command line as an admin uses it: demo data, export, import elsewhere, backup and restore. */
describe('tuanwu command line', () => {
  it('generates the county demo, exports it, and imports the export under another org', async () => {
    const a = instance();
    expect(a.run('migrate')).toContain('已迁移');
    const demo = a.run('demo', '--preset', 'county');
    const orgs = Number(demo.match(/已生成 (\d+) 个组织/)![1]);
    expect(orgs).toBeGreaterThan(400);
    expect(orgs).toBeLessThan(700);
    const out = path.join(a.dir, 'orgs.xlsx');
    expect(a.run('export', 'orgs', '--out', out)).toContain(`已导出 ${orgs} 个组织`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets[0]!.rowCount).toBe(orgs + 1);

    // Round trip: the export (without its root, codes cleared so new ones are generated) imports under a
    // town committee of another instance; parents are found by the exported path of names.
    const b = instance();
    expect(b.run('demo', '--preset', 'county', '--seed', '7')).toContain('已生成');
    const bList = path.join(b.dir, 'b.xlsx');
    b.run('export', 'orgs', '--out', bList);
    const bBook = new ExcelJS.Workbook();
    await bBook.xlsx.readFile(bList);
    let townCode = '';
    bBook.worksheets[0]!.eachRow((row) => {
      if (!townCode && String(row.getCell(1).value).endsWith('镇委员会')) townCode = String(row.getCell(5).value);
    });
    expect(townCode).toMatch(/^T\d+$/);
    const sheet = wb.worksheets[0]!;
    sheet.spliceRows(2, 1);
    for (let n = 2; n <= sheet.rowCount; n++) {
      sheet.getRow(n).getCell(5).value = null;
      sheet.getRow(n).getCell(6).value = null;
    }
    const file = path.join(b.dir, 'import.xlsx');
    await wb.xlsx.writeFile(file);
    expect(b.run('import', 'orgs', file, '--under', townCode, '--dry-run')).toContain(
      `预览通过，可以导入 ${orgs - 1} 个组织`,
    );
    expect(b.run('import', 'orgs', file, '--under', townCode)).toContain(`已导入 ${orgs - 1} 个组织`);
    const again = path.join(b.dir, 'again.xlsx');
    const bOrgs = bBook.worksheets[0]!.rowCount - 1;
    expect(b.run('export', 'orgs', '--out', again)).toContain(`已导出 ${bOrgs + orgs - 1} 个组织`);
  });

  it('backs up a running instance and restores it into an empty one with identical rows', () => {
    const a = instance();
    a.run('demo', '--preset', 'county');
    const file = path.join(a.dir, 'backup.tuanwu.gz');
    const backup = a.run('backup', file);
    expect(existsSync(file)).toBe(true);
    const total = Number(backup.match(/（(\d+) 行，/)![1]);
    expect(total).toBeGreaterThan(900);
    const b = instance();
    // Another instance key cannot read the encrypted phones: refused.
    expect(() => b.run('restore', file)).toThrow();
    const c = mkdtempSync(path.join(tmpdir(), 'tuanwu-cli-'));
    dirs.push(c);
    execFileSync('cp', [path.join(a.dir, 'secret.key'), path.join(c, 'secret.key')]);
    const restored = execFileSync('node', [BIN, 'restore', file], {
      env: { ...process.env, TUANWU_DATA_DIR: c, DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(restored).toContain(`（${total} 行，0 个附件）`);
    expect(() =>
      execFileSync('node', [BIN, 'restore', file], {
        env: { ...process.env, TUANWU_DATA_DIR: c, DATABASE_URL: '' },
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow(/空实例/);
  });

  it('creates a work plan and previews a Word task list; unknown 责任单位 stop the commit', async () => {
    const a = instance();
    a.run('migrate');
    a.run('demo', '--preset', 'county');
    const id = Number(
      a.run('tasks', 'new-plan', '--year', '2020', '--title', '重点工作任务清单').match(/编号 (\d+)/)![1],
    );
    expect(a.run('tasks', 'plans')).toContain(`${id}\t2020\t重点工作任务清单`);
    const seed = seedTaskList();
    const file = path.join(a.dir, 'tasks.docx');
    writeFileSync(file, await taskListDocx(seed.title, seed.tasks));
    const preview = a.run('tasks', 'import', file, '--plan', String(id));
    expect(preview).toContain('4-5月 → 2020-05-31');
    expect(preview).toContain('县两会前 → 需填写日期');
    expect(preview).toMatch(/预览：31 项任务，1 项需填写日期/);
    // The demo county has no 教育团工委 of that exact name: the commit is refused and nothing is written.
    expect(() =>
      execFileSync('node', [BIN, 'tasks', 'import', file, '--plan', String(id), '--commit'], {
        env: { ...process.env, TUANWU_DATA_DIR: a.dir, DATABASE_URL: '' },
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow(/处问题，未写入任何数据/);
    expect(a.run('tasks', 'plans')).toContain('\t0 项任务');
    expect(a.run('tasks', 'remind')).toContain('已发送');
  });

  it('builds a quarterly assessment of the county from computed indicators, scores, publishes and exports it', async () => {
    const a = instance();
    a.run('migrate');
    a.run('demo', '--preset', 'county');
    expect(a.run('assessment', 'metrics')).toContain('团干部配备率');
    const created = a.run(
      'assessment',
      'new',
      '--name',
      '乡镇团委季度考核',
      '--period',
      '2026Q4',
      '--metrics',
      'study_participation,cadre_staffing,branch_size_norm',
    );
    const id = Number(created.match(/编号 (\d+)，(\d+) 个参评单位/)![1]);
    const subjects = Number(created.match(/编号 \d+，(\d+) 个参评单位/)![1]);
    expect(subjects).toBeGreaterThan(5);
    expect(a.run('assessment', 'schemes')).toContain(`${id}\t2026年第四季度\t乡镇团委季度考核\t草稿`);
    const scored = a.run('assessment', 'score', String(id));
    expect(scored).toContain(`已计分：${subjects} 个单位`);
    expect(scored).toMatch(/第1名\t/);
    expect(a.run('assessment', 'publish', String(id))).toContain(`已发布：${subjects} 个单位`);
    const out = path.join(a.dir, 'bulletin.xlsx');
    expect(a.run('assessment', 'bulletin', String(id), '--out', out)).toContain('已生成');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    // Title row, header row, one row per assessed org, a blank row and the note on ties.
    expect(wb.getWorksheet('附件1')!.rowCount).toBe(subjects + 4);
  });
});
