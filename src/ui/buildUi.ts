import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { uiFile, type UiFile, type UiFiles } from './uiFiles.ts';

/** The client's sources (web/src), its static files (web/public) and the built output (web/dist, git-ignored). */
export const webDir = fileURLToPath(new URL('../../web/', import.meta.url));
export const distDir = join(webDir, 'dist');

/**
 * Bundles the client with esbuild (a second or less): one minified ES module and one
 * stylesheet, both content-hashed under /assets/, and index.html pointing at them.
 * Answers the files in memory; writeUiFiles puts them on disk.
 */
export async function buildUi(): Promise<UiFiles> {
  const result = await build({
    entryPoints: { app: join(webDir, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    // Current Chromium and Firefox; nothing older is aimed at.
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: join(webDir, 'dist'),
    entryNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files = new Map<string, UiFile>();
  for (const output of result.outputFiles) {
    const path = '/' + relative(distDir, output.path).split(sep).join('/');
    files.set(path, uiFile(path, output.contents));
  }
  const script = [...files.keys()].find((p) => p.endsWith('.js'));
  const style = [...files.keys()].find((p) => p.endsWith('.css'));
  if (!script) throw new Error('The UI build produced no script.');
  const template = await readFile(join(webDir, 'index.html'), 'utf8');
  const html = template
    .replace('<!--styles-->', style ? `<link rel="stylesheet" href="${style}">` : '')
    .replace('<!--scripts-->', `<script type="module" src="${script}"></script>`);
  files.set('/index.html', uiFile('/index.html', new TextEncoder().encode(html)));
  const publicDir = join(webDir, 'public');
  if (existsSync(publicDir)) {
    for (const name of await readdir(publicDir)) files.set(`/${name}`, uiFile(`/${name}`, await readFile(join(publicDir, name))));
  }
  return files;
}

/**
 * Writes the files to web/dist: into a fresh folder first, then swapped in by rename,
 * so a server reading web/dist never sees half a build.
 */
export async function writeUiFiles(files: UiFiles, target = distDir): Promise<void> {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const fresh = `${target}.new-${suffix}`;
  const old = `${target}.old-${suffix}`;
  for (const file of files.values()) {
    const path = join(fresh, ...file.path.slice(1).split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.body);
  }
  await rename(target, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  try {
    await rename(fresh, target);
  } catch (error) {
    // Another process swapped its own build in meanwhile: same sources, same files.
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await rm(fresh, { recursive: true, force: true });
  }
  await rm(old, { recursive: true, force: true });
}

/** Reads a build from web/dist; undefined when there is none. */
export async function readUiFiles(source = distDir): Promise<UiFiles | undefined> {
  if (!existsSync(join(source, 'index.html'))) return undefined;
  const files = new Map<string, UiFile>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const path = '/' + relative(source, full).split(sep).join('/');
        files.set(path, uiFile(path, await readFile(full)));
      }
    }
  };
  await walk(source);
  return files;
}
