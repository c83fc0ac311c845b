/**
 * The parts of ECharts the study screens use, registered once. Only reached through `import()` from
 * `EChart.tsx`, so ECharts stays in its own chunk and loads after the page's figures.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, SVGRenderer]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';
