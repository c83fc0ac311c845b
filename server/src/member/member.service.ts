import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, MemberStatus, MemberTable } from '../db/schema.js';
import type { Database } from '../db/database.js';
import { ancestorIds, can, inSubtree, pathUpperBound, requireOrg, scopeFilter, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, notFound, type FieldProblem } from '../common/errors.js';
import { maskPhone, type FieldCipher } from '../common/crypto.js';
import { normalizePhone } from '../common/text.js';
import { nowIso } from '../common/time.js';
import type { SheetSpec } from '../common/excel.js';
import {
  CURRENT_STATUSES,
  MEMBER_STATUS_LABELS,
  admissionNumberProblem,
  ageOn,
  checkIdNumber,
  joiningAgeProblem,
  maskIdNumber,
  overAgeProblem,
} from './member-fields.js';
import { MemberStats } from './member-stats.js';
import { forgetMembers } from '../auth/member-auth.service.js';
import type { MemberCreateInput, MemberUpdateInput, RosterFilter, RosterSort } from './member.schemas.js';

const SORT_COLUMNS = { name: 'name', birthDate: 'birth_date', joinedOn: 'joined_on' } as const;
/** Sorted pages (other than branch order) reach this far; beyond it a filter narrows the list. */
const MAX_SORTED_ROWS = 10_000;
const LIVE_CATEGORY_LIMIT = 100_000;
const CATEGORY_CACHE_MS = 10 * 60_000;
const MAX_CHILD_TOTALS = 200;
export const NO_CATEGORY = '未填写';

type MemberRow = Selectable<MemberTable>;

/** Fields of a member as validated from a form or an import row, ready to store. */
export interface PreparedMember {
  name: string;
  gender: string;
  ethnicity: string | null;
  idNumber: string;
  idNumberHash: string;
  birthDate: string;
  phone: string | null;
  politicalStatus: string;
  joinedOn: string | null;
  admissionNumber: string | null;
  education: string | null;
  identityCategory: string | null;
  leaguePost: string | null;
}

const FIELD_LABELS: Record<string, string> = {
  name: '姓名',
  gender: '性别',
  idNumber: '身份证号',
  phone: '手机号',
  ethnicity: '民族',
  politicalStatus: '政治面貌',
  joinedOn: '入团年月',
  admissionNumber: '发展团员编号',
  education: '学历',
  identityCategory: '身份类别',
  leaguePost: '团内职务',
};
export const memberFieldLabel = (f: string) => FIELD_LABELS[f] ?? f;

type MemberInput = Omit<MemberCreateInput, 'politicalStatus'> & { politicalStatus?: string | null };

/** Member records: every method checks access against the member's branch and the acting user's roles. */
export class MemberService {
  private readonly db: Kysely<DB>;

  constructor(
    readonly database: Database,
    readonly cipher: FieldCipher,
  ) {
    this.db = database.db;
  }

  /**
   * Checks a member's fields: ID number checksum and birth date, gender against the ID, joining age, the
   * admission number rule and phone format. Returns the problems by field, or the prepared record.
   */
  prepare(
    input: MemberInput,
    opts: { newMember?: boolean } = {},
  ): { value?: PreparedMember; problems: FieldProblem[] } {
    const problems: FieldProblem[] = [];
    const id = checkIdNumber(input.idNumber);
    if (!id.ok) problems.push({ path: 'idNumber', message: id.reason, value: input.idNumber });
    if (id.ok && opts.newMember) {
      const p = overAgeProblem(id.birthDate, input.leaguePost);
      if (p) problems.push({ path: 'leaguePost', message: p, value: input.leaguePost ?? '' });
    }
    if (id.ok && input.gender && input.gender !== id.gender) {
      problems.push({ path: 'gender', message: `性别与身份证号不符（身份证号为${id.gender}性）`, value: input.gender });
    }
    let phone: string | null = null;
    if (input.phone) {
      phone = normalizePhone(input.phone);
      if (!phone || !/^1\d{10}$/.test(phone))
        problems.push({ path: 'phone', message: '手机号应为11位，以1开头', value: input.phone });
    }
    const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    if (input.joinedOn && input.joinedOn > thisMonth) {
      problems.push({ path: 'joinedOn', message: `入团年月不能晚于本月（${thisMonth}）`, value: input.joinedOn });
    } else if (id.ok && input.joinedOn) {
      const p = joiningAgeProblem(id.birthDate, input.joinedOn);
      if (p) problems.push({ path: 'joinedOn', message: p, value: input.joinedOn });
    }
    if (input.admissionNumber) {
      const p = admissionNumberProblem(input.admissionNumber, input.joinedOn ?? null);
      if (p) problems.push({ path: 'admissionNumber', message: p, value: input.admissionNumber });
    }
    if (!input.politicalStatus) problems.push({ path: 'politicalStatus', message: '请填写政治面貌' });
    if (problems.length || !id.ok) return { problems };
    return {
      problems,
      value: {
        name: input.name,
        gender: id.gender,
        ethnicity: input.ethnicity ?? null,
        idNumber: id.idNumber,
        idNumberHash: this.cipher.hash(id.idNumber),
        birthDate: id.birthDate,
        phone,
        politicalStatus: input.politicalStatus!,
        joinedOn: input.joinedOn ?? null,
        admissionNumber: input.admissionNumber || null,
        education: input.education ?? null,
        identityCategory: input.identityCategory ?? null,
        leaguePost: input.leaguePost ?? null,
      },
    };
  }

