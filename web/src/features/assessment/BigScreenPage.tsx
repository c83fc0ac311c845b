import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Button, Result, Spin } from 'antd';
import { CloseOutlined, FullscreenOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import { api } from '../../lib/api';
import { dayjs, formatTime, TIME_ZONE } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { EChart } from '../study/EChart';
import type { EChartsCoreOption } from '../study/echarts-setup';
import { usePolling } from '../study/use-polling';
import { useAssessmentCharts } from './dashboard-charts';
import type { LiveData, LiveEvent } from './dashboard-ui';

/** The live feed is asked this often while the screen is visible. */
const REFRESH_MS = 5_000;
const BG = '#071a3a';
const PANEL = 'rgba(16, 48, 104, 0.55)';
const BORDER = '1px solid rgba(96, 165, 250, 0.35)';
const TEXT = '#e6f0ff';
const MUTED = '#8fb3e8';
const ACCENT = '#ffd666';

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

function gaugeOption(name: string, value: number | null, color: string): EChartsCoreOption {
  return {
    series: [
      {
        type: 'gauge',
        name,
        min: 0,
        max: 100,
        startAngle: 210,
        endAngle: -30,
        radius: '92%',
        center: ['50%', '58%'],
        progress: { show: true, width: 14, itemStyle: { color } },
        axisLine: { lineStyle: { width: 14, color: [[1, 'rgba(255,255,255,0.12)']] } },
        axisTick: { show: false },
        splitLine: { length: 8, lineStyle: { color: 'rgba(255,255,255,0.35)', width: 2 } },
        axisLabel: { color: MUTED, distance: 18, fontSize: 11 },
        pointer: { show: false },
        anchor: { show: false },
        title: { show: false },
        detail: {
          valueAnimation: true,
          offsetCenter: [0, '5%'],
          fontSize: 34,
          fontWeight: 'bold',
          color: TEXT,
          formatter: (v: number) => (value === null ? '—' : `${v}%`),
        },
        data: [{ value: pct(value) ?? 0, name }],
      },
    ],
  };
}

function rankingOption(children: LiveData['children']): EChartsCoreOption {
  const rows = children.filter((c) => c.participation !== null).slice(0, 12);
  return {
    grid: { left: 8, right: 60, top: 4, bottom: 4, containLabel: true },
    xAxis: { type: 'value', max: 100, show: false },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((c) => c.name),
      axisLabel: { color: TEXT, fontSize: 13, width: 170, overflow: 'truncate' },
      axisLine: { show: false },
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 16,
        data: rows.map((c, i) => ({
          value: pct(c.participation),
          itemStyle: { color: i < 3 ? ACCENT : '#4096ff', borderRadius: [0, 8, 8, 0] },
        })),
        label: { show: true, position: 'right', color: TEXT, formatter: '{c}%' },
        showBackground: true,
        backgroundStyle: { color: 'rgba(255,255,255,0.06)', borderRadius: [0, 8, 8, 0] },
      },
    ],
  };
}

/** The 14 days up to today in Beijing, a day without check-ins as 0 (the feed lists only days that had some). */
function lastDays(daily: LiveData['daily'], n = 14): LiveData['daily'] {
  const byDay = new Map(daily.map((d) => [d.day, d.n]));
  const today = dayjs().tz(TIME_ZONE);
  return Array.from({ length: n }, (_, i) => {
    const day = today.subtract(n - 1 - i, 'day').format('YYYY-MM-DD');
    return { day, n: byDay.get(day) ?? 0 };
  });
}

function dailyOption(feed: LiveData['daily']): EChartsCoreOption {
  const daily = lastDays(feed);
  return {
    grid: { left: 8, right: 16, top: 24, bottom: 4, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: daily.map((d) => d.day.slice(5)),
      axisLabel: { color: MUTED },
      axisLine: { lineStyle: { color: 'rgba(255,255,255,0.3)' } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: MUTED },
      splitLine: { lineStyle: { color: 'rgba(255,255,255,0.08)' } },
    },
    series: [
      {
        type: 'line',
        name: '打卡人次',
        smooth: true,
        data: daily.map((d) => d.n),
        symbolSize: 7,
        lineStyle: { color: ACCENT, width: 3 },
        itemStyle: { color: ACCENT },
        areaStyle: { color: 'rgba(255, 214, 102, 0.15)' },
        label: { show: true, position: 'top', color: TEXT },
      },
    ],
  };
}

function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section
      data-testid={testId}
      style={{
        background: PANEL,
        border: BORDER,
        borderRadius: 10,
        padding: 'clamp(8px, 1vw, 18px)',
        display: 'flex',
        flexDirection: 'column',
        minHeight: 0,
        minWidth: 0,
      }}
    >
      <h2 style={{ margin: '0 0 8px', fontSize: 'clamp(15px, 1.15vw, 22px)', color: MUTED, fontWeight: 600 }}>
        {title}
      </h2>
      <div style={{ flex: 1, minHeight: 0, position: 'relative' }}>{children}</div>
    </section>
  );
}

