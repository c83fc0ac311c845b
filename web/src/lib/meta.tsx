import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { api } from './api';
import { useRequest } from './useRequest';
import type { Meta, OrgKind } from './types';

/** Kinds, categories, role types and contact posts, as the server defines them (GET /api/meta). */
const MetaContext = createContext<Meta | undefined>(undefined);

export function MetaProvider({ children }: { children: ReactNode }) {
  const { data } = useRequest(() => api.get<Meta>('/api/meta'), []);
  return <MetaContext.Provider value={data}>{children}</MetaContext.Provider>;
}

export function useMeta(): Meta | undefined {
  return useContext(MetaContext);
}

export function useKindLabels(): Record<string, string> {
  const meta = useMeta();
  return useMemo(() => Object.fromEntries((meta?.kinds ?? []).map((k) => [k.value, k.label])), [meta]);
}

/** Kinds allowed under a parent kind; `null` parent = top level (团委 or 团工委). */
export function allowedChildKinds(meta: Meta | undefined, parentKind: OrgKind | null): Meta['kinds'] {
  if (!meta) return [];
  if (parentKind === null) return meta.kinds.filter((k) => k.value === 'committee' || k.value === 'working_committee');
  const parent = meta.kinds.find((k) => k.value === parentKind);
  return meta.kinds.filter((k) => parent?.allowedChildren.includes(k.value));
}

export const KIND_COLORS: Record<string, string> = {
  committee: 'red',
  working_committee: 'volcano',
  general_branch: 'gold',
  branch: 'blue',
};
