/**
 * An in-process EventStoreDB TEST DOUBLE: a @grpc/grpc-js server built from the
 * service definitions and message classes that @eventstore/db-client generates
 * for itself, serving the calls that client makes for mlledger's adapter —
 * ServerFeatures.GetSupportedMethods on connect, Streams.Append and
 * Streams.BatchAppend, Streams.Read for stream and $all reads (forwards and
 * backwards) and for catch-up subscriptions (confirmation, backlog, caught_up,
 * live events, filtered checkpoints) — with EventStoreDB's documented
 * semantics: 0-based revisions, expected-revision checks, idempotent retries
 * by event id, stream_not_found, inclusive $all reads and exclusive
 * subscription starts, system events in $all, positions with gaps.
 *
 * It is a model kept in memory, not EventStoreDB: no persistence, cluster,
 * scavenging, ACLs or real timing. It can drop subscriptions and fail calls as
 * a cluster would (leader change, lost connection), so the adapter's retry and
 * resume paths are exercised. The contract suite also runs against a real
 * server when EVENTSTORE_URL is set.
 */
import { Server, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import { createAppendHandler } from './appendHandler.ts';
import { createBatchAppendHandler } from './batchAppendHandler.ts';
import { faultError, Faults, type FaultKind } from './faults.ts';
import { ServerFeaturesService, StreamsService } from './generatedProtocol.ts';
import { MemoryLog } from './memoryLog.ts';
import { createReadHandler } from './readHandler.ts';
import { createServerFeaturesHandler } from './serverFeatures.ts';

export interface EsdbTestServerOptions {
  /** Advertise BatchAppend (the client then uses it for every append). Default true. */
  batchAppend?: boolean;
  /** Write a $statsCollected system event after every n-th record. Default 5. */
  systemEventEvery?: number;
}

export interface EsdbTestServer {
  /** Connection string for the client: esdb://127.0.0.1:<port>?tls=false */
  url: string;
  port: number;
  log: MemoryLog;
  faults: Faults;
  /** Ends every live subscription with an error, as a leader change or a restart does; returns how many. */
  dropSubscriptions(kind?: FaultKind): number;
  stop(): Promise<void>;
}

export async function startEsdbTestServer(options: EsdbTestServerOptions = {}): Promise<EsdbTestServer> {
  const log = new MemoryLog({ systemEventEvery: options.systemEventEvery ?? 5 });
  let port = 0;
  const leader = () => ({ host: '127.0.0.1', port });
  const faults = new Faults(leader);
  const subscriptions = new Set<(error: ServiceError) => void>();
  const live = {
    add(drop: (error: ServiceError) => void) {
      subscriptions.add(drop);
      return () => void subscriptions.delete(drop);
    },
  };

  const server = new Server();
  server.addService(ServerFeaturesService, { getSupportedMethods: createServerFeaturesHandler(options.batchAppend ?? true) });
  server.addService(StreamsService, {
    read: createReadHandler(log, live),
    append: createAppendHandler(log, faults),
    batchAppend: createBatchAppendHandler(log, faults),
  });
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    faults,
    dropSubscriptions(kind = 'unavailable') {
      const drops = [...subscriptions];
      for (const drop of drops) drop(faultError(kind, leader()));
      return drops.length;
    },
    stop() {
      for (const drop of [...subscriptions]) drop(faultError('unavailable', leader()));
      return new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
