import { useMemo, useState } from 'react';
import { Alert, Card, Empty, Flex, Grid, Input, List, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import { formatTime } from '../../lib/format';
import { LevelTag, num, showValue, signed } from './assessment-ui';
import type { Results, ResultRow, Scheme } from './types';

/** 排名 as the server words it, with whom it is shared. */
function RankCell({ row }: { row: ResultRow }) {
  const text = (
    <span data-testid="rank" style={{ whiteSpace: 'nowrap' }}>
      {row.rankLabel}
    </span>
  );
  return row.tiedWith.length ? <Tooltip title={`与${row.tiedWith.join('、')}并列`}>{text}</Tooltip> : text;
}

const orgLink = (scheme: Scheme, row: ResultRow) => (
  <Link to={`/assessment/schemes/${scheme.id}/orgs/${row.orgId}`} data-testid={`result-org-${row.orgId}`}>
    {row.name}
  </Link>
);

/** The ranking: sortable, filtered by name, paged (thousands of branches in a 对标定级). */
export function ResultsTab({ scheme, results }: { scheme: Scheme; results: Results | undefined }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [q, setQ] = useState('');
  const rows = useMemo(() => {
    const all = results?.rows ?? [];
    const t = q.trim();
    return t ? all.filter((r) => r.name.includes(t)) : all;
  }, [results, q]);
  if (!results) return null;
  if (!results.scoredAt)
    return (
      <Empty
        description={scheme.fullView ? '还没有计分：点击“计分”按最新数据计算各单位得分' : '考核结果尚未发布'}
        data-testid="results-empty"
      />
    );
  const columns: ColumnsType<ResultRow> = [
    {
      title: '排名',
      key: 'rank',
      width: 110,
      fixed: 'left',
      sorter: (a, b) => a.rank - b.rank,
      defaultSortOrder: 'ascend',
      render: (_: unknown, r) => <RankCell row={r} />,
    },
    {
      title: '单位',
      dataIndex: 'name',
      width: 220,
      fixed: 'left',
      sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
      render: (_: unknown, r) => orgLink(scheme, r),
    },
    ...scheme.items.map((it, k): ColumnsType<ResultRow>[number] => ({
      title: (
        <Tooltip title={it.ruleText}>
          <span>
            {it.name}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {it.weight != null
                ? `（${num(it.weight)}%）`
                : it.rule.kind === 'bonus'
                  ? '（加分）'
                  : `（${num(it.points)}分）`}
            </Typography.Text>
          </span>
        </Tooltip>
      ),
      key: `item-${it.id}`,
      width: 130,
      align: 'right',
      sorter: (a, b) => (a.items[k]?.score ?? 0) - (b.items[k]?.score ?? 0),
      render: (_: unknown, r) => {
        const cell = r.items[k];
        if (!cell) return '—';
        return (
          <Tooltip title={`数值 ${showValue(it.format, it.unit, cell.value)}`}>
            <span data-testid={`score-${it.id}`}>{num(cell.score)}</span>
          </Tooltip>
        );
      },
    })),
    {
      title: '扣分',
      dataIndex: 'deductionTotal',
      width: 80,
      align: 'right',
      sorter: (a, b) => a.deductionTotal - b.deductionTotal,
      render: (d: number) => (d ? <Typography.Text type="danger">−{num(d)}</Typography.Text> : ''),
    },
    {
      title: '调整',
      dataIndex: 'adjustmentTotal',
      width: 80,
      align: 'right',
      sorter: (a, b) => a.adjustmentTotal - b.adjustmentTotal,
      render: (d: number) => (d ? <span data-testid="adjustment">{signed(d)}</span> : ''),
    },
    {
      title: '总分',
      dataIndex: 'total',
      width: 90,
      align: 'right',
      sorter: (a, b) => a.total - b.total,
      render: (t: number) => (
        <Typography.Text strong data-testid="total">
          {num(t)}
        </Typography.Text>
      ),
    },
    ...(scheme.branchRating
      ? [
          {
            title: '星级',
            key: 'level',
            width: 90,
            render: (_: unknown, r: ResultRow) => <LevelTag label={r.levelLabel} reason={r.levelReason} />,
          },
        ]
      : []),
  ];
  return (
    <Flex vertical gap={12} data-testid="results">
      {results.rating && (
        <Alert
          type="info"
          showIcon
          data-testid="rating-cuts"
          title={`对标定级：参评 ${results.rating.quotas.ratedCount} 个团支部（截至 ${results.rating.asOf}），5★ 名额 ${results.rating.quotas.five} 个，5★+4★ 名额 ${results.rating.quotas.fiveAndFour} 个${results.rating.excluded ? `；成立不满 6 个月不参评 ${results.rating.excluded} 个` : ''}`}
          description={
            <Flex vertical gap={4}>
              <span>
                {`5★ ${results.rating.counts.five} 个、4★ ${results.rating.counts.four} 个、3★ ${results.rating.counts.three} 个、2★ ${results.rating.counts.two} 个、整顿 ${results.rating.counts.rectify} 个`}
              </span>
              {results.rating.cuts.length ? (
                results.rating.cuts.map((c) => (
                  <Typography.Text key={c.level} data-testid={`rating-cut-${c.level}`}>
                    {c.explanation}
                  </Typography.Text>
                ))
              ) : (
                <Typography.Text type="secondary">各星级均未超过名额，未作调整。</Typography.Text>
              )}
            </Flex>
          }
        />
      )}
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Input.Search
          allowClear
          placeholder="按单位名称筛选"
          style={{ width: 260 }}
          onSearch={setQ}
          onChange={(e) => !e.target.value && setQ('')}
          data-testid="results-filter"
        />
        <Typography.Text type="secondary">
          {results.published ? '已发布' : '计分于'} {formatTime(results.scoredAt)} · 共 {results.rows.length} 个单位
          {rows.length !== results.rows.length ? `，筛选出 ${rows.length} 个` : ''}
          {scheme.stale && (
            <Tag color="orange" style={{ marginInlineStart: 8 }}>
              数据有变化，需重新计分
            </Tag>
          )}
        </Typography.Text>
      </Flex>
      {isPhone ? (
        <List
          data-testid="results-table"
          dataSource={rows}
          pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
          renderItem={(r) => (
            <Card size="small" key={r.orgId} style={{ marginBottom: 8 }} data-testid={`result-row-${r.orgId}`}>
              <Flex justify="space-between" align="baseline" gap={8}>
                <Flex vertical gap={2} style={{ minWidth: 0 }}>
                  {orgLink(scheme, r)}
                  <Typography.Text type="secondary">
                    <RankCell row={r} />
                    {r.deductionTotal ? ` · 扣 ${num(r.deductionTotal)}` : ''}
                    {r.adjustmentTotal ? ` · 调整 ${signed(r.adjustmentTotal)}` : ''}
                  </Typography.Text>
                </Flex>
                <Flex vertical align="flex-end" gap={2}>
                  <Typography.Text strong style={{ fontSize: 18 }} data-testid="total">
                    {num(r.total)}
                  </Typography.Text>
                  {scheme.branchRating && <LevelTag label={r.levelLabel} reason={r.levelReason} />}
                </Flex>
              </Flex>
            </Card>
          )}
        />
      ) : (
        <Table<ResultRow>
          rowKey="orgId"
          size="small"
          dataSource={rows}
          columns={columns}
          data-testid="results-table"
          scroll={{ x: 600 + scheme.items.length * 130 }}
          pagination={{
            defaultPageSize: 50,
            pageSizeOptions: [20, 50, 100, 500],
            showSizeChanger: true,
            hideOnSinglePage: true,
            showTotal: (n) => `共 ${n} 个单位`,
          }}
          onRow={(r) => ({ 'data-testid': `result-row-${r.orgId}` }) as React.HTMLAttributes<HTMLElement>}
        />
      )}
    </Flex>
  );
}
