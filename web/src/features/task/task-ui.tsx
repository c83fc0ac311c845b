import { Flex, Tag, Tooltip, Typography } from 'antd';
import { Link } from 'react-router';
import { dayjs, TIME_ZONE } from '../../lib/format';
import type { AssignmentState, Milestone, PlanAssignment, ResponsibleRole, Target } from './types';

/** The states as the server names them (STATE_LABELS in assignment.service.ts). */
export const STATE_LABELS: Record<AssignmentState, string> = {
  not_started: '未开始',
  in_progress: '进行中',
  submitted: '待审核',
  returned: '已退回',
  done: '已完成',
};

export const STATE_ORDER: AssignmentState[] = ['not_started', 'in_progress', 'submitted', 'returned', 'done'];

/** antd tag colours per state; the same hues as text colours for the count cards. */
export const STATE_COLORS: Record<AssignmentState, string> = {
  not_started: 'default',
  in_progress: 'processing',
  submitted: 'gold',
  returned: 'magenta',
  done: 'success',
};
export const STATE_HUES: Record<AssignmentState | 'overdue' | 'due_soon', string> = {
  not_started: '#8c8c8c',
  in_progress: '#1677ff',
  submitted: '#d48806',
  returned: '#c41d7f',
  done: '#389e0d',
  overdue: '#cf1322',
  due_soon: '#d46b08',
};

export const ROLE_LABELS: Record<ResponsibleRole, string> = { lead: '牵头', support: '配合' };

export function StateTag({ state, overdue, label }: { state: AssignmentState; overdue?: boolean; label?: string }) {
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <Tag color={STATE_COLORS[state]} style={{ marginInlineEnd: overdue ? 4 : 0 }} data-testid="task-state">
        {label ?? STATE_LABELS[state]}
      </Tag>
      {overdue && (
        <Tag color="red" style={{ marginInlineEnd: 0 }} data-testid="task-overdue">
          逾期
        </Tag>
      )}
    </span>
  );
}

/** Today in Beijing, `YYYY-MM-DD`. */
export const today = () => dayjs().tz(TIME_ZONE).format('YYYY-MM-DD');
export const thisYear = () => Number(today().slice(0, 4));

/** `2026-05-31` → `5月31日` (with the year when it is not `year`). */
export function chineseDay(iso: string, year?: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y !== year ? `${y}年` : ''}${m}月${d}日`;
}

/** A due date, red when overdue (and not done). */
export function DueDate({ dueOn, overdue }: { dueOn: string | null; overdue?: boolean }) {
  if (!dueOn) return <Typography.Text type="secondary">待定</Typography.Text>;
  return (
    <Typography.Text type={overdue ? 'danger' : undefined} strong={overdue} style={{ whiteSpace: 'nowrap' }}>
      {dueOn}
      {overdue ? '（逾期）' : ''}
    </Typography.Text>
  );
}

/** How a deadline text was read: `→ 5月31日`, or every milestone for "10月中旬、全年". */
export function DeadlineReadingText({ milestones }: { milestones: Milestone[] }) {
  if (!milestones.length) return null;
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="deadline-reading">
      → {milestones.map((m) => m.reading).join('、')}
    </Typography.Text>
  );
}

const OP_TEXT: Record<Target['op'], string> = { '>=': '≥', '<=': '≤' };

export const targetText = (t: Target) => `${t.label ? `${t.label} ` : ''}${OP_TEXT[t.op]} ${t.value}${t.unit}`;

export function TargetTags({ targets }: { targets: Target[] }) {
  if (!targets.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex wrap gap={4}>
      {targets.map((t, i) => (
        <Tooltip key={i} title={`原文：${t.phrase}`}>
          <Tag color="geekblue" style={{ marginInlineEnd: 0 }} data-testid="task-target">
            {targetText(t)}
          </Tag>
        </Tooltip>
      ))}
    </Flex>
  );
}

/** 责任单位 of a task as chips coloured by their state, each opening the assignment. */
export function ResponsibleChips({ assignments }: { assignments: PlanAssignment[] }) {
  if (!assignments.length) return <Typography.Text type="secondary">未交办</Typography.Text>;
  const sorted = [...assignments].sort((a, b) => (a.role === b.role ? 0 : a.role === 'lead' ? -1 : 1));
  return (
    <Flex wrap gap={4}>
      {sorted.map((a) => (
        <Tooltip
          key={a.id}
          title={`${ROLE_LABELS[a.role]} · ${STATE_LABELS[a.state]}${a.overdue ? ' · 逾期' : ''}${a.dueOn ? ` · ${a.dueOn} 前` : ''}`}
        >
          <Link to={`/tasks/assignments/${a.id}`} data-testid={`responsible-${a.orgId}`}>
            <Tag
              color={a.overdue ? 'red' : STATE_COLORS[a.state]}
              style={{ marginInlineEnd: 0, cursor: 'pointer' }}
              data-state={a.state}
            >
              {a.role === 'support' ? '配合·' : ''}
              {a.orgName}
            </Tag>
          </Link>
        </Tooltip>
      ))}
    </Flex>
  );
}

/** 工作内容 as written: line breaks kept. */
export function Content({ text, rows }: { text: string; rows?: number }) {
  return (
    <Typography.Paragraph
      style={{ whiteSpace: 'pre-wrap', marginBottom: 0, wordBreak: 'break-word' }}
      ellipsis={rows ? { rows, expandable: 'collapsible', symbol: (open) => (open ? '收起' : '展开') } : undefined}
    >
      {text}
    </Typography.Paragraph>
  );
}

/** A plan as lists name it: its title, with the year in front unless the title has it. */
export const planLabel = (year: number, title: string) => (title.includes(String(year)) ? title : `${year}年 ${title}`);

export const excerpt = (s: string, n = 60) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
};

/** Years offered by the year filters: next year back to 2018. */
export function yearOptions(): { value: number; label: string }[] {
  const last = thisYear() + 1;
  return Array.from({ length: last - 2017 }, (_, i) => last - i).map((y) => ({ value: y, label: `${y}年` }));
}

export function fileSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
