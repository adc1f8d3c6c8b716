import { useState } from 'preact/hooks';
import { formatBytes } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { ArtifactPreview } from './ArtifactPreview.tsx';

const listQuery = `query Artifacts($runId: ID!, $path: String) {
  run(id: $runId) { artifacts(path: $path) { path isDir fileSize downloadUrl } }
}`;

export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  fileSize: number | null;
  downloadUrl: string | null;
}

interface ListData {
  run: { artifacts: ArtifactEntry[] } | null;
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** One directory's entries, folders opening in place (each listed when first opened). */
function ArtifactDir({ runId, path, selected, onSelect }: { runId: string; path: string | null; selected?: string; onSelect(entry: ArtifactEntry): void }) {
  const { data, error, loading } = useQuery<ListData>(listQuery, { runId, path });
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  if (error)
    return (
      <p class="error" role="alert">
        Could not list artifacts: {error.message}
      </p>
    );
  if (loading && !data) return <p class="muted">Listing…</p>;
  const entries = [...(data?.run?.artifacts ?? [])].sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.path.localeCompare(b.path));
  if (entries.length === 0) return <p class="muted">{path === null ? 'No artifacts.' : 'Empty folder.'}</p>;
  const toggle = (p: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });
  return (
    <ul role={path === null ? 'tree' : 'group'} aria-label={path === null ? 'Artifacts' : undefined} class="artifact-list">
      {entries.map((entry) =>
        entry.isDir ? (
          <li key={entry.path} role="treeitem" aria-expanded={open.has(entry.path)}>
            <button type="button" class="tree-toggle" onClick={() => toggle(entry.path)} aria-label={`${open.has(entry.path) ? 'Close' : 'Open'} folder ${baseName(entry.path)}`}>
              <span aria-hidden="true">{open.has(entry.path) ? '▾' : '▸'}</span> {baseName(entry.path)}/
            </button>
            {open.has(entry.path) && <ArtifactDir runId={runId} path={entry.path} selected={selected} onSelect={onSelect} />}
          </li>
        ) : (
          <li key={entry.path} role="treeitem" aria-selected={selected === entry.path} class={selected === entry.path ? 'selected' : undefined}>
            <button type="button" class="tree-file" onClick={() => onSelect(entry)}>
              {baseName(entry.path)}
            </button>
            <span class="muted size">{formatBytes(entry.fileSize)}</span>
            {entry.downloadUrl && (
              <a href={entry.downloadUrl} download={baseName(entry.path)} aria-label={`Download ${entry.path}`}>
                Download
              </a>
            )}
          </li>
        ),
      )}
    </ul>
  );
}

/** A run's artifacts: a folder tree beside a preview of the chosen file. */
export function ArtifactBrowser({ runId }: { runId: string }) {
  const [selected, setSelected] = useState<ArtifactEntry | undefined>(undefined);
  return (
    <div class="artifacts">
      <div class="artifact-tree">
        <ArtifactDir runId={runId} path={null} selected={selected?.path} onSelect={setSelected} />
      </div>
      <div class="artifact-preview" aria-live="polite">
        {selected ? <ArtifactPreview key={selected.path} entry={selected} /> : <p class="muted">Choose a file to preview it.</p>}
      </div>
    </div>
  );
}
