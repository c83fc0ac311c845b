import { useMemo } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Empty,
  Flex,
  Grid,
  List,
  Row,
  Select,
  Skeleton,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { DesktopOutlined, InfoCircleOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import type { OrgDetail } from '../../lib/types';
import { EChart } from '../study/EChart';
import type { EChartsCoreOption } from '../study/echarts-setup';
import { useAssessmentCharts } from './dashboard-charts';
import {
  currentQuarter,
  formatFigure,
  isQuarter,
  LIGHT_COLORS,
  LightDot,
  LightWithTip,
  quarterLabel,
  recentQuarters,
  targetLabel,
  type AssessmentDashboardData,
  type KeyMetric,
  type Light,
  type MetricCell,
} from './dashboard-ui';

const LIGHT_SHORT: Record<Light, string> = { green: '达标', yellow: '接近', red: '差距大', none: '无目标或无数据' };
const STAR_TEXT: Record<string, string> = { five: '5★', four: '4★', three: '3★', two: '2★', rectify: '整顿' };

function useQuarterParam(): [string, (q: string) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get('quarter');
  const quarter = isQuarter(raw) ? raw : currentQuarter();
  const set = (q: string) =>
    setParams((p) => {
      const n = new URLSearchParams(p);
      n.set('quarter', q);
      return n;
    });
  return [quarter, set];
}

/** One key figure: value, target, lamp; the formula on hover of the ⓘ. */
function FigureCard({ m }: { m: KeyMetric }) {
  return (
    <Card
      size="small"
      style={{ height: '100%', borderTop: `3px solid ${LIGHT_COLORS[m.light]}` }}
      data-testid={`assessment-fig-${m.key}`}
      data-light={m.light}
    >
      <Flex vertical gap={4}>
        <Flex align="center" gap={6} justify="space-between">
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>
            {m.name}
          </Typography.Text>
          <Tooltip title={<span style={{ whiteSpace: 'pre-wrap' }}>计算方法：{m.formula}</span>}>
            <InfoCircleOutlined aria-label={`${m.name}的计算方法`} style={{ color: '#8c8c8c', cursor: 'help' }} />
          </Tooltip>
        </Flex>
        <Flex align="center" gap={8}>
          <LightDot light={m.light} size={14} testId={`assessment-light-${m.key}`} />
          <Typography.Text
            strong
            style={{ fontSize: 26, lineHeight: 1.2, color: m.light === 'none' ? undefined : LIGHT_COLORS[m.light] }}
            data-testid={`assessment-value-${m.key}`}
          >
            {formatFigure(m.value, m.format, m.unit)}
          </Typography.Text>
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {targetLabel(m)}
          {m.denominator !== null && m.value !== null ? ` · ${m.numerator} / ${m.denominator}` : ''}
        </Typography.Text>
      </Flex>
    </Card>
  );
}

/** One colour per figure; its target's dashed line takes the same. */
const TREND_COLORS = ['#c8161d', '#1677ff', '#389e0d', '#d48806'];

function trendOption(trend: AssessmentDashboardData['trend'], metrics: KeyMetric[]): EChartsCoreOption {
  const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  return {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, data: trend.series.map((s) => s.name) },
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '—' : `${v}%`) },
    xAxis: { type: 'category', data: trend.quarters },
    yAxis: { type: 'value', max: 100, min: 0, axisLabel: { formatter: '{value}%' } },
    series: trend.series.flatMap((s, i) => {
      const target = metrics.find((m) => m.key === s.key)?.target ?? null;
      const color = TREND_COLORS[i % TREND_COLORS.length];
      const line = { type: 'line', name: s.name, data: s.values.map(pct), symbolSize: 8, itemStyle: { color } };
      // The target as a dashed line beside its figure.
      return target === null
        ? [line]
        : [
            line,
            {
              type: 'line',
              name: `${s.name}目标`,
              data: s.values.map(() => pct(target)),
              symbol: 'none',
              silent: true,
              itemStyle: { color },
              lineStyle: { type: 'dashed', width: 1, opacity: 0.7, color },
            },
          ];
    }),
  };
}

