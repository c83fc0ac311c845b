import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createServices, type Services } from '../services.js';
import { buildApp } from '../app.js';
import { workbookBuffer } from '../common/excel.js';
import { documentBuffer, documentSheets } from '../common/word.js';
import { AppError } from '../common/errors.js';
import { generateDemo, type Preset } from '../demo/demo.js';
import { Progress } from './progress.js';
import { cliCtx, systemActor } from './system-actor.js';
import { backup, restore } from './backup.js';
import { generatePassword } from '../common/crypto.js';
import { hashPassword } from '../auth/passwords.js';
import { METRICS, type MetricKey } from '../assessment/metrics.js';
import { schemeBulletin } from '../assessment/bulletin.js';
import { refreshFacts } from '../assessment/org-facts.js';

const HELP = `tuanwu 团务 — 命令行

用法 Usage: tuanwu <命令> [选项]

  serve                              启动服务（先自动迁移数据库；首次启动时创建系统管理员并显示一次密码）
  migrate                            迁移数据库到最新版本
  admin create --username U [--password P] [--name 姓名] [--system] [--org 组织代码 --role admin]
                                     新建账号（不给密码则生成并显示一次）
  admin reset-password --username U  重置密码（生成并显示一次）
  demo --preset county|city|province [--lessons 10] 生成演示数据（县≈500、市≈1万、省≥10万个组织，团员，青年大学习期次和打卡）
  import orgs FILE [--under 组织代码] 从 Excel 批量导入组织（全部正确才写入）
  export orgs [--under 组织代码] [--out FILE]   导出组织为 Excel（导入模板格式）
  study lessons [--under 组织代码]      列出青年大学习期次（编号、期次、状态）
  study import FILE --lesson 编号 [--under 组织代码] [--dry-run]
                                     导入省级平台的完成名单（CSV/Excel），列出未匹配和同名的行
  study recompute --lesson 编号       按打卡记录重算一期的统计
  study report supervision|bulletin|assessment --under 组织代码 (--lesson 编号 | --period 2026Q4 | 2026-2027-1)
                                     [--doc-number 文号] [--out FILE.docx|.xlsx]  督导、通报、考核公文
  tasks plans [--under 组织代码]      列出工作要点（编号、年度、标题、任务数）
  tasks new-plan --year 2026 --title 标题 [--under 组织代码]   新建工作要点
  tasks import FILE --plan 编号 [--commit]
                                     从 Word/Excel 导入任务清单：先预览（时限解读、责任单位），--commit 才写入
  tasks remind                       发送到期前 7 天和逾期的督办提醒（每条只发一次；服务每小时自动运行）
  tasks collect-files                清理未报送超过 30 天的附件和无引用的文件（服务每小时自动运行）
  assessment metrics                 列出系统可计算的考核指标及计算方法
  assessment schemes [--under 组织代码]   列出考核方案（编号、考核期、名称、状态、参评单位数）
  assessment new --name 名称 --period 2026Q4 --metrics 指标1,指标2 [--under 组织代码]
                                     用系统计算的指标为直属下级建立季度考核方案（各指标等分 100 分，按目标值线性计分）
  assessment score 编号               按最新数据计分，显示前 10 名
  assessment publish 编号             最后计分并发布结果，通知各参评单位
  assessment bulletin 编号 [--out FILE.docx|.xlsx]   导出考核结果通报
  backup FILE                        在线备份（服务运行时也可）
  restore FILE                       恢复到空实例

环境变量 Environment: PORT, TUANWU_DATA_DIR, DATABASE_URL, TUANWU_SECRET（见 README）`;

async function withDb<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(config);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function orgByCode(database: Database, code: string | undefined) {
  const q = database.db.selectFrom('org').select(['id', 'name']).where('status', '=', 'active');
  const org = code
    ? await q.where('code', '=', code).executeTakeFirst()
    : await q.where('parent_id', 'is', null).orderBy('id').executeTakeFirst();
  if (!org)
    throw new Error(code ? `找不到组织代码 ${code}` : '还没有任何组织：请先在网页中新建顶级组织，或运行 tuanwu demo');
  return org;
}

/**
 * A quarterly scheme over the org's children from computed indicators: the org's indicator of each metric (made
 * when missing, with the metric's default target), equal points summing to 100, full points at the target.
 */
