export {
  CHART_COLORS,
  type ChartSeries,
  formatTick,
  TimeSeriesChart,
  type TimeSeriesChartProps,
} from "./time-series-chart";
