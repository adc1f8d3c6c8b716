import type { AuditEntry } from '../registry/history/auditEntry.ts';
import { parseInstant } from '../registry/history/instant.ts';
import { AUDIT_PAGE, parseAuditKind } from '../registry/history/registryHistory.ts';
import { DomainError } from '../tracking/domainError.ts';
import { auditCsvTable, auditJsonLine } from './auditRecords.ts';
import { renderOutput } from './outputFormat.ts';
import { withRegistryHistory, type ChainReportView, type HistorySourceOptions } from './registryHistorySource.ts';

export interface AuditExportOptions extends HistorySourceOptions {
  model: string;
  version?: number;
  since?: string;
  until?: string;
  kind?: string[];
  format: string;
}

const EXPORT_FORMATS = ['jsonl', 'csv'] as const;

/** Domain refusals read as the CLI's own errors: the message names the flag's field. */
export function asCliError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DomainError) throw new Error(`--${error.field ?? 'input'}: ${error.message}`);
    throw error;
  }
}

/** mlledger audit export: every change of a model (or version) in log order, as JSON lines or CSV. */
export async function auditExportCommand(options: AuditExportOptions): Promise<void> {
  const format = EXPORT_FORMATS.find((f) => f === options.format.toLowerCase());
  if (!format) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}; got '${options.format}'`);
  // Checked before anything is opened, so a typo costs nothing.
  const since = options.since === undefined ? undefined : asCliError(() => parseInstant('since', options.since as string));
  const until = options.until === undefined ? undefined : asCliError(() => parseInstant('until', options.until as string));
  const kinds = (options.kind ?? []).flatMap((k) => k.split(',')).map((k, i) => asCliError(() => parseAuditKind(`kind[${i}]`, k.trim())));
  const entries = await withRegistryHistory(options, async (source) => {
    const all: AuditEntry[] = [];
    let after: string | undefined;
    do {
      const page = await source.auditTrail({ name: options.model, version: options.version, since, until, kinds, first: AUDIT_PAGE.max, after }).catch(rethrowDomain);
      all.push(...page.entries);
      after = page.endCursor;
    } while (after);
    return all;
  });
  process.stdout.write(format === 'csv' ? renderOutput(auditCsvTable(entries), 'csv') : entries.map((e) => `${auditJsonLine(e)}\n`).join(''));
}

function rethrowDomain(error: unknown): never {
  if (error instanceof DomainError) throw new Error(`--${error.field === 'name' ? 'model' : (error.field ?? 'input')}: ${error.message}`);
  throw error;
}

/**
 * mlledger audit verify: recomputes every registry stream's hash chain and names
 * the first event where each broken chain breaks. Exit 0 when intact, 2 when not
 * (1 stays for usage and connection errors).
 */
export async function auditVerifyCommand(options: HistorySourceOptions & { outputFormat: string }): Promise<void> {
  const json = options.outputFormat.toLowerCase() === 'json';
  if (!json && options.outputFormat.toLowerCase() !== 'text') throw new Error(`--output-format must be text or json; got '${options.outputFormat}'`);
  const report = await withRegistryHistory(options, (source) => source.verifyChains());
  process.stdout.write(json ? `${JSON.stringify({ ok: report.breaks.length === 0, ...report }, null, 2)}\n` : verifyText(report));
  if (report.breaks.length > 0) process.exitCode = 2;
}

function verifyText(report: ChainReportView): string {
  if (report.breaks.length === 0) return `ok: ${report.streams} registry streams, ${report.events} events, every hash chain intact\n`;
  const lines = report.breaks.map(
    (b) => `BROKEN: stream ${b.streamId} at revision ${b.revision} (event ${b.eventId}, ${b.eventType}, position ${b.position}): ${b.reason}`,
  );
  return `${lines.join('\n')}\n${report.breaks.length} of ${report.streams} registry streams broken (${report.events} events checked)\n`;
}
