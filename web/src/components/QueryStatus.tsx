/** A loading note or an error box for a query; nothing once data is there. */
export function QueryStatus({ loading, error, what }: { loading: boolean; error?: Error; what: string }) {
  if (error)
    return (
      <p class="error" role="alert">
        Could not load {what}: {error.message}
      </p>
    );
  if (loading)
    return (
      <p class="muted" role="status">
        Loading {what}…
      </p>
    );
  return null;
}