  /** Columns to insert for a prepared member in a branch. */
  row(p: PreparedMember, branch: { id: number; path: string }, status: MemberStatus = 'normal', now = nowIso()) {
    return {
      org_id: branch.id,
      org_path: branch.path,
      name: p.name,
      gender: p.gender,
      ethnicity: p.ethnicity,
      id_number_enc: this.cipher.encrypt(p.idNumber),
      id_number_hash: p.idNumberHash,
      id_number_mask: maskIdNumber(p.idNumber),
      birth_date: p.birthDate,
      phone_enc: p.phone ? this.cipher.encrypt(p.phone) : null,
      phone_hash: p.phone ? this.cipher.hash(p.phone) : null,
      phone_mask: p.phone ? maskPhone(p.phone) : null,
      political_status: p.politicalStatus,
      joined_on: p.joinedOn,
      admission_number: p.admissionNumber,
      education: p.education,
      identity_category: p.identityCategory,
      league_post: p.leaguePost,
      status,
      created_at: now,
      updated_at: now,
    };
  }

  /** The columns an update may change (never the ID number, which goes through corrections). */
  editableColumns(r: ReturnType<MemberService['row']>) {
    return {
      ethnicity: r.ethnicity,
      phone_enc: r.phone_enc,
      phone_hash: r.phone_hash,
      phone_mask: r.phone_mask,
      political_status: r.political_status,
      joined_on: r.joined_on,
      admission_number: r.admission_number,
      education: r.education,
      identity_category: r.identity_category,
      league_post: r.league_post,
      updated_at: r.updated_at,
    };
  }

  /** Where ID numbers or admission numbers are already registered (in chunks). */
  async duplicates(hashes: string[], admissionNumbers: string[], db: Kysely<DB> = this.db) {
    const byHash = new Map<string, { id: number; orgName: string; name: string }>();
    const byAdmission = new Map<string, { id: number; orgName: string; name: string; hash: string }>();
    for (let i = 0; i < hashes.length; i += 500) {
      const rows = await db
        .selectFrom('member')
        .innerJoin('org', 'org.id', 'member.org_id')
        .select(['member.id', 'member.id_number_hash', 'member.name', 'org.name as orgName'])
        .where('member.id_number_hash', 'in', hashes.slice(i, i + 500))
        .execute();
      for (const r of rows) byHash.set(r.id_number_hash, { id: r.id, orgName: r.orgName, name: r.name });
    }
    for (let i = 0; i < admissionNumbers.length; i += 500) {
      const rows = await db
        .selectFrom('member')
        .innerJoin('org', 'org.id', 'member.org_id')
        .select(['member.id', 'member.admission_number', 'member.name', 'member.id_number_hash', 'org.name as orgName'])
        .where('member.admission_number', 'in', admissionNumbers.slice(i, i + 500))
        .execute();
      for (const r of rows)
        byAdmission.set(r.admission_number!, { id: r.id, orgName: r.orgName, name: r.name, hash: r.id_number_hash });
    }
    return { byHash, byAdmission };
  }

