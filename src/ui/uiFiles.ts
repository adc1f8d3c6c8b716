/** One file of the built web UI, as served. */
export interface UiFile {
  /** URL path, e.g. '/assets/app-3FJ2K.js' or '/index.html'. */
  path: string;
  body: Uint8Array;
  contentType: string;
  /** Content-hashed name: cacheable forever. */
  immutable: boolean;
}

/** The built UI: every file by URL path. */
export type UiFiles = ReadonlyMap<string, UiFile>;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && contentTypes[path.slice(dot).toLowerCase()]) || 'application/octet-stream';
}

/** Files under /assets/ carry a content hash in their name (see buildUi.ts). */
export function uiFile(path: string, body: Uint8Array): UiFile {
  return { path, body, contentType: contentTypeOf(path), immutable: path.startsWith('/assets/') };
}
