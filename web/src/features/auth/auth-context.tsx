import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from '../../lib/api';
import type { Me } from '../../lib/types';
import { prefetchRoots } from '../../lib/roots';

interface AuthValue {
  /** `undefined` while the session is being checked, `null` when signed out. */
  me: Me | null | undefined;
  refresh: () => Promise<Me | null>;
  login: (username: string, password: string) => Promise<Me | null>;
  logout: () => Promise<void>;
  /** After registration the server has already opened a session and returned its CSRF token. */
  acceptSession: (csrfToken: string) => Promise<Me | null>;
}

const AuthContext = createContext<AuthValue | null>(null);

async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api.get<Me>('/api/auth/me');
    setCsrfToken(me.csrfToken);
    prefetchRoots();
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

/** The session check starts as soon as the bundle runs, in parallel with React's first render. */
let pendingMe: Promise<Me | null> | null = fetchMe();

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const refresh = useCallback(async () => {
    const m = await fetchMe();
    setMe(m);
    return m;
  }, []);

  useEffect(() => {
    let alive = true;
    const first = pendingMe ?? fetchMe();
    pendingMe = null;
    first.then(
      (m) => alive && setMe(m),
      () => alive && setMe(null),
    );
    // An expired session anywhere in the app signs the user out; the route guard then shows /login.
    setUnauthenticatedHandler(() => {
      setCsrfToken(null);
      setMe(null);
    });
    return () => {
      alive = false;
      setUnauthenticatedHandler(null);
    };
  }, []);

  const login = useCallback(
    async (username: string, password: string) => {
      const res = await api.post<{ csrfToken: string; mustChangePassword: boolean }>('/api/auth/login', {
        username,
        password,
      });
      setCsrfToken(res.csrfToken);
      return refresh();
    },
    [refresh],
  );

  const acceptSession = useCallback(
    async (csrfToken: string) => {
      setCsrfToken(csrfToken);
      return refresh();
    },
    [refresh],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } finally {
      setCsrfToken(null);
      setMe(null);
    }
  }, []);

  const value = useMemo(
    () => ({ me, refresh, login, logout, acceptSession }),
    [me, refresh, login, logout, acceptSession],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** The signed-in user; only for screens behind the route guard. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe without a session');
  return me;
}
