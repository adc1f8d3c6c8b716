import { Command } from 'commander';
import { addOutputFormatOption, addTrackingSourceOptions, collect, parseMaxResults, viewOption } from './commandOptions.ts';
import { listExperimentsCommand } from './experimentsCommand.ts';
import { rebuild } from './rebuildCommand.ts';
import { listRunsCommand, searchRunsCommand } from './runsCommand.ts';
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

const experiments = program.command('experiments').description('Read experiments (from a server with --tracking-uri, else from the database directly).');
addOutputFormatOption(addTrackingSourceOptions(experiments.command('list').description('List experiments: id, name, lifecycle stage, creation time.')))
  .addOption(viewOption('experiments that are active, deleted or all'))
  .action(listExperimentsCommand);

const runs = program.command('runs').description('Read runs (from a server with --tracking-uri, else from the database directly).');
const runSelection = (command: Command) =>
  addOutputFormatOption(addTrackingSourceOptions(command))
    .option('--experiment-name <name>', 'experiment to read (repeatable)', collect)
    .option('--experiment-id <id>', 'experiment to read, by id (repeatable)', collect)
    .addOption(viewOption('runs that are active, deleted or all'))
    .option('--max-results <n>', 'at most this many runs', parseMaxResults, 1000);
runSelection(runs.command('list').description('List runs, newest first: id, name, status, start time and latest metrics.')).action(listRunsCommand);
runSelection(runs.command('search').description("Search runs with MLflow's grammar; columns as mlflow.search_runs() shows them."))
  .option('--filter <expression>', `MLflow filter, e.g. "metrics.acc > 0.9 and params.lr = '0.1'"`)
  .option('--order-by <clause>', 'e.g. "metrics.acc DESC" (repeatable)', collect)
  .action(searchRunsCommand);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`mlledger: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
