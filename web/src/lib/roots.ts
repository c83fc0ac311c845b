import { api } from './api';
import type { Items, Org } from './types';

/**
 * GET /api/orgs/roots for the first screen. The request starts as soon as the session check succeeds
 * (`prefetchRoots`), and everyone who asks within the same moment (tree, page, scope picker) shares one
 * request; a later call — a reload after a change — always asks the server again.
 */
let shared: Promise<Items<Org>> | null = null;

export function prefetchRoots(): void {
  shared = api.get<Items<Org>>('/api/orgs/roots');
  shared.catch(() => undefined);
}

export function fetchRoots(): Promise<Items<Org>> {
  const p = shared ?? api.get<Items<Org>>('/api/orgs/roots');
  shared = p;
  setTimeout(() => {
    if (shared === p) shared = null;
  }, 0);
  return p;
}
