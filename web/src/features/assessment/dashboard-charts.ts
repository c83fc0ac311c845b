import { useEffect, useState } from 'react';

/** True once the 考核 screens' extra chart types are registered (see dashboard-echarts.ts). */
export function useAssessmentCharts(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let alive = true;
    // Without the extras the charts still draw (a trend without its target line), so a failure does not block them.
    void import('./dashboard-echarts').then(
      () => alive && setReady(true),
      () => alive && setReady(true),
    );
    return () => {
      alive = false;
    };
  }, []);
  return ready;
}
