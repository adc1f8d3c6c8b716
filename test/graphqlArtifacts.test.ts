import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArtifactTestApp, type ArtifactTestApp } from './support/artifactTestApp.ts';

interface GraphQLBody<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

interface ArtifactNode {
  path: string;
  isDir: boolean;
  fileSize: number | null;
  downloadUrl: string | null;
}

/** Run.artifacts over HTTP, on files uploaded through the artifact proxy the way the mlflow client uploads them. */
describe('GraphQL run artifacts', () => {
  let t: ArtifactTestApp;
  let runId = '';
  let runRoot = '';
  const weights = randomBytes(70_000);

  async function graphql<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLBody<T>> {
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as GraphQLBody<T>;
  }

  async function createRun(experimentId: string): Promise<{ id: string; artifactUri: string }> {
    const body = await graphql<{ createRun: { id: string; artifactUri: string } }>(
      `mutation($e: ID!) { createRun(input: { experimentId: $e }) { ... on Run { id artifactUri } } }`,
      { e: experimentId },
    );
    return body.data!.createRun;
  }

  async function createExperimentAt(name: string, artifactLocation: string): Promise<string> {
    const body = await graphql<{ createExperiment: { id: string } }>(
      `mutation($name: String!, $at: String!) { createExperiment(input: { name: $name, artifactLocation: $at }) { ... on Experiment { id } } }`,
      { name, at: artifactLocation },
    );
    return body.data!.createExperiment.id;
  }

  /** A raw-bytes PUT, as mlflow's http artifact repository sends a file. */
  async function upload(storePath: string, bytes: Buffer | string): Promise<void> {
    const response = await fetch(`${t.artifactsUrl}/artifacts/${storePath}`, { method: 'PUT', body: typeof bytes === 'string' ? bytes : new Uint8Array(bytes), headers: { 'content-type': 'application/octet-stream' } });
    expect(response.status).toBe(200);
  }

  async function artifacts(path?: string): Promise<GraphQLBody<{ run: { artifacts: ArtifactNode[] } }>> {
    return graphql(`query($id: ID!, $path: String) { run(id: $id) { artifacts(path: $path) { path isDir fileSize downloadUrl } } }`, { id: runId, path });
  }

  beforeAll(async () => {
    t = await startArtifactTestApp();
    const run = await createRun('0');
    runId = run.id;
    runRoot = run.artifactUri.replace('mlflow-artifacts:/', '');
    expect(runRoot).toBe(`0/${runId}/artifacts`);
    await upload(`${runRoot}/metrics.json`, '{"acc": 0.9}');
    await upload(`${runRoot}/model/weights.bin`, weights);
    await upload(`${runRoot}/model/conf/params.yaml`, 'lr: 0.1\n');
    await upload(`${runRoot}/my%20notes.txt`, 'spaces');
    // Another run's files must not show up in this run's listing.
    const other = await createRun('0');
    await upload(`${other.artifactUri.replace('mlflow-artifacts:/', '')}/secret.txt`, 'not yours');
  });
  afterAll(() => t?.close());

  it("lists the run's root: files with sizes and download URLs, directories without", async () => {
    const body = await artifacts();
    expect(body.errors).toBeUndefined();
    expect(body.data!.run.artifacts).toEqual([
      { path: 'metrics.json', isDir: false, fileSize: 12, downloadUrl: `/api/2.0/mlflow-artifacts/artifacts/${runRoot}/metrics.json` },
      { path: 'model', isDir: true, fileSize: null, downloadUrl: null },
      { path: 'my notes.txt', isDir: false, fileSize: 6, downloadUrl: `/api/2.0/mlflow-artifacts/artifacts/${runRoot}/my%20notes.txt` },
    ]);
  });

  it('lists nested directories with paths relative to the run root, and the URLs download the bytes', async () => {
    const model = (await artifacts('model')).data!.run.artifacts;
    expect(model).toEqual([
      { path: 'model/conf', isDir: true, fileSize: null, downloadUrl: null },
      { path: 'model/weights.bin', isDir: false, fileSize: weights.length, downloadUrl: `/api/2.0/mlflow-artifacts/artifacts/${runRoot}/model/weights.bin` },
    ]);
    expect((await artifacts('model/')).data!.run.artifacts).toEqual(model);
    const conf = (await artifacts('model/conf')).data!.run.artifacts;
    expect(conf.map((a) => a.path)).toEqual(['model/conf/params.yaml']);

    const download = await fetch(`${t.url}${model[1].downloadUrl}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(weights)).toBe(true);
    const notes = (await artifacts()).data!.run.artifacts.find((a) => a.path === 'my notes.txt')!;
    expect(await (await fetch(`${t.url}${notes.downloadUrl}`)).text()).toBe('spaces');
  });

  it('answers an empty list for a directory that does not exist', async () => {
    const body = await artifacts('nothing/here');
    expect(body.errors).toBeUndefined();
    expect(body.data!.run.artifacts).toEqual([]);
  });

  it('refuses paths that would leave the run root, with the proxy’s confinement rules', async () => {
    for (const path of ['..', '../', `../${runId}`, 'model/../../..', '/etc', '%2e%2e/x', 'model//conf', 'a\\..\\b', 'C:/x']) {
      const body = await artifacts(path);
      expect(body.data?.run, path).toBeNull();
      expect(body.errors?.[0].extensions, path).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'path' });
      expect(body.errors?.[0].message, path).toMatch(/^Invalid artifact path/);
    }
  });

  it("follows a host-qualified proxy URI, and refuses a run root that would leave the store", async () => {
    const hosted = await createExperimentAt('hosted', 'mlflow-artifacts://127.0.0.1:5000/hosted');
    const run = await createRun(hosted);
    await upload(`hosted/${run.id}/artifacts/model.txt`, 'hi');
    const listed = await graphql<{ run: { artifacts: ArtifactNode[] } }>(`query($id: ID!) { run(id: $id) { artifacts { path downloadUrl } } }`, { id: run.id });
    expect(listed.data!.run.artifacts).toEqual([{ path: 'model.txt', downloadUrl: `/api/2.0/mlflow-artifacts/artifacts/hosted/${run.id}/artifacts/model.txt` }]);

    const escaping = await createRun(await createExperimentAt('escaping', 'mlflow-artifacts:/../outside'));
    const refused = await graphql(`query($id: ID!) { run(id: $id) { artifacts { path } } }`, { id: escaping.id });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'artifactUri' });
  });

  it('lists nothing for a run whose artifacts live outside this server', async () => {
    const run = await createRun(await createExperimentAt('elsewhere', 's3://bucket/elsewhere'));
    const body = await graphql<{ run: { artifactUri: string; artifacts: ArtifactNode[] } }>(`query($id: ID!) { run(id: $id) { artifactUri artifacts { path } } }`, { id: run.id });
    expect(body.data!.run).toEqual({ artifactUri: `s3://bucket/elsewhere/${run.id}/artifacts`, artifacts: [] });
  });
});
