import { useState } from 'react';
import { Alert, Empty, Flex, Input, Select, Table, Tag, Typography, Button } from 'antd';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { ReviewModal } from './ReviewModal';
import type { Items } from '../../lib/types';
import { LevelTag, num, STAR_LEVEL_LABELS, STAR_LEVELS } from './assessment-ui';
import type { RatingRow, Scheme, StarLevel } from './types';

const STATUS: Record<RatingRow['status'], { label: string; color: string }> = {
  none: { label: '未自评', color: 'default' },
  submitted: { label: '待评定', color: 'gold' },
  recorded: { label: '已评定', color: 'success' },
  returned: { label: '已退回', color: 'magenta' },
};

/** 评定: the level to record (the scored level suggested) or the self-rating returned. */
function RatingReview({
  scheme,
  row,
  onClose,
  onDone,
}: {
  scheme: Scheme;
  row: RatingRow;
  onClose: () => void;
  onDone: () => void;
}) {
  const suggested = row.scoredLevel && row.scoredLevel !== 'excluded' ? row.scoredLevel : (row.selfLevel ?? 'three');
  const [level, setLevel] = useState<StarLevel>(suggested);
  return (
    <ReviewModal
      title={`评定星级：${row.name}`}
      approveLabel="评定"
      returnLabel="退回自评"
      noteLabel="评定意见"
      summary={`得分 ${row.total == null ? '—' : num(row.total)}，计分星级 ${row.scoredLevelLabel ?? '—'}；自评 ${
        row.selfLevelLabel ?? '—'
      }${row.selfNote ? `：${row.selfNote}` : ''}`}
      whenApproving={
        <Select
          value={level}
          onChange={setLevel}
          style={{ width: 160 }}
          data-testid="rating-level"
          options={STAR_LEVELS.map((l) => ({ value: l, label: STAR_LEVEL_LABELS[l] }))}
        />
      }
      submit={async (approve, note) => {
        await api.post(`/api/assessment-schemes/${scheme.id}/orgs/${row.orgId}/rating-review`, {
          approve,
          ...(approve && { level }),
          note,
        });
        return approve ? `已评定 ${row.name} 为 ${STAR_LEVEL_LABELS[level]}` : '已退回自评';
      }}
      onClose={onClose}
      onDone={onDone}
      testIds={{ submit: 'rating-review-submit' }}
    />
  );
}

/** 对标定级 自评/评定: each branch's self-assessment next to its scored level; the upper level records the level. */
export function RatingsTab({ scheme }: { scheme: Scheme }) {
  const { data, error, loading, reload } = useRequest(
    () => api.get<Items<RatingRow>>(`/api/assessment-schemes/${scheme.id}/ratings`),
    [scheme.id],
  );
  const [q, setQ] = useState('');
  const [reviewing, setReviewing] = useState<RatingRow | null>(null);
  const rows = (data?.items ?? []).filter((r) => !q.trim() || r.name.includes(q.trim()));
  return (
    <Flex vertical gap={12} data-testid="ratings">
      <Flex justify="space-between" wrap gap={8} align="center">
        <Typography.Text type="secondary">
          团支部先自评星级并说明理由，上级对照计分结果评定（5★、4★ 受名额限制）或退回。
        </Typography.Text>
        <Input.Search allowClear placeholder="按团支部名称筛选" style={{ width: 240 }} onSearch={setQ} />
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<RatingRow>
        rowKey="orgId"
        size="small"
        loading={loading && !data}
        dataSource={rows}
        data-testid="rating-list"
        scroll={{ x: 900 }}
        pagination={{ defaultPageSize: 50, showSizeChanger: true, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description="没有参评团支部" /> }}
        columns={[
          { title: '团支部', dataIndex: 'name', width: 220 },
          {
            title: '得分',
            dataIndex: 'total',
            width: 80,
            align: 'right',
            sorter: (a, b) => (a.total ?? -1) - (b.total ?? -1),
            render: (t: number | null) => (t == null ? '—' : num(t)),
          },
          {
            title: '计分星级',
            key: 'scored',
            width: 90,
            render: (_: unknown, r) => <LevelTag label={r.scoredLevelLabel} />,
          },
          {
            title: '自评',
            key: 'self',
            render: (_: unknown, r) =>
              r.selfLevelLabel ? (
                <Flex vertical>
                  <LevelTag label={r.selfLevelLabel} />
                  {r.selfNote && <Typography.Text type="secondary">{r.selfNote}</Typography.Text>}
                </Flex>
              ) : (
                '—'
              ),
          },
          {
            title: '状态',
            dataIndex: 'status',
            width: 90,
            render: (s: RatingRow['status']) => <Tag color={STATUS[s].color}>{STATUS[s].label}</Tag>,
          },
          {
            title: '评定',
            key: 'level',
            width: 160,
            render: (_: unknown, r) => (
              <Flex vertical>
                <LevelTag label={r.levelLabel} />
                {r.reviewNote && <Typography.Text type="secondary">{r.reviewNote}</Typography.Text>}
              </Flex>
            ),
          },
          {
            title: '',
            key: 'review',
            width: 80,
            render: (_: unknown, r) =>
              r.canReview && scheme.canManage ? (
                <Button
                  size="small"
                  type="primary"
                  onClick={() => setReviewing(r)}
                  data-testid={`rating-review-${r.orgId}`}
                >
                  评定
                </Button>
              ) : null,
          },
        ]}
      />
      {reviewing && (
        <RatingReview
          scheme={scheme}
          row={reviewing}
          onClose={() => setReviewing(null)}
          onDone={() => {
            setReviewing(null);
            reload();
          }}
        />
      )}
    </Flex>
  );
}
