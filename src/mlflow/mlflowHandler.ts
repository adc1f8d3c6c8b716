import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RegistryService } from '../registry/registryService.ts';
import type { Logger } from '../server/logger.ts';
import { accessOf } from '../auth/requestAccess.ts';
import type { Access } from '../auth/access.ts';
import type { IdentityService } from '../auth/identityService.ts';
import { restRuleFor } from '../auth/restPolicy.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { ModelLoggingService } from '../tracking/modelLoggingService.ts';
import type { TrackingService } from '../tracking/trackingService.ts';
import { errorAnswer } from './mlflowErrors.ts';
import type { JsonObject } from './mlflowJson.ts';
import { mlflowLimits } from './mlflowLimits.ts';
import type { EndpointContext } from './mlflowRoute.ts';
import { MethodNotAllowed, parseMlflowPath, resolveRoute } from './mlflowRouter.ts';
import { readJsonFields } from './requestBody.ts';
import { RequestFields } from './requestFields.ts';
import { serverVersion } from './serverInfo.ts';

export interface MlflowHandlerOptions {
  tracking: TrackingService;
  /** The model registry; without it the registry endpoints answer 501. */
  registry?: RegistryService;
  readDb: SqlExecutor;
  /** Model logging's write side; by default one over the tracking service's store and projector. */
  modelLogging?: ModelLoggingService;
  /** Users, tokens and grants (MLflow's basic-auth API); without it those endpoints answer 501. */
  identity?: IdentityService;
  /** Who a request acts as and what it may do (default: the decision the server's authentication gate made). */
  accessOf?: (req: IncomingMessage) => Access;
  logger: Logger;
}

/**
 * MLflow's REST tracking API under /api/{2.0,3.0}/mlflow/ and /ajax-api/…, plus
 * GET /version. Resolves true when it answered the request, false when the path
 * is not its own. Never rejects: every failure becomes an MLflow error body.
 * Writes go through TrackingService, the same commands and events as GraphQL.
 */
export function createMlflowHandler(options: MlflowHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const modelLogging = options.modelLogging ?? new ModelLoggingService({ store: options.tracking.store, projector: options.tracking.projector, readDb: options.readDb });
  const accessFor = options.accessOf ?? accessOf;

  return async (req, res) => {
    // Split by hand: new URL() would read a path starting with '//' as a host name.
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const pathname = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const method = req.method ?? 'GET';
    if (pathname === '/version' && method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(serverVersion);
      return true;
    }
    const target = parseMlflowPath(pathname);
    if (!target) return false;
    try {
      const { route, pathParams } = resolveRoute(method, target);
      const fields = (method === 'GET' ? RequestFields.fromQuery(new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1))) : await readJsonFields(req, mlflowLimits.maxBodyBytes)).withPathParams(pathParams);
      const access = accessFor(req);
      const ctx: EndpointContext = { tracking: options.tracking, registry: options.registry, identity: options.identity, readDb: options.readDb, modelLogging, access, command: () => commandContext(access.actor, { authenticated: access.authenticated }) };
      // The route's permission rule first; a search's answer then loses what the caller may not read.
      const rule = restRuleFor(route.method, route.path);
      await rule.check(fields, access);
      const body = await route.endpoint(fields, ctx);
      sendJson(res, 200, rule.filter ? await rule.filter(body, access) : body);
    } catch (error) {
      const { answer, expected } = errorAnswer(error);
      if (expected) options.logger.debug({ method, path: pathname, error_code: answer.body.error_code, message: answer.body.message }, 'mlflow request refused');
      else options.logger.error({ err: error, method, path: pathname }, 'mlflow request failed');
      const headers: Record<string, string> = error instanceof MethodNotAllowed ? { allow: error.allow } : { ...answer.headers };
      sendJson(res, answer.status, answer.body, headers);
    }
    return true;
  };
}

function sendJson(res: ServerResponse, status: number, body: JsonObject, headers: Record<string, string> = {}): void {
  // The connection may already be gone (a body cut off for size): nothing left to answer.
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
