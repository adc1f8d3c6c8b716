/**
 * A second server process for tests: opens the backend on an existing Postgres
 * schema with its projector running, says "projecting" on stdout, and runs until
 * killed. Usage: node --import tsx test/support/projectorProcess.ts <databaseUrl> <schema> <channel>
 */
import { openBackend } from '../../src/server/openBackend.ts';

const [databaseUrl, schema, channel] = process.argv.slice(2);
if (!databaseUrl || !schema || !channel) {
  process.stderr.write('usage: projectorProcess.ts <databaseUrl> <schema> <channel>\n');
  process.exit(2);
}

const backend = await openBackend({
  databaseUrl,
  schema,
  channel,
  startProjector: true,
  onProjectorError: (error) => process.stderr.write(`projector error: ${String(error)}\n`),
});
process.stdout.write('projecting\n');

// A polite stop for cleanup paths; the test itself uses SIGKILL.
process.on('SIGTERM', () => {
  void backend.close().finally(() => process.exit(0));
});
