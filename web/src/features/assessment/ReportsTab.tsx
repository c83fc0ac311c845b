import { useState } from 'react';
import { Alert, Button, Empty, Flex, Image, Segmented, Table, Tag, Typography } from 'antd';
import { FileOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import type { Items } from '../../lib/types';
import { showValue } from './assessment-ui';
import { ReviewModal } from './ReviewModal';
import type { OrgBreakdown, ReportRow, ReportStatus, Scheme } from './types';

const STATUS: Record<ReportStatus, { label: string; color: string }> = {
  submitted: { label: '待审核', color: 'gold' },
  approved: { label: '已通过', color: 'success' },
  returned: { label: '已退回', color: 'magenta' },
};

/** The evidence of one report: photos as thumbnails (full size on click), other files as links. */
function Evidence({ scheme, report }: { scheme: Scheme; report: ReportRow }) {
  const { data, error } = useRequest(
    () => api.get<OrgBreakdown>(`/api/assessment-schemes/${scheme.id}/orgs/${report.orgId}`),
    [scheme.id, report.orgId],
  );
  if (error) return <Alert type="error" showIcon title={error.message} />;
  const files = data?.reports.find((r) => r.id === report.id)?.evidence;
  if (!files) return <Typography.Text type="secondary">加载中…</Typography.Text>;
  if (!files.length) return <Typography.Text type="secondary">没有佐证材料</Typography.Text>;
  return (
    <Flex wrap gap={12} data-testid={`evidence-${report.id}`}>
      {files.map((f) =>
        f.thumbnailUrl ? (
          <Image
            key={f.id}
            width={96}
            height={72}
            style={{ objectFit: 'cover', borderRadius: 4 }}
            src={f.thumbnailUrl}
            preview={{ src: f.url }}
            alt={f.filename}
            data-testid="evidence-thumbnail"
          />
        ) : (
          <a key={f.id} href={f.url} target="_blank" rel="noreferrer" data-testid="evidence-link">
            <FileOutlined /> {f.filename}
          </a>
        ),
      )}
    </Flex>
  );
}

/** 审核: approve the figure (it counts at the next scoring) or return it to the org. */
function ReportReview({
  scheme,
  report,
  onClose,
  onDone,
}: {
  scheme: Scheme;
  report: ReportRow;
  onClose: () => void;
  onDone: () => void;
}) {
  return (
    <ReviewModal
      title={`审核报送：${report.orgName} · ${report.indicator}`}
      approveLabel="通过"
      returnLabel="退回"
      noteLabel="审核意见"
      summary={
        <>
          <Typography.Text>
            报送数值：<b>{showValue(report.format, report.unit, report.value)}</b>
            {report.note ? `；说明：${report.note}` : ''}
          </Typography.Text>
          <Evidence scheme={scheme} report={report} />
        </>
      }
      submit={async (approve, comment) => {
        await api.post(`/api/assessment-schemes/${scheme.id}/reports/${report.id}/review`, { approve, comment });
        return approve ? '已通过，重新计分后计入得分' : '已退回';
      }}
      onClose={onClose}
      onDone={onDone}
      testIds={{ submit: 'report-review-submit', note: 'report-review-comment' }}
    />
  );
}

/** 报送审核: the figures the assessed orgs reported, waiting ones first, with their evidence. */
export function ReportsTab({ scheme, onChanged }: { scheme: Scheme; onChanged: () => void }) {
  const [status, setStatus] = useState<ReportStatus | 'all'>('all');
  const { data, error, loading, reload } = useRequest(
    () =>
      api.get<Items<ReportRow>>(`/api/assessment-schemes/${scheme.id}/reports`, {
        status: status === 'all' ? undefined : status,
      }),
    [scheme.id, status],
  );
  const [reviewing, setReviewing] = useState<ReportRow | null>(null);
  const reported = scheme.items.filter((i) => i.source === 'reported');
  if (!reported.length) return <Empty description="本方案的指标均由系统计算，无需各单位报送" />;
  return (
    <Flex vertical gap={12} data-testid="reports">
      <Flex justify="space-between" wrap gap={8} align="center">
        <Typography.Text type="secondary">
          报送类指标：{reported.map((i) => i.name).join('、')}。审核通过的数值才计分。
        </Typography.Text>
        <Segmented
          value={status}
          onChange={(v) => setStatus(v as ReportStatus | 'all')}
          options={[
            { value: 'all', label: '全部' },
            { value: 'submitted', label: '待审核' },
            { value: 'approved', label: '已通过' },
            { value: 'returned', label: '已退回' },
          ]}
        />
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<ReportRow>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={data?.items ?? []}
        data-testid="report-list"
        scroll={{ x: 900 }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        expandable={{
          expandedRowRender: (r) => <Evidence scheme={scheme} report={r} />,
          rowExpandable: (r) => r.evidence > 0,
        }}
        locale={{ emptyText: <Empty description="没有报送" /> }}
        columns={[
          { title: '单位', dataIndex: 'orgName', width: 200 },
          { title: '指标', dataIndex: 'indicator', width: 160 },
          {
            title: '数值',
            key: 'value',
            width: 100,
            align: 'right',
            render: (_: unknown, r) => showValue(r.format, r.unit, r.value),
          },
          { title: '说明', dataIndex: 'note', render: (n: string | null) => n ?? '' },
          { title: '佐证', dataIndex: 'evidence', width: 70, render: (n: number) => (n ? `${n} 份` : '无') },
          {
            title: '状态',
            dataIndex: 'status',
            width: 150,
            render: (s: ReportStatus, r) => (
              <Flex vertical>
                <Tag color={STATUS[s].color} style={{ width: 'fit-content' }}>
                  {STATUS[s].label}
                </Tag>
                {r.reviewComment && <Typography.Text type="secondary">{r.reviewComment}</Typography.Text>}
              </Flex>
            ),
          },
          {
            title: '报送',
            key: 'by',
            width: 160,
            render: (_: unknown, r) => (
              <Flex vertical>
                <span>{r.submitter ?? '—'}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatTime(r.submittedAt)}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: '',
            key: 'review',
            width: 80,
            render: (_: unknown, r) =>
              r.canReview && scheme.status === 'draft' ? (
                <Button
                  size="small"
                  type="primary"
                  onClick={() => setReviewing(r)}
                  data-testid={`report-review-${r.id}`}
                >
                  审核
                </Button>
              ) : null,
          },
        ]}
      />
      {reviewing && (
        <ReportReview
          scheme={scheme}
          report={reviewing}
          onClose={() => setReviewing(null)}
          onDone={() => {
            setReviewing(null);
            reload();
            onChanged();
          }}
        />
      )}
    </Flex>
  );
}
