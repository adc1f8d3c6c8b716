import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page, Request, WebSocketRoute } from 'playwright-core';
import { openBrowser, unnamedElements, watchForText, type Browser } from './support/browser.ts';
import { backendName } from './support/testDb.ts';
import { createRun, logBatch, registry, seedUi, type Seed } from './support/uiSeed.ts';
import { startUiTestApp, type UiTestApp } from './support/uiTestApp.ts';

/** Texts of the body cells of a column (1-based, counting the select column). */
async function column(page: Page, index: number): Promise<string[]> {
  return page.locator(`table.runs-table tbody tr:not(.spacer) td:nth-child(${index})`).allInnerTexts();
}

/** Waits for a condition; the generous default is for a loaded machine (a passing check returns at once). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const captionOf = (page: Page, metric: string): Locator => page.locator(`figure[data-metric="${metric}"] figcaption`);

/** The variables of a metricSeries query the page sent. */
function seriesVariables(request: Request): { key: string; maxPoints: number; stepRange: { from: number; to: number } | null } {
  return (request.postDataJSON() as { variables: { key: string; maxPoints: number; stepRange: { from: number; to: number } | null } }).variables;
}

interface SeriesAnswer {
  data: { metricSeries: { runId: string; totalPoints: number; downsampled: boolean; points: { step: number; value: number | string }[] }[] };
}

const isSeriesQuery = (request: Request) => request.method() === 'POST' && request.url().endsWith('/graphql') && (request.postData() ?? '').includes('metricSeries');

