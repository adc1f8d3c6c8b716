// npm run bench:ui — page-load figures of the web UI in headless Chromium (Debian's):
// a 10,000-run experiment's runs table, and a run whose metric has 1,000,000 points.
// Runs against a fresh embedded PGlite (or Postgres when DATABASE_URL is set).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { openPgDb } from '../src/db/pgDb.ts';
import { openPgliteDb } from '../src/db/pgliteDb.ts';
import type { SqlDb } from '../src/db/sqlDb.ts';
import { buildApp } from '../src/server/buildApp.ts';
import { createLogger } from '../src/server/logger.ts';
import { buildUi } from '../src/ui/buildUi.ts';
import { graphqlRequestBody, postGraphQL } from './graphqlClient.ts';
import { formatInteger, formatMs, markdownTable, summarizeLatencies } from './stats.ts';

const runCount = Number(process.env.BENCH_UI_RUNS ?? 10_000);
const pointCount = Number(process.env.BENCH_UI_POINTS ?? 1_000_000);
const repeat = Number(process.env.BENCH_UI_REPEAT ?? 5);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function openDb(): Promise<{ db: SqlDb; dispose(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const schema = `bench_ui_${process.pid}`;
    const db = await openPgDb({ connectionString: process.env.DATABASE_URL, schema });
    return { db, dispose: async () => (await db.query(`drop schema if exists ${schema} cascade`), db.close()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'mlledger-bench-ui-'));
  const db = await openPgliteDb(dir);
  return { db, dispose: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return postGraphQL<T>(url, graphqlRequestBody(query, variables));
}

/** Runs through the API, a few at a time: each with 3 params, 2 metrics and a tag. */
async function seedRuns(url: string, experimentId: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < runCount) {
      const i = next++;
      const { createRun } = await gql<{ createRun: { id: string } }>(
        url,
        `mutation ($e: ID!, $n: String!, $t: Long) { createRun(input: { experimentId: $e, runName: $n, startTime: $t, tags: [{ key: "sweep", value: "grid" }] }) { ... on Run { id } } }`,
        { e: experimentId, n: `run-${String(i).padStart(5, '0')}`, t: 1_700_000_000_000 + i * 1000 },
      );
      await gql(
        url,
        `mutation ($r: ID!, $p: [KeyValueInput!], $m: [MetricInput!]) { logBatch(runId: $r, params: $p, metrics: $m) { __typename } }`,
        {
          r: createRun.id,
          p: [
            { key: 'lr', value: String(10 ** -(1 + (i % 4))) },
            { key: 'batch_size', value: String(32 << i % 3) },
            { key: 'seed', value: String(i) },
          ],
          m: [
            { key: 'loss', value: ((i * 7919) % 1000) / 1000, step: 10 },
            { key: 'accuracy', value: ((i * 104729) % 1000) / 1000, step: 10 },
          ],
        },
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** A noisy decaying curve with a few spikes, through the API in logBatch calls of 1000 points (MLflow's limit), 4 at a time. */
async function seedSeries(url: string, runId: string, points: number): Promise<void> {
  const perCall = 1000;
  let next = 0;
  const worker = async () => {
    while (next < points) {
      const first = next;
      next += perCall;
      const steps = Array.from({ length: Math.min(perCall, points - first) }, (_, i) => first + i);
      const values = steps.map((s) => (s % 99_991 === 7 ? 10 : Math.exp(-s / 200_000) + ((s * 7919) % 13) / 100));
      await gql(url, `mutation ($r: ID!, $m: [MetricSeriesInput!]) { logBatch(runId: $r, metricSeries: $m) { __typename } }`, { r: runId, m: [{ key: 'loss', values, steps }] });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

function row(label: string, samples: number[]): string[] {
  const s = summarizeLatencies(samples);
  return [label, formatMs(s.p50), formatMs(s.max)];
}

async function main(): Promise<void> {
  const store = await openDb();
  const app = await buildApp({ db: store.db, port: 0, user: 'bench', logger: createLogger('silent'), ui: await buildUi(), monitoring: { evaluateEveryMs: 0, deliverEveryMs: 0, onNewDataAfterMs: 0 } });
  const url = await app.start();
  const profile = mkdtempSync(join(tmpdir(), 'mlledger-bench-chromium-'));
  try {
    let started = performance.now();
    const { createExperiment } = await gql<{ createExperiment: { id: string } }>(url, `mutation { createExperiment(input: { name: "bench-ui" }) { ... on Experiment { id } } }`);
    await seedRuns(url, createExperiment.id);
    console.log(`seeded ${formatInteger(runCount)} runs through the API in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    started = performance.now();
    const { createRun } = await gql<{ createRun: { id: string } }>(url, `mutation { createRun(input: { experimentId: "0", runName: "long-run" }) { ... on Run { id } } }`);
    await seedSeries(url, createRun.id, pointCount);
    console.log(`seeded a ${formatInteger(pointCount)}-point metric in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    let transferred = 0;
    page.on('response', async (response) => {
      if (/\/assets\/|\/$|\/experiments\//.test(new URL(response.url()).pathname) && response.request().resourceType() !== 'fetch') {
        transferred += Number((await response.allHeaders())['content-length'] ?? 0);
      }
    });

    const tableLoads: number[] = [];
    const sorts: number[] = [];
    const scrolls: number[] = [];
    const allPages: number[] = [];
    for (let i = 0; i < repeat; i++) {
      await context.clearCookies();
      transferred = 0;
      let t0 = performance.now();
      await page.goto(`${url}/experiments/${createExperiment.id}`, { waitUntil: 'commit' });
      await page.waitForFunction(() => Number(document.querySelector('table.runs-table')?.getAttribute('data-row-count') ?? 0) >= 250);
      tableLoads.push(performance.now() - t0);

      t0 = performance.now();
      await page.getByRole('button', { name: /loss/ }).click();
      await page.waitForFunction(() => location.search.includes('sort=') && document.querySelector('th[aria-sort]') !== null && Number(document.querySelector('table.runs-table')?.getAttribute('data-row-count') ?? 0) >= 250);
      sorts.push(performance.now() - t0);

      // One scroll of a screenful deep into the loaded rows: the frame is ready when the new rows are in the DOM.
      t0 = performance.now();
      await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, 200 * 34));
      await page.waitForFunction(() => [...document.querySelectorAll('table.runs-table tbody tr[aria-rowindex]')].some((tr) => Number(tr.getAttribute('aria-rowindex')) >= 210));
      scrolls.push(performance.now() - t0);

      t0 = performance.now();
      await page.evaluate(async (total) => {
        const scroller = document.querySelector('.table-scroll')!;
        const table = document.querySelector('table.runs-table')!;
        while (Number(table.getAttribute('data-row-count')) < total) {
          scroller.scrollTo(0, scroller.scrollHeight);
          await new Promise((resolve) => setTimeout(resolve, 16));
        }
      }, runCount);
      allPages.push(performance.now() - t0);
    }
    const domRows = await page.locator('table.runs-table tbody tr').count();
    const tableBytes = transferred;

    const curveLoads: number[] = [];
    const zooms: number[] = [];
    let caption = '';
    for (let i = 0; i < repeat; i++) {
      let t0 = performance.now();
      await page.goto(`${url}/runs/${createRun.id}`, { waitUntil: 'commit' });
      // "N points shown of M (downsampled…)", or "N points shown" when the metric fits the chart's width.
      await page.waitForFunction(() => /^\d+ points shown/.test(document.querySelector('figure[data-metric="loss"] figcaption')?.textContent ?? ''));
      curveLoads.push(performance.now() - t0);
      caption = (await page.locator('figure[data-metric="loss"] figcaption').innerText()) ?? '';
      const box = (await page.locator('figure[data-metric="loss"] .u-over').boundingBox())!;
      t0 = performance.now();
      await page.mouse.move(box.x + box.width * 0.4, box.y + 20);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.42, box.y + 20, { steps: 3 });
      await page.mouse.up();
      await page.waitForFunction(() => (document.querySelector('figure[data-metric="loss"] figcaption')?.textContent ?? '').includes('in the zoomed range'));
      zooms.push(performance.now() - t0);
    }
    await context.close();

    console.log('');
    console.log(`web UI in ${(await import('node:child_process')).execFileSync(chromiumPath, ['--version'], { encoding: 'utf8' }).trim()}, ${process.env.DATABASE_URL ? 'Postgres' : 'PGlite'}, ${repeat} loads each (ms):`);
    console.log(
      markdownTable(
        ['what', 'p50', 'max'],
        [
          row(`runs table, ${formatInteger(runCount)}-run experiment: navigation to first 250 rows drawn`, tableLoads),
          row('sort by a metric column (server-side) until redrawn', sorts),
          row('scroll 200 rows down until the rows are in the DOM', scrolls),
          row(`scroll to the end: all ${formatInteger(runCount)} runs paged in (${Math.ceil(runCount / 250)} pages)`, allPages),
          row(`run page, ${formatInteger(pointCount)}-point metric: navigation to curve drawn`, curveLoads),
          row('zoom (drag) until the range is re-queried and drawn', zooms),
        ],
      ),
    );
    console.log(`\nDOM rows in the runs table with ${formatInteger(runCount)} runs loaded: ${domRows}; HTML + JS + CSS transferred (gzip): ${formatInteger(tableBytes)} bytes`);
    console.log(`curve caption: ${caption}`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
    await app.stop();
    await store.dispose();
  }
}

await main();