const STATUS_TEXT: Record<string, string> = { submitted: '待审核', approved: '已通过', returned: '已退回' };

/** The latest reports, scrolling upwards when there are more than fit. */
function EventTicker({ events }: { events: LiveEvent[] }) {
  if (!events.length)
    return <div style={{ color: MUTED, fontSize: 'clamp(14px, 1vw, 18px)' }}>暂无报送，新的报送会在这里出现</div>;
  const scroll = events.length > 4;
  const row = (e: LiveEvent, i: number) => (
    <li
      key={`${e.kind}-${e.at}-${i}`}
      style={{
        padding: '8px 0',
        borderBottom: '1px dashed rgba(143,179,232,0.25)',
        fontSize: 'clamp(13px, 0.95vw, 18px)',
        lineHeight: 1.45,
      }}
    >
      <span style={{ color: ACCENT, marginInlineEnd: 8 }}>{formatTime(e.at).slice(5, 16)}</span>
      <strong>{e.org}</strong>
      <span style={{ color: MUTED }}> {e.text}</span>
      {STATUS_TEXT[e.status] && (
        <span style={{ marginInlineStart: 8, color: e.status === 'approved' ? '#95de64' : ACCENT }}>
          {STATUS_TEXT[e.status]}
        </span>
      )}
    </li>
  );
  return (
    <div style={{ position: 'absolute', inset: 0, overflow: 'hidden' }}>
      <ul
        className={scroll ? 'bigscreen-ticker' : undefined}
        data-testid="bigscreen-events"
        style={{ listStyle: 'none', margin: 0, padding: 0, animationDuration: `${events.length * 3}s` }}
      >
        {events.map(row)}
        {/* The copy makes the loop seamless; hidden from screen readers. */}
        {scroll && <div aria-hidden>{events.map((e, i) => row(e, i + events.length))}</div>}
      </ul>
    </div>
  );
}

function Clock() {
  const [now, setNow] = useState(() => dayjs().tz(TIME_ZONE).format('YYYY年M月D日 HH:mm:ss'));
  useEffect(() => {
    const t = setInterval(() => setNow(dayjs().tz(TIME_ZONE).format('YYYY年M月D日 HH:mm:ss')), 1000);
    return () => clearInterval(t);
  }, []);
  return <span>{now}</span>;
}

