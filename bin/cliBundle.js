// The CLI runs from a bundle of src/ that esbuild rebuilds whenever a source file changed:
// it starts in about a third of the time that compiling the TypeScript on every start (tsx) takes.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceDir = join(root, 'src');
// Two levels below the root, like src/<folder>/: paths the sources resolve from import.meta.url stay right.
const buildDir = join(root, '.build');

/** Identifies the sources as they are now: every file's path, size and modification time. */
function fingerprintSources() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const { size, mtimeMs } = statSync(path);
        hash.update(`${path}\0${size}\0${mtimeMs}\n`);
      }
    }
  };
  walk(sourceDir);
  return hash.digest('hex').slice(0, 16);
}

/** Bundles into a private folder, then renames it into place: concurrent starts never see half a bundle. */
async function buildBundle(target) {
  const { build, stop } = await import('esbuild');
  const scratch = join(buildDir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await build({
    entryPoints: [join(sourceDir, 'cli', 'main.ts')],
    outdir: scratch,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'error',
  }).finally(() => stop()); // esbuild's helper process would otherwise live as long as the server
  try {
    renameSync(scratch, target);
  } catch (error) {
    // Another process finished the same bundle first: use theirs.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(join(target, 'main.js'))) throw error;
  }
}

/** Bundles of older sources, left by earlier runs; kept a while for processes still loading from them. */
function removeOldBundles(current) {
  const hourAgo = Date.now() - 60 * 60 * 1000;
  for (const name of readdirSync(buildDir)) {
    const path = join(buildDir, name);
    if (path === current) continue;
    try {
      if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/** The URL of the CLI's entry module: the bundle of the current sources, built first when missing. */
export async function cliEntry() {
  const target = join(buildDir, `cli-${fingerprintSources()}`);
  if (!existsSync(join(target, 'main.js'))) {
    mkdirSync(buildDir, { recursive: true });
    await buildBundle(target);
    removeOldBundles(target);
  }
  return pathToFileURL(join(target, 'main.js')).href;
}
