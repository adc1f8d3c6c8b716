/** What an Authorization header carries: HTTP Basic (user and password) or a Bearer token. */
export type Credentials = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

const MAX_HEADER = 4_096;

/** undefined: no Authorization header; 'malformed': one we cannot read. */
export function parseAuthorization(header: string | undefined): Credentials | 'malformed' | undefined {
  if (header === undefined || header === '') return undefined;
  if (header.length > MAX_HEADER) return 'malformed';
  const space = header.indexOf(' ');
  if (space < 0) return 'malformed';
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return value === '' ? 'malformed' : { kind: 'bearer', token: value };
  if (scheme !== 'basic' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return 'malformed';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** graphql-ws connectionParams: { authorization: 'Basic …' | 'Bearer …' }, or { token } / { username, password }. */
export function credentialsFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): Credentials | 'malformed' | undefined {
  if (!params) return undefined;
  const header = params.authorization ?? params.Authorization;
  if (typeof header === 'string') return parseAuthorization(header);
  if (typeof params.token === 'string') return { kind: 'bearer', token: params.token };
  if (typeof params.username === 'string' && typeof params.password === 'string') return { kind: 'basic', username: params.username, password: params.password };
  if (header !== undefined || params.token !== undefined || params.username !== undefined) return 'malformed';
  return undefined;
}
