import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { nowIso } from '../common/time.js';

export interface OrgNotice {
  kind: string;
  title: string;
  body: string;
  link: string | null;
}

/**
 * An in-app notification for every account holding a current role at each of the orgs (one per account and
 * org); call inside the transaction of the change it announces. Returns how many were written.
 */
export async function notifyOrgCadres(trx: Kysely<DB>, notices: { orgId: number; notice: OrgNotice }[]) {
  if (!notices.length) return 0;
  const orgIds = [...new Set(notices.map((n) => n.orgId))];
  const holders = new Map<number, Set<number>>();
  for (let i = 0; i < orgIds.length; i += 1000) {
    const roles = await trx
      .selectFrom('role')
      .select(['account_id', 'org_id'])
      .where('org_id', 'in', orgIds.slice(i, i + 1000))
      .where('ended_at', 'is', null)
      .execute();
    for (const r of roles) {
      let set = holders.get(r.org_id);
      if (!set) holders.set(r.org_id, (set = new Set()));
      set.add(r.account_id);
    }
  }
  const now = nowIso();
  const rows = notices.flatMap(({ orgId, notice }) =>
    [...(holders.get(orgId) ?? [])].map((accountId) => ({
      account_id: accountId,
      member_id: null,
      org_id: orgId,
      kind: notice.kind,
      title: notice.title,
      body: notice.body,
      link: notice.link,
      created_at: now,
      read_at: null,
    })),
  );
  for (let i = 0; i < rows.length; i += 1000)
    await trx
      .insertInto('notification')
      .values(rows.slice(i, i + 1000))
      .execute();
  return rows.length;
}
