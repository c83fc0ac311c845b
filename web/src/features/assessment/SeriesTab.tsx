import { useMemo, useState } from 'react';
import { Alert, Empty, Flex, Segmented, Table, Tooltip, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, MinusOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { EChart } from '../study/EChart';
import type { EChartsCoreOption } from '../study/echarts-setup';
import { num, signed } from './assessment-ui';
import type { Scheme, Series } from './types';

type SeriesRow = Series['rows'][number];

function Trend({ row }: { row: SeriesRow }) {
  if (!row.trend) return <Typography.Text type="secondary">—</Typography.Text>;
  const icon =
    row.trend === 'rose' ? (
      <Typography.Text type="success" data-testid="trend-rose">
        <ArrowUpOutlined /> 升 {row.rankChange}
      </Typography.Text>
    ) : row.trend === 'fell' ? (
      <Typography.Text type="danger" data-testid="trend-fell">
        <ArrowDownOutlined /> 降 {-(row.rankChange ?? 0)}
      </Typography.Text>
    ) : row.trend === 'same' ? (
      <Typography.Text type="secondary">
        <MinusOutlined /> 持平
      </Typography.Text>
    ) : (
      <Typography.Text>新参评</Typography.Text>
    );
  return (
    <Flex vertical>
      <Tooltip title={row.explanation}>{icon}</Tooltip>
      {row.scoreChange != null && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          得分 {signed(row.scoreChange)}
        </Typography.Text>
      )}
    </Flex>
  );
}

/** 赛马比拼: the same scheme over successive periods side by side, who rose and who fell, and a line per org. */
export function SeriesTab({ scheme }: { scheme: Scheme }) {
  const { data, error } = useRequest(() => api.get<Series>(`/api/assessment-schemes/${scheme.id}/series`), [scheme.id]);
  const [measure, setMeasure] = useState<'rank' | 'total'>('rank');
  const option = useMemo((): EChartsCoreOption | null => {
    if (!data || !data.periods.length) return null;
    const top = data.rows.slice(0, 10);
    return {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 48, right: 24, top: 24, bottom: 48 },
      xAxis: { type: 'category', data: data.periods.map((p) => p.label) },
      yAxis:
        measure === 'rank'
          ? { type: 'value', inverse: true, minInterval: 1, min: 1, name: '名次' }
          : { type: 'value', name: '总分' },
      series: top.map((r) => ({
        type: 'line',
        name: r.name,
        connectNulls: false,
        data: r.cells.map((c) => (c ? (measure === 'rank' ? c.rank : c.total) : null)),
      })),
    };
  }, [data, measure]);
  if (error) return <Alert type="error" showIcon title={error.message} />;
  if (!data) return null;
  if (!data.periods.length) return <Empty description="还没有计分的考核期" />;
  return (
    <Flex vertical gap={12} data-testid="series">
      <Typography.Text type="secondary">
        同一方案各考核期（点“用于下一期”生成）并列比较；升降按最近两期的名次计算。
      </Typography.Text>
      <Table<SeriesRow>
        rowKey="orgId"
        size="small"
        dataSource={data.rows}
        data-testid="series-table"
        scroll={{ x: 400 + data.periods.length * 140 }}
        pagination={{ defaultPageSize: 50, hideOnSinglePage: true, showSizeChanger: true }}
        onRow={(r) => ({ 'data-testid': `series-row-${r.orgId}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '单位', dataIndex: 'name', width: 200, fixed: 'left' },
          ...data.periods.map((p, k) => ({
            title: p.schemeId === scheme.id ? p.label : <Link to={`/assessment/schemes/${p.schemeId}`}>{p.label}</Link>,
            key: `p-${p.schemeId}`,
            width: 140,
            render: (_: unknown, r: SeriesRow) => {
              const c = r.cells[k];
              return c ? (
                <span>
                  第{c.rank}名 · {num(c.total)} 分
                </span>
              ) : (
                <Typography.Text type="secondary">未参评</Typography.Text>
              );
            },
          })),
          { title: '升降', key: 'trend', width: 120, render: (_: unknown, r: SeriesRow) => <Trend row={r} /> },
          {
            title: '说明',
            dataIndex: 'explanation',
            render: (e: string | null) => e ?? '',
          },
        ]}
      />
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text strong>最近一期前 10 名的走势</Typography.Text>
        <Segmented
          value={measure}
          onChange={(v) => setMeasure(v as 'rank' | 'total')}
          options={[
            { value: 'rank', label: '名次' },
            { value: 'total', label: '总分' },
          ]}
        />
      </Flex>
      {option && <EChart option={option} height={320} data-testid="series-chart" aria-label="赛马比拼走势图" />}
    </Flex>
  );
}
