import { sql, type Expression, type Kysely } from 'kysely';
import type { DB, OrgKind } from '../db/schema.js';
import { ancestorIds, inSubtree, requireOrg, scopeFilter, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { maskPhone, type FieldCipher } from '../common/crypto.js';
import type { Dialect } from '../db/dialect.js';
import type { SheetSpec } from '../common/excel.js';
import { KIND_LABELS } from './org-kinds.js';
import type { OrgRepository } from './org.repository.js';

export const COMPLETENESS_PROBLEMS = {
  missing_secretary: '未配备书记',
  missing_phone: '没有联系电话',
  small_branch: '团员少于3人',
  large_branch: '团员超过50人',
} as const;
export type CompletenessProblem = keyof typeof COMPLETENESS_PROBLEMS;

/** A plausible branch: 3 to 50 members (团章: three members form a branch; larger ones should split). */
export const BRANCH_SIZE = { min: 3, max: 50 } as const;

/** SQL: 1 when the org whose id is `orgId` has a current 书记 in its directory, else 0 (the completeness rule). */
export const secretaryOf = (orgId: Expression<number>) =>
  sql<number>`(case when exists (select 1 from org_contact c where c.org_id = ${orgId} and c.ended_at is null and c.post = '书记') then 1 else 0 end)`;

export interface DirectoryFilter {
  q?: string | undefined;
  kind?: OrgKind | undefined;
  category?: string | undefined;
  post?: string | undefined;
}

/** 工作通讯录, completeness to-do list and subtree export: read-only views over a subtree. */
export class OrgReports {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
    private readonly repo: OrgRepository,
    private readonly cipher: FieldCipher,
  ) {}

  private async root(actor: Actor, id: number) {
    const org = await this.repo.byId(id);
    requireOrg(actor, 'read', org);
    return org!;
  }

  private directoryQuery(actor: Actor, rootPath: string, f: DirectoryFilter) {
    let q = this.db
      .selectFrom('org_contact as c')
      .innerJoin('org', 'org.id', 'c.org_id')
      .where('c.ended_at', 'is', null)
      .where('org.status', '=', 'active')
      .where((eb) => inSubtree(eb, 'org.path', rootPath))
      .where((eb) => scopeFilter(actor, 'read', eb));
    if (f.q) {
      const needle = f.q;
      q = q.where((eb) =>
        eb.or([this.dialect.ilike(eb.ref('c.name'), needle), this.dialect.ilike(eb.ref('org.name'), needle)]),
      );
    }
    if (f.kind) q = q.where('org.kind', '=', f.kind);
    if (f.category) q = q.where('org.category', '=', f.category);
    if (f.post) q = q.where('c.post', '=', f.post);
    return q;
  }

  async directory(actor: Actor, id: number, f: DirectoryFilter, page: number, pageSize: number) {
    const root = await this.root(actor, id);
    const base = this.directoryQuery(actor, root.path, f);
    const [{ n }, rows] = await Promise.all([
      base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
      base
        .select([
          'c.id as contactId',
          'c.name',
          'c.post',
          'c.phone_enc',
          'org.id as orgId',
          'org.name as orgName',
          'org.kind',
          'org.category',
          'org.path',
        ])
        .orderBy('org.path')
        .orderBy('c.sort_order')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
    ]);
    return {
      total: Number(n),
      items: rows.map((r) => ({
        contactId: r.contactId,
        orgId: r.orgId,
        orgName: r.orgName,
        kind: r.kind,
        kindLabel: KIND_LABELS[r.kind],
        category: r.category,
        name: r.name,
        post: r.post,
        phoneMasked: r.phone_enc ? maskPhone(this.cipher.decrypt(r.phone_enc)) : null,
      })),
    };
  }

  /** The directory as a workbook; `full` numbers need write access and are audited. */
  async directorySheet(ctx: Ctx, id: number, f: DirectoryFilter, full: boolean): Promise<SheetSpec> {
    const root = await this.root(ctx.actor, id);
    if (full) requireOrg(ctx.actor, 'write', root);
    const rows = await this.directoryQuery(ctx.actor, root.path, f)
      .select([
        'c.name',
        'c.post',
        'c.phone_enc',
        'org.name as orgName',
        'org.kind',
        'org.category',
        'org.code',
        'org.path',
      ])
      .orderBy('org.path')
      .orderBy('c.sort_order')
      .limit(500_000)
      .execute();
    if (full)
      await audit(this.db, ctx, {
        org: root,
        action: 'directory.export_full',
        subjectType: 'org',
        subjectId: root.id,
        after: { rows: rows.length, filter: f },
      });
    const names = await this.pathNames(
      rows.map((r) => r.path),
      root.path,
    );
    return {
      name: '工作通讯录',
      title: `${root.name} 工作通讯录${full ? '（含完整电话，已记录审计）' : ''}`,
      columns: [
        { header: '组织', key: 'orgName', width: 36 },
        { header: '上级路径', key: 'pathNames', width: 40 },
        { header: '组织类型', key: 'kindLabel', width: 10 },
        { header: '组织类别', key: 'category', width: 10 },
        { header: '组织代码', key: 'code', width: 14 },
        { header: '姓名', key: 'name', width: 10 },
        { header: '职务', key: 'post', width: 10 },
        { header: '电话', key: 'phone', width: 16 },
      ],
      rows: rows.map((r) => {
        const phone = r.phone_enc ? this.cipher.decrypt(r.phone_enc) : null;
        return {
          ...r,
          kindLabel: KIND_LABELS[r.kind],
          pathNames: names(r.path),
          phone: phone ? (full ? phone : maskPhone(phone)) : '',
        };
      }),
    };
  }

  /**
   * A function giving the names of an org's ancestors below `rootPath` (the root itself included unless
   * `belowRoot`), loaded in chunks.
   */
  private async pathNames(paths: string[], rootPath: string, belowRoot = false) {
    const skip = ancestorIds(rootPath).length - (belowRoot ? 0 : 1);
    const ids = [...new Set(paths.flatMap((p) => ancestorIds(p).slice(skip, -1)))];
    const names = new Map<number, string>();
    for (let i = 0; i < ids.length; i += 1000) {
      for (const r of await this.db
        .selectFrom('org')
        .select(['id', 'name', 'short_name'])
        .where('id', 'in', ids.slice(i, i + 1000))
        .execute()) {
        names.set(r.id, r.short_name || r.name);
      }
    }
    return (path: string) =>
      ancestorIds(path)
        .slice(skip, -1)
        .map((id) => names.get(id) ?? '')
        .join(' / ');
  }

  /** Orgs of a subtree with what they lack: a 书记, any contact phone, a plausible branch size. */
  async completeness(
    actor: Actor,
    id: number,
    problem: CompletenessProblem | undefined,
    page: number,
    pageSize: number,
  ) {
    const root = await this.root(actor, id);
    const hasSecretary = secretaryOf(sql.ref('org.id'));
    const hasPhone = sql<number>`exists (select 1 from org_contact c where c.org_id = org.id and c.ended_at is null and c.phone_enc is not null)`;
    const base = this.db
      .selectFrom('org')
      .where('org.status', '=', 'active')
      .where((eb) => inSubtree(eb, 'org.path', root.path))
      .where((eb) => scopeFilter(actor, 'read', eb));
    const conditions = {
      missing_secretary: sql<boolean>`${hasSecretary} = 0`,
      missing_phone: sql<boolean>`not ${hasPhone}`,
      small_branch: sql<boolean>`(org.kind = 'branch' and org.member_count < ${BRANCH_SIZE.min})`,
      large_branch: sql<boolean>`(org.kind = 'branch' and org.member_count > ${BRANCH_SIZE.max})`,
    } satisfies Record<CompletenessProblem, unknown>;
    const summaryRow = await base
      .select([
        sql<number>`sum(case when ${conditions.missing_secretary} then 1 else 0 end)`.as('missing_secretary'),
        sql<number>`sum(case when ${conditions.missing_phone} then 1 else 0 end)`.as('missing_phone'),
        sql<number>`sum(case when ${conditions.small_branch} then 1 else 0 end)`.as('small_branch'),
        sql<number>`sum(case when ${conditions.large_branch} then 1 else 0 end)`.as('large_branch'),
      ])
      .executeTakeFirstOrThrow();
    const summary = Object.fromEntries(Object.entries(summaryRow).map(([k, v]) => [k, Number(v ?? 0)])) as Record<
      CompletenessProblem,
      number
    >;
    const anyProblem = problem
      ? conditions[problem]
      : sql<boolean>`(${sql.join(Object.values(conditions), sql` or `)})`;
    const filtered = base.where(anyProblem);
    const [{ n }, rows] = await Promise.all([
      filtered.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
      filtered
        .select([
          'org.id',
          'org.name',
          'org.kind',
          'org.path',
          'org.member_count',
          hasSecretary.as('has_secretary'),
          hasPhone.as('has_phone'),
        ])
        .orderBy('org.path')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
    ]);
    const names = await this.pathNames(
      rows.map((r) => r.path),
      root.path,
    );
    return {
      summary,
      problemLabels: COMPLETENESS_PROBLEMS,
      total: Number(n),
      items: rows.map((r) => {
        const problems: CompletenessProblem[] = [];
        if (!Number(r.has_secretary)) problems.push('missing_secretary');
        if (!Number(r.has_phone)) problems.push('missing_phone');
        if (r.kind === 'branch' && r.member_count < BRANCH_SIZE.min) problems.push('small_branch');
        if (r.kind === 'branch' && r.member_count > BRANCH_SIZE.max) problems.push('large_branch');
        return {
          orgId: r.id,
          orgName: r.name,
          orgKind: r.kind,
          kindLabel: KIND_LABELS[r.kind],
          pathNames: names(r.path),
          memberCount: r.member_count,
          problemCodes: problems,
          problems: problems.map((p) => COMPLETENESS_PROBLEMS[p]),
        };
      }),
    };
  }

  /** The subtree in the import template's layout (re-importable elsewhere). */
  async exportSheet(actor: Actor, id: number): Promise<SheetSpec> {
    const root = await this.root(actor, id);
    const rows = await this.db
      .selectFrom('org')
      .leftJoin('org as parent', 'parent.id', 'org.parent_id')
      .select([
        'org.name',
        'org.short_name',
        'org.kind',
        'org.category',
        'org.code',
        'org.established_on',
        'org.path',
        'org.descendant_count',
        'parent.code as parent_code',
      ])
      .where('org.status', '=', 'active')
      .where((eb) => inSubtree(eb, 'org.path', root.path))
      .where((eb) => scopeFilter(actor, 'read', eb))
      .orderBy('org.path')
      .limit(500_000)
      .execute();
    // Paths below the exported org, so the file imports under any other org as it is.
    const names = await this.pathNames(
      rows.map((r) => r.path),
      root.path,
      true,
    );
    return {
      name: '组织导入',
      columns: [
        { header: '组织全称', key: 'name', width: 36 },
        { header: '简称', key: 'short_name', width: 18 },
        { header: '组织类型', key: 'kindLabel', width: 10 },
        { header: '组织类别', key: 'category', width: 10 },
        { header: '组织代码', key: 'code', width: 14 },
        { header: '上级组织代码', key: 'parent_code', width: 14 },
        { header: '上级组织', key: 'pathNames', width: 40 },
        { header: '成立日期', key: 'established_on', width: 12 },
        { header: '下级组织数', key: 'descendant_count', width: 10 },
      ],
      rows: rows.map((r) => ({
        ...r,
        kindLabel: KIND_LABELS[r.kind],
        pathNames: names(r.path),
        parent_code: r.path === root.path ? '' : r.parent_code,
      })),
    };
  }
}
