import { Link } from '../components/Link.tsx';
import { AliasBadge, StageBadge } from '../components/StageBadge.tsx';
import { formatTime } from '../lib/format.ts';
import { paths } from '../lib/router.ts';
import type { ModelVersionRow } from './registryTypes.ts';

/** A model's versions, newest first, with stage and alias badges and the run each came from. */
export function VersionsTable({ name, versions }: { name: string; versions: readonly ModelVersionRow[] }) {
  if (versions.length === 0) return <p class="muted">No versions yet.</p>;
  return (
    <table class="grid" aria-label="Model versions">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Stage</th>
          <th scope="col">Aliases</th>
          <th scope="col">Source run</th>
          <th scope="col">Created</th>
          <th scope="col">By</th>
          <th scope="col">Monitoring</th>
        </tr>
      </thead>
      <tbody>
        {[...versions]
          .sort((a, b) => b.version - a.version)
          .map((v) => (
            <tr key={v.version} data-version={v.version}>
              <th scope="row">v{v.version}</th>
              <td>
                <StageBadge stage={v.currentStage} />
              </td>
              <td>
                {v.aliases.map((a) => (
                  <AliasBadge key={a} alias={a} />
                ))}
              </td>
              <td>
                {v.run ? (
                  <Link href={paths.run(v.run.id)}>{v.run.name || v.run.id.slice(0, 8)}</Link>
                ) : (
                  <span class="mono" title={v.source}>
                    {v.runId ?? v.source}
                  </span>
                )}
              </td>
              <td>{formatTime(v.creationTimestamp)}</td>
              <td>{v.userId}</td>
              <td>
                <Link href={paths.monitoring(name, v.version)}>Monitor</Link>
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
