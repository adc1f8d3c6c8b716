// The load generator's own thread: the clients post their prepared bodies
// from here, so their HTTP work does not share the server's event loop (real clients
// are other processes). Plain JavaScript because Node 20 runs no TypeScript loader in
// worker threads. Started by startLoadWorker in ingestCases.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

// endpoint: '/graphql' (logBatch or logMetric mutations) or an MLflow REST path (any 2xx is success).
const { url, batchesByClient, endpoint = '/graphql' } = workerData;

async function post(body) {
  if (endpoint !== '/graphql') {
    const response = await fetch(`${url}${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`${endpoint} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    return;
  }
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body });
  const parsed = await response.json();
  if (parsed.errors?.length) throw new Error(`GraphQL error: ${parsed.errors.map((e) => e.message).join('; ')}`);
  // The one mutation each body holds (logBatch, logMetric) answers LogResult when it was stored.
  const [field, outcome] = Object.entries(parsed.data ?? {})[0] ?? ['mutation', undefined];
  if (outcome?.__typename !== 'LogResult') throw new Error(`${field} answered ${outcome?.__typename ?? `HTTP ${response.status}`}: ${outcome?.code ?? ''} ${outcome?.message ?? ''}`.trim());
}

parentPort.once('message', async () => {
  const latencies = [];
  const failures = [];
  await Promise.all(
    batchesByClient.map(async (bodies) => {
      for (const body of bodies) {
        const sentAt = performance.now();
        try {
          await post(body);
          latencies.push(performance.now() - sentAt);
        } catch (error) {
          failures.push(error.message); // reported with the figures, not thrown
        }
      }
    }),
  );
  parentPort.postMessage({ latencies, failures });
});
parentPort.postMessage('ready');
