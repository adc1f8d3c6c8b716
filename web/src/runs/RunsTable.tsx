import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from '../components/Link.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { paths } from '../lib/router.ts';
import { cellText, columnId, columnLabel, type Column, type RunListItem, type Sort } from './runColumns.ts';

const rowHeight = 34;
const overscan = 12;
/** Ask for the next page this many rows before the loaded ones run out. */
const prefetchRows = 100;

interface Props {
  rows: RunListItem[];
  columns: Column[];
  sort?: Sort;
  onSort(column: Column): void;
  selected: ReadonlySet<string>;
  onToggle(runId: string): void;
  hasMore: boolean;
  loadMore(): void;
}

/**
 * The runs table, virtualised: only the rows in view (plus a margin) are in the DOM,
 * between two spacer rows that keep the scroll height, so 10,000 runs scroll like 50.
 * Scrolling near the end of what is loaded fetches the next page.
 */
export function RunsTable({ rows, columns, sort, onSort, selected, onToggle, hasMore, loadMore }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const element = scroller.current!;
    const update = () => setView({ top: element.scrollTop, height: element.clientHeight });
    update();
    element.addEventListener('scroll', update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', update);
      observer.disconnect();
    };
  }, []);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  useEffect(() => {
    if (hasMore && last >= rows.length - prefetchRows) loadMore();
  }, [hasMore, last, rows.length, loadMore]);

  const visible = rows.slice(first, last);
  const span = columns.length + 1;
  return (
    <div class="table-scroll" ref={scroller} tabIndex={0} aria-label="Runs (scrollable)">
      <table class="grid runs-table" aria-label="Runs" aria-rowcount={hasMore ? -1 : rows.length + 1} data-row-count={rows.length}>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col" class="select-col">
              <span class="visually-hidden">Select for comparison</span>
            </th>
            {columns.map((column) => {
              const active = sort && columnId(sort.column) === columnId(column);
              const ariaSort = active ? (sort!.direction === 'ASC' ? 'ascending' : 'descending') : undefined;
              return (
                <th key={columnId(column)} scope="col" aria-sort={ariaSort} class={`col-${column.kind}`} data-column={columnId(column)} title={column.kind === 'attr' ? undefined : `${column.kind}: ${column.key}`}>
                  <button type="button" class="sort" onClick={() => onSort(column)}>
                    {column.kind !== 'attr' && (
                      <>
                        <span class="col-kind" aria-hidden="true">
                          {column.kind[0]}
                        </span>
                        <span class="visually-hidden">{column.kind} </span>
                      </>
                    )}
                    {columnLabel(column)}
                    <span aria-hidden="true" class="sort-mark">
                      {active ? (sort!.direction === 'ASC' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {first > 0 && (
            <tr class="spacer" aria-hidden="true" style={{ height: `${first * rowHeight}px` }}>
              <td colSpan={span} />
            </tr>
          )}
          {visible.map((run, i) => (
            <tr key={run.id} aria-rowindex={first + i + 2} class={selected.has(run.id) ? 'selected' : undefined} style={{ height: `${rowHeight}px` }}>
              <td class="select-col">
                <input type="checkbox" checked={selected.has(run.id)} onChange={() => onToggle(run.id)} aria-label={`Select run ${run.name || run.id} for comparison`} />
              </td>
              {columns.map((column) => (
                <td key={columnId(column)} class={column.kind === 'metric' ? 'num' : undefined}>
                  {column.kind === 'attr' && column.key === 'name' ? (
                    <Link href={paths.run(run.id)}>{run.name || run.id.slice(0, 8)}</Link>
                  ) : column.kind === 'attr' && column.key === 'status' ? (
                    <StatusBadge status={run.status} />
                  ) : (
                    cellText(run, column)
                  )}
                </td>
              ))}
            </tr>
          ))}
          {last < rows.length && (
            <tr class="spacer" aria-hidden="true" style={{ height: `${(rows.length - last) * rowHeight}px` }}>
              <td colSpan={span} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
