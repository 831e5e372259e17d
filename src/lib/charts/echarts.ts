// The one place ECharts is assembled: only the charts and components our builders use (tree-shaken).
// No DOM needed, so the PDF export can render the same builders to SVG server-side:
//   const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height }); c.setOption(o); c.renderToSVGString()
import * as echarts from 'echarts/core';
import { HeatmapChart, LineChart, RadarChart } from 'echarts/charts';
import {
	GridComponent,
	LegendComponent,
	RadarComponent,
	TitleComponent,
	TooltipComponent,
	VisualMapComponent
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
	HeatmapChart,
	LineChart,
	RadarChart,
	GridComponent,
	LegendComponent,
	RadarComponent,
	// Only for the words across a chart with nothing to draw.
	TitleComponent,
	TooltipComponent,
	VisualMapComponent,
	CanvasRenderer,
	SVGRenderer
]);

export { echarts };
