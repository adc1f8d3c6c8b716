import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

/** 64-bit integers (millisecond timestamps, steps) as JSON numbers, as MLflow sends them; safe up to 2^53. */
export const LongScalar = builder.scalarType('Long', {
  description: 'A 64-bit integer (epoch milliseconds, steps), exact up to 2^53.',
  serialize: (value) => value,
  parseValue: (value) => toLong(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT) throw new GraphQLError('Long must be an integer literal');
    return toLong(Number(ast.value));
  },
});

function toLong(value: unknown): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new GraphQLError(`Long must be an integer within ±2^53, got ${JSON.stringify(value)}`);
  return n;
}

/** A metric value: any double, with NaN and ±Infinity written as the strings MLflow uses. */
export const MetricValueScalar = builder.scalarType('MetricValue', {
  description: 'A double. NaN, Infinity and -Infinity travel as the strings "NaN", "Infinity", "-Infinity".',
  serialize: (value) => (Number.isFinite(value) ? value : String(value)),
  parseValue: (value) => toMetricValue(value),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return Number(ast.value);
    if (ast.kind === Kind.STRING) return toMetricValue(ast.value);
    throw new GraphQLError('MetricValue must be a number or "NaN", "Infinity", "-Infinity"');
  },
});

function toMetricValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  throw new GraphQLError(`MetricValue must be a number or "NaN", "Infinity", "-Infinity", got ${JSON.stringify(value)}`);
}
