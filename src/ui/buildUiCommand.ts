// `npm run build:ui` (and `prepare`, so `npm install` builds it): the web UI into web/dist.
import { buildUi, distDir, writeUiFiles } from './buildUi.ts';

const started = performance.now();
const files = await buildUi();
await writeUiFiles(files);
const bytes = [...files.values()].filter((f) => !f.path.endsWith('.map')).reduce((sum, f) => sum + f.body.byteLength, 0);
console.log(`web UI built into ${distDir}: ${files.size} files, ${(bytes / 1024).toFixed(0)} KiB without source maps, in ${(performance.now() - started).toFixed(0)} ms`);
