import { useEffect, useRef, useState } from 'react';
import { Select, Tag, Typography } from 'antd';
import { api } from '../../lib/api';
import type { Items, TransferStatus, TransferTarget } from '../../lib/types';
import { failureText } from '../../lib/useSubmit';

/** Colours of the transfer statuses: waiting is gold, done green, refused red, withdrawn grey. */
export const TRANSFER_STATUS_COLORS: Record<TransferStatus, string> = {
  pending: 'gold',
  awaiting_assignment: 'blue',
  completed: 'green',
  rejected: 'red',
  cancelled: 'default',
};

export function TransferStatusTag({ status, label }: { status: TransferStatus; label: string }) {
  return (
    <Tag color={TRANSFER_STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid="transfer-status">
      {label}
    </Tag>
  );
}

/** 学社衔接 stands out from an ordinary 组织关系转接. */
export function TransferKindTag({ kind, label }: { kind: string; label: string }) {
  return kind === 'graduate_handover' ? (
    <Tag color="purple" style={{ marginInlineEnd: 0 }}>
      {label}
    </Tag>
  ) : null;
}

export const transferReasonRules = [
  { required: true, whitespace: true, message: '请填写转接原因' },
  { min: 2, message: '请填写转接原因' },
  { max: 200, message: '转接原因不能超过200字' },
];

export const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

interface TargetSelectProps {
  value?: number;
  onChange?: (id: number | undefined, target?: TransferTarget) => void;
  exclude?: number;
  'data-testid'?: string;
}

/**
 * Picks the receiving org anywhere in the tree (GET /api/transfer-targets): the receiving org is usually outside
 * the cadre's own subtree, so only names and paths are shown, as on a 介绍信.
 */
export function TransferTargetSelect({ value, onChange, exclude, ...rest }: TargetSelectProps) {
  const [hits, setHits] = useState<TransferTarget[]>([]);
  const [loading, setLoading] = useState(false);
  const [hint, setHint] = useState('输入接收组织名称（至少2个字）');
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const search = (q: string) => {
    clearTimeout(timer.current);
    const needle = q.trim().slice(0, 50);
    if (needle.length < 2) {
      setHits([]);
      setHint('输入接收组织名称（至少2个字）');
      return;
    }
    timer.current = setTimeout(() => {
      const mine = ++seq.current;
      setLoading(true);
      api
        .get<Items<TransferTarget>>('/api/transfer-targets', { q: needle })
        .then(
          (res) => {
            if (mine !== seq.current) return;
            setHits(res.items.filter((t) => t.id !== exclude));
            setHint('没有找到该名称的组织');
          },
          (e: unknown) => {
            if (mine !== seq.current) return;
            setHits([]);
            setHint(failureText(e, '搜索失败'));
          },
        )
        .finally(() => mine === seq.current && setLoading(false));
    }, 250);
  };

  return (
    <Select<number, { value: number; label: string; hit: TransferTarget }>
      {...rest}
      value={value}
      placeholder="输入接收组织名称搜索（全省范围）"
      loading={loading}
      showSearch={{ filterOption: false, onSearch: search }}
      notFoundContent={loading ? '搜索中…' : hint}
      options={hits.map((h) => ({ value: h.id, label: h.name, hit: h }))}
      optionRender={(o) => (
        <div data-testid={`transfer-target-${o.data.value}`} style={{ whiteSpace: 'normal' }}>
          <div>
            {o.data.hit.name} <Tag style={{ marginInlineEnd: 0 }}>{o.data.hit.kindLabel}</Tag>
          </div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {o.data.hit.pathNames.join(' / ')}
          </Typography.Text>
        </div>
      )}
      onChange={(id, opt) => onChange?.(id, Array.isArray(opt) ? undefined : opt?.hit)}
    />
  );
}
