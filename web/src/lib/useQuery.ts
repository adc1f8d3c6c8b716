import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../api/graphql.ts';

export interface QueryState<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload(): void;
}

/**
 * Runs a query whenever its variables change (null variables: not yet), dropping the
 * answer of a superseded request. The previous data stays shown while the next loads.
 */
export function useQuery<T>(query: string, variables: Record<string, unknown> | null): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: variables !== null });
  const [generation, setGeneration] = useState(0);
  const key = variables === null ? null : JSON.stringify(variables);
  const latest = useRef(0);
  useEffect(() => {
    if (key === null) return;
    const id = ++latest.current;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    gql<T>(query, JSON.parse(key) as Record<string, unknown>, controller.signal).then(
      (data) => id === latest.current && setState({ data, loading: false }),
      (error: Error) => id === latest.current && error.name !== 'AbortError' && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => controller.abort();
  }, [query, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/** The value after it has stopped changing for ms. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
