#!/usr/bin/env node
// Runs a bundle of the TypeScript sources, rebuilt by esbuild whenever a source changed:
// no build step between a clone (or an edit) and a running server.
import { cliEntry } from './cliBundle.js';

// graphql-js runs extra development-time checks unless told it is in production (~15% of request CPU).
process.env.NODE_ENV ??= 'production';
// Stack traces name the TypeScript sources, not the bundle.
process.setSourceMapsEnabled(true);

let entry;
try {
  entry = await cliEntry();
} catch (error) {
  if (!['EACCES', 'EPERM', 'EROFS'].includes(error?.code)) throw error;
  // An install whose folder this user cannot write: compile the sources as they load instead.
  (await import('tsx/esm/api')).register();
  entry = new URL('../src/cli/main.ts', import.meta.url).href;
}
await import(entry);
