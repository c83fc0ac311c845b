import { useEffect, useEffectEvent } from 'react';

/**
 * Calls `tick` every `ms` while the page is visible (a phone in a pocket or a background tab asks nothing),
 * and once at once when the page becomes visible again.
 */
export function usePolling(tick: () => void, ms: number, enabled = true): void {
  const onTick = useEffectEvent(tick);
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') onTick();
    }, ms);
    const onVisible = () => {
      if (document.visibilityState === 'visible') onTick();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ms, enabled]);
}
