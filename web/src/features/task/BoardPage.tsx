import { useState } from 'react';
import { Alert, Card, DatePicker, Flex, Grid, Progress, Space, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { ExportButton } from '../../components/ExportButton';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { dayjs } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import type { OrgDetail } from '../../lib/types';
import { rateColor } from '../study/study-ui';
import { AssignmentList, type Filters } from './AssignmentList';
import { thisYear, today } from './task-ui';
import type { OnTime, OnTimeRow } from './types';

type Row = OnTimeRow & { key: string; orgId?: number; orgName: string; strong?: boolean };

const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

/** 按时完成率 of each direct child org over a period, with the org itself and the total. */
function OnTimeCard({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [range, setRange] = useState<[string, string]>([`${thisYear()}-01-01`, `${thisYear()}-12-31`]);
  const { data, error, loading } = useRequest(
    () => api.get<OnTime>(`/api/orgs/${org.id}/tasks/on-time`, { from: range[0], to: range[1] }),
    [org.id, range[0], range[1]],
  );
  const rows: Row[] = data
    ? [
        ...data.children.map((c) => ({ ...c, key: String(c.orgId) })),
        { ...data.own, key: 'own', orgName: `${data.orgName}（本级）` },
        { ...data.total, key: 'total', orgName: '合计', strong: true },
      ]
    : [];
  return (
    <Card
      size="small"
      title="按时完成率"
      data-testid="task-on-time"
      extra={
        <DatePicker.RangePicker
          size="small"
          allowClear={false}
          value={[dayjs(range[0]), dayjs(range[1])]}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0].format('YYYY-MM-DD'), v[1].format('YYYY-MM-DD')])}
          aria-label="到期日期范围"
          style={{ maxWidth: isPhone ? 230 : undefined }}
        />
      }
      styles={{ body: { padding: isPhone ? 0 : 12 } }}
    >
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<Row>
        size="small"
        rowKey="key"
        loading={loading && !data}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 640 }}
        columns={[
          {
            title: '组织',
            dataIndex: 'orgName',
            render: (n: string, r) =>
              r.strong ? (
                <Typography.Text strong>{n}</Typography.Text>
              ) : r.orgId ? (
                <Link to={`/tasks/board?org=${r.orgId}`}>{n}</Link>
              ) : (
                n
              ),
          },
          { title: '到期任务', dataIndex: 'due', width: 80 },
          { title: '按时完成', dataIndex: 'onTime', width: 80 },
          { title: '超期完成', dataIndex: 'late', width: 80 },
          {
            title: '逾期未完成',
            dataIndex: 'overdue',
            width: 90,
            render: (n: number) => (n ? <Typography.Text type="danger">{n}</Typography.Text> : n),
          },
          {
            title: '按时完成率',
            dataIndex: 'rate',
            width: 170,
            sorter: (a, b) => (a.rate ?? -1) - (b.rate ?? -1),
            render: (rate: number | null) =>
              rate === null ? (
                <Typography.Text type="secondary">无到期任务</Typography.Text>
              ) : (
                <Flex align="center" gap={8}>
                  <Progress
                    percent={Math.round(rate * 1000) / 10}
                    showInfo={false}
                    size="small"
                    strokeColor={rateColor(rate)}
                    style={{ width: 70, margin: 0 }}
                  />
                  <span>{pct(rate)}</span>
                </Flex>
              ),
          },
        ]}
      />
      {data && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 8 }} data-testid="task-on-time-formula">
          计算方法：{data.formula}。期间：{data.from} 至 {data.to}。
        </Typography.Paragraph>
      )}
    </Card>
  );
}

function TaskBoard({ org }: { org: OrgDetail }) {
  const [filters, setFilters] = useState<Filters>({});
  const ledgerYear = filters.year ?? thisYear();
  return (
    <Flex vertical gap={16} data-testid="task-board">
      <Typography.Text type="secondary">
        {`「${org.name}」及其下级组织承担的全部任务（截至 ${today()}）。点击上方数字可按状态筛选。`}
      </Typography.Text>
      <AssignmentList
        orgId={org.id}
        scope="subtree"
        filters={filters}
        onFilters={setFilters}
        empty="还没有交办到本组织及下级的任务"
        toolbar={
          <Space wrap>
            <ExportButton
              url={`/api/orgs/${org.id}/tasks/ledger`}
              query={{ year: ledgerYear, format: 'xlsx' }}
              label={`${ledgerYear}年台账 Excel`}
              data-testid="board-ledger-xlsx"
            />
            <ExportButton
              url={`/api/orgs/${org.id}/tasks/ledger`}
              query={{ year: ledgerYear, format: 'docx' }}
              fileName="台账.docx"
              label="Word"
              data-testid="board-ledger-docx"
            />
          </Space>
        }
      />
      <OnTimeCard org={org} />
    </Flex>
  );
}

export default function BoardPage() {
  return (
    <ScopedPage title="任务看板" testId="task-board-page">
      {(org) => <TaskBoard key={org.id} org={org} />}
    </ScopedPage>
  );
}
