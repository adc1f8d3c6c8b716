import type { IncomingMessage } from 'node:http';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses requests a browser sends on behalf of another site (CSRF, and WebSocket
 * hijacking): a browser may attach remembered Basic credentials, and the embedded
 * server needs none at all. Browsers say where a request comes from (Origin,
 * Sec-Fetch-Site); a state-changing request or WebSocket upgrade must come from this
 * server's own origin, or from one listed in allowedOrigins. Clients that are not
 * browsers (mlflow, curl, the CLI) send neither header and are not affected.
 * Returns why a request is refused, or undefined.
 */
export function crossSiteRefusal(req: IncomingMessage, allowedOrigins: readonly string[] = []): string | undefined {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!upgrade && !STATE_CHANGING.has(req.method ?? 'GET')) return undefined;
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined && allowedOrigins.includes(origin)) return undefined;
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return `Cross-site request refused (Sec-Fetch-Site: ${site}).`;
  if (origin === undefined) return undefined;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `Cross-site request refused (Origin: ${origin.slice(0, 100)}).`;
  }
  if (origin === 'null' || host !== req.headers.host) return `Cross-site request refused (Origin: ${origin.slice(0, 100)}).`;
  return undefined;
}
