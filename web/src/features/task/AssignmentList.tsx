import { useState, type ReactNode } from 'react';
import { Alert, Badge, Card, Empty, Flex, Grid, Input, Pagination, Select, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import {
  DueDate,
  excerpt,
  planLabel,
  ROLE_LABELS,
  STATE_HUES,
  STATE_LABELS,
  STATE_ORDER,
  StateTag,
  yearOptions,
} from './task-ui';
import type { Board, BoardFilter, BoardItem } from './types';

const PAGE_SIZE = 20;

interface Card {
  key: BoardFilter | undefined;
  label: string;
  count: number;
  color?: string;
}

/** Counts per state, 逾期 and 7 天内到期; a card is also the filter (clicking it again clears it). */
function StateCards({
  counts,
  value,
  onChange,
}: {
  counts: Board['counts'] | undefined;
  value: BoardFilter | undefined;
  onChange: (v: BoardFilter | undefined) => void;
}) {
  const cards: Card[] = [
    { key: undefined, label: '全部', count: counts?.total ?? 0 },
    ...STATE_ORDER.map((s) => ({ key: s, label: STATE_LABELS[s], count: counts?.[s] ?? 0, color: STATE_HUES[s] })),
    { key: 'overdue', label: '逾期', count: counts?.overdue ?? 0, color: STATE_HUES.overdue },
    { key: 'due_soon', label: '7天内到期', count: counts?.dueSoon ?? 0, color: STATE_HUES.due_soon },
  ];
  return (
    <div className="member-stats" data-testid="task-counts">
      {cards.map((c) => {
        const active = value === c.key;
        return (
          <button
            type="button"
            key={c.key ?? 'total'}
            className={`member-stat${active ? ' active' : ''}`}
            aria-pressed={active}
            data-testid={`task-count-${c.key ?? 'total'}`}
            onClick={() => onChange(active && c.key ? undefined : c.key)}
          >
            <span className="label">
              {c.color && <Badge color={c.color} />}
              {c.label}
            </span>
            <span
              className="count"
              style={
                c.color && c.count && (c.key === 'overdue' || c.key === 'due_soon') ? { color: c.color } : undefined
              }
            >
              {c.count.toLocaleString('zh-CN')}
            </span>
          </button>
        );
      })}
    </div>
  );
}

const source = (a: BoardItem) => `${planLabel(a.planYear, a.planTitle)} 第${a.seqLabel}项 · 时限：${a.deadline || '—'}`;

/** One assignment as a card (phones): the task, then who, by when and how far. */
function AssignmentCard({ a }: { a: BoardItem }) {
  return (
    <Card size="small" data-testid={`assignment-${a.id}`} styles={{ body: { padding: 10 } }}>
      <Flex vertical gap={4}>
        <Link to={`/tasks/assignments/${a.id}`} data-testid={`open-assignment-${a.id}`}>
          {excerpt(a.content, 70)}
        </Link>
        <Flex wrap gap={8} align="center" justify="space-between">
          <span>
            {a.orgName}
            {a.role === 'support' ? `（${ROLE_LABELS.support}）` : ''}
          </span>
          <StateTag state={a.state} label={a.stateLabel} overdue={a.overdue} />
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          完成日期 <DueDate dueOn={a.dueOn} overdue={a.overdue} /> · {source(a)}
        </Typography.Text>
      </Flex>
    </Card>
  );
}

export interface Filters {
  state?: BoardFilter;
  year?: number;
  q?: string;
}

/**
 * Assignments of an org (GET /api/orgs/:id/tasks): the subtree's board, the org's own queue (`mine`) or what
 * it assigned (`assigned`), with the count cards, a search box, a year filter and server-side pages.
 */
export function AssignmentList({
  orgId,
  scope,
  filters,
  onFilters,
  toolbar,
  empty,
}: {
  orgId: number;
  scope: 'subtree' | 'mine' | 'assigned';
  filters: Filters;
  onFilters: (f: Filters) => void;
  /** Beside the filters (exports …). */
  toolbar?: ReactNode;
  empty: string;
}) {
  const isPhone = !Grid.useBreakpoint().md;
  const [page, setPage] = useState(1);
  const [text, setText] = useState(filters.q ?? '');
  const { data, error, loading } = useRequest(
    () =>
      api.get<Board>(`/api/orgs/${orgId}/tasks`, {
        scope,
        state: filters.state,
        year: filters.year,
        q: filters.q,
        page,
        pageSize: PAGE_SIZE,
      }),
    [orgId, scope, filters.state, filters.year, filters.q, page],
  );
  const set = (f: Filters) => {
    setPage(1);
    onFilters(f);
  };

  return (
    <Flex vertical gap={12}>
      <StateCards counts={data?.counts} value={filters.state} onChange={(state) => set({ ...filters, state })} />
      <Flex wrap gap={8} align="center" justify="space-between">
        <Flex wrap gap={8} align="center">
          <Input.Search
            allowClear
            placeholder="搜索工作内容或责任单位"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => set({ ...filters, q: v.trim() || undefined })}
            style={{ width: isPhone ? '100%' : 260 }}
            data-testid="task-search"
          />
          <Select<number>
            allowClear
            placeholder="全部年度"
            value={filters.year}
            onChange={(year) => set({ ...filters, year })}
            options={yearOptions()}
            style={{ width: 120 }}
            aria-label="年度"
            data-testid="task-year"
          />
        </Flex>
        {toolbar}
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      {isPhone ? (
        <Flex vertical gap={8} data-testid="task-list">
          {!data?.items.length && !loading && (
            <Empty description={filters.state || filters.q ? '没有符合条件的任务' : empty} />
          )}
          {data?.items.map((a) => (
            <AssignmentCard key={a.id} a={a} />
          ))}
          {(data?.total ?? 0) > PAGE_SIZE && (
            <Pagination
              simple
              align="center"
              current={page}
              pageSize={PAGE_SIZE}
              total={data?.total ?? 0}
              onChange={setPage}
            />
          )}
        </Flex>
      ) : (
        <Table<BoardItem>
          rowKey="id"
          size="middle"
          loading={loading}
          dataSource={data?.items ?? []}
          data-testid="task-list"
          scroll={{ x: 860 }}
          onRow={(a) => ({ 'data-testid': `assignment-${a.id}` }) as React.HTMLAttributes<HTMLElement>}
          locale={{ emptyText: <Empty description={filters.state || filters.q ? '没有符合条件的任务' : empty} /> }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: data?.total ?? 0,
            showSizeChanger: false,
            hideOnSinglePage: true,
            showTotal: (n) => `共 ${n} 项`,
            onChange: setPage,
          }}
          columns={[
            {
              title: '责任单位',
              dataIndex: 'orgName',
              width: isPhone ? 120 : 200,
              render: (name: string, a) => (
                <Flex vertical>
                  <span>{name}</span>
                  {a.role === 'support' && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {ROLE_LABELS.support}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: '任务',
              key: 'task',
              render: (_: unknown, a) => (
                <Flex vertical gap={2}>
                  <Link to={`/tasks/assignments/${a.id}`} data-testid={`open-assignment-${a.id}`}>
                    {excerpt(a.content, 80)}
                  </Link>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {source(a)}
                  </Typography.Text>
                </Flex>
              ),
            },
            {
              title: '完成日期',
              dataIndex: 'dueOn',
              width: 150,
              render: (d: string | null, a) => <DueDate dueOn={d} overdue={a.overdue} />,
            },
            {
              title: '状态',
              dataIndex: 'state',
              width: 140,
              render: (_: unknown, a) => <StateTag state={a.state} label={a.stateLabel} overdue={a.overdue} />,
            },
          ]}
        />
      )}
    </Flex>
  );
}
