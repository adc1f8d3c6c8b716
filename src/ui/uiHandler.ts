import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Logger } from '../server/logger.ts';
import { buildUi, readUiFiles, writeUiFiles } from './buildUi.ts';
import type { UiFile, UiFiles } from './uiFiles.ts';
import { isClientRoute } from './uiRoutes.ts';
import { htmlSecurityHeaders } from './uiSecurityHeaders.ts';

interface ServedFile extends UiFile {
  etag: string;
  gzipped?: Uint8Array;
}

export interface UiHandlerOptions {
  /** A build to serve (tests build the current sources); otherwise web/dist, built there when missing. */
  files?: UiFiles;
  logger: Logger;
}

const compressible = /^(text\/|application\/json|image\/svg)/;

function prepare(files: UiFiles): Map<string, ServedFile> {
  const served = new Map<string, ServedFile>();
  for (const file of files.values()) {
    const etag = `"${createHash('sha256').update(file.body).digest('base64url').slice(0, 22)}"`;
    const gzipped = compressible.test(file.contentType) && file.body.byteLength > 1024 ? gzipSync(file.body, { level: 9 }) : undefined;
    served.set(file.path, { ...file, etag, gzipped });
  }
  return served;
}

/** web/dist when built (npm install builds it); else a build in memory, also written to web/dist when the folder is writable. */
async function loadFiles(logger: Logger): Promise<UiFiles> {
  const built = await readUiFiles();
  if (built) return built;
  logger.info('web/dist is missing: building the web UI');
  const files = await buildUi();
  await writeUiFiles(files).catch((error) => logger.warn({ err: error }, 'could not write web/dist; serving the UI from memory'));
  return files;
}

/**
 * The web UI at / : static files (hashed assets cached for a year, the rest revalidated),
 * index.html for the client's own routes. Answers false for anything else, so the API
 * routes and their 404 stay as they are. The build is loaded on the first UI request.
 */
export function createUiHandler(options: UiHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  let loading: Promise<Map<string, ServedFile>> | undefined;
  const served = () => {
    loading ??= (options.files ? Promise.resolve(options.files) : loadFiles(options.logger)).then(prepare).catch((error) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = (req.url ?? '/').split('?')[0];
    const clientRoute = isClientRoute(pathname);
    if (!clientRoute && !pathname.startsWith('/assets/') && !/^\/[\w.-]+\.(svg|ico|png|txt)$/.test(pathname)) return false;
    let files: Map<string, ServedFile>;
    try {
      files = await served();
    } catch (error) {
      options.logger.error({ err: error }, 'the web UI could not be built');
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('The web UI is not built and could not be built here: run `npm run build:ui`.');
      return true;
    }
    const file = clientRoute ? files.get('/index.html') : files.get(pathname);
    if (!file) return false;
    send(req, res, file);
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, file: ServedFile): void {
  const headers: Record<string, string> = {
    'content-type': file.contentType,
    etag: file.etag,
    'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'accept-encoding',
  };
  if (file.contentType.startsWith('text/html')) Object.assign(headers, htmlSecurityHeaders(req.headers.host));
  else headers['x-content-type-options'] = 'nosniff';
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = file.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzipped! : file.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.byteLength);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
