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

let arrived: { at: number; data: Items<Org> } | null = null;

export function prefetchRoots(): void {
  const p = api.get<Items<Org>>('/api/orgs/roots');
  shared = p;
  sharedAt = Date.now();
  arrived = null;
  p.then(
    (data) => {
      if (shared === p) arrived = { at: sharedAt, data };
    },
    () => undefined,
  );
}

/** The prefetched roots if they have already arrived (and are fresh), so the first screen renders them at once. */
export function peekRoots(): Items<Org> | undefined {
  if (arrived && Date.now() - arrived.at <= PREFETCH_FRESH_MS) return arrived.data;
  return undefined;
}

export function fetchRoots(): Promise<Items<Org>> {
  if (shared && Date.now() - sharedAt > PREFETCH_FRESH_MS) shared = null;
  const p = shared ?? api.get<Items<Org>>('/api/orgs/roots');
  if (p !== shared) sharedAt = Date.now();
  shared = p;
  setTimeout(() => {
    if (shared === p) shared = null;
    arrived = null;
  }, 0);
  return p;
}
