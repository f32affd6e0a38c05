// ECharts GL's globe with 3-D lines and points (WebGL; loaded only by the
// Flow Globe when the browser has WebGL).
import { echarts } from './echarts.js';
import { install as GlobeComponent } from 'echarts-gl/lib/component/globe/install.js';
import { install as Lines3DChart } from 'echarts-gl/lib/chart/lines3D/install.js';
import { install as Scatter3DChart } from 'echarts-gl/lib/chart/scatter3D/install.js';

echarts.use([GlobeComponent, Lines3DChart, Scatter3DChart]);

export { echarts };
