import { useEffect, useRef, useState } from 'react';
import { Select } from 'antd';
import { api } from '../../lib/api';
import type { Member, Page } from '../../lib/types';

/** Picks a 正常 member of an org's subtree by name, full ID number or phone (the roster search). */
export function MemberPicker({
  orgId,
  value,
  onChange,
  initial,
  ...rest
}: {
  orgId: number;
  value?: number;
  onChange?: (id: number) => void;
  /** A member chosen before (e.g. from the member drawer), shown until a search replaces it. */
  initial?: { id: number; name: string; orgName: string } | undefined;
  'data-testid'?: string;
  id?: string;
}) {
  const [options, setOptions] = useState<{ value: number; label: string }[]>(() =>
    initial ? [{ value: initial.id, label: `${initial.name}（${initial.orgName}）` }] : [],
  );
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const search = (q: string) => {
    window.clearTimeout(timer.current);
    if (!q.trim()) return;
    timer.current = window.setTimeout(async () => {
      const mine = ++seq.current;
      setLoading(true);
      try {
        const page = await api.get<Page<Member>>(`/api/orgs/${orgId}/members`, {
          q: q.trim(),
          status: 'normal',
          pageSize: 20,
        });
        if (mine !== seq.current) return;
        setOptions(
          page.items.map((m) => ({
            value: m.id,
            label: `${m.name}（${m.idNumberMasked} · ${m.orgName}）`,
          })),
        );
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    }, 250);
  };
  return (
    <Select<number>
      {...rest}
      showSearch={{ filterOption: false, onSearch: search }}
      placeholder="输入姓名、完整身份证号或手机号查找"
      notFoundContent={loading ? '查找中…' : '输入后查找本组织及下级的团员'}
      loading={loading}
      value={value}
      onChange={(v) => onChange?.(v)}
      options={options}
    />
  );
}
