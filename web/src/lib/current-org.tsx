import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import type { Me } from './types';

/**
 * The org a person is working on: it follows them from the tree to the directory, the completeness check,
 * the import page and back (menu links carry `?org=`), and survives a reload via localStorage.
 */
const STORAGE_KEY = 'tuanwu.currentOrg';

interface CurrentOrgValue {
  orgId: number | undefined;
  setOrgId: (id: number) => void;
}

const CurrentOrgContext = createContext<CurrentOrgValue | null>(null);

function stored(key: string): number | undefined {
  try {
    const v = Number(localStorage.getItem(key));
    return Number.isInteger(v) && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

export function CurrentOrgProvider({ me, children }: { me: Me; children: ReactNode }) {
  // Remembered per account, so a shared office computer does not carry one cadre's org into another's session.
  const key = `${STORAGE_KEY}.${me.username}`;
  const [orgId, setState] = useState<number | undefined>(() => stored(key) ?? me.roles[0]?.orgId);
  const setOrgId = useCallback(
    (id: number) => {
      setState((old) => (old === id ? old : id));
      try {
        localStorage.setItem(key, String(id));
      } catch {
        // private mode
      }
    },
    [key],
  );
  const value = useMemo(() => ({ orgId, setOrgId }), [orgId, setOrgId]);
  return <CurrentOrgContext.Provider value={value}>{children}</CurrentOrgContext.Provider>;
}

export function useCurrentOrg(): CurrentOrgValue {
  const v = useContext(CurrentOrgContext);
  if (!v) throw new Error('useCurrentOrg outside CurrentOrgProvider');
  return v;
}

/** `?org=` of the page, else the current org. */
export function useOrgParam(): number | undefined {
  const [params] = useSearchParams();
  const { orgId } = useCurrentOrg();
  const fromUrl = Number(params.get('org'));
  return Number.isInteger(fromUrl) && fromUrl > 0 ? fromUrl : orgId;
}