async function quickScheme(s: Services, orgId: number, name: string, period: string, keys: string[]) {
  const unknown = keys.filter((k) => !(k in METRICS));
  if (unknown.length) throw new Error(`不认识的指标：${unknown.join('、')}（可用的见 tuanwu assessment metrics）`);
  const metrics = keys.map((k) => METRICS[k as MetricKey]);
  const usable = await s.indicators.usable(systemActor, orgId);
  const items = [];
  for (const [i, m] of metrics.entries()) {
    const existing = usable.find((u) => u.metric === m.key && u.status === 'active');
    const indicatorId =
      existing?.id ??
      (await s.indicators.create(cliCtx, orgId, { name: m.name, source: 'computed', metric: m.key })).id;
    const points =
      i < metrics.length - 1 ? Math.floor(100 / metrics.length) : 100 - Math.floor(100 / metrics.length) * i;
    const target = existing?.target ?? m.defaultTarget ?? 1;
    items.push({ indicatorId, points, rule: { kind: 'linear' as const, target, direction: m.direction } });
  }
  return s.schemes.create(cliCtx, orgId, {
    name,
    periodKind: 'quarter',
    period,
    subjects: { mode: 'children' },
    items,
  });
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const database = openDatabase(config);
      await migrateToLatest(database);
      const services = createServices(database, config.secretKey);
      const admins = await database.db
        .selectFrom('account')
        .select('id')
        .where('is_system_admin', '=', 1)
        .limit(1)
        .execute();
      if (admins.length === 0) {
        const password = generatePassword();
        await database.db
          .insertInto('account')
          .values({
            username: 'admin',
            display_name: '系统管理员',
            password_hash: await hashPassword(password),
            is_system_admin: 1,
            must_change_password: 1,
            status: 'active',
            created_at: new Date().toISOString(),
            updated_at: new Date().toISOString(),
            last_login_at: null,
          })
          .execute();
        console.log('\n================ 首次启动 First start ================');
        console.log('系统管理员 Administrator:  用户名 admin');
        console.log(`初始密码 Password (只显示这一次 shown once):  ${password}`);
        console.log('登录后请立即修改密码。Change it after logging in.');
        console.log('======================================================\n');
      }
      const app = await buildApp({
        services,
        webDir: config.webDir,
        secureCookies: config.secureCookies,
        logger: { level: config.logLevel },
      });
      // Background work, safe on several nodes at once: reminders are recorded before they are sent, and
      // collecting orphaned files only removes what no record refers to; refreshing the assessment facts
      // (org_fact) takes each marked branch once, so a scoring rarely has to.
      const hourly = async () => {
        try {
          await services.taskReminders.sweep();
          await services.attachments.collect();
          await refreshFacts(database.db, database.dialect);
        } catch (e) {
          app.log.error(e, 'hourly task reminders / file collection / assessment facts failed');
        }
      };
      const timer = setInterval(() => void hourly(), 3_600_000);
      timer.unref();
      setTimeout(() => void hourly(), 10_000).unref();
      const close = async () => {
        clearInterval(timer);
        await app.close();
        await database.close();
        process.exit(0);
      };
      process.once('SIGINT', close);
      process.once('SIGTERM', close);
      await app.listen({ port: config.port, host: config.host });
      console.log(
        `tuanwu 已启动：http://localhost:${config.port}  （数据库 ${database.dialect.name}: ${database.location}；API 文档 /api/docs）`,
      );
      return;
    }
    case 'migrate': {
      const database = openDatabase(config);
      try {
        const applied = await migrateToLatest(database);
        console.log(applied.length ? `已迁移：${applied.join(', ')}` : '数据库已是最新版本');
      } finally {
        await database.close();
      }
      return;
    }
    case 'admin': {
      const { values } = parseArgs({
        args: rest,
        options: {
          username: { type: 'string' },
          password: { type: 'string' },
          name: { type: 'string' },
          system: { type: 'boolean' },
          org: { type: 'string' },
          role: { type: 'string' },
        },
      });
      if (!values.username) throw new Error('请用 --username 指定用户名');
      await withDb(config, async (database) => {
        const s = createServices(database, config.secretKey);
        if (sub === 'create') {
          const res = await database.db.transaction().execute(async (trx) => {
            const a = await s.accounts.insertAccount(trx, {
              username: values.username!,
              displayName: values.name ?? values.username!,
              ...(values.password !== undefined && { password: values.password }),
              isSystemAdmin: values.system ?? false,
            });
            if (values.org) {
              const org = await trx.selectFrom('org').select('id').where('code', '=', values.org).executeTakeFirst();
              if (!org) throw new Error(`找不到组织代码 ${values.org}`);
              await s.accounts.insertRole(trx, a.id, org.id, (values.role ?? 'admin') as 'admin');
            }
            return a;
          });
          console.log(`已创建账号 ${values.username}${values.system ? '（系统管理员）' : ''}`);
          if (!values.password) console.log(`初始密码（只显示这一次）：${res.password}`);
        } else if (sub === 'reset-password') {
          const account = await database.db
            .selectFrom('account')
            .select('id')
            .where('username', '=', values.username!)
            .executeTakeFirst();
          if (!account) throw new Error(`找不到账号 ${values.username}`);
          const res = await s.accounts.resetPassword(cliCtx, account.id);
          console.log(`已重置 ${res.username} 的密码（只显示这一次）：${res.temporaryPassword}`);
        } else throw new Error('用法：tuanwu admin create|reset-password --username U');
      });
      return;
    }
    case 'demo': {
      const { values } = parseArgs({
        args: [sub, ...rest].filter((x): x is string => x !== undefined),
        options: {
          preset: { type: 'string', default: 'county' },
          seed: { type: 'string' },
          lessons: { type: 'string', default: '10' },
        },
      });
      const preset = values.preset as Preset;
      if (!['county', 'city', 'province'].includes(preset)) throw new Error('--preset 只能是 county、city 或 province');
      await withDb(config, async (database) => {
        const s = createServices(database, config.secretKey);
        const started = Date.now();
        const progress = new Progress('写入演示数据', 1);
        const memberProgress = new Progress('生成团员', 1);
        const studyProgress = new Progress('生成青年大学习打卡', 1);
        const res = await generateDemo(database, s.cipher, preset, {
          seed: values.seed ? Number(values.seed) : 2026,
          onProgress: (done, total) => {
            progress.total = total;
            progress.update(done);
          },
          onMemberProgress: (done, total) => {
            memberProgress.total = total;
            memberProgress.update(done);
          },
          lessons: Number(values.lessons),
          onStudyProgress: (done, total) => {
            studyProgress.total = total;
            studyProgress.update(done);
          },
        });
        const password = generatePassword();
        const username = `demo-${preset}-${res.rootId}`;
        await database.db.transaction().execute(async (trx) => {
          const a = await s.accounts.insertAccount(trx, {
            username,
            displayName: `${res.rootName}管理员`,
            password: password + 'A1',
            mustChangePassword: false,
          });
          await s.accounts.insertRole(trx, a.id, res.rootId, 'admin');
        });
        console.log(
          `已生成 ${res.orgs} 个组织、${res.contacts} 个联系人（${(res.orgsMs / 1000).toFixed(1)} 秒），最深 ${res.maxDepth} 级；${res.members} 名团员（${(res.membersMs / 1000).toFixed(1)} 秒）；${res.study ? `青年大学习 ${res.study.lessons} 期、${res.study.checkins} 条打卡（最新一期 ${res.study.latestCheckins} 条，${(res.studyMs / 1000).toFixed(1)} 秒）；` : ''}共用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒`,
        );
        console.log(`顶级组织：${res.rootName}；管理员账号 ${username}，密码 ${password}A1（只显示这一次）`);
      });
      return;
    }
    case 'import': {
      if (sub !== 'orgs' || !rest[0]) throw new Error('用法：tuanwu import orgs FILE [--under 组织代码]');
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { under: { type: 'string' }, 'dry-run': { type: 'boolean' } },
      });
      await withDb(config, async (database) => {
        const s = createServices(database, config.secretKey);
        const target = await orgByCode(database, values.under);
        const res = await s.orgImport.run(cliCtx, target.id, readFileSync(positionals[0]!), values['dry-run'] ?? false);
        console.log(`${res.dryRun ? '预览通过，可以导入' : '已导入'} ${res.count} 个组织到“${target.name}”之下`);
      });
      return;
    }
    case 'export': {
      if (sub !== 'orgs') throw new Error('用法：tuanwu export orgs [--under 组织代码] [--out FILE]');
      const { values } = parseArgs({
        args: rest,
        options: { under: { type: 'string' }, out: { type: 'string', default: 'orgs.xlsx' } },
      });
      await withDb(config, async (database) => {
        const s = createServices(database, config.secretKey);
        const target = await orgByCode(database, values.under);
        const sheet = await s.orgReports.exportSheet(systemActor, target.id);
        writeFileSync(values.out!, await workbookBuffer([sheet]));
        console.log(`已导出 ${sheet.rows.length} 个组织到 ${values.out}`);
      });
      return;
    }
    case 'study': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          under: { type: 'string' },
          lesson: { type: 'string' },
          period: { type: 'string' },
          'doc-number': { type: 'string' },
          out: { type: 'string' },
          'dry-run': { type: 'boolean' },
        },
      });
      await withDb(config, async (database) => {
        const s = createServices(database, config.secretKey);
        const target = await orgByCode(database, values.under);
        const lessonId = Number(values.lesson);
        if (sub === 'lessons') {
          for (const l of await s.lessons.forOrg(systemActor, target.id))
            console.log(`${l.id}\t${l.label}\t${l.stateLabel}\t${l.title}`);
        } else if (sub === 'import' && positionals[0] && lessonId) {
          const r = await s.completionImport.importFile(cliCtx, lessonId, target.id, positionals[0], {
            dryRun: values['dry-run'] ?? false,
          });
          console.log(
            `${r.rows} 行：匹配 ${r.matched}（新记为已学 ${r.created}，原已学 ${r.alreadyIn}，文件内重复 ${r.duplicatesInFile}），未匹配 ${r.unmatched}，同名待选 ${r.ambiguous}${r.dryRun ? '（预览，未写入）' : ''}；${(r.ms / 1000).toFixed(1)} 秒`,
          );
          for (const p of r.problems.slice(0, 50)) console.log(`  第${p.row}行 ${p.column}“${p.value}”：${p.reason}`);
          if (r.problems.length > 50) console.log(`  ……共 ${r.unmatched + r.ambiguous} 行需要人工处理`);
        } else if (sub === 'recompute' && lessonId) {
          const r = await s.lessons.recompute(cliCtx, lessonId);
          console.log(`已重算：${r.learners} 人次，${r.orgs} 个组织`);
        } else if (sub === 'report' && positionals[0]) {
          const kind = positionals[0] as 'supervision' | 'bulletin' | 'assessment';
          if (!['supervision', 'bulletin', 'assessment'].includes(kind))
            throw new Error('报告类型只能是 supervision、bulletin 或 assessment');
          const doc = await s.studyReports.document(systemActor, target.id, kind, {
            ...(lessonId && { lessonId }),
            ...(values.period && { period: values.period }),
            ...(values['doc-number'] && { docNumber: values['doc-number'] }),
          });
          const out = values.out ?? `${doc.title}.docx`;
          writeFileSync(
            out,
            out.endsWith('.xlsx') ? await workbookBuffer(documentSheets(doc)) : await documentBuffer(doc),
          );
          console.log(`已生成 ${out}`);
        } else throw new Error('用法见 tuanwu help：study lessons | import | recompute | report');
      });
      return;
    }
    case 'tasks': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          under: { type: 'string' },
          plan: { type: 'string' },
          commit: { type: 'boolean' },
          year: { type: 'string' },
          title: { type: 'string' },
        },
      });
      await withDb(config, async (database) => {
        const s = createServices(database, config.secretKey);
        if (sub === 'plans') {
          const target = await orgByCode(database, values.under);
          for (const p of await s.plans.list(systemActor, target.id))
            console.log(`${p.id}\t${p.year}\t${p.title}\t${p.tasks} 项任务`);
        } else if (sub === 'new-plan' && Number(values.year) && values.title) {
          const target = await orgByCode(database, values.under);
          const p = await s.plans.create(cliCtx, target.id, { year: Number(values.year), title: values.title });
          console.log(`已新建工作要点，编号 ${p.id}`);
        } else if (sub === 'import' && positionals[0] && Number(values.plan)) {
          const r = await s.plans.importList(cliCtx, Number(values.plan), readFileSync(positionals[0]), {
            commit: values.commit ?? false,
          });
          for (const row of r.rows)
            console.log(
              `${row.seqLabel}\t${row.deadline.text || '—'} → ${row.dueOn ?? '需填写日期'}\t${row.responsible.map((m) => `${m.name || '（空）'}${m.problem ? '？' : `（${m.orgs.length}）`}`).join('、')}\t${row.content.slice(0, 30)}`,
            );
          for (const u of r.unresolved) console.log(`  未认出“${u.name}”（第${u.rows.join('、')}行）：${u.reason}`);
          console.log(
            r.dryRun
              ? `预览：${r.rows.length} 项任务，${r.needsDate} 项需填写日期，${r.unresolved.length} 个责任单位待确认；加 --commit 写入`
              : `已导入 ${r.created} 项任务`,
          );
        } else if (sub === 'remind') {
          const r = await s.taskReminders.sweep();
          console.log(`已发送：到期前提醒 ${r.before} 条，逾期提醒 ${r.after} 条`);
        } else if (sub === 'collect-files') {
          const r = await s.attachments.collect();
          console.log(
            `已清理：未报送的附件 ${r.pendingDropped} 个，文件 ${r.filesRemoved} 个，中断上传的临时文件 ${r.temporaryRemoved} 个`,
          );
        } else
          throw new Error(
            '用法：tuanwu tasks plans | new-plan --year Y --title T | import FILE --plan 编号 [--commit] | remind | collect-files',
          );
      });
      return;
    }
    case 'assessment': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          under: { type: 'string' },
          out: { type: 'string' },
          name: { type: 'string' },
          period: { type: 'string' },
          metrics: { type: 'string' },
        },
      });
      await withDb(config, async (database) => {
        const s = createServices(database, config.secretKey);
        const id = Number(positionals[0]);
        if (sub === 'metrics') {
          for (const m of Object.values(METRICS)) console.log(`${m.key}\t${m.name}（${m.unit}）\t${m.formula}`);
        } else if (sub === 'schemes') {
          const target = await orgByCode(database, values.under);
          const { own } = await s.schemes.list(systemActor, target.id);
          for (const x of own)
            console.log(
              `${x.id}\t${x.periodLabel}\t${x.name}\t${x.status === 'published' ? '已发布' : x.stale ? '草稿（需重新计分）' : '草稿'}\t${x.subjects} 个单位`,
            );
        } else if (sub === 'new' && values.name && values.period && values.metrics) {
          const target = await orgByCode(database, values.under);
          const r = await quickScheme(s, target.id, values.name, values.period, values.metrics.split(/[,，]/));
          console.log(`已新建考核方案，编号 ${r.id}，${r.subjects} 个参评单位`);
        } else if (sub === 'score' && id) {
          const r = await s.schemes.score(cliCtx, id);
          const { rows } = await s.schemes.results(systemActor, id);
          for (const row of rows.slice(0, 10)) console.log(`${row.rankLabel}\t${row.name}\t${row.total}`);
          console.log(`已计分：${r.orgs} 个单位，用时 ${r.ms} ms`);
        } else if (sub === 'publish' && id) {
          const r = await s.schemes.publish(cliCtx, id);
          console.log(`已发布：${r.orgs} 个单位`);
        } else if (sub === 'bulletin' && id) {
          const doc = await schemeBulletin(s.schemes, systemActor, id);
          const out = values.out ?? `${doc.title}.docx`;
          writeFileSync(
            out,
            out.endsWith('.xlsx') ? await workbookBuffer(documentSheets(doc)) : await documentBuffer(doc),
          );
          console.log(`已生成 ${out}`);
        } else
          throw new Error(
            '用法：tuanwu assessment metrics | schemes | new --name N --period 2026Q4 --metrics a,b | score 编号 | publish 编号 | bulletin 编号',
          );
      });
      return;
    }
    case 'backup':
    case 'restore': {
      if (!sub) throw new Error(`用法：tuanwu ${command} FILE`);
      await withDb(config, async (database) => {
        const fn = command === 'backup' ? backup : restore;
        const store = createServices(database, config.secretKey).attachments.store;
        const { files = 0, ...tables } = await fn(
          database,
          config.secretKey,
          sub,
          (t, n) => console.log(`${t}: ${n}`),
          store,
        );
        console.log(
          `${command === 'backup' ? '已备份到' : '已从'} ${sub}${command === 'restore' ? ' 恢复' : ''}（${Object.values(tables).reduce((a, b) => a + b, 0)} 行，${files} 个附件）`,
        );
      });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return;
    default:
      throw new Error(`未知命令：${command}\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof AppError) {
    console.error(`错误：${err.message}`);
    for (const p of err.problems ?? [])
      console.error(
        `  ${p.row ? `第${p.row}行 ` : ''}${p.column ? `[${p.column}] ` : ''}${p.value ? `“${p.value}” ` : ''}${p.message}`,
      );
  } else console.error(`错误：${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
