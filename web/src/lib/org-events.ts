import { useEffect, useEffectEvent } from 'react';

/**
 * Tells the tree browser, the breadcrumb and open org pages that orgs changed (created, edited, moved,
 * merged, dissolved, imported), so each reloads just what it shows. `ids` are the orgs whose own data or
 * children changed; `null` means "reload everything you show".
 */
const target = new EventTarget();

export interface OrgsChangedOptions {
  /** An org whose children the person just added to: the tree opens it to show them. */
  expand?: number | null;
}

interface Detail {
  ids: number[] | null;
  options: OrgsChangedOptions;
}

export function emitOrgsChanged(ids: (number | null | undefined)[] | null, options: OrgsChangedOptions = {}): void {
  const clean = ids === null ? null : ids.filter((x): x is number => typeof x === 'number');
  target.dispatchEvent(new CustomEvent<Detail>('orgs-changed', { detail: { ids: clean, options } }));
}

export function useOrgsChanged(handler: (ids: number[] | null, options: OrgsChangedOptions) => void): void {
  const onEvent = useEffectEvent((e: Event) => {
    const { ids, options } = (e as CustomEvent<Detail>).detail;
    handler(ids, options);
  });
  useEffect(() => {
    const listener = (e: Event) => onEvent(e);
    target.addEventListener('orgs-changed', listener);
    return () => target.removeEventListener('orgs-changed', listener);
  }, []);
}