function Screen({ orgId }: { orgId: number }) {
  const navigate = useNavigate();
  const charts = useAssessmentCharts();
  // Chart heights follow the window: about a third of a 1080-line screen, never too small on a laptop.
  const windowHeight = useWindowHeight();
  const gaugeHeight = Math.max(190, Math.round(windowHeight * 0.3));
  const panelChartHeight = Math.max(220, Math.round(windowHeight * 0.36));
  const { data, error, reload } = useRequest(() => api.get<LiveData>(`/api/orgs/${orgId}/live`), [orgId]);
  usePolling(reload, REFRESH_MS);
  const exit = useCallback(() => navigate(`/assessment/dashboard?org=${orgId}`), [navigate, orgId]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.fullscreenElement) exit();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [exit]);

  const participation = data?.participation ?? null;
  const coverage = data?.coverage ?? null;
  const gaugeP = useMemo(() => gaugeOption('参学率', participation, '#52c41a'), [participation]);
  const gaugeC = useMemo(() => gaugeOption('覆盖面', coverage, '#40a9ff'), [coverage]);
  const children = data?.children;
  const bars = useMemo(() => (children ? rankingOption(children) : null), [children]);
  const daily = data?.daily;
  const line = useMemo(() => (daily ? dailyOption(daily) : null), [daily]);

  const button = {
    background: 'rgba(255,255,255,0.08)',
    color: TEXT,
    borderColor: 'rgba(143,179,232,0.5)',
  };
  return (
    <div
      data-testid="bigscreen"
      style={{
        position: 'fixed',
        inset: 0,
        background: `radial-gradient(ellipse at top, #0f3a7a 0%, ${BG} 65%)`,
        color: TEXT,
        display: 'grid',
        gridTemplateRows: 'auto minmax(0, 1fr) minmax(0, 1.15fr)',
        gap: 'clamp(8px, 1vw, 18px)',
        padding: 'clamp(10px, 1.3vw, 28px)',
        overflow: 'auto',
        boxSizing: 'border-box',
      }}
    >
      <style>{`
        @keyframes bigscreen-scroll { from { transform: translateY(0); } to { transform: translateY(-50%); } }
        .bigscreen-ticker { animation: bigscreen-scroll linear infinite; }
        .bigscreen-ticker:hover { animation-play-state: paused; }
        @media (prefers-reduced-motion: reduce) { .bigscreen-ticker { animation: none; } }
        @media (max-width: 900px) {
          [data-testid="bigscreen"] { grid-template-rows: auto !important; }
          [data-testid="bigscreen"] .bigscreen-row { grid-template-columns: 1fr !important; }
          [data-testid="bigscreen"] .bigscreen-row > * { min-height: 260px; }
        }
      `}</style>
      <header style={{ display: 'flex', alignItems: 'center', gap: 16, flexWrap: 'wrap' }}>
        <h1
          style={{
            margin: 0,
            fontSize: 'clamp(20px, 2vw, 40px)',
            letterSpacing: 2,
            flex: '1 1 auto',
            color: '#fff',
          }}
        >
          {data?.orgName ?? '…'} · 共青团工作实时大屏
        </h1>
        <span style={{ color: MUTED, fontSize: 'clamp(13px, 1vw, 18px)' }}>
          <Clock /> · 最后刷新{' '}
          <span data-testid="bigscreen-refreshed" data-at={data?.at ?? ''}>
            {data ? formatTime(data.at).slice(11) : '—'}
          </span>
          {error && <span style={{ color: '#ff7875' }}> · 刷新失败：{error.message}</span>}
        </span>
        <Button
          icon={<FullscreenOutlined />}
          style={button}
          onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}
        >
          全屏
        </Button>
        <Button icon={<CloseOutlined />} style={button} onClick={exit} data-testid="bigscreen-exit">
          退出（Esc）
        </Button>
      </header>

      {!data ? (
        <div style={{ gridRow: '2 / 4', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
          {error ? <span style={{ color: '#ff7875' }}>{error.message}</span> : <Spin size="large" />}
        </div>
      ) : (
        <>
          <div
            className="bigscreen-row"
            style={{ display: 'grid', gridTemplateColumns: '1fr 1fr 1fr', gap: 'clamp(8px, 1vw, 18px)', minHeight: 0 }}
          >
            <Panel title="今日打卡（人次）">
              <div
                style={{
                  height: '100%',
                  display: 'flex',
                  flexDirection: 'column',
                  alignItems: 'center',
                  justifyContent: 'center',
                }}
              >
                <div
                  data-testid="bigscreen-checkins"
                  style={{
                    fontSize: 'clamp(56px, 7vw, 150px)',
                    fontWeight: 800,
                    lineHeight: 1,
                    color: ACCENT,
                    fontVariantNumeric: 'tabular-nums',
                    textShadow: '0 0 24px rgba(255,214,102,0.35)',
                  }}
                >
                  {data.checkinsToday}
                </div>
                <div style={{ color: MUTED, marginTop: 12, fontSize: 'clamp(13px, 1vw, 18px)', textAlign: 'center' }}>
                  {data.lesson ? `本期：${data.lesson.title}` : '当前没有进行中的学习期次'}
                  <br />
                  在册团员 {data.members} 人 · 学习 {data.learners} 人
                </div>
              </div>
            </Panel>
            <Panel title="本期参学率">
              <div data-testid="bigscreen-participation" data-value={participation ?? ''} style={{ height: '100%' }}>
                <span style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clipPath: 'inset(50%)' }}>
                  {participation === null ? '—' : `${pct(participation)}%`}
                </span>
                {charts && <EChart option={gaugeP} height={gaugeHeight} aria-label="本期参学率仪表盘" />}
              </div>
            </Panel>
            <Panel title="本期覆盖面">
              <div data-testid="bigscreen-coverage" data-value={coverage ?? ''} style={{ height: '100%' }}>
                {charts && <EChart option={gaugeC} height={gaugeHeight} aria-label="本期覆盖面仪表盘" />}
              </div>
            </Panel>
          </div>
          <div
            className="bigscreen-row"
            style={{
              display: 'grid',
              gridTemplateColumns: '1.2fr 1fr 1fr',
              gap: 'clamp(8px, 1vw, 18px)',
              minHeight: 0,
            }}
          >
            <Panel title="下级组织参学率排行">
              {bars && children?.some((c) => c.participation !== null) ? (
                <EChart option={bars} height={panelChartHeight} aria-label="下级组织参学率排行柱状图" />
              ) : (
                <div style={{ color: MUTED }}>暂无下级组织的参学数据</div>
              )}
            </Panel>
            <Panel title="近 14 天打卡人次">
              {line ? <EChart option={line} height={panelChartHeight} aria-label="近14天打卡人次折线图" /> : null}
            </Panel>
            <Panel title="最新报送" testId="bigscreen-events-panel">
              <EventTicker events={data.events} />
            </Panel>
          </div>
        </>
      )}
    </div>
  );
}

/** The window's height, followed as it changes (a laptop's window, a projector's full screen). */
function useWindowHeight(): number {
  const [h, setH] = useState(() => window.innerHeight);
  useEffect(() => {
    const onResize = () => setH(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return h;
}

export default function BigScreenPage() {
  const orgId = Number(useParams().orgId);
  if (!Number.isInteger(orgId) || orgId <= 0) return <Result status="404" title="没有这个组织" />;
  return <Screen key={orgId} orgId={orgId} />;
}
