/**
 * The bench's chart, written by hand (no chart library for two kinds of plot). One row per
 * concurrency level: on the left, p50/p90/p99 bars per target; on the right, the latency CDF of
 * every target on a log-scale time axis, where a floor of 2 ms and a naive upload of 60 ms both
 * stay readable. Colours are fixed per target across rows. A panel may name the family of targets
 * it shows (node:http and serve, or API Gateway + Lambda): each family gets rows of its own.
 */
import type { CdfPoint } from '../stats.js';
import { formatMs } from '../table.js';
import { element, text } from './elements.js';
import { formatTick, linearScale, linearTicks, logDomain, logScale, logTicks } from './scale.js';

export interface ChartSeries {
  target: string;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  cdf: CdfPoint[];
}

export interface ChartPanel {
  concurrency: number;
  /** What the panel's targets are, appended to its titles. */
  label?: string;
  series: ChartSeries[];
}

export interface ChartInput {
  title: string;
  subtitle: string;
  panels: ChartPanel[];
}

// Tableau 10 and one more: a colour per target (eleven with --targets all).
const palette = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#9d755d',
  '#eeca3b',
  '#ff9da6',
  '#79706e',
  '#17becf',
];
const percentileOpacity = { p50: 1, p90: 0.6, p99: 0.3 } as const;
const width = 1040;
const headerHeight = 64;
const rowHeight = 360;
const margin = { top: 34, right: 20, bottom: 78, left: 58 };
const font = 'font-family="system-ui, sans-serif"';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function colorOf(target: string, targets: readonly string[]): string {
  const index = Math.max(0, targets.indexOf(target));
  return palette[index % palette.length] ?? '#333';
}

