import { useEffect, useRef, useState } from 'react';
import { Alert, Skeleton } from 'antd';
import type { EChartsCoreOption } from './echarts-setup';

type Instance = ReturnType<(typeof import('./echarts-setup'))['echarts']['init']>;

interface Props {
  option: EChartsCoreOption;
  height: number;
  'data-testid'?: string;
  'aria-label'?: string;
}

/**
 * One ECharts chart (SVG, so it stays sharp on phones and its labels are text). ECharts is loaded on first
 * use; the chart follows its box's width and is updated in place when `option` changes.
 */
export function EChart({ option, height, ...rest }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);
  const [failed, setFailed] = useState(false);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let alive = true;
    let observer: ResizeObserver | undefined;
    import('./echarts-setup').then(
      ({ echarts }) => {
        if (!alive || !box.current) return;
        chart.current = echarts.init(box.current, undefined, { renderer: 'svg', locale: 'ZH' });
        observer = new ResizeObserver(() => chart.current?.resize());
        observer.observe(box.current);
        setReady(true);
      },
      () => alive && setFailed(true),
    );
    return () => {
      alive = false;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (ready) chart.current?.setOption(option, { notMerge: true });
  }, [ready, option]);

  useEffect(() => {
    if (ready) chart.current?.resize();
  }, [ready, height]);

  if (failed) return <Alert type="warning" showIcon title="图表加载失败，请刷新页面重试" />;
  return (
    <div style={{ position: 'relative', width: '100%', height }}>
      <div ref={box} role="img" {...rest} style={{ width: '100%', height }} />
      {!ready && (
        <div style={{ position: 'absolute', inset: 0 }}>
          <Skeleton active />
        </div>
      )}
    </div>
  );
}
