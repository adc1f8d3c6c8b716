/**
 * Parts of MLflow's REST API this server does not speak yet. They answer
 * 501 NOT_IMPLEMENTED (never retried by the client, unlike 5xx in general, and
 * clearer than 404) so a script fails at once saying what is missing. Remove an
 * entry when its API is built. A path (after /mlflow/) is covered when it is
 * the prefix or lies below it.
 */
const NOT_IMPLEMENTED: readonly { prefix: string; what: string }[] = [
  { prefix: 'traces', what: 'Traces' },
];

/** The 501 message for a path after /mlflow/, or undefined if the path is not a known unimplemented API. */
export function notImplementedMessage(path: string): string | undefined {
  const entry = NOT_IMPLEMENTED.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
  return entry && `${entry.what} is not implemented by this server yet.`;
}
