/** A Host header as it may appear in a CSP source (host, IPv4, [IPv6], optional port); anything else is dropped. */
const safeHost = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Headers for the UI's HTML: the page may load only its own scripts, styles and images
 * (artifact previews come from this server too) and talk only to this server, over HTTP
 * and WebSocket (graphql-ws on /graphql). Kept in one function so that server-wide header
 * policy can absorb it.
 */
export function htmlSecurityHeaders(host: string | undefined): Record<string, string> {
  const sockets = host && safeHost.test(host) ? ` ws://${host} wss://${host}` : '';
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${sockets}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
}