  private async branch(actor: Actor, orgId: number, db: Kysely<DB>) {
    const org = await db
      .selectFrom('org')
      .select(['id', 'path', 'kind', 'status', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'write', org);
    if (org!.kind !== 'branch')
      throw badRequest('团员只能编入团支部，请选择一个团支部', [{ path: 'orgId', message: '不是团支部' }]);
    if (org!.status !== 'active') throw conflict('该团支部已撤销或合并');
    return org!;
  }

  /** A duplicate found inside the actor's subtree is named; one outside it is not (access stays in the subtree). */
  private whereRegistered(found: { orgName: string; name: string }, inScope: boolean): string {
    return inScope ? `“${found.orgName}”的${found.name}` : '您管辖范围以外的组织（请联系上级组织办理组织关系转接）';
  }

  async create(ctx: Ctx, orgId: number, input: MemberCreateInput) {
    return this.db.transaction().execute(async (trx) => {
      const branch = await this.branch(ctx.actor, orgId, trx);
      const { value, problems } = this.prepare(input, { newMember: true });
      if (!value) throw badRequest(`团员信息有误：${problems.map((p) => p.message).join('；')}`, problems);
      const dup = await this.duplicates(
        [value.idNumberHash],
        value.admissionNumber ? [value.admissionNumber] : [],
        trx,
      );
      const existing = dup.byHash.get(value.idNumberHash);
      if (existing) {
        const m = await trx
          .selectFrom('member')
          .select(['org_id', 'org_path'])
          .where('id', '=', existing.id)
          .executeTakeFirstOrThrow();
        const inScope = can(ctx.actor, 'read', { id: m.org_id, path: m.org_path });
        throw conflict(`该身份证号已登记在${this.whereRegistered(existing, inScope)}`, [
          { path: 'idNumber', message: '身份证号已登记' },
        ]);
      }
      const adm = value.admissionNumber ? dup.byAdmission.get(value.admissionNumber) : undefined;
      if (adm)
        throw conflict('发展团员编号已被其他团员使用', [{ path: 'admissionNumber', message: '发展团员编号已被使用' }]);
      const row = await trx
        .insertInto('member')
        .values({ ...this.row(value, branch), graduation_date: input.graduationDate ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await new MemberStats().add(branch.path, 'normal', 1).flush(trx);
      await audit(trx, ctx, {
        org: branch,
        action: 'member.create',
        subjectType: 'member',
        subjectId: row.id,
        after: { name: value.name, idNumber: maskIdNumber(value.idNumber) },
      });
      return this.get(ctx.actor, row.id, trx);
    });
  }

  async update(ctx: Ctx, memberId: number, input: MemberUpdateInput) {
    return this.db.transaction().execute(async (trx) => {
      const m = await this.load(ctx.actor, memberId, 'write', trx);
      const merged: MemberInput = {
        name: m.name,
        idNumber: this.cipher.decrypt(m.id_number_enc),
        ethnicity: input.ethnicity !== undefined ? input.ethnicity : (m.ethnicity as MemberInput['ethnicity']),
        phone: input.phone !== undefined ? input.phone : m.phone_enc ? this.cipher.decrypt(m.phone_enc) : null,
        politicalStatus: input.politicalStatus ?? m.political_status,
        joinedOn: input.joinedOn !== undefined ? input.joinedOn : m.joined_on,
        admissionNumber: input.admissionNumber !== undefined ? input.admissionNumber : m.admission_number,
        education: input.education !== undefined ? input.education : (m.education as MemberInput['education']),
        identityCategory:
          input.identityCategory !== undefined
            ? input.identityCategory
            : (m.identity_category as MemberInput['identityCategory']),
        leaguePost: input.leaguePost !== undefined ? input.leaguePost : (m.league_post as MemberInput['leaguePost']),
      };
      const { value, problems } = this.prepare(merged);
      if (!value) throw badRequest(`团员信息有误：${problems.map((p) => p.message).join('；')}`, problems);
      if (value.admissionNumber && value.admissionNumber !== m.admission_number) {
        const adm = (await this.duplicates([], [value.admissionNumber], trx)).byAdmission.get(value.admissionNumber);
        if (adm && adm.id !== m.id)
          throw conflict('发展团员编号已被其他团员使用', [
            { path: 'admissionNumber', message: '发展团员编号已被使用' },
          ]);
      }
      const r = this.row(value, { id: m.org_id, path: m.org_path }, m.status);
      const changed = this.changes(m, value);
      await trx
        .updateTable('member')
        .set({
          ...this.editableColumns(r),
          ...(input.graduationDate !== undefined && { graduation_date: input.graduationDate }),
        })
        .where('id', '=', m.id)
        .execute();
      await audit(trx, ctx, {
        org: { id: m.org_id, path: m.org_path },
        action: 'member.update',
        subjectType: 'member',
        subjectId: m.id,
        before: Object.fromEntries(changed.map((c) => [c.field, c.from])),
        after: Object.fromEntries(changed.map((c) => [c.field, c.to])),
      });
      return this.get(ctx.actor, m.id, trx);
    });
  }

  /** What would change from the stored record to `p` (phones compared in full, shown masked). */
  changes(m: MemberRow, p: PreparedMember) {
    const out: { field: string; label: string; from: string | null; to: string | null }[] = [];
    const cmp = (field: string, from: string | null, to: string | null, show = (v: string | null) => v) => {
      if ((from ?? null) !== (to ?? null))
        out.push({ field, label: memberFieldLabel(field), from: show(from), to: show(to) });
    };
    cmp('name', m.name, p.name);
    cmp('ethnicity', m.ethnicity, p.ethnicity);
    cmp('phone', m.phone_enc ? this.cipher.decrypt(m.phone_enc) : null, p.phone, (v) => (v ? maskPhone(v) : null));
    cmp('politicalStatus', m.political_status, p.politicalStatus);
    cmp('joinedOn', m.joined_on, p.joinedOn);
    cmp('admissionNumber', m.admission_number, p.admissionNumber);
    cmp('education', m.education, p.education);
    cmp('identityCategory', m.identity_category, p.identityCategory);
    cmp('leaguePost', m.league_post, p.leaguePost);
    return out;
  }

  async load(actor: Actor, id: number, need: 'read' | 'write', db: Kysely<DB> = this.db): Promise<MemberRow> {
    const m = await db.selectFrom('member').selectAll().where('id', '=', id).executeTakeFirst();
    if (!m) throw notFound('团员');
    requireOrg(actor, need, { id: m.org_id, path: m.org_path });
    return m;
  }

  present(m: MemberRow & { orgName: string }) {
    return {
      id: m.id,
      orgId: m.org_id,
      orgName: m.orgName,
      name: m.name,
      gender: m.gender,
      ethnicity: m.ethnicity,
      idNumberMasked: m.id_number_mask,
      birthDate: m.birth_date,
      age: ageOn(m.birth_date),
      phoneMasked: m.phone_mask,
      politicalStatus: m.political_status,
      joinedOn: m.joined_on,
      admissionNumber: m.admission_number,
      education: m.education,
      identityCategory: m.identity_category,
      leaguePost: m.league_post,
      graduationDate: m.graduation_date,
      status: m.status,
      statusLabel: MEMBER_STATUS_LABELS[m.status],
    };
  }

  async get(actor: Actor, id: number, db: Kysely<DB> = this.db) {
    const m = await this.load(actor, id, 'read', db);
    const org = await db.selectFrom('org').select('name').where('id', '=', m.org_id).executeTakeFirstOrThrow();
    return {
      ...this.present({ ...m, orgName: org.name }),
      canWrite: can(actor, 'write', { id: m.org_id, path: m.org_path }),
    };
  }

  /** Full ID number and phone; needs write access and is audited. */
  async sensitive(ctx: Ctx, id: number) {
    const m = await this.load(ctx.actor, id, 'write');
    await audit(this.db, ctx, {
      org: { id: m.org_id, path: m.org_path },
      action: 'member.reveal',
      subjectType: 'member',
      subjectId: m.id,
      after: { name: m.name },
    });
    return {
      idNumber: this.cipher.decrypt(m.id_number_enc),
      phone: m.phone_enc ? this.cipher.decrypt(m.phone_enc) : null,
    };
  }

  /**
   * Members of the subtree matching the filters. `byIndex: false` keeps the database off the (org_path, id)
   * index (the page is then found by walking a sort index, see `roster`); `full` says the actor reads the
   * whole subtree, so no further scope condition is needed.
   */
  private rosterQuery(
    actor: Actor,
    rootPath: string,
    f: RosterFilter,
    opts: { byIndex?: boolean; full?: boolean } = {},
    db: Kysely<DB> = this.db,
  ) {
    const path = opts.byIndex === false ? sql<string>`(member.org_path || '')` : sql.ref<string>('member.org_path');
    let q = db
      .selectFrom('member')
      .where((eb) => eb.and([eb(path, '>=', rootPath), eb(path, '<', pathUpperBound(rootPath))]));
    if (!opts.full) q = q.where((eb) => scopeFilter(actor, 'read', eb, 'member.org_path', 'member.org_id'));
    q = f.status ? q.where('member.status', '=', f.status) : q.where('member.status', 'in', CURRENT_STATUSES);
    if (f.q) {
      const needle = f.q;
      const id = checkIdNumber(needle);
      const phone = normalizePhone(needle);
      if (id.ok) q = q.where('member.id_number_hash', '=', this.cipher.hash(id.idNumber));
      else if (phone && /^1\d{10}$/.test(phone)) q = q.where('member.phone_hash', '=', this.cipher.hash(phone));
      else q = q.where((eb) => this.database.dialect.ilike(eb.ref('member.name'), needle));
    }
    if (f.idLast4) q = q.where('member.id_number_mask', 'like', `%${f.idLast4.toUpperCase()}`);
    if (f.category) q = q.where('member.identity_category', '=', f.category);
    if (f.leaguePost) q = q.where('member.league_post', '=', f.leaguePost);
    if (f.joinedYear) q = q.where('member.joined_on', 'like', `${f.joinedYear}-%`);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const shift = (years: number) => `${Number(today.slice(0, 4)) - years}${today.slice(4)}`;
    // age ≥ a ⇔ born on or before today − a years; age ≤ b ⇔ born after today − (b + 1) years.
    if (f.ageMin !== undefined) q = q.where('member.birth_date', '<=', shift(f.ageMin));
    if (f.ageMax !== undefined) q = q.where('member.birth_date', '>', shift(f.ageMax + 1));
    return q;
  }

  private async root(actor: Actor, orgId: number) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    return org!;
  }

  /** Whether the actor reads the whole subtree of `root` (so the roll-up figures are theirs to see). */
  private fullScope(actor: Actor, root: { path: string }): boolean {
    if (actor.isSystemAdmin) return true;
    const ancestors = ancestorIds(root.path);
    return actor.roles.some(
      (r) => (r.scopes.includes('subtree_full') || r.scopes.includes('subtree_read')) && ancestors.includes(r.orgId),
    );
  }

  /**
   * Whether a sorted page is cheaper to find by walking the sort index from its start, checking subtree and
   * status in the index (≈ `upTo` × all ÷ subtree entries), than by reading the subtree through the path
   * index and sorting it (≈ subtree rows, each about twice as dear as a walked entry, measured on the province
   * demo). A province or city walks, a school or branch sorts its rows; in between either is quick.
   */
  private async walksSortIndex(rootPath: string, subtree: number, upTo: number): Promise<boolean> {
    if (subtree <= 0) return false;
    const top = await MemberStats.byStatus(this.db, ancestorIds(rootPath)[0]!);
    const all = Object.values(top).reduce((a, n) => a + n, 0);
    return (upTo * all) / subtree < 2 * subtree;
  }

  /**
   * The roster of a subtree, paged. In branch order (the default) the page is read from the (org_path, id)
   * index; sorted by 姓名, 出生日期 or 入团年月 it comes from that column's index (large subtrees) or from a sort
   * of the subtree (small ones), ids first and rows afterwards. The total comes from the roll-up when
   * unfiltered.
   */
  async roster(actor: Actor, orgId: number, f: RosterFilter, page: number, pageSize: number, s: RosterSort = {}) {
    const root = await this.root(actor, orgId);
    const full = this.fullScope(actor, root);
    const by = s.sort ?? 'branch';
    const dir = s.order ?? 'asc';
    const offset = (page - 1) * pageSize;
    if (by !== 'branch' && offset + pageSize > MAX_SORTED_ROWS)
      throw badRequest(
        `按姓名、年龄或入团年月排序时最多查看前 ${MAX_SORTED_ROWS.toLocaleString('zh-CN')} 名，请用筛选条件缩小范围，或按所在团支部排序`,
        [{ path: 'page', message: '页码过大', value: String(page) }],
      );
    const current = full
      ? await MemberStats.byStatus(this.db, root.id).then((st) =>
          CURRENT_STATUSES.reduce((a, x) => a + (st[x] ?? 0), 0),
        )
      : undefined;
    const unfiltered = Object.values(f).every((v) => v === undefined) && current !== undefined;
    const count = unfiltered
      ? Promise.resolve(current!)
      : this.rosterQuery(actor, root.path, f, { full })
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
          .then((r) => Number(r.n));
    let page$: Promise<MemberRow[]>;
    if (by === 'branch') {
      // The page is read from the (org_path, id) index alone; branch names are joined to those rows only,
      // so neither database is tempted to join and sort the whole subtree.
      page$ = this.rosterQuery(actor, root.path, f, { full })
        .selectAll('member')
        .orderBy('member.org_path', dir)
        .orderBy('member.id', dir)
        .limit(pageSize)
        .offset(offset)
        .execute();
    } else {
      const column = SORT_COLUMNS[by];
      const walk = current !== undefined && (await this.walksSortIndex(root.path, current, offset + pageSize));
      const key = walk ? sql.ref<string>(`member.${column}`) : sql<string>`(${sql.ref(`member.${column}`)} || '')`;
      // Members without 入团年月 come first going up and last going down, on both databases.
      const nulls = this.database.dialect.name === 'postgres' && column === 'joined_on';
      const ids = (db: Kysely<DB>) =>
        this.rosterQuery(actor, root.path, f, { byIndex: !walk, full }, db)
          .select('member.id')
          .orderBy(key, (ob) => {
            const o = dir === 'asc' ? ob.asc() : ob.desc();
            return nulls ? (dir === 'asc' ? o.nullsFirst() : o.nullsLast()) : o;
          })
          .orderBy('member.org_path', dir)
          .orderBy('member.id', dir)
          .limit(pageSize)
          .offset(offset)
          .execute();
      // PostgreSQL cannot tell how far into the sort index a deep page lies within a large subtree and may
      // prefer reading and sorting the whole table (seconds); the walk was chosen above from the roll-up.
      page$ = (
        walk && this.database.dialect.name === 'postgres'
          ? this.db.transaction().execute(async (trx) => {
              await sql`set local enable_sort = off`.execute(trx);
              return ids(trx);
            })
          : ids(this.db)
      ).then(async (ids) => {
        if (!ids.length) return [];
        const rows = new Map(
          (
            await this.db
              .selectFrom('member')
              .selectAll()
              .where(
                'id',
                'in',
                ids.map((r) => r.id),
              )
              .execute()
          ).map((r) => [r.id, r]),
        );
        return ids.map((r) => rows.get(r.id)!);
      });
    }
    const [total, rows] = await Promise.all([count, page$.then((p) => this.withOrgNames(p))]);
    return { total, items: rows.map((r) => this.present(r)) };
  }

  private async withOrgNames<T extends { org_id: number }>(rows: T[]): Promise<(T & { orgName: string })[]> {
    const ids = [...new Set(rows.map((r) => r.org_id))];
    const names = new Map(
      (ids.length ? await this.db.selectFrom('org').select(['id', 'name']).where('id', 'in', ids).execute() : []).map(
        (o) => [o.id, o.name],
      ),
    );
    return rows.map((r) => ({ ...r, orgName: names.get(r.org_id) ?? '' }));
  }

  /**
   * Counts of a subtree: by status (roll-up), by 身份类别 (counted; at most 10 minutes old above 100,000
   * members) and the direct children's totals (roll-up). A role that reads single orgs only (org_read /
   * org_full) gets the counts of the members it may see, counted directly.
   */
  async stats(actor: Actor, orgId: number) {
    const root = await this.root(actor, orgId);
    const statusLabels = MEMBER_STATUS_LABELS;
    const sumCurrent = (m: Record<string, number>) => CURRENT_STATUSES.reduce((a, s) => a + (m[s] ?? 0), 0);
    if (!this.fullScope(actor, root)) {
      const rows = await this.db
        .selectFrom('member')
        .select(['member.status', 'member.identity_category', sql<number>`count(*)`.as('n')])
        .where((eb) => inSubtree(eb, 'member.org_path', root.path))
        .where((eb) => scopeFilter(actor, 'read', eb, 'member.org_path', 'member.org_id'))
        .groupBy(['member.status', 'member.identity_category'])
        .execute();
      const byStatus: Record<string, number> = {};
      const byCategory: Record<string, number> = {};
      for (const r of rows) {
        byStatus[r.status] = (byStatus[r.status] ?? 0) + Number(r.n);
        if (CURRENT_STATUSES.includes(r.status)) {
          const c = r.identity_category ?? NO_CATEGORY;
          byCategory[c] = (byCategory[c] ?? 0) + Number(r.n);
        }
      }
      return {
        total: sumCurrent(byStatus),
        byStatus,
        statusLabels,
        byCategory,
        categoryAsOf: null,
        children: [],
        scope: 'visible' as const,
      };
    }
    const byStatus = await MemberStats.byStatus(this.db, root.id);
    const total = sumCurrent(byStatus);
    const [category, children] = await Promise.all([this.byCategory(root, total), this.childTotals(root.id)]);
    return {
      total,
      byStatus,
      statusLabels,
      byCategory: category.counts,
      categoryAsOf: category.asOf,
      children,
      scope: 'subtree' as const,
    };
  }

  private readonly categoryCache = new Map<
    number,
    { at: number; counts: Record<string, number>; refreshing?: Promise<unknown> }
  >();

  /**
   * 在册团员 by 身份类别: counted live up to 100,000 members. Above that the figure is at most 10 minutes old: a
   * stale figure is answered at once while a fresh count runs in the background, so only the first request
   * after a start waits for the count (about a second for a province).
   */
  private async byCategory(root: { id: number; path: string }, total: number) {
    const count = async () => {
      const rows = await this.db
        .selectFrom('member')
        .select(['member.identity_category', sql<number>`count(*)`.as('n')])
        .where((eb) => inSubtree(eb, 'member.org_path', root.path))
        .where('member.status', 'in', CURRENT_STATUSES)
        .groupBy('member.identity_category')
        .execute();
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.identity_category ?? NO_CATEGORY] = Number(r.n);
      return counts;
    };
    if (total <= LIVE_CATEGORY_LIMIT) return { counts: await count(), asOf: null };
    const hit = this.categoryCache.get(root.id);
    if (hit) {
      if (Date.now() - hit.at >= CATEGORY_CACHE_MS && !hit.refreshing) {
        const at = Date.now();
        hit.refreshing = count()
          .then((counts) => this.categoryCache.set(root.id, { at, counts }))
          .catch(() => {
            hit.refreshing = undefined;
          });
      }
      return { counts: hit.counts, asOf: new Date(hit.at).toISOString() };
    }
    const at = Date.now();
    const counts = await count();
    this.categoryCache.set(root.id, { at, counts });
    return { counts, asOf: new Date(at).toISOString() };
  }

  /** The direct children of an org with their members (everything below them), largest first. */
  private async childTotals(orgId: number) {
    const rows = await this.db
      .selectFrom('org')
      .leftJoin('member_stats as s', (j) => j.onRef('s.org_id', '=', 'org.id').on('s.status', 'in', CURRENT_STATUSES))
      .select(['org.id', 'org.name', 'org.kind', sql<number>`coalesce(sum(s.n), 0)`.as('total')])
      .where('org.parent_id', '=', orgId)
      .where('org.status', '=', 'active')
      .groupBy(['org.id', 'org.name', 'org.kind'])
      .execute();
    return rows
      .map((r) => ({ id: r.id, name: r.name, kind: r.kind, total: Number(r.total) }))
      .sort((a, b) => b.total - a.total || a.id - b.id)
      .slice(0, MAX_CHILD_TOTALS);
  }

  async rosterSheet(actor: Actor, orgId: number, f: RosterFilter, s: RosterSort = {}): Promise<SheetSpec> {
    const root = await this.root(actor, orgId);
    const dir = s.order ?? 'asc';
    let q = this.rosterQuery(actor, root.path, f)
      .innerJoin('org', 'org.id', 'member.org_id')
      .selectAll('member')
      .select('org.name as orgName');
    if (s.sort && s.sort !== 'branch') q = q.orderBy(`member.${SORT_COLUMNS[s.sort]}`, dir);
    const rows = await q.orderBy('member.org_path', dir).orderBy('member.id', dir).limit(1_000_000).execute();
    return {
      name: '团员名单',
      title: `${root.name} 团员名单（身份证号、手机号已脱敏）`,
      columns: [
        { header: '姓名', key: 'name', width: 10 },
        { header: '性别', key: 'gender', width: 6 },
        { header: '民族', key: 'ethnicity', width: 8 },
        { header: '身份证号', key: 'idNumberMasked', width: 22 },
        { header: '出生日期', key: 'birthDate', width: 12 },
        { header: '年龄', key: 'age', width: 6 },
        { header: '手机号', key: 'phoneMasked', width: 14 },
        { header: '政治面貌', key: 'politicalStatus', width: 12 },
        { header: '入团年月', key: 'joinedOn', width: 10 },
        { header: '发展团员编号', key: 'admissionNumber', width: 16 },
        { header: '学历', key: 'education', width: 10 },
        { header: '身份类别', key: 'identityCategory', width: 10 },
        { header: '团内职务', key: 'leaguePost', width: 12 },
        { header: '所在团支部', key: 'orgName', width: 36 },
        { header: '状态', key: 'statusLabel', width: 10 },
      ],
      rows: rows.map((r) => this.present(r)),
    };
  }

  /** Members turning 28 in `year` (or older) still 正常, without a league office (团内职务 other than 团员). */
  async ageOutList(actor: Actor, orgId: number, year: number, db: Kysely<DB> = this.db) {
    const root = await db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', root);
    const rows = await db
      .selectFrom('member')
      .innerJoin('org', 'org.id', 'member.org_id')
      .selectAll('member')
      .select('org.name as orgName')
      .where((eb) => inSubtree(eb, 'member.org_path', root!.path))
      .where((eb) => scopeFilter(actor, 'read', eb, 'member.org_path', 'member.org_id'))
      .where('member.status', '=', 'normal')
      .where('member.birth_date', '<=', `${year - 28}-12-31`)
      .where((eb) => eb.or([eb('member.league_post', 'is', null), eb('member.league_post', '=', '团员')]))
      .orderBy('member.org_path')
      .orderBy('member.birth_date')
      .limit(5000)
      .execute();
    return rows.map((r) => this.present(r));
  }

  /** 超龄离团 for the chosen members of the age-out list; any other id rejects the whole request. */
  async ageOut(ctx: Ctx, orgId: number, memberIds: number[], year: number) {
    return this.db.transaction().execute(async (trx) => {
      const root = await trx.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
      requireOrg(ctx.actor, 'write', root);
      const eligible = new Map((await this.ageOutList(ctx.actor, orgId, year, trx)).map((m) => [m.id, m]));
      const problems = memberIds
        .filter((id) => !eligible.has(id))
        .map((id) => ({
          path: 'memberIds',
          message: `团员 ${id} 不在${year}年超龄名单中（或不在本组织范围内）`,
          value: String(id),
        }));
      if (problems.length) throw badRequest('所选团员中有不符合超龄离团条件的，未作任何修改', problems);
      const stats = new MemberStats();
      const now = nowIso();
      for (const id of memberIds) {
        const m = await trx
          .selectFrom('member')
          .select(['org_id', 'org_path', 'status'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        requireOrg(ctx.actor, 'write', { id: m.org_id, path: m.org_path });
        await trx.updateTable('member').set({ status: 'aged_out', updated_at: now }).where('id', '=', id).execute();
        forgetMembers([id]);
        stats.add(m.org_path, m.status, -1).add(m.org_path, 'aged_out', 1);
      }
      await stats.flush(trx);
      await audit(trx, ctx, {
        org: root!,
        action: 'member.age_out',
        subjectType: 'member',
        subjectId: null,
        after: { year, members: memberIds.map((id) => eligible.get(id)!.name) },
      });
      return { updated: memberIds.length };
    });
  }
}
