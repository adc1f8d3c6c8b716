import type { ServerResponse } from 'node:http';

/**
 * GraphiQL (yoga's page) loads its scripts and styles from unpkg and its icon from
 * GitHub; nothing else may be loaded or framed. The web UI adds its sources here.
 */
const GRAPHIQL_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' https://unpkg.com",
  "style-src 'self' 'unsafe-inline' https://unpkg.com",
  "font-src 'self' data: https://unpkg.com",
  "img-src 'self' data: https://raw.githubusercontent.com",
  "worker-src 'self' blob: https://unpkg.com",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Everything else is data (JSON, artifact bytes): an uploaded HTML artifact must not run as this site. */
const DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * The one place response security headers are set, for every response before any
 * handler writes: no MIME sniffing, no framing, no referrer leaks, and a content
 * policy per kind of page.
 */
export function applySecurityHeaders(res: ServerResponse, pathname: string): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('content-security-policy', pathname === '/graphql' ? GRAPHIQL_POLICY : DATA_POLICY);
}
