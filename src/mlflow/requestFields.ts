import { invalidParameterType, missingParameter } from './mlflowErrors.ts';

/**
 * The fields of one MLflow request message, from a query string (GET) or a JSON
 * body (POST), read the way MLflow's protobuf parsing reads them: null means
 * unset, an empty string counts as missing for required fields, int64 may come
 * as a number or a numeric string, and an unknown enum name is ignored.
 */
export class RequestFields {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    /** Prepended to field names in messages, e.g. "metrics[3]." for a log-batch element. */
    private readonly prefix = '',
    /** Size of the JSON body the fields came from (0 for GET). */
    readonly bodyBytes = 0,
  ) {}

  /** Fields from a query string; a key given more than once is a list, as MLflow's parser makes it. */
  static fromQuery(params: URLSearchParams): RequestFields {
    const values: Record<string, string | string[]> = {};
    for (const [rawKey, value] of params) {
      // MLflow's query parser also reads "run_ids[]=a" and "run_ids[0]=a" as the list run_ids.
      const key = rawKey.replace(/\[\d*\]$/, '');
      const existing = Object.hasOwn(values, key) ? values[key] : undefined;
      values[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    return new RequestFields(values);
  }

  /** The same fields with a route's {name} path segments set; the path wins over a body field of the same name. */
  withPathParams(pathParams: Readonly<Record<string, string>>): RequestFields {
    if (Object.keys(pathParams).length === 0) return this;
    return new RequestFields({ ...this.values, ...pathParams }, this.prefix, this.bodyBytes);
  }

  private nameOf(field: string): string {
    return this.prefix + field;
  }

  // Own properties only: a body like {"constructor": …} must not reach Object.prototype.
  private raw(field: string): unknown {
    const value = Object.hasOwn(this.values, field) ? this.values[field] : undefined;
    return value === null ? undefined : value;
  }

  /** An optional string; '' is the same as absent (proto3 strings have no "unset"). */
  optionalString(field: string): string | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidParameterType(this.nameOf(field), value);
    return value === '' ? undefined : value;
  }

  /** A required string. allowEmpty for values ('' is a legal tag or param value), not for names and ids. */
  requiredString(field: string, options: { allowEmpty?: boolean } = {}): string {
    const value = this.raw(field);
    if (value === undefined || (value === '' && !options.allowEmpty)) throw missingParameter(this.nameOf(field));
    if (typeof value !== 'string') throw invalidParameterType(this.nameOf(field), value);
    return value;
  }

  /** run_id, or the deprecated run_uuid that older clients still send. */
  runId(): string {
    const runId = this.optionalString('run_id') ?? this.optionalString('run_uuid');
    if (runId === undefined) throw missingParameter(this.nameOf('run_id'));
    return runId;
  }

  optionalInteger(field: string): number | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    const parsed = parseInteger(value);
    if (parsed === undefined) throw invalidParameterType(this.nameOf(field), value);
    return parsed;
  }

  requiredInteger(field: string): number {
    const value = this.optionalInteger(field);
    if (value === undefined) throw missingParameter(this.nameOf(field));
    return value;
  }

  /** A double: a JSON number, a numeric string, or NaN/Infinity spelled as protobuf JSON or Python's float() spells them. */
  requiredDouble(field: string): number {
    const value = this.raw(field);
    if (value === undefined || value === '') throw missingParameter(this.nameOf(field));
    const parsed = parseDouble(value);
    if (parsed === undefined) throw invalidParameterType(this.nameOf(field), value);
    return parsed;
  }

  /** A bool: JSON true/false, or the strings "true"/"false" (any case) as a query string carries them. */
  optionalBoolean(field: string): boolean | undefined {
    const value = this.raw(field);
    if (value === undefined || typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    throw invalidParameterType(this.nameOf(field), value);
  }

  /** A repeated string field; absent is empty, a lone string is a list of one. */
  stringList(field: string): string[] {
    const value = this.raw(field);
    if (value === undefined) return [];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
    throw invalidParameterType(this.nameOf(field), value);
  }

  /** A required message field (a dataset input's dataset), read as fields of its own. */
  requiredMessage(field: string): RequestFields {
    const value = this.raw(field);
    if (value === undefined) throw missingParameter(this.nameOf(field));
    if (!isJsonObject(value)) throw invalidParameterType(this.nameOf(field), value);
    return new RequestFields(value, `${this.nameOf(field)}.`);
  }

  /** A repeated message field (tags, metrics, params): each element read as fields of its own. */
  messageList(field: string): RequestFields[] {
    const value = this.raw(field);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw invalidParameterType(this.nameOf(field), value);
    return value.map((item, index) => {
      if (!isJsonObject(item)) throw invalidParameterType(`${this.nameOf(field)}[${index}]`, item);
      return new RequestFields(item, `${this.nameOf(field)}[${index}].`);
    });
  }

  /**
   * An enum by name or proto number (all of MLflow's here number from 1 in declaration order).
   * An unknown name or number counts as unset, as MLflow's parser ignores it: runs/update with
   * status "BOGUS" succeeds and changes nothing.
   */
  enumValue<T extends string>(field: string, names: readonly T[]): T | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      const byName = names.find((name) => name === value);
      if (byName !== undefined) return byName;
      return /^\d+$/.test(value) ? names[Number(value) - 1] : undefined;
    }
    if (typeof value === 'number') return Number.isInteger(value) ? names[value - 1] : undefined;
    throw invalidParameterType(this.nameOf(field), value);
  }
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** int64 as protobuf JSON allows it: a whole number, or a string of digits. */
function parseInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\s*-?\d+\s*$/.test(value)) return undefined;
  const parsed = Number(value.trim());
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

function parseDouble(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined; // booleans are refused, as by MLflow
  const text = value.trim();
  if (NUMERIC.test(text)) return Number(text);
  const special = SPECIAL.exec(text);
  if (!special) return undefined;
  if (special[2].toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}
