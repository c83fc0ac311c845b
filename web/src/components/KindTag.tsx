import { Tag } from 'antd';
import { KIND_COLORS } from '../lib/meta';

export function KindTag({ kind, label }: { kind: string; label: string }) {
  return (
    <Tag color={KIND_COLORS[kind] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {label}
    </Tag>
  );
}
