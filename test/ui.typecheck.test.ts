import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { usingPostgres } from './support/testDb.ts';

const root = join(import.meta.dirname, '..');

// esbuild bundles the client without checking its types; the root tsconfig leaves web/ out
// (it needs the DOM and JSX settings), so this is where the client's types are checked.
// Nothing here depends on the database, so it runs once: in the embedded (PGlite) run of the
// suite, and is skipped in the DATABASE_URL run, where it would only repeat the same check.
describe.skipIf(usingPostgres)('the web client', () => {
  it('type-checks under its own tsconfig (DOM, Preact JSX, strict)', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', join(root, 'web', 'tsconfig.json')], { cwd: root }).then(
      ({ stdout, stderr }) => ({ exitCode: 0, output: stdout + stderr }),
      (error: { code?: number | string; stdout?: string; stderr?: string; message: string }) => ({ exitCode: error.code, output: `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message }),
    );
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  }, 120_000);
});
