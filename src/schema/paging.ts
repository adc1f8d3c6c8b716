import { decodePageToken, encodePageToken } from '../search/compileRunSearch.ts';
import { SearchSyntaxError } from '../search/searchErrors.ts';
import { invalid } from '../tracking/domainError.ts';
import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { builder } from './builder.ts';

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer Types extends SchemaTypes> ? Types : never;

export interface Page<T> {
  nodes: T[];
  endCursor?: string;
}

export const PageInfo = builder.objectRef<{ endCursor?: string }>('PageInfo').implement({
  description: 'Cursor paging: pass endCursor as `after` to get the next page; null on the last page.',
  fields: (t) => ({
    hasNextPage: t.boolean({ resolve: (page) => page.endCursor !== undefined }),
    endCursor: t.string({ nullable: true, resolve: (page) => page.endCursor ?? null }),
  }),
});

/** Cursors are MLflow's page tokens, so a cursor from GraphQL also pages the REST API. */
export function pageWindow(first: number, after: string | null | undefined, maxPageSize: number): { limit: number; offset: number } {
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) throw invalid('first', `'first' must be between 1 and ${maxPageSize}, got ${first}.`);
  try {
    return { limit: first, offset: decodePageToken(after ?? undefined) };
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw invalid('after', error.message);
    throw error;
  }
}

/** Fetches one row more than asked, to know whether another page follows. */
export async function fetchPage<T>(window: { limit: number; offset: number }, fetch: (limit: number, offset: number) => Promise<T[]>): Promise<Page<T>> {
  const rows = await fetch(window.limit + 1, window.offset);
  const hasMore = rows.length > window.limit;
  return { nodes: rows.slice(0, window.limit), endCursor: hasMore ? encodePageToken(window.offset + window.limit) : undefined };
}

/** A page of nodes with its PageInfo, e.g. RunConnection. */
export function connectionType<T>(name: string, nodeType: ObjectRef<SchemaTypesOf<typeof builder>, T>) {
  return builder.objectRef<Page<T>>(name).implement({
    fields: (t) => ({
      nodes: t.field({ type: [nodeType], resolve: (page) => page.nodes }),
      pageInfo: t.field({ type: PageInfo, resolve: (page) => page }),
    }),
  });
}
