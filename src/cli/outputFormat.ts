/**
 * Renders rows for a terminal (aligned table), a spreadsheet (CSV) or a
 * program (JSON). Every row has a value, possibly null, for every column, so
 * the three formats always agree on what is there.
 */

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A cell: text, a number (NaN and ±Infinity allowed), or nothing. */
export type Cell = string | number | null;

export interface Tabular {
  columns: readonly string[];
  rows: readonly Readonly<Record<string, Cell>>[];
}

export function parseOutputFormat(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f === value.toLowerCase());
  if (!format) throw new Error(`--output-format must be one of ${OUTPUT_FORMATS.join(', ')}; got '${value}'`);
  return format;
}

export function renderOutput(data: Tabular, format: OutputFormat): string {
  if (format === 'json') return renderJson(data);
  if (format === 'csv') return renderCsv(data);
  return renderTable(data);
}

/** An array of objects; non-finite numbers become MLflow's strings ("NaN", "Infinity"), since JSON has no literal for them. */
function renderJson({ columns, rows }: Tabular): string {
  const objects = rows.map((row) => Object.fromEntries(columns.map((column) => [column, jsonValue(row[column] ?? null)])));
  return `${JSON.stringify(objects, null, 2)}\n`;
}

function jsonValue(cell: Cell): Cell {
  return typeof cell === 'number' && !Number.isFinite(cell) ? String(cell) : cell;
}

/** RFC 4180: a field is quoted when it holds a comma, a quote, a line break or edge spaces; quotes are doubled. */
function renderCsv({ columns, rows }: Tabular): string {
  const lines = [columns.map(csvField), ...rows.map((row) => columns.map((column) => csvField(cellText(row[column] ?? null))))];
  return lines.map((fields) => `${fields.join(',')}\n`).join('');
}

function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns padded to their widest cell; numbers right-aligned so digits line up. Line breaks are shown escaped to keep rows on one line. */
function renderTable({ columns, rows }: Tabular): string {
  const texts = rows.map((row) => columns.map((column) => cellText(row[column] ?? null).replace(/\r/g, '\\r').replace(/\n/g, '\\n')));
  const widths = columns.map((column, i) => Math.max(column.length, ...texts.map((cells) => cells[i].length)));
  const numeric = columns.map((column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number' || row[column] === null || row[column] === undefined));
  const line = (cells: readonly string[], alignNumbers: boolean) =>
    cells
      .map((cell, i) => (alignNumbers && numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const output = [line(columns, false), line(widths.map((w) => '-'.repeat(w)), false), ...texts.map((cells) => line(cells, true))];
  return `${output.join('\n')}\n`;
}

function cellText(cell: Cell): string {
  return cell === null ? '' : String(cell);
}
