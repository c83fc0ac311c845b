import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { inSubtree, requireOrg, type Actor } from '../access/access.js';
import { formatShanghai } from '../common/time.js';
import type { SheetSpec } from '../common/excel.js';
import { AUDIT_ACTION_LABELS } from './audit.js';

/** Browsing the audit trail of a subtree. */
export class AuditService {
  constructor(private readonly db: Kysely<DB>) {}

  private async base(actor: Actor, orgId: number, action?: string) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    let q = this.db
      .selectFrom('audit_log as a')
      .leftJoin('account', 'account.id', 'a.account_id')
      .leftJoin('org', 'org.id', 'a.org_id')
      .where((eb) => inSubtree(eb, 'a.org_path', org!.path));
    if (action) q = q.where('a.action', '=', action);
    return { org: org!, q };
  }

  async list(actor: Actor, orgId: number, action: string | undefined, page: number, pageSize: number) {
    const { q } = await this.base(actor, orgId, action);
    const [{ n }, items] = await Promise.all([
      q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
      this.page(q, page, pageSize),
    ]);
    return { total: Number(n), items };
  }

  /** One page of entries, newest first, presented for screens and exports. */
  private async page(q: Awaited<ReturnType<AuditService['base']>>['q'], page: number, pageSize: number) {
    const rows = await q
      .select([
        'a.id',
        'a.at',
        'a.action',
        'a.subject_type',
        'a.subject_id',
        'a.before',
        'a.after',
        'a.ip',
        'a.org_id',
        'org.name as orgName',
        'account.display_name as actorName',
        'account.username as actorUsername',
      ])
      .orderBy('a.id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actorName: r.actorName ? `${r.actorName}（${r.actorUsername}）` : '系统',
      orgId: r.org_id,
      orgName: r.orgName,
      action: r.action,
      actionLabel: AUDIT_ACTION_LABELS[r.action] ?? r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      before: r.before ? (JSON.parse(r.before) as unknown) : null,
      after: r.after ? (JSON.parse(r.after) as unknown) : null,
      ip: r.ip,
    }));
  }

  async sheet(actor: Actor, orgId: number, action?: string): Promise<SheetSpec> {
    // One org lookup and no count: the export needs the entries only.
    const { org, q } = await this.base(actor, orgId, action);
    const items = await this.page(q, 1, 100_000);
    return {
      name: '审计日志',
      title: `${org.name} 审计日志`,
      columns: [
        { header: '时间（北京时间）', key: 'time', width: 18 },
        { header: '操作人', key: 'actorName', width: 20 },
        { header: '组织', key: 'orgName', width: 30 },
        { header: '操作', key: 'actionLabel', width: 14 },
        { header: '对象', key: 'subject', width: 16 },
        { header: '修改前', key: 'beforeText', width: 40 },
        { header: '修改后', key: 'afterText', width: 40 },
        { header: 'IP', key: 'ip', width: 16 },
      ],
      rows: items.map((i) => ({
        ...i,
        time: formatShanghai(i.at),
        subject: `${i.subjectType}#${i.subjectId ?? ''}`,
        beforeText: i.before ? JSON.stringify(i.before) : '',
        afterText: i.after ? JSON.stringify(i.after) : '',
      })),
    };
  }
}
