import { useEffect, useState } from 'preact/hooks';
import { formatBytes } from '../lib/format.ts';
import type { ArtifactEntry } from './ArtifactBrowser.tsx';

const imageTypes = /\.(png|jpe?g|gif|webp|svg|bmp|avif)$/i;
const jsonTypes = /\.(json|ipynb|jsonl?)$/i;
const textTypes = /(\.(txt|log|md|csv|tsv|ya?ml|py|cfg|ini|toml|xml|html?|sh|r|sql)|MLmodel|requirements\.txt|\/?[^./]+)$/i;
/** Larger text files are cut: a preview, not a viewer. */
const maxTextBytes = 512 * 1024;

type Preview = { kind: 'text' | 'json'; text: string; cut: boolean } | { kind: 'error'; message: string };

async function readText(url: string): Promise<{ text: string; cut: boolean }> {
  const response = await fetch(url, { headers: { range: `bytes=0-${maxTextBytes - 1}` } });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  const buffer = await response.arrayBuffer();
  const cut = buffer.byteLength >= maxTextBytes;
  return { text: new TextDecoder().decode(buffer.slice(0, maxTextBytes)), cut };
}

/** Images inline, JSON pretty-printed, text as text; anything else only downloads. Never rendered as HTML. */
export function ArtifactPreview({ entry }: { entry: ArtifactEntry }) {
  const url = entry.downloadUrl;
  const kind = !url ? 'none' : imageTypes.test(entry.path) ? 'image' : jsonTypes.test(entry.path) ? 'json' : textTypes.test(entry.path) ? 'text' : 'none';
  const [preview, setPreview] = useState<Preview | undefined>(undefined);
  useEffect(() => {
    if (!url || (kind !== 'text' && kind !== 'json')) return;
    let current = true;
    readText(url).then(
      ({ text, cut }) => {
        if (!current) return;
        if (kind === 'json' && !cut) {
          try {
            setPreview({ kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2), cut });
            return;
          } catch {
            // JSON lines or not JSON after all: shown as text.
          }
        }
        setPreview({ kind: 'text', text, cut });
      },
      (error: Error) => current && setPreview({ kind: 'error', message: error.message }),
    );
    return () => {
      current = false;
    };
  }, [url, kind]);

  return (
    <section aria-label={`Preview of ${entry.path}`}>
      <h3 class="preview-title">
        {entry.path} <span class="muted">{formatBytes(entry.fileSize)}</span>
        {url && (
          <a class="download" href={url} download={entry.path.slice(entry.path.lastIndexOf('/') + 1)}>
            Download
          </a>
        )}
      </h3>
      {kind === 'image' && url && <img class="preview-image" src={url} alt={`Artifact ${entry.path}`} />}
      {(kind === 'text' || kind === 'json') &&
        (preview === undefined ? (
          <p class="muted">Loading…</p>
        ) : preview.kind === 'error' ? (
          <p class="error" role="alert">
            Could not read the file: {preview.message}
          </p>
        ) : (
          <>
            <pre class={`preview-text preview-${preview.kind}`} tabIndex={0}>
              {preview.text}
            </pre>
            {preview.cut && <p class="muted">Only the first {formatBytes(maxTextBytes)} are shown; download the file for the rest.</p>}
          </>
        ))}
      {kind === 'none' && <p class="muted">No preview for this kind of file.</p>}
    </section>
  );
}
