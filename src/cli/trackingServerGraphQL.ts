export interface GraphQLError {
  message: string;
  extensions?: { code?: string; field?: string };
}

/**
 * One GraphQL request to a running mlledger server for the CLI's --tracking-uri
 * commands. An unreachable server, an answer that is not GraphQL and an answer
 * without data become errors naming the server; the first GraphQL error goes
 * through `describeError`, so each command can word it for its own flags.
 */
export async function queryTrackingServer<T>(
  trackingUri: string,
  query: string,
  variables: Record<string, unknown>,
  describeError: (error: GraphQLError) => string = (error) => error.message,
): Promise<T> {
  const endpoint = `${trackingUri.replace(/\/+$/, '')}/graphql`;
  let response: Response;
  try {
    response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(`Cannot reach the tracking server at ${trackingUri}: ${reason}`);
  }
  const text = await response.text();
  let answer: { data?: T; errors?: GraphQLError[] };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new Error(`The tracking server at ${trackingUri} answered ${response.status} without GraphQL: ${text.slice(0, 200)}`);
  }
  if (answer.errors?.[0]) throw new Error(describeError(answer.errors[0]));
  if (!answer.data) throw new Error(`The tracking server at ${trackingUri} answered ${response.status} with no data.`);
  return answer.data;
}
