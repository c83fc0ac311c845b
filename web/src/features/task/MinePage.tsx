import { useState } from 'react';
import { Alert, Badge, Button, Card, Empty, Flex, Grid, Table, Tabs, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import type { Items, OrgDetail } from '../../lib/types';
import { AssignmentList, type Filters } from './AssignmentList';
import { DueDate, excerpt } from './task-ui';
import type { ReviewItem } from './types';

type TabKey = 'mine' | 'review' | 'assigned';
const TABS: TabKey[] = ['mine', 'review', 'assigned'];

function ReviewQueue({ items, loading }: { items: ReviewItem[]; loading: boolean }) {
  const isPhone = !Grid.useBreakpoint().md;
  if (isPhone)
    return (
      <Flex vertical gap={8} data-testid="task-review-list">
        {!items.length && !loading && <Empty description="没有等待本组织审核的报送" />}
        {items.map((r) => (
          <Card key={r.id} size="small" data-testid={`review-${r.id}`} styles={{ body: { padding: 10 } }}>
            <Flex vertical gap={4}>
              <Flex justify="space-between" align="center" gap={8}>
                <Typography.Text strong>{r.orgName}</Typography.Text>
                <Link to={`/tasks/assignments/${r.assignmentId}`} data-testid={`review-open-${r.id}`}>
                  <Button size="small" type="primary">
                    审核
                  </Button>
                </Link>
              </Flex>
              <Typography.Text>{excerpt(r.content, 50)}</Typography.Text>
              <Typography.Text type="secondary">{excerpt(r.body, 80) || '（仅附件）'}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatTime(r.submittedAt).slice(0, 16)} 报送
              </Typography.Text>
            </Flex>
          </Card>
        ))}
      </Flex>
    );
  return (
    <Table<ReviewItem>
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={items}
      data-testid="task-review-list"
      scroll={{ x: 860 }}
      pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: <Empty description="没有等待本组织审核的报送" /> }}
      onRow={(r) => ({ 'data-testid': `review-${r.id}` }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: '报送单位', dataIndex: 'orgName', width: 180 },
        {
          title: '任务与报送内容',
          key: 'content',
          render: (_: unknown, r) => (
            <Flex vertical gap={2}>
              <Link to={`/tasks/assignments/${r.assignmentId}`}>{excerpt(r.content, 60)}</Link>
              <Typography.Text type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
                {excerpt(r.body, 120) || '（仅附件）'}
              </Typography.Text>
            </Flex>
          ),
        },
        { title: '报送时间', dataIndex: 'submittedAt', width: 170, render: (t: string) => formatTime(t) },
        { title: '完成日期', dataIndex: 'dueOn', width: 120, render: (d: string | null) => <DueDate dueOn={d} /> },
        {
          title: '操作',
          key: 'open',
          width: 80,
          render: (_: unknown, r) => (
            <Link to={`/tasks/assignments/${r.assignmentId}`} data-testid={`review-open-${r.id}`}>
              <Button size="small" type="primary">
                审核
              </Button>
            </Link>
          ),
        },
      ]}
    />
  );
}

/** 我的任务: what the org itself must do, the reports waiting for its review, and what it assigned. */
function Mine({ org }: { org: OrgDetail }) {
  const [params, setParams] = useSearchParams();
  const raw = params.get('tab') as TabKey | null;
  const tab: TabKey = raw && TABS.includes(raw) ? raw : 'mine';
  const [mineFilters, setMineFilters] = useState<Filters>({});
  const [assignedFilters, setAssignedFilters] = useState<Filters>({});
  const reviews = useRequest(() => api.get<Items<ReviewItem>>(`/api/orgs/${org.id}/task-reviews`), [org.id]);
  const waiting = reviews.data?.items.length ?? 0;
  const setTab = (k: string) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (k === 'mine') n.delete('tab');
        else n.set('tab', k);
        return n;
      },
      { replace: true },
    );
  return (
    <Flex vertical gap={8} data-testid="task-mine">
      <Typography.Text type="secondary">{`「${org.name}」承担的任务、待本组织审核的进展报送，以及本组织交办出去的任务。`}</Typography.Text>
      <Tabs
        activeKey={tab}
        onChange={(k) => {
          setTab(k);
          if (k === 'review') reviews.reload();
        }}
        items={[
          {
            key: 'mine',
            label: <span data-testid="task-tab-mine">我承担的</span>,
            children: (
              <AssignmentList
                orgId={org.id}
                scope="mine"
                filters={mineFilters}
                onFilters={setMineFilters}
                empty="本组织还没有承担的任务"
              />
            ),
          },
          {
            key: 'review',
            label: (
              <span data-testid="task-tab-review">
                待我审核 <Badge count={waiting} size="small" data-testid="task-review-count" />
              </span>
            ),
            children: (
              <>
                {reviews.error && <Alert type="error" showIcon title={reviews.error.message} />}
                <ReviewQueue items={reviews.data?.items ?? []} loading={reviews.loading} />
              </>
            ),
          },
          {
            key: 'assigned',
            label: <span data-testid="task-tab-assigned">我交办的</span>,
            children: (
              <AssignmentList
                orgId={org.id}
                scope="assigned"
                filters={assignedFilters}
                onFilters={setAssignedFilters}
                empty="本组织还没有交办出去的任务"
              />
            ),
          },
        ]}
        destroyOnHidden
      />
    </Flex>
  );
}

export default function MinePage() {
  return (
    <ScopedPage title="我的任务" testId="task-mine-page">
      {(org) => <Mine key={org.id} org={org} />}
    </ScopedPage>
  );
}
