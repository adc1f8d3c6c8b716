import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { GraphQLContext } from '../schema/graphqlContext.ts';
import type { AuthGate } from '../auth/authGate.ts';
import { accessOf, setRequestAccess } from '../auth/requestAccess.ts';
import { crossSiteRefusal } from './crossSiteCheck.ts';

type Yoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

/** Who may connect: the server's authentication gate, and browser origins allowed besides its own. */
export interface WebSocketAuth {
  gate: AuthGate;
  allowedOrigins?: readonly string[];
}

export interface GraphQLWebSocket {
  /** Refuses new connections and closes open ones (after their subscriptions got their last message). */
  close(): Promise<void>;
}

/**
 * graphql-ws (the graphql-transport-ws protocol) on the same /graphql path as HTTP,
 * through yoga's envelop, so WebSocket operations get the same schema, context and
 * error masking as HTTP ones.
 */
export function attachGraphQLWebSocket(server: Server, yoga: Yoga, path = '/graphql', auth?: WebSocketAuth): GraphQLWebSocket {
  const wss = new WebSocketServer({ noServer: true });
  let closing = false;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== path || closing) {
      // Another upgrade handler may own this path; with none, nobody would answer.
      if (closing || server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    // A browser page of another site must not open a connection with the user's credentials.
    const crossSite = crossSiteRefusal(req, auth?.allowedOrigins);
    if (crossSite) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${crossSite}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  // The executor functions ride along on rootValue, as yoga's own recipe does.
  interface Root {
    execute: Enveloped['execute'];
    subscribe: Enveloped['subscribe'];
  }
  const disposable = useServer(
    {
      execute: (args: ExecutionArgs) => (args.rootValue as Root).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as Root).subscribe(args),
      // Credentials come in connection_init's payload (or the upgrade's Authorization header); refused: close 4403.
      onConnect: async (ctx) => {
        if (!auth) return false;
        const admission = await auth.gate.admitConnection(ctx.connectionParams, ctx.extra.request);
        if ('refusal' in admission) return false;
        setRequestAccess(ctx.extra.request, admission.access);
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        // A connection outlives requests: each operation asks again whether its credentials hold (a revoked token, a changed password).
        if (!(await accessOf(ctx.extra.request).stillValid())) {
          return [new GraphQLError('The credentials this connection was opened with are no longer valid; reconnect with valid ones.', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args: ExecutionArgs = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Root,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );

  return {
    async close() {
      closing = true;
      server.off('upgrade', onUpgrade);
      // dispose() sends each client a close frame; one that never answers it is cut off.
      const deadline = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 2_000);
      await disposable.dispose();
      clearTimeout(deadline);
    },
  };
}
