import type { Access } from '../auth/access.ts';
import type { IdentityService } from '../auth/identityService.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RegistryService } from '../registry/registryService.ts';
import type { CommandContext } from '../tracking/commandContext.ts';
import type { ModelLoggingService } from '../tracking/modelLoggingService.ts';
import type { TrackingService } from '../tracking/trackingService.ts';
import type { JsonObject } from './mlflowJson.ts';
import type { RequestFields } from './requestFields.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type ApiVersion = '2.0' | '3.0';

/** What an endpoint works with: the one write path (TrackingService) and the read models. */
export interface EndpointContext {
  tracking: TrackingService;
  /** The model registry's write side; absent where a caller wires tracking only. */
  registry?: RegistryService;
  readDb: SqlExecutor;
  /** Users, tokens and grants; absent where a caller wires tracking only. */
  identity?: IdentityService;
  /** Logged models, run inputs and outputs, the 2.x log-model. */
  modelLogging: ModelLoggingService;
  /** Who asks and what they may do (the route's rule has already been checked). */
  access: Access;
  /** A fresh command context (actor, correlation id, time) for a write. */
  command(): CommandContext;
}

/** One MLflow RPC: its fields in, its response message out (as JSON), or a thrown error. */
export type Endpoint = (fields: RequestFields, ctx: EndpointContext) => Promise<JsonObject>;

export interface MlflowRoute {
  method: HttpMethod;
  /** The path after /mlflow/, e.g. "runs/log-batch", or with {name} segments: "logged-models/{model_id}". */
  path: string;
  /** For paths with {name} segments: a matcher and the names in order. */
  pattern?: { regex: RegExp; names: string[] };
  /** MLflow serves each RPC under the major version it appeared in: /api/2.0 or /api/3.0. */
  version: ApiVersion;
  /** Routes the web UI uses that exist only under /ajax-api. */
  ajaxOnly?: boolean;
  endpoint: Endpoint;
}

export const route = (method: HttpMethod, path: string, endpoint: Endpoint, options: { version?: ApiVersion; ajaxOnly?: boolean } = {}): MlflowRoute => ({
  method,
  path,
  endpoint,
  version: options.version ?? '2.0',
  ajaxOnly: options.ajaxOnly,
  pattern: pathPattern(path),
});

/** {name} segments match one non-empty path segment each (as Flask's <name>); undefined for fixed paths. */
function pathPattern(path: string): MlflowRoute['pattern'] {
  if (!path.includes('{')) return undefined;
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { regex: new RegExp(`^${source}$`), names };
}
