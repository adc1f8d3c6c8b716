import { formatValue } from '../lib/format.ts';
import { StateBadge } from './StateBadge.tsx';

export interface FeatureDriftRow {
  feature: string;
  kind: string;
  verdict: string;
  psi: number | null;
  jsDistance: number | null;
  ksStatistic: number | null;
  ksPValue: number | null;
  chiSquarePValue: number | null;
  wasserstein: number | null;
  currentCount: number;
  referenceCount: number;
}

const cell = (v: number | null) => (v === null ? '—' : formatValue(v));

/** Each feature against its training profile over the chosen range. */
export function DriftTable({ features }: { features: readonly FeatureDriftRow[] }) {
  if (features.length === 0) return <p class="muted">No profiled features.</p>;
  return (
    <div class="wide-table">
      <table class="grid" aria-label="Drift per feature">
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Kind</th>
            <th scope="col">Verdict</th>
            <th scope="col">PSI</th>
            <th scope="col">JS distance</th>
            <th scope="col">KS (p)</th>
            <th scope="col">χ² p</th>
            <th scope="col">Wasserstein</th>
            <th scope="col">Rows now / training</th>
          </tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr key={f.feature} data-feature={f.feature}>
              <th scope="row">{f.feature}</th>
              <td>{f.kind.toLowerCase()}</td>
              <td>
                <StateBadge state={f.verdict} />
              </td>
              <td class="num">{cell(f.psi)}</td>
              <td class="num">{cell(f.jsDistance)}</td>
              <td class="num">{f.ksStatistic === null ? '—' : `${formatValue(f.ksStatistic)} (${cell(f.ksPValue)})`}</td>
              <td class="num">{cell(f.chiSquarePValue)}</td>
              <td class="num">{cell(f.wasserstein)}</td>
              <td class="num">
                {f.currentCount} / {f.referenceCount}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
