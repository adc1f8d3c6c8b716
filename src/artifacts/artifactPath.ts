import { invalid } from '../tracking/domainError.ts';

/**
 * Artifact paths are relative, '/'-separated and confined to the store's root.
 * They arrive percent-encoded in URLs; we decode exactly once and then refuse
 * anything that could still mean something else to a later decoder or to the
 * filesystem: '..' and '.' segments, absolute paths, backslashes, NUL and
 * other control characters, empty segments, and leftover encodings of '.', '/',
 * '\', '%' or NUL (so '%252e%252e' cannot become '..' one decode later).
 */

const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 1024;
const STILL_ENCODED = /%(2e|2f|5c|25|00)/i;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const WINDOWS_DRIVE = /^[a-zA-Z]:/;

/** A path as it appears in a URL path (still percent-encoded). */
export function artifactPathFromUrl(encoded: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    throw invalidPath(encoded, 'it is not valid percent-encoding');
  }
  return validArtifactPath(decoded);
}

/** A path already decoded once (a query parameter or a JSON field). */
export function validArtifactPath(path: string): string {
  if (path === '') throw invalidPath(path, 'it is empty');
  if (CONTROL_CHARS.test(path)) throw invalidPath(path, 'it contains control characters');
  if (path.includes('\\')) throw invalidPath(path, 'it contains a backslash');
  if (path.startsWith('/') || WINDOWS_DRIVE.test(path)) throw invalidPath(path, 'it is absolute');
  if (STILL_ENCODED.test(path)) throw invalidPath(path, 'it contains percent-encoded separators or dots');
  // File systems refuse longer names (ENAMETOOLONG) and S3 longer keys: refuse them here, as bad input.
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw invalidPath(path.slice(0, 80), `it is longer than ${MAX_PATH_BYTES} bytes`);
  for (const segment of path.split('/')) {
    if (segment === '') throw invalidPath(path, 'it has an empty segment');
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw invalidPath(path.slice(0, 80), `it has a name longer than ${MAX_SEGMENT_BYTES} bytes`);
    if (segment === '.' || segment === '..') throw invalidPath(path, `it has a '${segment}' segment`);
  }
  return path;
}

/** A directory to list: like a path, but '' (or absent) is the root and one trailing '/' is allowed. */
export function validArtifactDir(dir: string | undefined): string {
  if (dir === undefined || dir === '') return '';
  return validArtifactPath(dir.endsWith('/') ? dir.slice(0, -1) : dir);
}

/** The first segment: the experiment id under MLflow's layout ('<exp>/<run>/artifacts/…'). */
export function topLevelSegment(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(0, slash);
}

/** Joins a validated directory ('' for the root) and a validated relative path. */
export function joinArtifactPath(dir: string, path: string): string {
  return dir === '' ? path : `${dir}/${path}`;
}

function invalidPath(path: string, reason: string) {
  return invalid('path', `Invalid artifact path '${path.replace(CONTROL_CHARS, '?')}': ${reason}.`);
}
