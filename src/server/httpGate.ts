import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthGate, Refusal } from '../auth/authGate.ts';
import { setRequestAccess } from '../auth/requestAccess.ts';
import type { Logger } from './logger.ts';
import { crossSiteRefusal } from './crossSiteCheck.ts';
import { applySecurityHeaders } from './securityHeaders.ts';

/** GraphQL request bodies (MLflow's REST API has its own limit, artifacts theirs). */
export const graphqlMaxBodyBytes = 16 * 1024 * 1024;

export interface HttpGateOptions {
  /** Browser origins besides the server's own that may send state-changing requests. */
  allowedOrigins?: readonly string[];
  logger: Logger;
}

/**
 * What every request passes before a handler sees it: security headers, the
 * cross-site check, GraphQL's body limit, then authentication and the rate limit.
 * Resolves true when the request may go on (its Access is then set), false when it
 * has been answered.
 */
export function createHttpGate(gate: AuthGate, options: HttpGateOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    const graphql = pathname === '/graphql';
    applySecurityHeaders(res, pathname);
    const crossSite = crossSiteRefusal(req, options.allowedOrigins);
    if (crossSite) {
      options.logger.warn({ method: req.method, path: pathname, origin: req.headers.origin }, 'cross-site request refused');
      return refuse(res, graphql, 403, 'PERMISSION_DENIED', crossSite);
    }
    if (graphql && req.method === 'POST') {
      const length = Number(req.headers['content-length']);
      if (req.headers['content-length'] === undefined) return refuse(res, graphql, 411, 'BAD_REQUEST', 'A GraphQL POST must say its Content-Length.', { connection: 'close' });
      if (!(length <= graphqlMaxBodyBytes)) {
        return refuse(res, graphql, 413, 'INVALID_PARAMETER_VALUE', `The request body is ${req.headers['content-length']} bytes; this server accepts at most ${graphqlMaxBodyBytes}.`, { connection: 'close' });
      }
    }
    const admission = await gate.admit(req);
    if ('refusal' in admission) return refuseWith(res, graphql, admission.refusal);
    setRequestAccess(req, admission.access);
    return true;
  };
}

function refuseWith(res: ServerResponse, graphql: boolean, refusal: Refusal): false {
  return refuse(res, graphql, refusal.status, refusal.code, refusal.message, refusal.headers);
}

/** An answer in the API's own shape: GraphQL's errors list, or MLflow's error_code and message. */
function refuse(res: ServerResponse, graphql: boolean, status: number, code: string, message: string, headers: Record<string, string> = {}): false {
  const body = graphql ? { errors: [{ message, extensions: { code } }] } : { error_code: code, message };
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  return false;
}
