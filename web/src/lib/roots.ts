import { api } from './api';
import type { Items, Org } from './types';

/**
 * GET /api/orgs/roots for the first screen. The request starts as soon as the session check succeeds
 * (`prefetchRoots`), and everyone who asks within the same moment (tree, page, scope picker) shares one
 * request; a later call — a reload after a change — always asks the server again. A prefetch nobody used
 * soon (the person went to another screen first) is dropped, so it never shows stale counts later.
 */
const PREFETCH_FRESH_MS = 5_000;
let shared: Promise<Items<Org>> | null = null;
let sharedAt = 0;

export function prefetchRoots(): void {
  shared = api.get<Items<Org>>('/api/orgs/roots');
  sharedAt = Date.now();
  shared.catch(() => undefined);
}

export function fetchRoots(): Promise<Items<Org>> {
  if (shared && Date.now() - sharedAt > PREFETCH_FRESH_MS) shared = null;
  const p = shared ?? api.get<Items<Org>>('/api/orgs/roots');
  if (p !== shared) sharedAt = Date.now();
  shared = p;
  setTimeout(() => {
    if (shared === p) shared = null;
  }, 0);
  return p;
}
