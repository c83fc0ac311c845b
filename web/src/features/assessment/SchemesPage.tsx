import { Alert, Button, Card, Empty, Flex, Grid, Table, Tabs, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import type { OrgDetail } from '../../lib/types';
import { PERIOD_KIND_LABELS, StatusTag } from './assessment-ui';
import { IndicatorLibrary } from './IndicatorLibrary';
import type { SchemeSummary } from './types';

function SchemeCards({ items, testId, assessedOrg }: { items: SchemeSummary[]; testId: string; assessedOrg?: number }) {
  if (!items.length) return <Empty description="没有考核方案" />;
  return (
    <Flex vertical gap={8} data-testid={testId}>
      {items.map((s) => (
        <Card key={s.id} size="small" data-testid={`scheme-row-${s.id}`} styles={{ body: { padding: 10 } }}>
          <Flex vertical gap={4}>
            <Link to={assessedOrg ? `/assessment/schemes/${s.id}/orgs/${assessedOrg}` : `/assessment/schemes/${s.id}`}>
              <Typography.Text strong>{s.name}</Typography.Text>
            </Link>
            <Typography.Text type="secondary">
              {s.periodLabel}
              {assessedOrg ? ` · ${s.orgName}` : ` · ${s.subjects} 个参评单位`}
            </Typography.Text>
            <StatusTag scheme={s} />
          </Flex>
        </Card>
      ))}
    </Flex>
  );
}

function Schemes({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const navigate = useNavigate();
  const { data, error, loading } = useRequest(
    () =>
      api.get<{ own: SchemeSummary[]; assessed: SchemeSummary[]; canCreate: boolean }>(
        `/api/orgs/${org.id}/assessment-schemes`,
      ),
    [org.id],
  );
  const own = data?.own ?? [];
  const assessed = data?.assessed ?? [];
  return (
    <Flex vertical gap={16} data-testid="schemes">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">
          {`「${org.name}」制定的考核方案：按考核期对下级组织计分、排名、发布通报；同一方案可用于下一期，进行赛马比拼。`}
        </Typography.Text>
        {/* A scheme assesses the orgs below: 本级 roles, which may write their own org only, do not make one. */}
        {org.canWrite && data?.canCreate && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => navigate(`/assessment/new?org=${org.id}`)}
            data-testid="scheme-create"
          >
            新建考核方案
          </Button>
        )}
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Typography.Title level={5} style={{ margin: 0 }}>
        本级考核方案
      </Typography.Title>
      {isPhone ? (
        <SchemeCards items={own} testId="scheme-list" />
      ) : (
        <Table<SchemeSummary>
          rowKey="id"
          size="middle"
          loading={loading && !data}
          dataSource={own}
          data-testid="scheme-list"
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          onRow={(s) => ({ 'data-testid': `scheme-row-${s.id}` }) as React.HTMLAttributes<HTMLElement>}
          locale={{ emptyText: <Empty description="还没有考核方案" /> }}
          columns={[
            {
              title: '方案名称',
              dataIndex: 'name',
              render: (n: string, s) => (
                <Flex gap={6} align="center" wrap>
                  <Link to={`/assessment/schemes/${s.id}`} data-testid={`scheme-link-${s.id}`}>
                    {n}
                  </Link>
                  {s.branchRating && <Tag color="purple">对标定级</Tag>}
                </Flex>
              ),
            },
            {
              title: '考核期',
              dataIndex: 'periodLabel',
              width: 200,
              render: (l: string, s) => (
                <span>
                  {l}
                  <Typography.Text type="secondary">（{PERIOD_KIND_LABELS[s.periodKind]}）</Typography.Text>
                </span>
              ),
            },
            { title: '参评单位数', dataIndex: 'subjects', width: 100, align: 'right' },
            { title: '状态', key: 'status', width: 190, render: (_: unknown, s) => <StatusTag scheme={s} /> },
            {
              title: '计分/发布时间',
              key: 'time',
              width: 170,
              render: (_: unknown, s) => formatTime(s.publishedAt ?? s.scoredAt),
            },
          ]}
        />
      )}
      <Typography.Title level={5} style={{ margin: 0 }}>
        本组织参加的考核
      </Typography.Title>
      {isPhone ? (
        <SchemeCards items={assessed} testId="assessed-list" assessedOrg={org.id} />
      ) : (
        <Table<SchemeSummary>
          rowKey="id"
          size="middle"
          loading={loading && !data}
          dataSource={assessed}
          data-testid="assessed-list"
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: <Empty description="本组织没有参加上级的考核" /> }}
          columns={[
            {
              title: '方案名称',
              dataIndex: 'name',
              render: (n: string, s) => <Link to={`/assessment/schemes/${s.id}/orgs/${org.id}`}>{n}</Link>,
            },
            { title: '考核单位', dataIndex: 'orgName', width: 220 },
            { title: '考核期', dataIndex: 'periodLabel', width: 200 },
            {
              title: '状态',
              key: 'status',
              width: 120,
              render: (_: unknown, s) =>
                s.status === 'published' ? <Tag color="success">已发布</Tag> : <Tag>考核中</Tag>,
            },
          ]}
        />
      )}
    </Flex>
  );
}

/** 考核方案 and 指标库 (`?tab=indicators`). */
function AssessmentTabs({ org }: { org: OrgDetail }) {
  const [params, setParams] = useSearchParams();
  return (
    <Tabs
      activeKey={params.get('tab') === 'indicators' ? 'indicators' : 'schemes'}
      onChange={(k) => {
        const p = new URLSearchParams(params);
        if (k === 'indicators') p.set('tab', k);
        else p.delete('tab');
        setParams(p, { replace: true });
      }}
      destroyOnHidden
      items={[
        { key: 'schemes', label: '考核方案', children: <Schemes org={org} /> },
        { key: 'indicators', label: '指标库', children: <IndicatorLibrary org={org} /> },
      ]}
      data-testid="assessment-tabs"
    />
  );
}

export default function SchemesPage() {
  return (
    <ScopedPage title="考核评比" testId="schemes-page">
      {(org) => <AssessmentTabs key={org.id} org={org} />}
    </ScopedPage>
  );
}
