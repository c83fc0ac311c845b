import { useEffect, useRef, type RefObject } from 'react';

/**
 * Brings an element into view when `key` changes to a non-null value and the element starts below the
 * visible part of the screen (an import's result under a tall upload area on a phone). The element should
 * have `scroll-margin-top` clear of the sticky header (class `scroll-target`).
 */
export function useScrollIntoView<T extends HTMLElement>(key: string | null): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (!key || !el) return;
    if (el.getBoundingClientRect().top > window.innerHeight - 120)
      el.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [key]);
  return ref;
}
