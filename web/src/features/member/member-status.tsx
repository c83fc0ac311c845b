import { Tag } from 'antd';

/** Colours of 团籍状态: current members stand out, those who have left are grey. */
export const MEMBER_STATUS_COLORS: Record<string, string> = {
  normal: 'green',
  transferring_out: 'gold',
  transferred_out: 'default',
  aged_out: 'purple',
  left: 'default',
  suspended: 'red',
};

export function MemberStatusTag({ status, label }: { status: string; label: string }) {
  return (
    <Tag color={MEMBER_STATUS_COLORS[status] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {label}
    </Tag>
  );
}