describe(`the web UI in headless Chromium (${backendName})`, () => {
  let t: UiTestApp;
  let b: Browser;
  let seed: Seed;
  let page: Page;

  beforeAll(async () => {
    t = await startUiTestApp();
    [seed, b] = await Promise.all([seedUi(t), openBrowser()]);
    page = b.page;
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('lists the experiments and searches them by name', async () => {
    await page.goto(`${t.url}/`);
    const table = page.getByRole('table', { name: 'Experiments' });
    await table.getByRole('link', { name: 'mnist-baseline' }).waitFor();
    expect(await table.innerText()).toContain('team=vision');
    expect(await table.getByRole('link').allInnerTexts()).toEqual(['Default', 'mnist-baseline', 'churn-prediction', 'sweep']);
    await page.getByLabel('Search experiments').fill('churn');
    await until('the search to narrow the list', async () => (await table.getByRole('link').allInnerTexts()).join() === 'churn-prediction');
    expect(await unnamedElements(page)).toEqual([]);
    await b.screenshot('experiments');
  });

  it('shows the runs with chosen columns, sorts on a metric column and filters with the MLflow grammar on the server', async () => {
    await page.goto(`${t.url}/experiments/${seed.experimentId}`);
    await until('three runs', async () => (await column(page, 2)).length === 3);
    const headers = (await page.locator('table.runs-table thead th').allInnerTexts()).map((h) => h.replace(/\s+/g, ' ').trim());
    expect(headers.join('|')).toMatch(/Run name.*accuracy.*loss.*batch_size.*lr.*optimizer/);
    const lossColumn = headers.findIndex((h) => h.includes('loss')) + 1;
    // Newest first by default.
    expect(await column(page, 2)).toEqual(['live-run', 'lr-0.01', 'lr-0.1']);
    await page.getByRole('button', { name: /loss/ }).click();
    await until('descending loss', async () => (await column(page, 2)).join() === 'live-run,lr-0.01,lr-0.1' && page.url().includes('sort='));
    expect(await page.locator('th[aria-sort="descending"]').innerText()).toContain('loss');
    await page.getByRole('button', { name: /loss/ }).click();
    await until('ascending loss', async () => (await column(page, 2)).join() === 'lr-0.1,lr-0.01,live-run');
    expect(await column(page, lossColumn)).toEqual(['0.0648932', '0.690555', '2.1']);

    await page.getByLabel('Filter runs').fill("params.optimizer = 'sgd'");
    await page.getByLabel('Filter runs').press('Enter');
    await until('the filtered table', async () => (await column(page, 2)).join() === 'lr-0.01');
    await page.getByLabel('Filter runs').fill('metrics.loss <<< 1');
    await page.getByLabel('Filter runs').press('Enter');
    await page.getByRole('alert').filter({ hasText: /filter|parse|invalid/i }).waitFor();
    await page.getByLabel('Filter runs').fill('metrics.loss < 1');
    await page.getByLabel('Filter runs').press('Enter');
    await until('two runs under 1', async () => (await column(page, 2)).join() === 'lr-0.1,lr-0.01');
    expect(await unnamedElements(page)).toEqual([]);
    await b.screenshot('runs');
  });

  it('chooses columns and sorts on attribute, param and tag columns, keeping the choice in a shareable URL', async () => {
    await page.goto(`${t.url}/experiments/${seed.experimentId}`);
    await until('three runs', async () => (await column(page, 2)).length === 3);
    const headers = async () => page.locator('table.runs-table thead th[data-column]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column')));
    // Sort buttons are named by kind and key ("param lr"), attribute columns by their label.
    const sortButton = (name: string) => page.getByRole('button', { name, exact: true });
    const names = async () => (await column(page, 2)).join();

    // Every column header is a sort button: the five attributes and the chosen keys.
    expect(await headers()).toEqual(['a:name', 'a:status', 'a:start', 'a:end', 'a:user', 'm:accuracy', 'm:loss', 'p:batch_size', 'p:lr', 'p:optimizer']);
    for (const name of ['Run name', 'Status', 'Started', 'Ended', 'User', 'metric accuracy', 'metric loss', 'param batch_size', 'param lr', 'param optimizer']) await sortButton(name).waitFor();
    // Ended, with the duration beside it (a running run has no end yet).
    expect(await column(page, 5)).toEqual([expect.stringMatching(/^running \d/), expect.stringMatching(/\d{4}.* \(\d.*\)$/), expect.stringMatching(/\d{4}.* \(\d.*\)$/)]);

    await sortButton('Run name').click();
    await until('run names ascending', async () => (await page.locator('th[aria-sort="ascending"]').innerText().catch(() => '')).includes('Run name') && (await names()) === 'live-run,lr-0.01,lr-0.1');
    await sortButton('Run name').click();
    await until('run names descending', async () => (await names()) === 'lr-0.1,lr-0.01,live-run');
    await sortButton('param lr').click();
    await until('params.lr ascending', async () => (await names()) === 'live-run,lr-0.01,lr-0.1');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('p:lr ASC');

    // A tag column, chosen in the picker; a metric column dropped.
    await page.locator('.column-picker summary').click();
    await page.getByRole('checkbox', { name: 'owner', exact: true }).check();
    await page.getByRole('checkbox', { name: 'accuracy', exact: true }).uncheck();
    await page.locator('.column-picker summary').click();
    await until('the owner column', async () => (await headers()).includes('t:owner') && !(await headers()).includes('m:accuracy'));
    // +2: nth-child counts from 1 and the select column comes first.
    const ownerColumn = (await headers()).indexOf('t:owner') + 2;
    await sortButton('tag owner').click();
    await until('tags.owner ascending, untagged last', async () => (await names()) === 'lr-0.1,lr-0.01,live-run');
    expect(await column(page, ownerColumn)).toEqual(['alice', 'bob', '']);
    await sortButton('tag owner').click();
    await until('tags.owner descending, untagged still last', async () => (await names()) === 'lr-0.01,lr-0.1,live-run');

    // The URL carries columns and order: a reload (or a shared link) shows the same table.
    await page.reload();
    await until('the same table after a reload', async () => (await names()) === 'lr-0.01,lr-0.1,live-run');
    expect(await headers()).toContain('t:owner');
    expect(await headers()).not.toContain('m:accuracy');
    expect(await page.locator('th[aria-sort="descending"]').innerText()).toContain('owner');
    await b.screenshot('runs-columns');
  });

  it('pages through many runs into a virtualised table', async () => {
    await page.goto(`${t.url}/experiments/${seed.pagingExperimentId}`);
    const table = page.locator('table.runs-table');
    await until('the first page', async () => (await table.getAttribute('data-row-count')) === '250');
    expect(await page.locator('.table-summary').innerText()).toBe('250+ runs');
    const rendered = await page.locator('table.runs-table tbody tr:not(.spacer)').count();
    expect(rendered).toBeLessThan(80);
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await until('every run loaded', async () => (await table.getAttribute('data-row-count')) === String(seed.pagingRuns));
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.getByRole('link', { name: 'sweep-0000' }).waitFor();
    expect(await page.locator('table.runs-table tbody tr:not(.spacer)').count()).toBeLessThan(80);
    expect(await page.locator('.table-summary').innerText()).toBe(`${seed.pagingRuns} runs`);
  });

  it('compares selected runs: overlaid curves, a params diff marking differences, latest metrics side by side', async () => {
    await page.goto(`${t.url}/experiments/${seed.experimentId}`);
    await page.getByLabel('Select run lr-0.1 for comparison').check();
    await page.getByLabel('Select run lr-0.01 for comparison').check();
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/\/compare\?runs=/);
    await page.getByRole('heading', { name: 'Compare 2 runs' }).waitFor();
    await until('both loss curves', async () => (await captionOf(page, 'loss').innerText()).startsWith('100 points shown'));
    expect(await captionOf(page, 'loss').innerText()).toContain('step 49 = 0.0648932, step 49 = 0.690555');
    const diff = page.getByRole('table', { name: 'Params diff' });
    const differing = (await diff.locator('tr[data-differs="true"] th').allInnerTexts()).map((h) => h.replace(/\s+/g, ' '));
    expect(differing).toEqual(['lr (differs)', 'optimizer (differs)']);
    expect(await diff.locator('tr[data-differs="false"] th').allInnerTexts()).toEqual(['batch_size']);
    const metrics = page.getByRole('table', { name: 'Latest metrics side by side' });
    expect(await metrics.locator('tbody tr').first().innerText()).toMatch(/accuracy\s+0\.948906[\s\S]*0\.743657/);
    await page.getByLabel('Only params that differ').check();
    expect(await diff.locator('tbody tr').count()).toBe(2);
    // Chosen keys: unticking one takes its chart away and the URL keeps the choice.
    await page.getByRole('group', { name: 'Metrics to chart' }).getByLabel('accuracy').uncheck();
    await until('only the loss chart', async () => (await page.locator('figure[data-metric]').evaluateAll((figures) => figures.map((f) => f.getAttribute('data-metric')))).join() === 'loss');
    expect(new URL(page.url()).searchParams.get('keys')).toBe('loss');
    await page.getByRole('group', { name: 'Metrics to chart' }).getByLabel('accuracy').check();
    await until('both charts again', async () => (await page.locator('figure[data-metric]').count()) === 2);
    await until('both curves drawn again', async () => (await captionOf(page, 'accuracy').innerText()).startsWith('100 points shown'));
    expect(await unnamedElements(page)).toEqual([]);
    await b.screenshot('compare');
  });

  it('shows a run: params, tags, latest metrics, curves that zoom by re-querying, artifacts with previews', async () => {
    await page.goto(`${t.url}/runs/${seed.runs.fast.id}`);
    await page.getByRole('heading', { name: 'lr-0.1' }).waitFor();
    expect(await page.locator('table.kv').first().innerText()).toMatch(/batch_size\s+64[\s\S]*lr\s+0\.1[\s\S]*optimizer\s+adam/);
    expect(await page.locator('main').innerText()).toMatch(/phase\s+train/);
    expect(await page.getByRole('table', { name: 'Latest metrics' }).innerText()).toMatch(/loss\s+0\.0648932\s+49/);
    await until('the loss curve', async () => (await captionOf(page, 'loss').innerText()) === '50 points shown; last: step 49 = 0.0648932');

    // Drag across the middle of the loss chart: the range is queried again.
    const over = page.locator('figure[data-metric="loss"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await until('the zoomed curve', async () => (await captionOf(page, 'loss').innerText()).includes('in the zoomed range'));
    const zoomed = await captionOf(page, 'loss').innerText();
    const shown = Number(/^(\d+) points/.exec(zoomed)![1]);
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(40);
    await page.getByRole('button', { name: /Reset zoom/ }).click();
    await until('the whole curve again', async () => (await captionOf(page, 'loss').innerText()).startsWith('50 points shown;'));

    await page.getByRole('button', { name: 'metrics.json' }).click();
    await until('the JSON preview', async () => (await page.locator('pre.preview-json').count()) === 1);
    expect(await page.locator('pre.preview-json').innerText()).toBe('{\n  "accuracy": 0.95,\n  "loss": 0.05\n}');
    await page.getByRole('button', { name: 'notes.txt' }).click();
    await until('the text preview', async () => (await page.locator('pre.preview-text').innerText().catch(() => '')).includes('Best epoch: 49.'));
    await page.getByRole('button', { name: 'Open folder plots' }).click();
    await page.getByRole('button', { name: 'curve.png' }).click();
    const image = page.getByRole('img', { name: 'Artifact plots/curve.png' });
    await image.waitFor();
    await until('the image to load', async () => (await image.evaluate((img: HTMLImageElement) => img.naturalWidth)) === 16);
    expect(await page.getByRole('link', { name: 'Download notes.txt' }).getAttribute('href')).toMatch(/\/api\/2\.0\/mlflow-artifacts\/artifacts\/.*\/notes\.txt$/);
    expect(await unnamedElements(page)).toEqual([]);
    await b.screenshot('run');
  });

  it('downsamples a long metric on the server to the chart width, keeps its extremes, and zooms in at full resolution', async () => {
    const total = 6_000;
    const run = await createRun(t, '0', 'long-run');
    // A gentle wave with one spike and one dip: a naive every-nth-point sample would lose both.
    const value = (step: number) => (step === 2_345 ? 50 : step === 4_321 ? -20 : Math.sin(step / 300));
    for (let first = 0; first < total; first += 1_000) {
      const steps = Array.from({ length: 1_000 }, (_, i) => first + i);
      await logBatch(t, run.id, { series: [{ key: 'wave', values: steps.map(value), steps }] });
    }
    const firstQuery = page.waitForRequest((r) => isSeriesQuery(r) && seriesVariables(r).key === 'wave' && seriesVariables(r).stepRange === null);
    await page.goto(`${t.url}/runs/${run.id}`);
    const request = await firstQuery;
    const answer = (await (await request.response())!.json()) as SeriesAnswer;
    await until('the downsampled curve', async () => (await captionOf(page, 'wave').innerText()).includes(`of ${total} (downsampled on the server)`));

    // Asked for 4 points per pixel column of the chart as drawn (M4 draws exactly like every point).
    const chartWidth = await page.locator('figure[data-metric="wave"] .chart-box').evaluate((el) => el.clientWidth);
    const { maxPoints } = seriesVariables(request);
    expect(maxPoints).toBeGreaterThanOrEqual(4 * chartWidth);
    expect(maxPoints).toBeLessThan(4 * (chartWidth + 100));
    const [series] = answer.data.metricSeries;
    expect(series).toMatchObject({ runId: run.id, totalPoints: total, downsampled: true });
    expect(series.points.length).toBeLessThanOrEqual(maxPoints);
    expect(series.points.length).toBeLessThan(total);
    const values = series.points.map((p) => Number(p.value));
    expect(Math.max(...values)).toBe(50);
    expect(Math.min(...values)).toBe(-20);
    expect([series.points[0].step, series.points.at(-1)!.step]).toEqual([0, total - 1]);
    expect(await captionOf(page, 'wave').innerText()).toBe(`${series.points.length} points shown of ${total} (downsampled on the server); last: step ${total - 1} = ${Number(Math.sin((total - 1) / 300).toPrecision(6))}`);

    await b.screenshot('run-long-metric');

    // Zoom into about a twentieth of the steps: that range comes back at full resolution.
    const zoomQuery = page.waitForRequest((r) => isSeriesQuery(r) && seriesVariables(r).key === 'wave' && seriesVariables(r).stepRange !== null);
    const over = page.locator('figure[data-metric="wave"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomRequest = await zoomQuery;
    const { stepRange } = seriesVariables(zoomRequest);
    const zoomed = ((await (await zoomRequest.response())!.json()) as SeriesAnswer).data.metricSeries[0];
    expect(stepRange!.to - stepRange!.from).toBeGreaterThan(100);
    expect(stepRange!.to - stepRange!.from).toBeLessThan(1_000);
    expect(zoomed.downsampled).toBe(false);
    expect(zoomed.points.map((p) => p.step)).toEqual(Array.from({ length: stepRange!.to - stepRange!.from + 1 }, (_, i) => stepRange!.from + i));
    await until('the zoomed curve', async () => (await captionOf(page, 'wave').innerText()).startsWith(`${zoomed.points.length} points shown in the zoomed range`));
    await b.screenshot('run-long-metric-zoomed');
  });

  it('extends the curves of a running run as points are logged, without reload or polling', async () => {
    await page.goto(`${t.url}/runs/${seed.runs.live.id}`);
    await page.locator('[data-live-status="live"]').waitFor();
    await until('the loss curve', async () => (await captionOf(page, 'loss').innerText()).includes('step 9 = 2.1'));
    const graphqlPosts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/graphql')) graphqlPosts.push(request.postData() ?? '');
    });
    // Timed in the page: from the API's acknowledgement to the chart's caption naming the new point.
    const shown = await watchForText(page, 'figure[data-metric="loss"] figcaption', 'step 10 = 0.5');
    await logBatch(t, seed.runs.live.id, { series: [{ key: 'loss', values: [0.5], steps: [10] }] });
    const acknowledged = Date.now();
    expect((await shown()) - acknowledged).toBeLessThan(1_000);
    expect(await captionOf(page, 'loss').innerText()).toMatch(/^11 points shown;/);
    expect(await page.getByRole('table', { name: 'Latest metrics' }).innerText()).toMatch(/loss\s+0\.5\s+10/);
    // A metric logged for the first time gets its own chart.
    await logBatch(t, seed.runs.live.id, { series: [{ key: 'grad_norm', values: [1.5, 1.2], steps: [10, 11] }] });
    await until('a chart for the new metric', async () => (await captionOf(page, 'grad_norm').innerText().catch(() => '')).includes('step 11 = 1.2'));
    // Live points came over the WebSocket: no query asked for them.
    expect(graphqlPosts.filter((body) => body.includes('metricSeries') && body.includes('"loss"'))).toEqual([]);
    await b.screenshot('live-run');
    await t.gql(`mutation ($runId: ID!) { updateRun(input: { runId: $runId, status: FINISHED }) { __typename } }`, { runId: seed.runs.live.id });
    await page.locator('.title-row .badge', { hasText: 'FINISHED' }).waitFor();
    await page.locator('[data-live-status="ended"]').waitFor();
  });

  it('after a dropped connection resubscribes from the last cursor it saw: a point logged meanwhile arrives once, with no reload', async () => {
    const run = await createRun(t, '0', 'flaky-network');
    await logBatch(t, run.id, { series: [{ key: 'loss', values: [1, 0.9, 0.8, 0.7, 0.6], steps: [0, 1, 2, 3, 4] }] });
    // The page's WebSocket goes through a route the test can cut, as a network would: a cut
    // connection forwards nothing more either way, and no new one reaches the server meanwhile.
    const connections: { dropped: boolean; close(): Promise<unknown> }[] = [];
    const toServer: { at: number; message: string }[] = [];
    const toPage: { at: number; message: string }[] = [];
    let networkDown = false;
    const live = await b.context.newPage();
    try {
      await live.routeWebSocket(/\/graphql$/, (ws) => {
        if (networkDown) {
          void ws.close({ code: 1012, reason: 'network down' });
          return;
        }
        const server = ws.connectToServer();
        const connection = {
          dropped: false,
          close: () => Promise.all([ws.close({ code: 1012, reason: 'network down' }), server.close({ code: 1012, reason: 'network down' })]),
        };
        ws.onMessage((message) => {
          if (connection.dropped) return;
          toServer.push({ at: Date.now(), message: String(message) });
          server.send(message);
        });
        server.onMessage((message) => {
          if (connection.dropped) return;
          toPage.push({ at: Date.now(), message: String(message) });
          ws.send(message);
        });
        connections.push(connection);
      });
      const queries: string[] = [];
      live.on('request', (request) => {
        if (isSeriesQuery(request)) queries.push(request.postData() ?? '');
      });
      await live.goto(`${t.url}/runs/${run.id}`);
      await live.locator('[data-live-status="live"]').waitFor();
      await until('the curve', async () => (await captionOf(live, 'loss').innerText()) === '5 points shown; last: step 4 = 0.6');
      const queriesBefore = queries.length;

      // A point while connected: its cursor is the last one the page sees before the cut.
      await logBatch(t, run.id, { series: [{ key: 'loss', values: [0.5], steps: [5] }] });
      await until('step 5 live', async () => (await captionOf(live, 'loss').innerText()).includes('step 5 = 0.5'));
      const metricsPayloads = () =>
        toPage
          .map((m) => ({ ...m, body: JSON.parse(m.message) as { type: string; payload?: { data?: { runMetrics?: { cursor: string; points: { step: number }[] } } } } }))
          .filter((m) => m.body.type === 'next' && m.body.payload?.data?.runMetrics);
      const lastCursor = metricsPayloads().at(-1)!.body.payload!.data!.runMetrics!.cursor;

      networkDown = true;
      const cutAt = Date.now();
      for (const connection of connections.splice(0)) {
        connection.dropped = true;
        void connection.close();
      }
      await live.locator('[data-live-status="reconnecting"]').waitFor();
      await logBatch(t, run.id, { series: [{ key: 'loss', values: [0.4], steps: [6] }] });
      networkDown = false;

      await live.locator('[data-live-status="live"]').waitFor({ timeout: 30_000 });
      await until('the point logged while cut off', async () => (await captionOf(live, 'loss').innerText()) === '7 points shown; last: step 6 = 0.4', 30_000);
      // The new subscription asked for what came after the last cursor seen: step 6 came, once, and step 5 not again.
      const resubscribed = toServer
        .filter((m) => m.at > cutAt)
        .map((m) => JSON.parse(m.message) as { type: string; payload?: { query: string; variables: { after?: string } } })
        .find((m) => m.type === 'subscribe' && m.payload!.query.includes('runMetrics'));
      expect(resubscribed?.payload?.variables.after).toBe(lastCursor);
      const afterCut = metricsPayloads().filter((m) => m.at > cutAt).flatMap((m) => m.body.payload!.data!.runMetrics!.points.map((p) => p.step));
      expect(afterCut).toEqual([6]);
      // No query went out for the curve: the gap was filled by the subscription alone.
      expect(queries.length).toBe(queriesBefore);
      await b.screenshot('live-reconnected', live);
    } finally {
      await live.close();
    }
  });

  it('shows the registry: versions with stage and alias badges, the source run, the integrity check', async () => {
    await page.goto(`${t.url}/models`);
    const models = page.getByRole('table', { name: 'Registered models' });
    await models.getByRole('link', { name: seed.model }).waitFor();
    expect(await models.innerText()).toMatch(/v1\s*Production/);
    expect(await models.innerText()).toContain('@champion');
    await page.getByTestId('integrity-result').waitFor();
    expect(await page.getByTestId('integrity-result').innerText()).toMatch(/Intact.*every hash chain verifies/);
    expect(await unnamedElements(page)).toEqual([]);
    await b.screenshot('models');
  });

  it('follows the audit timeline live: a stage transition made elsewhere appears in the open page, and the as-of view reads the past', async () => {
    await page.goto(`${t.url}/models/${seed.model}`);
    const versions = page.getByRole('table', { name: 'Model versions' });
    await versions.locator('tr[data-version="1"]').waitFor();
    expect(await versions.locator('tr[data-version="1"]').innerText()).toMatch(/v1\s+Production\s+@champion\s+lr-0\.1/);
    expect(await versions.locator('tr[data-version="1"]').getByRole('link', { name: 'lr-0.1' }).getAttribute('href')).toBe(`/runs/${seed.runs.fast.id}`);
    const timeline = page.getByRole('list', { name: 'Audit timeline, newest first' });
    await timeline.locator('li').first().waitFor();
    expect(await timeline.innerText()).toContain('passed offline evaluation');
    await page.locator('.title-row [data-live-status="live"]').waitFor();
    const before = await timeline.locator('> li').count();

    // The registry's read models held back, as under load: the log (and so the timeline) has the
    // transition before the tables the versions table is read from do.
    const projector = t.app.backend.registryProjector;
    await projector.stop();
    let transition: Promise<void> | undefined;
    try {
      // Answers once its event is visible in the read models, so not awaited until they run again.
      transition = registry(t, `mutation ($name: String!) { transitionModelVersionStage(name: $name, version: 2, stage: Staging, comment: "canary for 5% of traffic") { __typename ... on DomainError { message } } }`, { name: seed.model });
      await until('the transition in the open timeline', async () => (await timeline.locator('> li').first().innerText()).includes('canary for 5% of traffic'));
      expect(await timeline.locator('> li').count()).toBe(before + 1);
      expect(await timeline.locator('> li').first().getAttribute('data-kind')).toBe('STAGE_TRANSITIONED');
      expect(await timeline.locator('> li').first().innerText()).toMatch(/by alice/);
      expect(await versions.locator('tr[data-version="2"]').innerText()).toMatch(/v2\s+None/);
    } finally {
      await projector.start();
    }
    await transition;
    await until('the versions table to follow once the read models have the change', async () => /v2\s+Staging/.test(await versions.locator('tr[data-version="2"]').innerText()));

    // As of the moment version 2 was created, version 1 was not in Production yet.
    await timeline.locator('> li[data-kind="VERSION_CREATED"]').first().getByRole('button', { name: 'View the model as of this change' }).click();
    const asOf = page.getByTestId('asof-result');
    await asOf.getByRole('table').waitFor();
    expect(await asOf.getByRole('table').innerText()).toMatch(/v1\s+None[\s\S]*v2\s+None/);
    expect(await unnamedElements(page)).toEqual([]);
    await b.screenshot('model');
  });

  it('shows monitoring: windowed metrics with threshold and training baseline, label coverage, drift, monitors and alerts', async () => {
    await page.goto(`${t.url}/monitoring/${seed.model}/1`);
    const summary = page.getByTestId('range-summary');
    await summary.waitFor();
    expect(await summary.innerText()).toMatch(/Predictions\s+200/);
    expect(await summary.innerText()).toMatch(/Label coverage\s+75\.0% \(150 labelled\)/);
    expect(await summary.innerText()).toMatch(/Accuracy\s+0\.8/);
    expect(await page.locator('figure[data-metric="Accuracy"] figcaption').innerText()).toMatch(/threshold 0\.9 · training 0\.948906/);
    // Drawn, not only written: the chart has a series for each guide line.
    expect(await page.locator('figure[data-metric="Accuracy"] .u-legend .u-series th').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('production'), expect.stringContaining('threshold'), expect.stringContaining('training')]));
    await page.locator('figure[data-metric="Label coverage"]').waitFor();
    const drift = page.getByRole('table', { name: 'Drift per feature' });
    expect(await drift.locator('tbody th').allInnerTexts()).toEqual(expect.arrayContaining(['size', 'region']));
    expect(await drift.locator('tr[data-feature="size"]').innerText()).toMatch(/numeric/);
    const monitors = page.getByRole('table', { name: 'Monitors' });
    expect(await monitors.locator('tr[data-monitor="accuracy-1h"]').innerText()).toMatch(/accuracy[\s\S]*≥ 0\.9[\s\S]*FIRING[\s\S]*0\.8\s*BREACH/);
    const alerts = page.getByRole('list', { name: 'Alert history, newest first' });
    expect(await alerts.locator('li').first().innerText()).toMatch(/accuracy-1h[\s\S]*PENDING\s*→\s*FIRING/);
    expect(await unnamedElements(page)).toEqual([]);
    await b.screenshot('monitoring-version');
    await page.goto(`${t.url}/monitoring`);
    await page.getByRole('link', { name: `${seed.model} v1` }).waitFor();
    await b.screenshot('monitoring');
    expect(await unnamedElements(page)).toEqual([]);
  });

  it('fits laptop widths: no page scrolls sideways at 1280 or 1024 pixels (wide tables scroll in their own box)', async () => {
    const pages: { name: string; path: string; ready: () => Promise<boolean> }[] = [
      { name: 'experiments', path: '/', ready: async () => (await page.getByRole('link', { name: 'mnist-baseline' }).count()) === 1 },
      { name: 'runs', path: `/experiments/${seed.experimentId}`, ready: async () => (await page.locator('table.runs-table').getAttribute('data-row-count')) === '3' },
      { name: 'run', path: `/runs/${seed.runs.fast.id}`, ready: async () => (await captionOf(page, 'loss').innerText().catch(() => '')).startsWith('50 points shown') },
      { name: 'compare', path: `/compare?runs=${seed.runs.fast.id},${seed.runs.slow.id}`, ready: async () => (await captionOf(page, 'loss').innerText().catch(() => '')).startsWith('100 points shown') },
      { name: 'models', path: '/models', ready: async () => (await page.getByTestId('integrity-result').count()) === 1 },
      { name: 'model', path: `/models/${seed.model}`, ready: async () => (await page.getByRole('list', { name: 'Audit timeline, newest first' }).locator('> li').count()) > 0 },
      { name: 'monitoring-version', path: `/monitoring/${seed.model}/1`, ready: async () => (await page.getByRole('table', { name: 'Drift per feature' }).count()) === 1 },
    ];
    try {
      for (const width of [1280, 1024]) {
        await page.setViewportSize({ width, height: 720 });
        for (const p of pages) {
          await page.goto(`${t.url}${p.path}`);
          await until(`the ${p.name} page at ${width} px`, p.ready);
          const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
          expect(scrollWidth, `${p.name} at ${width} px`).toBeLessThanOrEqual(clientWidth);
          if (width === 1280) await b.screenshot(`laptop-${p.name}`);
        }
      }
    } finally {
      await page.setViewportSize({ width: 1366, height: 900 });
    }
    expect(b.problems.filter((p) => !p.includes('400 (Bad Request)'))).toEqual([]);
  });
});
