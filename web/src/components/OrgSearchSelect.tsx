import { useEffect, useRef, useState } from 'react';
import { Select, Typography } from 'antd';
import { api } from '../lib/api';
import type { Items, OrgSearchHit } from '../lib/types';
import { KindTag } from './KindTag';

export interface OrgOption {
  id: number;
  name: string;
}

interface Props {
  value?: number;
  onChange?: (id: number | undefined, hit?: OrgSearchHit) => void;
  /** Shown as the selected label before any search (e.g. the current org). */
  current?: OrgOption;
  /** Hides these ids from the results (an org cannot be moved under itself). */
  exclude?: number[];
  /** Only orgs of one kind set, e.g. possible parents. */
  filter?: (hit: OrgSearchHit) => boolean;
  within?: number;
  /** Results asked of the server (more when `filter` drops many, e.g. only branches). */
  limit?: number;
  placeholder?: string;
  style?: React.CSSProperties;
  'data-testid'?: string;
  'aria-label'?: string;
  allowClear?: boolean;
}

/** Picks an org by name, short name or code (GET /api/orgs/search); each result shows its path. */
export function OrgSearchSelect({
  value,
  onChange,
  current,
  exclude,
  filter,
  within,
  limit = 20,
  placeholder = '输入组织名称或代码搜索',
  style,
  allowClear,
  ...rest
}: Props) {
  const [hits, setHits] = useState<OrgSearchHit[]>([]);
  const [loading, setLoading] = useState(false);
  const [searched, setSearched] = useState(false);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const search = (q: string) => {
    clearTimeout(timer.current);
    const needle = q.trim().slice(0, 50);
    if (!needle) {
      setHits([]);
      setSearched(false);
      return;
    }
    timer.current = setTimeout(() => {
      const mine = ++seq.current;
      setLoading(true);
      api
        .get<Items<OrgSearchHit>>('/api/orgs/search', { q: needle, within, limit })
        .then(
          (res) => {
            if (mine !== seq.current) return;
            setHits(res.items);
            setSearched(true);
          },
          () => mine === seq.current && setHits([]),
        )
        .finally(() => mine === seq.current && setLoading(false));
    }, 250);
  };

  const shown = hits.filter((h) => !exclude?.includes(h.id) && (!filter || filter(h)));
  const options: { value: number; label: string; hit?: OrgSearchHit }[] = shown.map((h) => ({
    value: h.id,
    label: h.name,
    hit: h,
  }));
  if (current && value === current.id && !options.some((o) => o.value === current.id)) {
    options.unshift({ value: current.id, label: current.name });
  }

  return (
    <Select<number, (typeof options)[number]>
      {...rest}
      value={value}
      style={{ minWidth: 220, ...style }}
      placeholder={placeholder}
      allowClear={allowClear}
      loading={loading}
      showSearch={{ filterOption: false, onSearch: search }}
      notFoundContent={loading ? '搜索中…' : searched ? '没有找到符合条件的组织' : '输入名称或代码查找组织'}
      options={options}
      optionRender={(o) =>
        o.data.hit ? (
          <div data-testid={`org-option-${o.data.value}`}>
            <div>
              {o.data.hit.name} <KindTag kind={o.data.hit.kind} label={o.data.hit.kindLabel} />
            </div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
              {o.data.hit.pathNames.join(' / ')}
            </Typography.Text>
          </div>
        ) : (
          o.label
        )
      }
      onChange={(id, opt) => {
        const hit = Array.isArray(opt) ? undefined : opt?.hit;
        onChange?.(id, hit);
      }}
    />
  );
}
