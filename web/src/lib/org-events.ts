import { useEffect, useEffectEvent } from 'react';

/**
 * Tells the tree browser, the breadcrumb and open org pages that orgs changed (created, edited, moved,
 * merged, dissolved, imported), so each reloads just what it shows. `ids` are the orgs whose own data or
 * children changed; `null` means "reload everything you show".
 */
const target = new EventTarget();

export function emitOrgsChanged(ids: (number | null | undefined)[] | null): void {
  const clean = ids === null ? null : ids.filter((x): x is number => typeof x === 'number');
  target.dispatchEvent(new CustomEvent('orgs-changed', { detail: clean }));
}

export function useOrgsChanged(handler: (ids: number[] | null) => void): void {
  const onEvent = useEffectEvent((e: Event) => handler((e as CustomEvent<number[] | null>).detail));
  useEffect(() => {
    const listener = (e: Event) => onEvent(e);
    target.addEventListener('orgs-changed', listener);
    return () => target.removeEventListener('orgs-changed', listener);
  }, []);
}
