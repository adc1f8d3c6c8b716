/** A GraphQL error answered by the server, with the field and code it names when it is bad input. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** POSTs one operation to /graphql; resolves with data, throws GraphQLRequestError on errors. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body: GraphQLResponse<T>;
  try {
    body = (await response.json()) as GraphQLResponse<T>;
  } catch {
    throw new GraphQLRequestError(`The server answered ${response.status} ${response.statusText}`);
  }
  const first = body.errors?.[0];
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code, first.extensions?.field);
  if (!body.data) throw new GraphQLRequestError(`The server answered ${response.status} without data`);
  return body.data;
}

/** A mutation's typed union result: the object, or the DomainError it answered. */
export interface DomainErrorResult {
  __typename: 'DomainError';
  code: string;
  field: string | null;
  message: string;
}
