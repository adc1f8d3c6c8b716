import { useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../api/graphql.ts';
import { subscribeLive, type LiveStatus } from '../api/liveSubscription.ts';
import type { AuditEntryRow } from './registryTypes.ts';

const trailQuery = `query AuditTrail($name: String!, $after: String, $version: Int) {
  registryAuditTrail(name: $name, after: $after, version: $version, first: 1000) {
    __typename
    ... on AuditTrail {
      nodes { cursor kind summary actor recordedAt comment version requestId requestedBy changes { field before after version } }
      pageInfo { hasNextPage endCursor }
    }
    ... on DomainError { message }
  }
}`;

type TrailData = {
  registryAuditTrail:
    | { __typename: 'AuditTrail'; nodes: AuditEntryRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
    | { __typename: 'DomainError'; message: string };
};

const trailSubscription = `subscription FollowAuditTrail($name: String!, $after: String, $fromStart: Boolean, $version: Int) {
  registryAuditTrail(name: $name, after: $after, fromStart: $fromStart, version: $version) {
    cursor kind summary actor recordedAt comment version requestId requestedBy changes { field before after version }
  }
}`;

export interface AuditTrailState {
  entries: AuditEntryRow[];
  error?: string;
  loading: boolean;
  /** Bumped when entries arrive after the first load: the page refreshes what they changed. */
  changes: number;
  live: LiveStatus;
}

/**
 * A model's audit trail in log order: queried page by page, then followed through the
 * registryAuditTrail subscription from the last entry's cursor, so a transition made
 * anywhere shows up in an open timeline at once.
 */
export function useAuditTrail(name: string, version: number | undefined): AuditTrailState {
  const [state, setState] = useState<AuditTrailState>({ entries: [], loading: true, changes: 0, live: 'connecting' });
  const cursor = useRef<string | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    let stopLive: (() => void) | undefined;
    cursor.current = undefined;
    setState({ entries: [], loading: true, changes: 0, live: 'connecting' });
    const seen = new Set<string>();
    const load = async () => {
      const entries: AuditEntryRow[] = [];
      let more = true;
      while (more && !stopped) {
        const data = await gql<TrailData>(trailQuery, { name, after: cursor.current ?? null, version: version ?? null });
        const trail = data.registryAuditTrail;
        if (trail.__typename === 'DomainError') throw new Error(trail.message);
        for (const entry of trail.nodes) seen.add(entry.cursor);
        entries.push(...trail.nodes);
        if (trail.nodes.length) cursor.current = trail.nodes[trail.nodes.length - 1].cursor;
        more = trail.pageInfo.hasNextPage;
      }
      return entries;
    };
    load().then(
      (entries) => {
        if (stopped) return;
        setState((s) => ({ ...s, entries, loading: false }));
        stopLive = subscribeLive<{ registryAuditTrail: AuditEntryRow }>({
          query: trailSubscription,
          variables: cursor.current ? { name, version: version ?? null, after: cursor.current } : { name, version: version ?? null, fromStart: true },
          cursorOf: (d) => d.registryAuditTrail.cursor,
          onData: (d) => {
            const entry = d.registryAuditTrail;
            if (seen.has(entry.cursor)) return;
            seen.add(entry.cursor);
            setState((s) => ({ ...s, entries: [...s.entries, entry], changes: s.changes + 1 }));
          },
          onStatus: (live) => !stopped && setState((s) => ({ ...s, live })),
        });
      },
      (error: Error) => !stopped && setState((s) => ({ ...s, loading: false, error: error.message })),
    );
    return () => {
      stopped = true;
      stopLive?.();
    };
  }, [name, version]);
  return state;
}
