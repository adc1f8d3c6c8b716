import type { LiveStatus } from '../api/liveSubscription.ts';

const labels: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Not live',
};

/** Whether curves are extending on their own right now; announced to screen readers when it changes. */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span class={`live-indicator live-${status}`} role="status" aria-live="polite" data-live-status={status}>
      <span class="live-dot" aria-hidden="true" />
      {labels[status]}
    </span>
  );
}
