import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../api/graphql.ts';
import type { MetricValue } from '../lib/format.ts';
import type { RunListItem } from './runColumns.ts';

const pageSize = 250;

const searchRunsQuery = `query RunsPage($experimentIds: [ID!]!, $filter: String, $orderBy: [String!], $first: Int, $after: String) {
  searchRuns(experimentIds: $experimentIds, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    nodes { id name status startTime endTime userId params { key value } tags { key value } latestMetrics { key value } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface RunNode {
  id: string;
  name: string;
  status: string;
  startTime: number;
  endTime: number | null;
  userId: string;
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  latestMetrics: { key: string; value: MetricValue }[];
}

interface SearchRunsData {
  searchRuns: { nodes: RunNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

function toItem(node: RunNode): RunListItem {
  return {
    id: node.id,
    name: node.name,
    status: node.status,
    startTime: node.startTime,
    endTime: node.endTime,
    userId: node.userId,
    params: new Map(node.params.map((p) => [p.key, p.value])),
    tags: new Map(node.tags.map((t) => [t.key, t.value])),
    metrics: new Map(node.latestMetrics.map((m) => [m.key, m.value])),
  };
}

export interface RunPages {
  rows: RunListItem[];
  hasMore: boolean;
  loading: boolean;
  error?: Error;
  /** Fetches the next page unless one is on its way or there is none. */
  loadMore(): void;
}

/**
 * The runs of an experiment, page by page from searchRuns (filter and order on the
 * server). A new filter or order starts over; an answer for an old one is dropped.
 */
export function useRunPages(experimentId: string, filter: string, orderBy: string[]): RunPages {
  const [state, setState] = useState<{ rows: RunListItem[]; cursor: string | null; hasMore: boolean; loading: boolean; error?: Error }>({
    rows: [],
    cursor: null,
    hasMore: true,
    loading: false,
  });
  const generation = useRef(0);
  const inFlight = useRef(false);
  const orderKey = orderBy.join('\u0000');

  const fetchPage = useCallback(
    (after: string | null, reset: boolean) => {
      const id = generation.current;
      inFlight.current = true;
      setState((s) => ({ ...s, loading: true, error: undefined }));
      gql<SearchRunsData>(searchRunsQuery, { experimentIds: [experimentId], filter: filter || null, orderBy: orderBy.length ? orderBy : null, first: pageSize, after }).then(
        (data) => {
          if (id !== generation.current) return;
          inFlight.current = false;
          const page = data.searchRuns;
          setState((s) => ({
            rows: reset ? page.nodes.map(toItem) : [...s.rows, ...page.nodes.map(toItem)],
            cursor: page.pageInfo.endCursor,
            hasMore: page.pageInfo.hasNextPage,
            loading: false,
          }));
        },
        (error: Error) => {
          if (id !== generation.current) return;
          inFlight.current = false;
          setState((s) => ({ ...s, rows: reset ? [] : s.rows, hasMore: false, loading: false, error }));
        },
      );
    },
    [experimentId, filter, orderKey],
  );

  useEffect(() => {
    generation.current++;
    fetchPage(null, true);
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    if (inFlight.current || !state.hasMore || state.error) return;
    fetchPage(state.cursor, false);
  }, [fetchPage, state.hasMore, state.cursor, state.error]);

  return { rows: state.rows, hasMore: state.hasMore, loading: state.loading, error: state.error, loadMore };
}
