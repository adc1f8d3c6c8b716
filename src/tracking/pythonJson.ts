/**
 * JSON text as Python's json.dumps writes it by default (", " and ": " separators,
 * every character outside printable ASCII escaped as \uXXXX), for values MLflow
 * itself serialises into tags, so they read back byte for byte as MLflow's would.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return asciiOnly(JSON.stringify(value));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${asciiOnly(JSON.stringify(key))}: ${pythonJsonDumps(item)}`).join(', ')}}`;
  }
  throw new TypeError(`Cannot serialise a ${typeof value} as JSON`);
}

/** JSON.stringify already escaped quotes, backslashes and control characters; the rest of Python's ensure_ascii. */
function asciiOnly(json: string): string {
  return json.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
