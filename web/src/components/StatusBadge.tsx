/** A run's status as a coloured badge (the word is always shown: colour is not the only cue). */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status.toLowerCase()}`}>{status}</span>;
}
