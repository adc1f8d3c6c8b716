import { useState } from 'preact/hooks';
import { seriesColors } from '../lib/format.ts';
import { runLabel, type CompareRun } from './compareTypes.ts';

/** Params of the compared runs side by side; rows whose values differ are marked (and can be shown alone). */
export function ParamsDiff({ runs }: { runs: readonly CompareRun[] }) {
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const values = runs.map((run) => new Map(run.params.map((p) => [p.key, p.value])));
  const keys = [...new Set(runs.flatMap((run) => run.params.map((p) => p.key)))].sort();
  const differs = (key: string) => new Set(values.map((v) => v.get(key) ?? '\u0000missing')).size > 1;
  const shown = onlyDifferences ? keys.filter(differs) : keys;
  const differing = keys.filter(differs).length;
  return (
    <div>
      <div class="check">
        <input id="only-differences" type="checkbox" checked={onlyDifferences} onChange={() => setOnlyDifferences(!onlyDifferences)} />
        <label for="only-differences">Only params that differ ({differing} of {keys.length})</label>
      </div>
      {keys.length === 0 ? (
        <p class="muted">No params logged.</p>
      ) : (
        <div class="wide-table">
          <table class="grid compare-table" aria-label="Params diff">
            <thead>
              <tr>
                <th scope="col">Param</th>
                {runs.map((run, i) => (
                  <th key={run.id} scope="col">
                    <span class="swatch" style={{ background: seriesColors[i % seriesColors.length] }} aria-hidden="true" />
                    {runLabel(run)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((key) => {
                const different = differs(key);
                return (
                  <tr key={key} class={different ? 'differs' : undefined} data-differs={different ? 'true' : 'false'}>
                    <th scope="row">
                      {key}
                      {different && <span class="visually-hidden"> (differs)</span>}
                    </th>
                    {values.map((v, i) => (
                      <td key={runs[i].id} class={v.has(key) ? undefined : 'missing'}>
                        {v.get(key) ?? '—'}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
