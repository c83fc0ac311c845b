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
  Progress,
  Result,
  Row,
  Space,
  Statistic,
  Table,
  Typography,
} from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import type { OrgDetail, RankedFigures, StudyDashboard, StudyDistribution } from '../../lib/types';
import type { EChartsCoreOption } from './echarts-setup';
import { EChart } from './EChart';
import { StudyReports } from './StudyReports';
import { formatRate, LessonSelect, rateColor, useLessonParam, useOrgLessons } from './study-ui';
import { usePolling } from './use-polling';

/** The figures refresh this often, so a cadre watching the screen sees check-ins arrive. */
const REFRESH_MS = 10_000;
/** The distribution counts every branch of the subtree: asked less often. */
const DISTRIBUTION_REFRESH_MS = 60_000;
const BAR_HEIGHT = 26;
const BARS_SHOWN = 30;

const pct = (v: number | null) => (v === null ? null : Math.round(v * 10000) / 100);

function childrenOption(children: RankedFigures[], isPhone: boolean): EChartsCoreOption {
  const rows = children.filter((c) => c.participation !== null);
  const zoom = rows.length > BARS_SHOWN;
  return {
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${v}%` },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((c) => c.name),
      axisLabel: { width: isPhone ? 110 : 220, overflow: 'truncate' },
    },
    dataZoom: zoom
      ? [
          { type: 'inside', yAxisIndex: 0, startValue: 0, endValue: BARS_SHOWN - 1, zoomLock: true },
          { type: 'slider', yAxisIndex: 0, startValue: 0, endValue: BARS_SHOWN - 1, width: 14, right: 4 },
        ]
      : [],
    series: [
      {
        type: 'bar',
        name: '参学率',
        barMaxWidth: 18,
        data: rows.map((c) => ({ value: pct(c.participation), itemStyle: { color: rateColor(c.participation) } })),
        label: { show: true, position: 'right', formatter: '{c}%' },
      },
    ],
  };
}

function trendOption(trend: StudyDashboard['trend']): EChartsCoreOption {
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '—' : `${v}%`) },
    xAxis: { type: 'category', data: trend.map((t) => t.label), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { type: 'line', name: '参学率', data: trend.map((t) => pct(t.participation)), smooth: true },
      { type: 'line', name: '覆盖面', data: trend.map((t) => pct(t.coverage)), smooth: true },
    ],
  };
}

function distributionOption(d: StudyDistribution): EChartsCoreOption {
  return {
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${v} 个团支部` },
    xAxis: { type: 'category', data: d.bands.map((b) => b.label), axisLabel: { rotate: 45, hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1, name: '团支部数' },
    series: [
      {
        type: 'bar',
        name: '团支部数',
        data: d.bands.map((b, i) => ({ value: b.n, itemStyle: { color: rateColor((i + 0.5) / 10) } })),
        label: { show: true, position: 'top' },
      },
    ],
  };
}

function Figure({ id, title, value, suffix, color, note }: FigureProps) {
  return (
    <Card size="small" style={{ height: '100%' }}>
      <Statistic
        title={title}
        value={value}
        suffix={suffix}
        styles={{ content: { color, fontSize: 28 } }}
        data-testid={`study-fig-${id}`}
      />
      {note && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {note}
        </Typography.Text>
      )}
    </Card>
  );
}

interface FigureProps {
  id: string;
  title: string;
  value: string | number;
  suffix?: string;
  color?: string;
  note?: string;
}

const rateValue = (rate: number | null) => (rate === null ? '—' : (rate * 100).toFixed(2));

