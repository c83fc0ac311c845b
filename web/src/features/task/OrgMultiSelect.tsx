import { useEffect, useMemo, useRef, useState } from 'react';
import { Select, Typography } from 'antd';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import type { Items, Org, OrgSearchHit } from '../../lib/types';
import { KindTag } from '../../components/KindTag';
import type { OrgRef } from './types';

interface Option {
  id: number;
  name: string;
  kind?: string;
  kindLabel?: string;
  path?: string;
  /** Shown first and marked (本级, the candidates of an unresolved name). */
  note?: string;
}

interface Props {
  /** Search and the direct children below this org. */
  within: number;
  /** Offered before any search (the org itself as 本级, an import's candidates …). */
  extra?: (OrgRef & { note?: string })[];
  /** Whether the direct children of `within` are offered before any search. */
  children?: boolean;
  exclude?: number[];
  value?: number[];
  /** The chosen ids, and the chosen orgs with their names. */
  onChange?: (ids: number[], orgs: OrgRef[]) => void;
  placeholder?: string;
  'data-testid'?: string;
  'aria-label'?: string;
  style?: React.CSSProperties;
}

/**
 * Picks several orgs of a subtree: the direct children (and any `extra`) are listed at once, others are found
 * by name (GET /api/orgs/search within the subtree). Each option shows its kind and path.
 */
export function OrgMultiSelect({
  within,
  extra,
  children = true,
  exclude,
  value,
  onChange,
  placeholder = '选择或输入名称搜索组织',
  style,
  ...rest
}: Props) {
  const kids = useRequest(() => api.get<Items<Org>>(`/api/orgs/${within}/children`), [within], children);
  const [hits, setHits] = useState<OrgSearchHit[]>([]);
  const [loading, setLoading] = useState(false);
  const [known, setKnown] = useState<Map<number, Option>>(() => new Map());
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const search = (q: string) => {
    clearTimeout(timer.current);
    const needle = q.trim().slice(0, 50);
    if (!needle) {
      setHits([]);
      return;
    }
    timer.current = setTimeout(() => {
      const mine = ++seq.current;
      setLoading(true);
      api
        .get<Items<OrgSearchHit>>('/api/orgs/search', { q: needle, within, limit: 30 })
        .then(
          (res) => mine === seq.current && setHits(res.items),
          () => mine === seq.current && setHits([]),
        )
        .finally(() => mine === seq.current && setLoading(false));
    }, 250);
  };

  const options = useMemo(() => {
    const all = new Map<number, Option>();
    for (const e of extra ?? []) all.set(e.id, { id: e.id, name: e.name, note: e.note });
    for (const k of kids.data?.items ?? [])
      if (k.status === 'active' && !all.has(k.id))
        all.set(k.id, { id: k.id, name: k.name, kind: k.kind, kindLabel: k.kindLabel });
    for (const h of hits) {
      const old = all.get(h.id);
      all.set(h.id, {
        ...old,
        id: h.id,
        name: h.name,
        kind: h.kind,
        kindLabel: h.kindLabel,
        path: h.pathNames.join(' / '),
      });
    }
    for (const id of value ?? []) if (!all.has(id) && known.has(id)) all.set(id, known.get(id)!);
    return [...all.values()].filter((o) => !exclude?.includes(o.id));
  }, [extra, kids.data, hits, value, known, exclude]);

  return (
    <Select<number[], { value: number; label: string; o: Option }>
      {...rest}
      mode="multiple"
      value={value}
      style={{ width: '100%', ...style }}
      placeholder={placeholder}
      loading={loading || kids.loading}
      showSearch={{ filterOption: false, onSearch: search }}
      onBlur={() => setHits([])}
      notFoundContent={loading ? '搜索中…' : '没有找到符合条件的组织'}
      options={options.map((o) => ({ value: o.id, label: o.name, o }))}
      optionRender={({ data: { o } }) => (
        <div data-testid={`org-option-${o.id}`}>
          <div>
            {o.name} {o.kind && o.kindLabel && <KindTag kind={o.kind} label={o.kindLabel} />}
            {o.note && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {' '}
                {o.note}
              </Typography.Text>
            )}
          </div>
          {o.path && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
              {o.path}
            </Typography.Text>
          )}
        </div>
      )}
      onChange={(ids, opts) => {
        const picked = (Array.isArray(opts) ? opts : [opts]).flatMap((p) => (p && 'o' in p ? [p.o] : []));
        const n = new Map(known);
        for (const p of picked) n.set(p.id, p);
        setKnown(n);
        onChange?.(
          ids,
          ids.map((id) => ({ id, name: n.get(id)?.name ?? options.find((o) => o.id === id)?.name ?? String(id) })),
        );
      }}
    />
  );
}
