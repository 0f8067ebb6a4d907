"use client";

// A time-series chart (recharts) shared by the usage and billing pages: one line or stacked area per
// series, a tooltip with the formatted values, and a screen-reader table of the same points.
import { useId } from "react";
import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

export interface TimeSeriesChartProps {
  /** One row per point: `t` (epoch ms) and one number per series key. */
  data: Array<{ t: number } & Record<string, number>>;
  series: ChartSeries[];
  /** Formats a value for the axis and the tooltip, e.g. (v) => `${v.toFixed(1)} vCPU`. */
  format: (v: number) => string;
  granularity: "hour" | "day" | "month";
  /** Stacked areas (parts of a whole) or lines (measures to compare). */
  variant?: "lines" | "stacked";
  height?: number;
  /** What the chart shows, for screen readers. */
  label: string;
}

export const CHART_COLORS = {
  indigo: "#4f46e5",
  sky: "#0ea5e9",
  emerald: "#10b981",
  amber: "#f59e0b",
  rose: "#f43f5e",
  slate: "#64748b",
};

export function formatTick(t: number, granularity: TimeSeriesChartProps["granularity"]): string {
  const d = new Date(t);
  if (granularity === "hour")
    return d.toLocaleString(undefined, {
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "UTC",
    });
  if (granularity === "month")
    return d.toLocaleDateString(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
  return d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

export function TimeSeriesChart({
  data,
  series,
  format,
  granularity,
  variant = "lines",
  height = 240,
  label,
}: TimeSeriesChartProps) {
  const id = useId();
  const common = {
    data,
    margin: { top: 8, right: 12, bottom: 0, left: 0 },
  };
  const axes = (
    <>
      <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={["dataMin", "dataMax"]}
        tickFormatter={(t: number) => formatTick(t, granularity)}
        tick={{ fontSize: 12, fill: "#64748b" }}
        minTickGap={24}
      />
      <YAxis tickFormatter={(v: number) => format(v)} tick={{ fontSize: 12, fill: "#64748b" }} width={84} />
      <Tooltip
        labelFormatter={(t) => `${formatTick(Number(t), granularity)} UTC`}
        formatter={(v, name) => [format(Number(v)), String(name)]}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} />
    </>
  );
  return (
    <figure aria-labelledby={`${id}-caption`} className="w-full">
      <figcaption id={`${id}-caption`} className="sr-only">
        {label}
      </figcaption>
      <div style={{ height }} aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          {variant === "stacked" ? (
            <AreaChart {...common}>
              {axes}
              {series.map((s) => (
                <Area
                  key={s.key}
                  type="monotone"
                  dataKey={s.key}
                  name={s.label}
                  stackId="1"
                  stroke={s.color}
                  fill={s.color}
                  fillOpacity={0.25}
                  isAnimationActive={false}
                />
              ))}
            </AreaChart>
          ) : (
            <LineChart {...common}>
              {axes}
              {series.map((s) => (
                <Line
                  key={s.key}
                  type="monotone"
                  dataKey={s.key}
                  name={s.label}
                  stroke={s.color}
                  strokeWidth={2}
                  dot={data.length < 3}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          )}
        </ResponsiveContainer>
      </div>
      <table className="sr-only">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">Period (UTC)</th>
            {series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.map((row) => (
            <tr key={row.t}>
              <th scope="row">{formatTick(row.t, granularity)}</th>
              {series.map((s) => (
                <td key={s.key}>{format(row[s.key] ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