function Dashboard({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const lessons = useOrgLessons(org.id);
  const [lessonParam, setLesson] = useLessonParam();
  const dash = useRequest(
    () =>
      api
        .get<StudyDashboard>(`/api/orgs/${org.id}/study/dashboard`, { lessonId: lessonParam })
        .then((d) => ({ ...d, fetchedAt: new Date().toISOString() })),
    [org.id, lessonParam],
  );
  const data = dash.data && (!lessonParam || dash.data.lesson?.id === lessonParam) ? dash.data : undefined;
  const lessonId = lessonParam ?? data?.lesson?.id;
  const dist = useRequest(
    () => api.get<StudyDistribution>(`/api/orgs/${org.id}/study/distribution`, { lessonId }),
    [org.id, lessonId],
    lessonId !== undefined,
  );
  usePolling(dash.reload, REFRESH_MS);
  usePolling(dist.reload, DISTRIBUTION_REFRESH_MS, lessonId !== undefined);

  const children = data?.children;
  const barOption = useMemo(() => (children ? childrenOption(children, isPhone) : null), [children, isPhone]);
  const trend = data?.trend;
  const lineOption = useMemo(() => (trend ? trendOption(trend) : null), [trend]);
  const bands = dist.data;
  const bandOption = useMemo(() => (bands ? distributionOption(bands) : null), [bands]);

  if (dash.error && !data) return <Alert type="error" showIcon title={dash.error.message} />;
  if (data && !data.lesson)
    return (
      <Result
        status="info"
        title="还没有已开始的学习期次"
        subTitle="上级团委发布学习期次后，这里显示参学率、覆盖面和各下级组织的情况。"
        extra={
          <Link to={`/study/lessons?org=${org.id}`}>
            <Button type="primary">查看学习期次</Button>
          </Link>
        }
      />
    );
  const lesson = data?.lesson ?? undefined;
  // The dashboard's lesson comes without the publisher's name; the list has it.
  const publisher = lessons.data?.items.find((l) => l.id === lesson?.id)?.orgName;
  const f = data?.org;
  const q = `org=${org.id}${lessonId ? `&lesson=${lessonId}` : ''}`;
  const charted = children?.filter((c) => c.participation !== null).length ?? 0;

  return (
    <Flex vertical gap={16} data-testid="study-dashboard">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space wrap>
          <LessonSelect
            lessons={lessons.data?.items ?? []}
            loading={lessons.loading}
            value={lessonId}
            onChange={setLesson}
            data-testid="study-lesson-select"
          />
        </Space>
        <Space wrap>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="study-refreshed">
            每 10 秒自动刷新{data ? ` · 更新于 ${formatTime(data.fetchedAt).slice(11)}` : ''}
          </Typography.Text>
          <Button size="small" icon={<ReloadOutlined />} onClick={dash.reload} loading={dash.loading}>
            刷新
          </Button>
        </Space>
      </Flex>
      {lesson && (
        <Typography.Text type="secondary" data-testid="study-lesson-info">
          {lesson.label}「{lesson.title}」 · {formatTime(lesson.opensAt).slice(0, 16)} 至{' '}
          {formatTime(lesson.closesAt).slice(0, 16)} · {publisher ? `${publisher}发布 · ` : ''}{' '}
          <Link to={`/study/not-yet?${q}`}>未学名单</Link> · <Link to={`/study/ranking?${q}`}>排名</Link>
        </Typography.Text>
      )}
      {dash.error && <Alert type="warning" showIcon title={`刷新失败：${dash.error.message}`} />}

      <Row gutter={[12, 12]}>
        <Col xs={12} sm={8} xl={4}>
          <Figure id="members" title="团员" value={f?.members ?? '—'} note="在册团员" />
        </Col>
        <Col xs={12} sm={8} xl={4}>
          <Figure id="learned" title="已学团员" value={f?.membersLearned ?? '—'} />
        </Col>
        <Col xs={12} sm={8} xl={4}>
          <Figure
            id="participation"
            title="参学率"
            value={f ? rateValue(f.participation) : '—'}
            suffix={f?.participation !== null && f ? '%' : undefined}
            color={rateColor(f?.participation)}
          />
        </Col>
        <Col xs={12} sm={8} xl={4}>
          <Figure
            id="youth"
            title="青年学习人数"
            value={f?.youthLearned ?? '—'}
            note={f ? `学习总人数 ${f.learners}` : undefined}
          />
        </Col>
        <Col xs={12} sm={8} xl={4}>
          <Figure
            id="coverage"
            title="覆盖面"
            value={f ? rateValue(f.coverage) : '—'}
            suffix={f?.coverage !== null && f ? '%' : undefined}
            color={rateColor(f?.coverage)}
            note={f ? `${f.branchesCovered} / ${f.branches} 个团支部有人学习` : undefined}
          />
        </Col>
        <Col xs={12} sm={8} xl={4}>
          <Figure
            id="today"
            title="今日打卡"
            value={data?.checkinsToday ?? '—'}
            note="本组织及下级，今天（北京时间）"
          />
        </Col>
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card size="small" title="下级组织参学率" styles={{ body: { padding: isPhone ? 8 : 12 } }}>
            {barOption && charted > 0 ? (
              <EChart
                option={barOption}
                height={Math.min(charted, BARS_SHOWN) * BAR_HEIGHT + 40}
                data-testid="study-chart-children"
                aria-label="下级组织参学率柱状图"
              />
            ) : (
              <Empty description={children ? '没有有团员的下级组织' : '加载中…'} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card
            size="small"
            title="最弱的 10 个下级组织"
            styles={{ body: { padding: isPhone ? 8 : 12 } }}
            data-testid="study-weakest"
          >
            <List
              size="small"
              dataSource={data?.weakest ?? []}
              locale={{ emptyText: '没有有团员的下级组织' }}
              renderItem={(w) => (
                <List.Item
                  extra={
                    <Typography.Text strong style={{ color: rateColor(w.participation) }}>
                      {formatRate(w.participation)}
                    </Typography.Text>
                  }
                >
                  <List.Item.Meta
                    title={<Link to={`/study?org=${w.orgId}${lessonId ? `&lesson=${lessonId}` : ''}`}>{w.name}</Link>}
                    description={`已学 ${w.membersLearned} / ${w.members} 人 · 第 ${w.rank ?? '—'} 名`}
                  />
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title="最近各期趋势" styles={{ body: { padding: isPhone ? 8 : 12 } }}>
            {lineOption && trend?.length ? (
              <EChart option={lineOption} height={260} data-testid="study-chart-trend" aria-label="参学率趋势折线图" />
            ) : (
              <Empty description="暂无往期数据" />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card
            size="small"
            title="团支部参学率分布"
            extra={
              bands?.branchesWithoutMembers ? (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  另有 {bands.branchesWithoutMembers} 个团支部没有团员
                </Typography.Text>
              ) : null
            }
            styles={{ body: { padding: isPhone ? 8 : 12 } }}
          >
            {bandOption ? (
              <EChart
                option={bandOption}
                height={260}
                data-testid="study-chart-distribution"
                aria-label="团支部参学率分布柱状图"
              />
            ) : dist.error ? (
              <Alert type="error" showIcon title={dist.error.message} />
            ) : (
              <Empty description="加载中…" />
            )}
          </Card>
        </Col>
      </Row>

      <Card size="small" title="各下级组织" styles={{ body: { padding: isPhone ? 0 : 12 } }}>
        <Table<RankedFigures>
          rowKey="orgId"
          size="small"
          dataSource={children ?? []}
          loading={!data && dash.loading}
          data-testid="study-children"
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: 860 }}
          locale={{ emptyText: <Empty description="没有下级组织" /> }}
          columns={[
            { title: '名次', dataIndex: 'rank', width: 60, fixed: 'left', render: (r: number | null) => r ?? '—' },
            {
              title: '组织',
              dataIndex: 'name',
              fixed: 'left',
              width: isPhone ? 130 : 240,
              render: (name: string, c) => (
                <Link to={`/study?org=${c.orgId}${lessonId ? `&lesson=${lessonId}` : ''}`}>{name}</Link>
              ),
            },
            { title: '团员', dataIndex: 'members', width: 80, sorter: (a, b) => a.members - b.members },
            {
              title: '已学',
              dataIndex: 'membersLearned',
              width: 80,
              sorter: (a, b) => a.membersLearned - b.membersLearned,
            },
            {
              title: '参学率',
              dataIndex: 'participation',
              width: 170,
              sorter: (a, b) => (a.participation ?? -1) - (b.participation ?? -1),
              render: (rate: number | null) =>
                rate === null ? (
                  <Typography.Text type="secondary">无团员</Typography.Text>
                ) : (
                  <Flex align="center" gap={8}>
                    <Progress
                      percent={Math.round(rate * 1000) / 10}
                      showInfo={false}
                      size="small"
                      strokeColor={rateColor(rate)}
                      style={{ width: 70, margin: 0 }}
                    />
                    <span>{formatRate(rate)}</span>
                  </Flex>
                ),
            },
            { title: '青年', dataIndex: 'youthLearned', width: 70, sorter: (a, b) => a.youthLearned - b.youthLearned },
            { title: '学习总人数', dataIndex: 'learners', width: 100, sorter: (a, b) => a.learners - b.learners },
            {
              title: '团支部',
              key: 'branches',
              width: 100,
              render: (_: unknown, c) => `${c.branchesCovered} / ${c.branches}`,
            },
            {
              title: '覆盖面',
              dataIndex: 'coverage',
              width: 90,
              sorter: (a, b) => (a.coverage ?? -1) - (b.coverage ?? -1),
              render: (v: number | null) => formatRate(v),
            },
          ]}
        />
      </Card>

      <StudyReports orgId={org.id} lesson={lesson} />

      {data && (
        <Card size="small" title="计算方法" data-testid="study-formulas">
          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
            {Object.entries(data.formulas).map(([k, v]) => (
              <li key={k}>
                <Typography.Text type="secondary">{v}</Typography.Text>
              </li>
            ))}
            <li>
              <Typography.Text type="secondary">
                青年学习人数：非团员青年在团支部打卡的人数，单独统计，不计入参学率；今日打卡含团员和青年。
              </Typography.Text>
            </li>
          </ul>
        </Card>
      )}
    </Flex>
  );
}

export default function StudyDashboardPage() {
  return (
    <ScopedPage title="学习看板" testId="study-dashboard-page">
      {(org) => <Dashboard key={org.id} org={org} />}
    </ScopedPage>
  );
}
