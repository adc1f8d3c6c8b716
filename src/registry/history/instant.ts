import { invalid } from '../../tracking/domainError.ts';

// A date, optionally a time (minutes at least), optionally an offset.
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An instant for audit and time-travel inputs: ISO-8601 such as 2026-03-01,
 * 2026-03-01T12:00Z or 2026-03-01T12:00:00.000+01:00. Without an offset the
 * time is UTC, whatever the server's zone, so the same input means the same
 * instant everywhere.
 */
export function parseInstant(field: string, text: string): Date {
  const match = ISO_INSTANT.exec(text.trim());
  if (!match) throw invalid(field, `'${field}' must be an ISO-8601 instant such as 2026-03-01T12:00:00Z, got '${text}'.`);
  const [, date, time, offset] = match;
  // Date() rolls 2026-02-30 over to March; a calendar date must read back unchanged.
  const calendarDay = new Date(`${date}T00:00Z`);
  const instant = new Date(time ? `${date}T${time}${offset ?? 'Z'}` : `${date}T00:00Z`);
  if (Number.isNaN(instant.getTime()) || Number.isNaN(calendarDay.getTime()) || calendarDay.toISOString().slice(0, 10) !== date) {
    throw invalid(field, `'${field}' is not a real instant: '${text}'.`);
  }
  return instant;
}