function Cell({ cell, metric }: { cell: MetricCell; metric: KeyMetric }) {
  const tip =
    cell.value === null
      ? '没有数据'
      : `${metric.numeratorLabel} ${cell.numerator}${cell.denominator !== null ? ` · ${metric.denominatorLabel ?? '分母'} ${cell.denominator}` : ''}`;
  return (
    <Tooltip title={tip}>
      <Flex align="center" gap={6} style={{ whiteSpace: 'nowrap' }} data-light={cell.light}>
        <LightDot light={cell.light} size={10} />
        <span style={{ color: cell.light === 'none' ? '#8c8c8c' : LIGHT_COLORS[cell.light] }}>
          {formatFigure(cell.value, metric.format, metric.unit)}
        </span>
      </Flex>
    </Tooltip>
  );
}

function lightBackground(light: Light): string | undefined {
  return light === 'none' ? undefined : `${LIGHT_COLORS[light]}14`;
}

function Dashboard({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [quarter] = useQuarterParam();
  const { data, error, loading } = useRequest(
    () => api.get<AssessmentDashboardData>(`/api/orgs/${org.id}/assessment-dashboard`, { quarter }),
    [org.id, quarter],
  );
  const d = data && data.orgId === org.id && data.quarter === quarter ? data : undefined;
  const charts = useAssessmentCharts();
  const option = useMemo(() => (d && charts ? trendOption(d.trend, d.metrics) : null), [d, charts]);

  if (error && !d) return <Alert type="error" showIcon title={error.message} />;
  if (!d) return <Skeleton active paragraph={{ rows: 8 }} />;

  const counts = d.metrics.reduce<Record<Light, number>>((acc, m) => ({ ...acc, [m.light]: acc[m.light] + 1 }), {
    green: 0,
    yellow: 0,
    red: 0,
    none: 0,
  });

  return (
    <Flex vertical gap={16} data-testid="assessment-dashboard" aria-busy={loading}>
      <Flex wrap gap={12} align="center" justify="space-between">
        <Typography.Text type="secondary" data-testid="assessment-dashboard-period">
          {d.orgName} · {d.periodLabel} · 绿灯 {counts.green} 项 · 黄灯 {counts.yellow} 项 · 红灯 {counts.red} 项
        </Typography.Text>
      </Flex>

      <Row gutter={[12, 12]}>
        {d.metrics.map((m) => (
          <Col key={m.key} xs={12} sm={8} lg={6} xxl={Math.max(3, Math.floor(24 / d.metrics.length))}>
            <FigureCard m={m} />
          </Col>
        ))}
      </Row>
      <Flex wrap gap={isPhone ? 8 : 16} align="center" data-testid="assessment-light-rule">
        {(['green', 'yellow', 'red', 'none'] as const).map((l) => (
          <Flex key={l} align="center" gap={4}>
            <LightDot light={l} size={10} />
            <Typography.Text style={{ fontSize: 12 }}>{LIGHT_SHORT[l]}</Typography.Text>
          </Flex>
        ))}
        <Typography.Text type="secondary" style={{ fontSize: 12, flex: '1 1 300px' }}>
          {d.lightRule}
        </Typography.Text>
      </Flex>

      <Card size="small" title="下级组织对比" styles={{ body: { padding: isPhone ? 0 : 12 } }}>
        <Table
          rowKey="orgId"
          size="small"
          dataSource={d.children}
          data-testid="assessment-children"
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: 200 + d.metrics.length * 130 }}
          locale={{ emptyText: <Empty description="没有下级组织" /> }}
          columns={[
            {
              title: '组织',
              dataIndex: 'name',
              fixed: 'left',
              width: isPhone ? 120 : 220,
              render: (name: string, c) => (
                <Link to={`/assessment/dashboard?org=${c.orgId}&quarter=${quarter}`} data-testid={`child-${c.orgId}`}>
                  {name}
                </Link>
              ),
            },
            ...d.metrics.map((m, i) => ({
              key: m.key,
              width: 130,
              title: (
                <Tooltip title={`${targetLabel(m)}。${m.formula}`}>
                  <span style={{ cursor: 'help' }}>{m.name}</span>
                </Tooltip>
              ),
              onCell: (c: (typeof d.children)[number]) => ({
                style: { background: lightBackground(c.cells[i]!.light) },
                'data-testid': `cell-${c.orgId}-${m.key}`,
                'data-light': c.cells[i]!.light,
              }),
              sorter: (a: (typeof d.children)[number], b: (typeof d.children)[number]) =>
                (a.cells[i]!.value ?? -1) - (b.cells[i]!.value ?? -1),
              render: (_: unknown, c: (typeof d.children)[number]) => <Cell cell={c.cells[i]!} metric={m} />,
            })),
          ]}
        />
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card size="small" title="近四个季度趋势" styles={{ body: { padding: isPhone ? 8 : 12 } }}>
            {option ? (
              <EChart option={option} height={280} data-testid="assessment-trend" aria-label="近四个季度趋势折线图" />
            ) : (
              <Skeleton active />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title="考核评比" data-testid="assessment-schemes">
            <Flex vertical gap={12}>
              <div>
                <Typography.Text strong>本组织组织的考核</Typography.Text>
                {d.schemes.own.length ? (
                  <List
                    size="small"
                    dataSource={d.schemes.own}
                    renderItem={(s) => (
                      <List.Item data-testid={`own-scheme-${s.id}`}>
                        <Flex vertical gap={4} style={{ width: '100%' }}>
                          <Flex wrap gap={8} align="center">
                            <Link to={`/assessment/schemes/${s.id}`}>{s.name}</Link>
                            <Typography.Text type="secondary">{s.label}</Typography.Text>
                            <Tag color={s.status === 'published' ? 'success' : 'default'}>
                              {s.status === 'published' ? '已发布' : '未发布'}
                            </Tag>
                          </Flex>
                          <Flex wrap gap={6}>
                            {s.leaders.slice(0, 3).map((l, i) => (
                              <Tag key={i} color={l.rank === 1 ? 'gold' : 'default'} style={{ marginInlineEnd: 0 }}>
                                第{l.rank}名 {l.name} {l.total.toFixed(2)}分
                              </Tag>
                            ))}
                          </Flex>
                        </Flex>
                      </List.Item>
                    )}
                  />
                ) : (
                  <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
                    还没有计过分的考核方案
                  </Typography.Paragraph>
                )}
              </div>
              <div>
                <Typography.Text strong>本组织参加的考核</Typography.Text>
                {d.schemes.assessed.length ? (
                  <List
                    size="small"
                    dataSource={d.schemes.assessed}
                    renderItem={(s) => (
                      <List.Item
                        data-testid={`assessed-scheme-${s.id}`}
                        extra={
                          <Typography.Text strong data-testid="assessed-rank">
                            第 {s.rank} 名 / 共 {s.of}
                          </Typography.Text>
                        }
                      >
                        <Flex wrap gap={8} align="center">
                          <Link to={`/assessment/schemes/${s.id}/orgs/${d.orgId}`}>{s.name}</Link>
                          <Typography.Text type="secondary">
                            {s.label} · {s.total.toFixed(2)} 分
                          </Typography.Text>
                          {s.level && <Tag color="red">{STAR_TEXT[s.level] ?? '不参评'}</Tag>}
                        </Flex>
                      </List.Item>
                    )}
                  />
                ) : (
                  <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
                    还没有已发布的考核结果
                  </Typography.Paragraph>
                )}
              </div>
            </Flex>
          </Card>
        </Col>
      </Row>

      <Card size="small" title="计算方法" data-testid="assessment-formulas">
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {d.metrics.map((m) => (
            <li key={m.key}>
              <Typography.Text type="secondary">
                <LightWithTip light={m.light} size={8} /> {m.name}（{targetLabel(m)}）：{m.formula}
              </Typography.Text>
            </li>
          ))}
        </ul>
      </Card>
    </Flex>
  );
}

function Toolbar({ org }: { org: OrgDetail }) {
  const [quarter, setQuarter] = useQuarterParam();
  const navigate = useNavigate();
  const quarters = recentQuarters(8);
  return (
    <>
      <Select
        aria-label="考核季度"
        data-testid="assessment-quarter"
        value={quarter}
        onChange={setQuarter}
        style={{ width: 170 }}
        options={(quarters.includes(quarter) ? quarters : [quarter, ...quarters]).map((q) => ({
          value: q,
          label: quarterLabel(q),
        }))}
      />
      <Button
        icon={<DesktopOutlined />}
        onClick={() => navigate(`/assessment/big-screen/${org.id}`)}
        data-testid="assessment-big-screen"
      >
        大屏模式
      </Button>
    </>
  );
}

export default function DashboardPage() {
  return (
    <ScopedPage title="考核看板" testId="assessment-dashboard-page" extra={(org) => <Toolbar org={org} />}>
      {(org) => <Dashboard key={org.id} org={org} />}
    </ScopedPage>
  );
}
