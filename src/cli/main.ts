import { Command } from 'commander';
import { rebuild } from './rebuildCommand.ts';
import { serve } from './serveCommand.ts';

const program = new Command('mlledger').description('ML experiment tracking on an immutable event log').version('0.1.0');

program
  .command('serve')
  .description('Start the server (GraphQL at /graphql, health at /health). Uses DATABASE_URL when set, else embedded PGlite.')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on', '5000')
  .option('--data-dir <dir>', 'data folder for the embedded database', './mlledger-data')
  .option('--user <name>', 'actor recorded on events (default: the OS user)')
  .action(serve);

program
  .command('rebuild')
  .description('Drop every read model and rebuild it from the event log (stop the server first on the embedded store).')
  .option('--data-dir <dir>', 'data folder for the embedded database', './mlledger-data')
  .action(rebuild);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`mlledger: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
