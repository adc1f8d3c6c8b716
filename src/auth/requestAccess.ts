import type { IncomingMessage } from 'node:http';
import type { Access } from './access.ts';

const byRequest = new WeakMap<IncomingMessage, Access>();

/** The HTTP layer admits a request (or a WebSocket upgrade) and leaves its Access here for the handlers. */
export function setRequestAccess(req: IncomingMessage, access: Access): void {
  byRequest.set(req, access);
}

/** The Access of an admitted request. A request that was never admitted has none: that is a wiring bug, and nothing is allowed. */
export function accessOf(req: IncomingMessage | undefined): Access {
  const access = req && byRequest.get(req);
  if (!access) throw new Error('No access decision for this request: it did not pass the authentication gate.');
  return access;
}
