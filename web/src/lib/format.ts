/** A metric value as the API sends it: a number, or "NaN", "Infinity", "-Infinity". */
export type MetricValue = number | string;

export function metricNumber(value: MetricValue): number {
  return typeof value === 'number' ? value : Number(value);
}

export function formatValue(value: MetricValue | null | undefined): string {
  if (value === null || value === undefined) return '';
  const n = metricNumber(value);
  if (!Number.isFinite(n)) return String(value);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const abs = Math.abs(n);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? n.toExponential(4) : String(Number(n.toPrecision(6)));
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatTime(epochMs: number | string | null | undefined): string {
  if (epochMs === null || epochMs === undefined) return '';
  const date = typeof epochMs === 'string' ? new Date(epochMs) : new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : dateTime.format(date);
}

export function isoTime(epochMs: number | string): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : date.toISOString();
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Series colours with enough contrast on white, told apart by colour-blind readers too (Okabe–Ito). */
export const seriesColors = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#8c564b'];
