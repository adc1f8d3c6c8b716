import { formatDuration, formatTime, formatValue, type MetricValue } from '../lib/format.ts';

/** A run as the runs table needs it, with its params, tags and latest metrics by key. */
export interface RunListItem {
  id: string;
  name: string;
  status: string;
  startTime: number;
  endTime: number | null;
  userId: string;
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: Map<string, MetricValue>;
}

export type Attribute = 'name' | 'status' | 'start' | 'end' | 'user';
export type Column = { kind: 'attr'; key: Attribute } | { kind: 'metric' | 'param' | 'tag'; key: string };
export type SortDirection = 'ASC' | 'DESC';
export interface Sort {
  column: Column;
  direction: SortDirection;
}

export const attributeColumns: Column[] = (['name', 'status', 'start', 'end', 'user'] as const).map((key) => ({ kind: 'attr', key }));

const attributeLabels: Record<Attribute, string> = { name: 'Run name', status: 'Status', start: 'Started', end: 'Ended', user: 'User' };
// MLflow's order_by attribute for each attribute column. A run's duration is not in MLflow's order_by
// grammar, so the table shows it beside the end time, the column it sorts by.
const attributeOrder: Record<Attribute, string> = { name: 'attributes.run_name', status: 'attributes.status', start: 'attributes.start_time', end: 'attributes.end_time', user: 'attributes.user_id' };
const prefixes = { metric: 'm', param: 'p', tag: 't', attr: 'a' } as const;
const kinds = { m: 'metric', p: 'param', t: 'tag', a: 'attr' } as const;

/** 'm:loss', 'p:lr', 't:team', 'a:start': how columns travel in the URL. */
export function columnId(column: Column): string {
  return `${prefixes[column.kind]}:${column.key}`;
}

export function parseColumnId(id: string): Column | undefined {
  const kind = kinds[id.slice(0, 1) as keyof typeof kinds];
  const key = id.slice(2);
  if (!kind || id[1] !== ':' || !key) return undefined;
  if (kind === 'attr') return key in attributeLabels ? { kind, key: key as Attribute } : undefined;
  return { kind, key };
}

export function columnLabel(column: Column): string {
  return column.kind === 'attr' ? attributeLabels[column.key] : column.key;
}

/** Backquoted as MLflow's grammar allows for any key (dots, spaces, dashes). */
function quoted(key: string): string {
  return key.includes('`') ? `"${key.replace(/"/g, '\\"')}"` : `\`${key}\``;
}

/** The server-side order_by term for a column: every column sorts on the server. */
export function orderByTerm(sort: Sort): string {
  const { column, direction } = sort;
  if (column.kind === 'attr') {
    return `${attributeOrder[column.key]} ${direction}`;
  }
  const prefix = column.kind === 'metric' ? 'metrics' : column.kind === 'param' ? 'params' : 'tags';
  return `${prefix}.${quoted(column.key)} ${direction}`;
}

/** The text of a cell (the name column renders as a link elsewhere). */
export function cellText(run: RunListItem, column: Column): string {
  switch (column.kind) {
    case 'metric':
      return formatValue(run.metrics.get(column.key));
    case 'param':
      return run.params.get(column.key) ?? '';
    case 'tag':
      return run.tags.get(column.key) ?? '';
    case 'attr':
      switch (column.key) {
        case 'name':
          return run.name;
        case 'status':
          return run.status;
        case 'start':
          return formatTime(run.startTime);
        case 'end':
          return run.endTime ? `${formatTime(run.endTime)} (${formatDuration(run.endTime - run.startTime)})` : run.status === 'RUNNING' ? `running ${formatDuration(Date.now() - run.startTime)}` : '';
        case 'user':
          return run.userId;
      }
  }
}

export function sortParam(sort: Sort | undefined): string | undefined {
  return sort && `${columnId(sort.column)} ${sort.direction}`;
}

export function parseSortParam(text: string | null): Sort | undefined {
  if (!text) return undefined;
  const space = text.lastIndexOf(' ');
  const column = parseColumnId(space > 0 ? text.slice(0, space) : text);
  const direction = space > 0 && text.slice(space + 1).toUpperCase() === 'ASC' ? 'ASC' : 'DESC';
  return column && { column, direction };
}
