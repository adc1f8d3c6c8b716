import { experimentRoutes } from './experimentEndpoints.ts';
import { loggedModelRoutes } from './loggedModelEndpoints.ts';
import { metricRoutes } from './metricEndpoints.ts';
import { MlflowError } from './mlflowErrors.ts';
import type { ApiVersion, MlflowRoute } from './mlflowRoute.ts';
import { notImplementedMessage } from './notImplementedApis.ts';
import { permissionRoutes } from './permissionEndpoints.ts';
import { registryRoutes } from './registryEndpoints.ts';
import { runRoutes } from './runEndpoints.ts';
import { runInputOutputRoutes } from './runInputOutputEndpoints.ts';
import { serverInfoRoutes } from './serverInfo.ts';
import { transitionRequestRoutes } from './transitionRequestEndpoints.ts';

export const mlflowRoutes: readonly MlflowRoute[] = [
  ...experimentRoutes,
  ...runRoutes,
  ...runInputOutputRoutes,
  ...loggedModelRoutes,
  ...metricRoutes,
  ...serverInfoRoutes,
  ...registryRoutes,
  ...transitionRequestRoutes,
  ...permissionRoutes,
];

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
  if (r.pattern) continue;
  const key = `${r.version} ${r.path}`;
  byPath.set(key, [...(byPath.get(key) ?? []), r]);
}
const patterned = mlflowRoutes.filter((r) => r.pattern);

/** A route and the values of its {name} path segments, decoded. */
export interface ResolvedRoute {
  route: MlflowRoute;
  pathParams: Record<string, string>;
}

/** Routes whose path has {name} segments and matches, with the values they capture. */
function patternCandidates(target: MlflowPath): ResolvedRoute[] {
  return patterned.flatMap((route) => {
    if (route.version !== target.version || !route.pattern) return [];
    const match = route.pattern.regex.exec(target.path);
    if (!match) return [];
    const pathParams: Record<string, string> = {};
    try {
      route.pattern.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(match[i + 1])));
    } catch {
      throw new MlflowError('INVALID_PARAMETER_VALUE', `The path /${target.path} is not valid percent-encoding.`);
    }
    return [{ route, pathParams }];
  });
}

/**
 * The route for a request, or the MLflow error to answer: 405 for a known path
 * with another method, 501 for an API we do not implement yet, 404 otherwise.
 * Fixed paths win over {name} ones (logged-models/search is not a model id).
 */
export function resolveRoute(method: string, target: MlflowPath): ResolvedRoute {
  const exact = (byPath.get(`${target.version} ${target.path}`) ?? []).map((route) => ({ route, pathParams: {} }));
  const candidates = [...exact, ...patternCandidates(target)].filter(({ route }) => target.ajax || !route.ajaxOnly);
  const found = candidates.find(({ route }) => route.method === method);
  if (found) return found;
  const prefix = target.ajax ? 'ajax-api' : 'api';
  const shown = `/${prefix}/${target.version}/mlflow/${target.path}`;
  if (candidates.length > 0) {
    const allowed = [...new Set(candidates.map(({ route }) => route.method))].join(', ');
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
