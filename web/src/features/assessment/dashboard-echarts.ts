/**
 * The ECharts parts the 考核 screens add to the study screens' set (study/echarts-setup.ts): the gauge of the big
 * screen. Reached only through `import()`, like the rest of ECharts (targets are drawn as dashed line series, so no
 * mark-line component is added to the chunk).
 */
import * as echarts from 'echarts/core';
import { GaugeChart } from 'echarts/charts';

echarts.use([GaugeChart]);

export const registered = true;
