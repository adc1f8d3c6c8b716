#!/usr/bin/env node
// Runs the TypeScript sources directly: no build step between a clone and a running server.
import { register } from 'tsx/esm/api';

// graphql-js runs extra development-time checks unless told it is in production (~15% of request CPU).
process.env.NODE_ENV ??= 'production';

register();
await import('../src/cli/main.ts');
