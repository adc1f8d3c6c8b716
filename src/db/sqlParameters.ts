/**
 * Collects query parameters while a statement is assembled: every caller value
 * becomes a $n placeholder, so values never enter the SQL text.
 */
export function sqlParameters() {
  const params: unknown[] = [];
  return {
    params,
    param(value: unknown): string {
      params.push(value);
      return `$${params.length}`;
    },
  };
}
