import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { cliPath } from './cliProcess.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A dumped fresh PGlite cluster: test databases load it instead of each running initdb. */
    pgliteTemplatePath: string;
  }
}

/** Runs initdb once per test run rather than once per in-memory test database (~2.5 s of CPU each). */
export default async function setup(project: TestProject): Promise<() => void> {
  // The CLI bundles src/ on its first start after a change: do it once here, not in many test children at once.
  const built = spawnSync(process.execPath, [cliPath, '--version'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the CLI did not build:\n${built.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'mlledger-pglite-template-'));
  const path = join(dir, 'cluster.tar');
  const template = await PGlite.create();
  try {
    writeFileSync(path, Buffer.from(await (await template.dumpDataDir('none')).arrayBuffer()));
  } finally {
    await template.close();
  }
  project.provide('pgliteTemplatePath', path);
  return () => rmSync(dir, { recursive: true, force: true });
}
