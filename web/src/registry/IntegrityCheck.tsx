import { useQuery } from '../lib/useQuery.ts';

const verifyQuery = `query VerifyChains { registryChainVerification { ok streams events breaks { streamId eventType revision reason position } } }`;

interface VerifyData {
  registryChainVerification: { ok: boolean; streams: number; events: number; breaks: { streamId: string; eventType: string; revision: number; reason: string; position: string }[] };
}

/** The registry's hash chains recomputed on the server: intact, or where the first break is. */
export function IntegrityCheck() {
  const { data, error, loading, reload } = useQuery<VerifyData>(verifyQuery, {});
  const report = data?.registryChainVerification;
  return (
    <section class={`integrity ${report ? (report.ok ? 'ok' : 'broken') : ''}`} aria-labelledby="integrity-title">
      <h2 id="integrity-title">Integrity check</h2>
      <div role="status" aria-live="polite">
        {error && <p class="error">Could not verify: {error.message}</p>}
        {!report && loading && <p class="muted">Recomputing every hash chain…</p>}
        {report && report.ok && (
          <p data-testid="integrity-result">
            <span class="badge ok-badge">✓ Intact</span> {report.events} events in {report.streams} model streams: every hash chain verifies.
          </p>
        )}
        {report && !report.ok && (
          <>
            <p data-testid="integrity-result">
              <span class="badge broken-badge">✗ Broken</span> {report.breaks.length} of {report.streams} streams do not verify.
            </p>
            <ul>
              {report.breaks.map((b) => (
                <li key={b.streamId}>
                  <span class="mono">{b.streamId}</span> at revision {b.revision} ({b.eventType}): {b.reason}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <button type="button" onClick={reload} disabled={loading}>
        Verify again
      </button>
    </section>
  );
}