export function renderChart(input: ChartInput): string {
  const targets = [...new Set(input.panels.flatMap((panel) => panel.series.map((s) => s.target)))];
  const height = headerHeight + rowHeight * input.panels.length;
  const rows = input.panels.map((panel, index) => {
    const top = headerHeight + index * rowHeight;
    const half = width / 2;
    return [
      percentileBars(panel, targets, { x: 0, y: top, width: half, height: rowHeight }),
      cdfPlot(panel, targets, { x: half, y: top, width: half, height: rowHeight }),
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${font}>`,
    element('rect', { width, height, fill: 'white' }),
    text(input.title, { x: 20, y: 28, 'font-size': 18, 'font-weight': 'bold' }),
    text(input.subtitle, { x: 20, y: 50, 'font-size': 12, fill: '#555' }),
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}

function plotArea(box: Box): Box {
  return {
    x: box.x + margin.left,
    y: box.y + margin.top,
    width: box.width - margin.left - margin.right,
    height: box.height - margin.top - margin.bottom,
  };
}

function percentileBars(panel: ChartPanel, targets: readonly string[], box: Box): string {
  const area = plotArea(box);
  const max = Math.max(1e-3, ...panel.series.map((series) => series.p99Ms));
  const ticks = linearTicks(max);
  const y = linearScale([0, ticks.at(-1) ?? max], [area.y + area.height, area.y]);
  const group = area.width / Math.max(1, panel.series.length);
  const barWidth = Math.min(36, (group * 0.8) / 3);
  const parts: string[] = [
    text(`Latency percentiles, concurrency ${panel.concurrency}${suffix(panel)}`, {
      x: box.x + margin.left,
      y: box.y + 20,
      'font-size': 14,
      'font-weight': 'bold',
    }),
    ...ticks.map((tick) => gridLine(area, y(tick), formatTick(tick))),
    text('ms', { x: area.x - 8, y: area.y - 8, 'font-size': 11, 'text-anchor': 'end' }),
  ];
  panel.series.forEach((series, index) => {
    const color = colorOf(series.target, targets);
    const center = area.x + group * (index + 0.5);
    (['p50', 'p90', 'p99'] as const).forEach((percentile, bar) => {
      const value = series[`${percentile}Ms`];
      const x = center + (bar - 1.5) * barWidth;
      parts.push(
        element('rect', {
          x,
          y: y(value),
          width: barWidth - 2,
          height: Math.max(0, area.y + area.height - y(value)),
          fill: color,
          'fill-opacity': percentileOpacity[percentile],
          stroke: color,
        }),
        text(formatMs(value), {
          x: x + (barWidth - 2) / 2,
          y: y(value) - 3,
          'font-size': 9,
          'text-anchor': 'middle',
        }),
      );
    });
    // Every other label a line lower, so that long names side by side do not overlap.
    parts.push(
      text(series.target, {
        x: center,
        y: area.y + area.height + 16 + (index % 2) * 14,
        'font-size': 11,
        'text-anchor': 'middle',
      }),
    );
  });
  parts.push(percentileLegend(area.x, box.y + box.height - 12));
  return element('g', {}, parts);
}

function percentileLegend(x: number, y: number): string {
  return element(
    'g',
    {},
    (['p50', 'p90', 'p99'] as const).flatMap((percentile, index) => [
      element('rect', {
        x: x + index * 70,
        y: y - 10,
        width: 12,
        height: 12,
        fill: '#555',
        'fill-opacity': percentileOpacity[percentile],
        stroke: '#555',
      }),
      text(percentile, { x: x + index * 70 + 17, y, 'font-size': 11 }),
    ]),
  );
}

function cdfPlot(panel: ChartPanel, targets: readonly string[], box: Box): string {
  const area = plotArea(box);
  const values = panel.series.flatMap((series) => series.cdf.map((point) => point.ms));
  const [low, high] = logDomain(Math.min(...values, 1), Math.max(...values, 1));
  const x = logScale([low, high], [area.x, area.x + area.width]);
  const y = linearScale([0, 100], [area.y + area.height, area.y]);
  const parts: string[] = [
    text(`Latency CDF, concurrency ${panel.concurrency}${suffix(panel)}`, {
      x: box.x + margin.left,
      y: box.y + 20,
      'font-size': 14,
      'font-weight': 'bold',
    }),
    // 100% is the top edge; a label there would sit on the 99% one.
    ...[0, 25, 50, 75, 90, 99].map((percentile) => gridLine(area, y(percentile), `${percentile}%`)),
    ...logTicks(low, high).map((tick) => {
      const at = x(tick);
      return element('g', {}, [
        element('line', {
          x1: at,
          x2: at,
          y1: area.y,
          y2: area.y + area.height,
          stroke: '#e3e3e3',
        }),
        text(formatTick(tick), {
          x: at,
          y: area.y + area.height + 16,
          'font-size': 10,
          'text-anchor': 'middle',
        }),
      ]);
    }),
    text('latency, ms (log scale)', {
      x: area.x + area.width / 2,
      y: area.y + area.height + 30,
      'font-size': 11,
      'text-anchor': 'middle',
    }),
  ];
  for (const series of panel.series) {
    const points = series.cdf.map((point) => `${round(x(point.ms))},${round(y(point.percentile))}`);
    parts.push(
      element('polyline', {
        points: points.join(' '),
        fill: 'none',
        stroke: colorOf(series.target, targets),
        'stroke-width': 2,
      }),
    );
  }
  // The legend sits under the axis: inside the plot, some curve always runs where it would be.
  // It wraps onto a second line when the names do not fit on one.
  let legendX = area.x;
  let legendY = box.y + box.height - 30;
  for (const series of panel.series) {
    const itemWidth = 40 + 6.5 * series.target.length;
    if (legendX > area.x && legendX + itemWidth - 20 > area.x + area.width) {
      legendX = area.x;
      legendY += 16;
    }
    parts.push(
      element('rect', {
        x: legendX,
        y: legendY - 6,
        width: 14,
        height: 3,
        fill: colorOf(series.target, targets),
      }),
      text(series.target, { x: legendX + 19, y: legendY, 'font-size': 11 }),
    );
    legendX += itemWidth;
  }
  return element('g', {}, parts);
}

function suffix(panel: ChartPanel): string {
  return panel.label === undefined ? '' : ` · ${panel.label}`;
}

function gridLine(area: Box, at: number, label: string): string {
  return element('g', {}, [
    element('line', { x1: area.x, x2: area.x + area.width, y1: at, y2: at, stroke: '#e3e3e3' }),
    text(label, { x: area.x - 6, y: at + 4, 'font-size': 10, 'text-anchor': 'end' }),
  ]);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
