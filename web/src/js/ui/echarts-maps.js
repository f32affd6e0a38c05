// ECharts modules of the flat maps (registered once, on top of the shared
// set). Imported by path, not through the echarts/charts barrel, so they
// stay in the map pages' chunk instead of joining the one every chart page
// loads.
import { echarts } from './echarts.js';
import { install as LinesChart } from 'echarts/lib/chart/lines/install.js';
import { install as ScatterChart } from 'echarts/lib/chart/scatter/install.js';
import { install as EffectScatterChart } from 'echarts/lib/chart/effectScatter/install.js';
import { install as GeoComponent } from 'echarts/lib/component/geo/install.js';

echarts.use([LinesChart, ScatterChart, EffectScatterChart, GeoComponent]);

export { echarts };
