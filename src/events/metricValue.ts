import { z } from 'zod';

/** JSON has no NaN or infinities: they travel as MLflow writes them, as strings. */
export const storedMetricValue = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
export type StoredMetricValue = z.infer<typeof storedMetricValue>;

export function toStoredMetricValue(value: number): StoredMetricValue {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export function fromStoredMetricValue(value: StoredMetricValue): number {
  return typeof value === 'number' ? value : Number(value);
}
