import { experimentRoutes } from './experimentEndpoints.ts';
import { metricRoutes } from './metricEndpoints.ts';
import { MlflowError } from './mlflowErrors.ts';
import type { ApiVersion, MlflowRoute } from './mlflowRoute.ts';
import { notImplementedMessage } from './notImplementedApis.ts';
import { registryRoutes } from './registryEndpoints.ts';
import { runRoutes } from './runEndpoints.ts';
import { serverInfoRoutes } from './serverInfo.ts';

export const mlflowRoutes: readonly MlflowRoute[] = [...experimentRoutes, ...runRoutes, ...metricRoutes, ...serverInfoRoutes, ...registryRoutes];

/** An MLflow API path taken apart: /api/2.0/mlflow/runs/get → api, 2.0, runs/get. */
export interface MlflowPath {
  ajax: boolean;
  version: ApiVersion;
  path: string;
}

const MLFLOW_PATH = /^\/(api|ajax-api)\/(2\.0|3\.0)\/mlflow\/(.*)$/;

/** Whether a URL path belongs to this API at all. */
export function parseMlflowPath(pathname: string): MlflowPath | undefined {
  const match = MLFLOW_PATH.exec(pathname);
  if (!match) return undefined;
  return { ajax: match[1] === 'ajax-api', version: match[2] === '3.0' ? '3.0' : '2.0', path: match[3] };
}

// Keyed by "<version> <path>": MLflow registers each RPC under the version it appeared in only.
const byPath = new Map<string, MlflowRoute[]>();
for (const r of mlflowRoutes) {
  const key = `${r.version} ${r.path}`;
  byPath.set(key, [...(byPath.get(key) ?? []), r]);
}

/**
 * The route for a request, or the MLflow error to answer: 405 for a known path
 * with another method, 501 for an API we do not implement yet, 404 otherwise.
 */
export function resolveRoute(method: string, target: MlflowPath): MlflowRoute {
  const candidates = (byPath.get(`${target.version} ${target.path}`) ?? []).filter((r) => target.ajax || !r.ajaxOnly);
  const found = candidates.find((r) => r.method === method);
  if (found) return found;
  const prefix = target.ajax ? 'ajax-api' : 'api';
  const shown = `/${prefix}/${target.version}/mlflow/${target.path}`;
  if (candidates.length > 0) {
    const allowed = candidates.map((r) => r.method).join(', ');
    throw new MethodNotAllowed(`Method ${method} is not allowed for ${shown}; use ${allowed}.`, allowed);
  }
  const notImplemented = notImplementedMessage(target.path);
  if (notImplemented) throw new MlflowError('NOT_IMPLEMENTED', notImplemented);
  throw new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint ${method} ${shown}.`);
}

/** 405 with the Allow header's value. MLflow (Flask) answers 405 too; there is no MLflow error code for it. */
export class MethodNotAllowed extends MlflowError {
  constructor(
    message: string,
    readonly allow: string,
  ) {
    super('BAD_REQUEST', message, 405);
  }
}
