/** An alert state (OK, PENDING, FIRING, RESOLVED) or a drift verdict as a badge with its word. */
export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state.toLowerCase()}`}>{state.replace(/_/g, ' ')}</span>;
}
