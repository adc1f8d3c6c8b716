import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SqlExecutor } from '../db/sqlDb.ts';
import { accessOf } from '../auth/requestAccess.ts';
import { errorAnswer } from '../mlflow/mlflowErrors.ts';
import type { Logger } from '../server/logger.ts';
import { DomainError, invalid } from '../tracking/domainError.ts';
import type { Located } from './ingestion.ts';
import { parseLabel, parsePrediction, type Locator } from './ingestInput.ts';
import { ingestLimits } from './ingestLimits.ts';
import type { MonitoringService } from './monitoringService.ts';
import type { FeatureProfileInput } from './profileInput.ts';
import { monitoringReads } from './monitoringReads.ts';

export const MONITORING_REST_PREFIX = '/api/2.0/mlledger/monitoring/';

export interface MonitoringRestOptions {
  monitoring: MonitoringService;
  readDb: SqlExecutor;
  logger: Logger;
}

/**
 * Ingestion for serving code in any language:
 *   POST …/predictions   and   POST …/ground-truth
 * take JSON lines (content-type application/x-ndjson; one prediction or label per
 * line; blank lines skipped) or one JSON object {"predictions": [...]} /
 * {"labels": [...]}; `?model=name` gives lines without a model one.
 *   POST …/reference-profiles   {model, version, runId?, features: [...]}
 *   GET  …/metrics?model=&version=|alias=&from=&to=[&segment=][&windowMs=&stepMs=]
 *   GET  …/drift?model=&version=|alias=&from=&to=[&segment=][&minCount=]
 * Resolves true when the path was its own. A refused request appends nothing, and
 * its error names the line and field.
 */
export function createMonitoringRestHandler(options: MonitoringRestOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const reads = monitoringReads(options.readDb);
  return async (req, res) => {
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith(MONITORING_REST_PREFIX)) return false;
    const url = new URL(rawUrl, 'http://localhost');
    const route = `${req.method ?? 'GET'} ${url.pathname.slice(MONITORING_REST_PREFIX.length)}`;
    try {
      // Who asks (the authentication gate decided); monitoring data belongs to registered models.
      const access = accessOf(req);
      const ctx = options.monitoring.context(access.actor);
      const mayEdit = async (models: Iterable<string>) => {
        for (const name of new Set(models)) await access.requireRegisteredModel(name, 'EDIT');
      };
      const model = url.searchParams.get('model') ?? undefined;
      const now = options.monitoring.clock.now();
      switch (route) {
        case 'POST predictions': {
          const items = await readItems(req, 'predictions');
          const located = items.map(({ raw, at }) => ({ item: parsePrediction(raw, at, now, model), at }));
          await mayEdit(located.map((l) => l.item.model));
          return send(res, 200, await options.monitoring.logPredictions(located, ctx));
        }
        case 'POST ground-truth': {
          const items = await readItems(req, 'labels');
          const located: Located<ReturnType<typeof parseLabel>>[] = items.map(({ raw, at }) => ({ item: parseLabel(raw, at, now, model), at }));
          await mayEdit(located.map((l) => l.item.model));
          return send(res, 200, await options.monitoring.logGroundTruth(located, ctx));
        }
        case 'POST reference-profiles': {
          const body = await readJsonObject(req);
          await mayEdit([stringField(body, 'model')]);
          await options.monitoring.freezeReferenceProfile(
            { model: stringField(body, 'model'), version: Number(body.version), runId: typeof body.runId === 'string' ? body.runId : undefined, features: (body.features ?? []) as FeatureProfileInput[] },
            ctx,
          );
          return send(res, 200, { frozen: true });
        }
        case 'GET metrics':
          await access.requireRegisteredModel(model ?? '', 'READ');
          return send(res, 200, await reads.metricsFromQuery(url.searchParams, now));
        case 'GET drift':
          await access.requireRegisteredModel(model ?? '', 'READ');
          return send(res, 200, await reads.driftFromQuery(url.searchParams, now));
        default:
          return send(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `No monitoring route for ${route}.` });
      }
    } catch (error) {
      const { answer, expected } = errorAnswer(error);
      if (!expected) options.logger.error({ err: error, route }, 'monitoring request failed');
      const located = error instanceof DomainError && error.field ? /^line (\d+), field "(.*)"$/.exec(error.field) : null;
      const extra = error instanceof DomainError && error.field ? (located ? { line: Number(located[1]), field: located[2] } : { field: error.field }) : {};
      return send(res, answer.status, { ...answer.body, ...extra });
    }
  };
}

function send(res: ServerResponse, status: number, body: unknown): true {
  if (!res.headersSent && !res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}

const lineLocator =
  (line: number): Locator =>
  (field) =>
    `line ${line}, field "${field}"`;

/** The items of an ingestion body: JSON lines, or a JSON object holding a list under `key`. */
async function readItems(req: IncomingMessage, key: string): Promise<{ raw: unknown; at: Locator }[]> {
  const text = (await readBody(req)).toString('utf8');
  const trimmed = text.trimStart();
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/json') && trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Array.isArray((parsed as Record<string, unknown>)[key])) {
      const list = (parsed as Record<string, unknown[]>)[key];
      if (list.length > ingestLimits.maxLinesPerRequest) throw invalid(key, `${key} holds ${list.length} items; the limit is ${ingestLimits.maxLinesPerRequest} per request.`);
      return list.map((raw, i) => ({ raw, at: (field: string) => `${key}[${i}].${field}` }));
    }
  }
  const items: { raw: unknown; at: Locator }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (items.length >= ingestLimits.maxLinesPerRequest) throw invalid(key, `The request holds more than ${ingestLimits.maxLinesPerRequest} lines; send at most that many per request.`);
    const at = lineLocator(i + 1);
    try {
      items.push({ raw: JSON.parse(line), at });
    } catch (error) {
      throw invalid(at('(line)'), `${at('(line)')}: not valid JSON (${error instanceof SyntaxError ? error.message : 'parse error'}).`);
    }
  }
  return items;
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid('(body)', `The body must be a JSON object (${error instanceof SyntaxError ? error.message : 'parse error'}).`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('(body)', 'The body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw invalid(field, `${field} must be a non-empty string.`);
  return value;
}

/** The body, refused past the limit once drained (so the client reads the answer instead of a reset). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  const max = ingestLimits.maxBodyBytes;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= max) chunks.push(chunk);
      else if (total > max * 2) req.destroy();
    });
    req.on('end', () => (total > max ? reject(invalid('(body)', `The body is ${total} bytes; the limit is ${max}.`)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
