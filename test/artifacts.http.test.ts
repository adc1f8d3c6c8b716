import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '../src/artifacts/localArtifactStore.ts';
import { startArtifactTestApp, type ArtifactTestApp } from './support/artifactTestApp.ts';
import { MlflowRestClient } from './support/mlflowRestClient.ts';
import { jsonOf, rawRequest } from './support/rawHttp.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** MLflow's artifact proxy against a real server on a local folder store, called as the mlflow client calls it. */
describe('artifact proxy over HTTP (local folder store)', () => {
  let t: ArtifactTestApp;
  let outer: string;
  let root: string;
  beforeAll(async () => {
    // The store's root sits inside a folder of our own, so writes outside the root would show up there.
    outer = await mkdtemp(join(tmpdir(), 'mlledger-artifacts-http-'));
    root = join(outer, 'artifacts');
    t = await startArtifactTestApp({ artifacts: await LocalArtifactStore.open(root) });
  });
  afterAll(async () => {
    await t?.close();
    await rm(outer, { recursive: true, force: true });
  });

  it('upload, list, download and delete like the mlflow client, recording ArtifactStored and ArtifactDeleted', async () => {
    const mlflow = new MlflowRestClient(t.url);
    const experiment = await mlflow.setExperiment('artifacts');
    const run = await mlflow.startRun(experiment.experiment_id, 'with-files');
    const runArtifacts = run.info.artifact_uri.replace('mlflow-artifacts:/', '');
    expect(runArtifacts).toBe(`${experiment.experiment_id}/${run.info.run_id}/artifacts`);
    const bytes = Buffer.concat([Buffer.from([0, 1, 2, 255, 254, 0]), randomBytes(300_000)]);

    const upload = await fetch(`${t.artifactsUrl}/artifacts/${runArtifacts}/model/file.bin`, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toEqual({});
    await fetch(`${t.artifactsUrl}/artifacts/${runArtifacts}/metrics.json`, { method: 'PUT', body: '{"a": 1}' });

    const list = await fetch(`${t.artifactsUrl}/artifacts?path=${encodeURIComponent(runArtifacts)}`);
    expect(await list.json()).toEqual({ files: [{ path: 'metrics.json', is_dir: false, file_size: 8 }, { path: 'model', is_dir: true }] });
    const nested = await fetch(`${t.artifactsUrl}/artifacts?path=${encodeURIComponent(`${runArtifacts}/model`)}`);
    expect(await nested.json()).toEqual({ files: [{ path: 'file.bin', is_dir: false, file_size: bytes.length }] });

    const download = await fetch(`${t.artifactsUrl}/artifacts/${runArtifacts}/model/file.bin`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const json = await fetch(`${t.url}/ajax-api/2.0/mlflow-artifacts/artifacts/${runArtifacts}/metrics.json`);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.text()).toBe('{"a": 1}');

    // The tracking API's listing by run: paths relative to the run's root.
    const byRun = await fetch(`${t.url}/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}&path=model`);
    expect(await byRun.json()).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: 'model/file.bin', is_dir: false, file_size: bytes.length }] });
    const runRoot = await fetch(`${t.url}/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}`);
    expect(((await runRoot.json()) as { files: unknown[] }).files).toEqual([{ path: 'metrics.json', is_dir: false, file_size: 8 }, { path: 'model', is_dir: true }]);
    expect((await fetch(`${t.url}/api/2.0/mlflow/artifacts/list?run_id=nope`)).status).toBe(404);

    const deleted = await fetch(`${t.artifactsUrl}/artifacts/${runArtifacts}/model/file.bin`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({});
    const gone = await fetch(`${t.artifactsUrl}/artifacts/${runArtifacts}/model/file.bin`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Artifact '${runArtifacts}/model/file.bin' does not exist.` });
    expect(await (await fetch(`${t.artifactsUrl}/artifacts?path=${encodeURIComponent(`${runArtifacts}/model`)}`)).json()).toEqual({});

    const history = await t.app.backend.store.readStream(`artifacts-${experiment.experiment_id}`);
    expect(history.map((e) => [e.type, e.data])).toEqual([
      ['ArtifactStored', { path: `${runArtifacts}/model/file.bin`, size: bytes.length, sha256: sha256(bytes) }],
      ['ArtifactStored', { path: `${runArtifacts}/metrics.json`, size: 8, sha256: sha256(Buffer.from('{"a": 1}')) }],
      ['ArtifactDeleted', { path: `${runArtifacts}/model/file.bin` }],
    ]);
    expect(history[0].metadata.actor).toBe('tester');
  });

  it('lists runs whose artifact root is host-qualified (mlflow-artifacts://host:port/…) the same way, over REST and GraphQL', async () => {
    const mlflow = new MlflowRestClient(t.url);
    const { experiment_id } = await mlflow.ok<{ experiment_id: string }>('experiments/create', {
      name: 'host-qualified',
      artifact_location: 'mlflow-artifacts://tracking.example:5000/hq-root',
    });
    const run = await mlflow.startRun(experiment_id, 'hq');
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts://tracking.example:5000/hq-root/${run.info.run_id}/artifacts`);
    await fetch(`${t.artifactsUrl}/artifacts/hq-root/${run.info.run_id}/artifacts/model/MLmodel`, { method: 'PUT', body: 'flavors: {}\n' });

    const byRun = await fetch(`${t.url}/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}&path=model`);
    expect(await byRun.json()).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }] });
    const viaGraphql = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($id: ID!) { run(id: $id) { artifacts(path: "model") { path fileSize downloadUrl } } }', variables: { id: run.info.run_id } }),
    });
    expect(((await viaGraphql.json()) as { data: unknown }).data).toEqual({
      run: { artifacts: [{ path: 'model/MLmodel', fileSize: 12, downloadUrl: `/api/2.0/mlflow-artifacts/artifacts/hq-root/${run.info.run_id}/artifacts/model/MLmodel` }] },
    });
  });

  it('lists the root and empty or missing directories the way MLflow does', async () => {
    expect(await (await fetch(`${t.artifactsUrl}/artifacts?path=nothing/here`)).json()).toEqual({});
    const rootList = (await (await fetch(`${t.artifactsUrl}/artifacts`)).json()) as { files: { path: string }[] };
    expect(rootList.files.map((f) => f.path)).not.toContain('.uploads');
  });

  it('refuses path traversal in every spelling, and writes nothing outside the root', async () => {
    const attacks = [
      '../escape.txt',
      '1/../../escape.txt',
      '%2e%2e/escape.txt',
      '1/%2e%2e/%2e%2e/escape.txt',
      '%2E%2E%2Fescape.txt',
      '%252e%252e/escape.txt',
      '1/%252e%252e%252f%252e%252e%252fescape.txt',
      '%2fetc/escape.txt',
      '/etc/escape.txt',
      '1\\..\\..\\escape.txt',
      '1%5c..%5c..%5cescape.txt',
      '1/%00/escape.txt',
      'C:/escape.txt',
      '1//escape.txt',
      './escape.txt',
      '%',
    ];
    for (const attack of attacks) {
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const answer = await rawRequest(t.url, method, `/api/2.0/mlflow-artifacts/artifacts/${attack}`, method === 'PUT' ? Buffer.from('pwned') : undefined);
        expect({ attack, method, status: answer.status }).toEqual({ attack, method, status: 400 });
        expect(jsonOf(answer)).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
      }
    }
    for (const dir of ['..', '../..', '%2e%2e', '/etc', '1/../..']) {
      const answer = await rawRequest(t.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(dir)}`);
      expect({ dir, status: answer.status }).toEqual({ dir, status: 400 });
    }
    const mpu = await rawRequest(t.url, 'POST', '/api/2.0/mlflow-artifacts/mpu/create/../x', Buffer.from('{}'));
    expect(mpu.status).toBe(400);
    expect(await readdir(outer)).toEqual(['artifacts']);
    expect(await readdir(tmpdir())).not.toContain('escape.txt');
    expect(JSON.stringify(await readdir(root, { recursive: true }))).not.toContain('escape');
  });

  it('answers multipart requests with MLflow\'s 501, so the client falls back to a single PUT', async () => {
    for (const action of ['create', 'complete', 'abort']) {
      const answer = await fetch(`${t.artifactsUrl}/mpu/${action}/1/abc/artifacts`, { method: 'POST', body: JSON.stringify({ path: '/home/me/big.bin', num_parts: 3, upload_id: 'u' }) });
      expect(answer.status).toBe(501);
      expect(await answer.json()).toEqual({ error_code: 'NOT_IMPLEMENTED', message: 'Multipart upload is not supported for the current artifact repository' });
    }
  });

  it('answers unknown routes, wrong methods and file/directory clashes in MLflow\'s error format', async () => {
    const post = await fetch(`${t.artifactsUrl}/artifacts/1/x.txt`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ error_code: 'BAD_REQUEST' });
    const unknown = await fetch(`${t.artifactsUrl}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error_code: 'ENDPOINT_NOT_FOUND' });
    const put = await fetch(`${t.artifactsUrl}/artifacts/1/dir/file.txt`, { method: 'PUT', body: 'f' });
    expect(put.status).toBe(200);
    const fileOverDir = await fetch(`${t.artifactsUrl}/artifacts/1/dir`, { method: 'PUT', body: 'x' });
    expect(fileOverDir.status).toBe(400);
    const dirOverFile = await fetch(`${t.artifactsUrl}/artifacts/1/dir/file.txt/inner`, { method: 'PUT', body: 'x' });
    expect(dirOverFile.status).toBe(400);
  });
});
