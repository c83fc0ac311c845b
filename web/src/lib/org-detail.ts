import { api } from './api';
import type { OrgDetail } from './types';

/**
 * GET /api/orgs/{id}, shared by whoever asks at the same moment (the breadcrumb and the org page open
 * together, and reload together after a change): one request in flight per org, never a stale cache.
 */
const inflight = new Map<number, Promise<OrgDetail>>();

export function fetchOrgDetail(id: number): Promise<OrgDetail> {
  const pending = inflight.get(id);
  if (pending) return pending;
  const p = api.get<OrgDetail>(`/api/orgs/${id}`).finally(() => inflight.delete(id));
  inflight.set(id, p);
  return p;
}
