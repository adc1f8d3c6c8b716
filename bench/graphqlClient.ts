/** A bare GraphQL-over-HTTP client: the benchmark measures the server, so the client does as little as it can. */

interface GraphQLResponseBody<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** The JSON body of one operation, built once so a load loop only sends strings. */
export function graphqlRequestBody(query: string, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables });
}

/** POSTs a prepared body to /graphql; throws on transport or GraphQL errors. */
export async function postGraphQL<T>(baseUrl: string, body: string): Promise<T> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const parsed = (await response.json()) as GraphQLResponseBody<T>;
  if (parsed.errors?.length) throw new Error(`GraphQL error: ${parsed.errors.map((e) => e.message).join('; ')}`);
  if (!response.ok || parsed.data === undefined) throw new Error(`GraphQL request failed with HTTP ${response.status}`);
  return parsed.data;
}

/** What every mutation result selects: the type name, and the reason when it is a refusal. */
export interface MutationOutcome {
  __typename: string;
  code?: string;
  message?: string;
}

/** Mutations answer refusals as DomainError values, not GraphQL errors: a benchmark must not count those as work. */
export function expectType(outcome: MutationOutcome, expected: string, what: string): void {
  if (outcome.__typename !== expected) throw new Error(`${what} answered ${outcome.__typename}: ${outcome.code ?? ''} ${outcome.message ?? ''}`.trim());
}
