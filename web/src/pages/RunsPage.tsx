import { useMemo, useState } from 'preact/hooks';
import { Link } from '../components/Link.tsx';
import { QueryStatus } from '../components/QueryStatus.tsx';
import { SearchBox } from '../components/SearchBox.tsx';
import { navigate, paths, setQueryParams, useLocation } from '../lib/router.ts';
import { useQuery } from '../lib/useQuery.ts';
import { usePageTitle } from '../lib/usePageTitle.ts';
import { ColumnPicker } from '../runs/ColumnPicker.tsx';
import { RunsTable } from '../runs/RunsTable.tsx';
import { attributeColumns, columnId, orderByTerm, parseColumnId, parseSortParam, sortParam, type Column, type RunListItem, type Sort } from '../runs/runColumns.ts';
import { useRunPages } from '../runs/useRunPages.ts';

const experimentQuery = `query Experiment($id: ID!) { experiment(id: $id) { id name lifecycleStage } }`;

interface ExperimentData {
  experiment: { id: string; name: string; lifecycleStage: string } | null;
}

const maxCompare = 100;

function keysOf(rows: readonly RunListItem[], field: 'metrics' | 'params' | 'tags'): string[] {
  const keys = new Set<string>();
  // The first pages tell which keys exist; looking at every one of 10,000 runs would cost more than it tells.
  for (const row of rows.slice(0, 2000)) for (const key of row[field].keys()) keys.add(key);
  return [...keys].sort();
}

/** The runs of one experiment: filter, sort, choose columns, select runs to compare. */
export function RunsPage({ experimentId }: { experimentId: string }) {
  const { search } = useLocation();
  const filter = search.get('filter') ?? '';
  const sort = parseSortParam(search.get('sort'));
  const colsParam = search.get('cols');
  const experiment = useQuery<ExperimentData>(experimentQuery, { id: experimentId });
  const name = experiment.data?.experiment?.name ?? `Experiment ${experimentId}`;
  usePageTitle(name);

  const orderTerm = sort && orderByTerm(sort);
  const pages = useRunPages(experimentId, filter, orderTerm ? [orderTerm] : []);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const available = useMemo(
    () => ({ metric: keysOf(pages.rows, 'metrics'), param: keysOf(pages.rows, 'params'), tag: keysOf(pages.rows, 'tags').filter((k) => !k.startsWith('mlflow.')) }),
    // Keys are looked up once a page arrives, not on every render.
    [pages.rows.length > 0 ? pages.rows[0] : undefined, Math.min(pages.rows.length, 2000)],
  );
  const chosen: Column[] = colsParam !== null
    ? colsParam.split(',').filter(Boolean).map(decodeURIComponent).map(parseColumnId).filter((c): c is Column => c !== undefined)
    : [...available.metric.slice(0, 4).map((key): Column => ({ kind: 'metric', key })), ...available.param.slice(0, 3).map((key): Column => ({ kind: 'param', key }))];
  const columns = [...attributeColumns, ...chosen];

  const onSort = (column: Column) => {
    const same = sort && columnId(sort.column) === columnId(column);
    const next: Sort = { column, direction: same && sort!.direction === 'DESC' ? 'ASC' : same ? 'DESC' : column.kind === 'metric' ? 'DESC' : 'ASC' };
    setQueryParams({ sort: sortParam(next) });
  };
  const onToggle = (runId: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(runId)) next.delete(runId);
      else if (next.size < maxCompare) next.add(runId);
      return next;
    });
  const compare = () => {
    const keys = chosen.filter((c) => c.kind === 'metric').map((c) => c.key);
    navigate(paths.compare([...selected], keys));
  };
  const filterError = pages.error && (pages.error as { field?: string }).field !== undefined ? pages.error.message : pages.error?.message;

  return (
    <section class="runs-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.experiments()}>Experiments</Link> / <span aria-current="page">{name}</span>
      </nav>
      <h1>{name}</h1>
      <QueryStatus loading={false} error={experiment.error} what="the experiment" />
      <div class="toolbar">
        <SearchBox
          key={filter}
          id="run-filter"
          label="Filter runs"
          placeholder="metrics.loss < 0.5 and params.lr = '0.01'"
          value={filter}
          error={filterError}
          onSearch={(value) => setQueryParams({ filter: value })}
        />
        <ColumnPicker available={available} chosen={chosen} onChange={(next) => setQueryParams({ cols: next.map((c) => encodeURIComponent(columnId(c))).join(',') || ',' })} />
        <div class="selection" aria-live="polite">
          <span>{selected.size} selected</span>
          <button type="button" disabled={selected.size === 0} onClick={compare}>
            Compare
          </button>
          {selected.size > 0 && (
            <button type="button" class="link-button" onClick={() => setSelected(new Set())}>
              Clear
            </button>
          )}
        </div>
      </div>
      <p class="muted table-summary" role="status">
        {pages.loading && pages.rows.length === 0 ? 'Loading runs…' : `${pages.rows.length}${pages.hasMore ? '+' : ''} runs${filter ? ' matching the filter' : ''}`}
      </p>
      <RunsTable rows={pages.rows} columns={columns} sort={sort} onSort={onSort} selected={selected} onToggle={onToggle} hasMore={pages.hasMore} loadMore={pages.loadMore} />
    </section>
  );
}
