import { Command } from 'commander';
import {
  addOutputFormatOption,
  addTrackingSourceOptions,
  collect,
  parseBatchSize,
  parseMaxResults,
  parseVersionOption,
  viewOption,
} from './commandOptions.ts';
import type { ServeOptions } from './serveCommand.ts';

/** Each command's module is loaded when it runs: a command pays only for what it uses (the server stack, gRPC, PGlite). */
function lazy<A extends unknown[]>(load: () => Promise<(...args: A) => unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    await (await load())(...args);
  };
}

const program = new Command('mlledger').description('ML experiment tracking on an immutable event log').version('0.1.0');
// Options after a subcommand belong to it: `audit export --version 3` is a model version, not mlledger's.
program.enablePositionalOptions();

program
  .command('serve')
  .description('Start the server (GraphQL at /graphql, health at /health). Uses DATABASE_URL when set, else embedded PGlite.')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on', '5000')
  .option('--data-dir <dir>', 'data folder for the embedded database', './mlledger-data')
  .option('--user <name>', 'actor recorded on events while authentication is off (default: the OS user)')
  .option('--auth', 'require authentication: HTTP Basic or a Bearer API token (default: $MLLEDGER_AUTH)')
  .option('--event-store <kind>', 'postgres (events next to the read models) or esdb (EVENTSTORE_URL) (default: $MLLEDGER_EVENT_STORE, else postgres)')
  .option('--artifacts <uri>', 'file:///folder or s3://bucket/prefix (default: $MLLEDGER_ARTIFACTS, else <data-dir>/artifacts)')
  // Loaded on use: importing the server builds the GraphQL schema, which only serve needs.
  .action(async (options: ServeOptions) => (await import('./serveCommand.ts')).serve(options));

program
  .command('rebuild')
  .description('Drop every read model and rebuild it from the event log (stop the server first on the embedded store).')
  .option('--data-dir <dir>', 'data folder for the embedded database', './mlledger-data')
  .option('--event-store <kind>', 'postgres or esdb, as for serve (default: $MLLEDGER_EVENT_STORE, else postgres)')
  .action(lazy(async () => (await import('./rebuildCommand.ts')).rebuild));

program
  .command('migrate')
  .description('Copy every event from one event store to another (ids, order, revisions and metadata kept), resuming an interrupted run, then verify the copy.')
  .requiredOption('--from <store>', 'source: pglite:///path/to/data-dir, postgres://user@host/db[?schema=x] or esdb://host:2113[?tls=false]')
  .requiredOption('--to <store>', 'target, in the same forms: empty, or holding an interrupted copy of the source')
  .option('--batch-size <n>', 'events read, and at most appended, at a time', parseBatchSize, 500)
  .option('--rebuild', 'then rebuild the read models from the target (for esdb: in DATABASE_URL, else in --data-dir)')
  .option('--data-dir <dir>', 'with --rebuild, an esdb target and no DATABASE_URL: the embedded read-model folder', './mlledger-data')
  .action(lazy(async () => (await import('./migrateCommand.ts')).migrate));

const experiments = program.command('experiments').description('Read experiments (from a server with --tracking-uri, else from the database directly).');
addOutputFormatOption(addTrackingSourceOptions(experiments.command('list').description('List experiments: id, name, lifecycle stage, creation time.')))
  .addOption(viewOption('experiments that are active, deleted or all'))
  .action(lazy(async () => (await import('./experimentsCommand.ts')).listExperimentsCommand));

const runs = program.command('runs').description('Read runs (from a server with --tracking-uri, else from the database directly).');
const runSelection = (command: Command) =>
  addOutputFormatOption(addTrackingSourceOptions(command))
    .option('--experiment-name <name>', 'experiment to read (repeatable)', collect)
    .option('--experiment-id <id>', 'experiment to read, by id (repeatable)', collect)
    .addOption(viewOption('runs that are active, deleted or all'))
    .option('--max-results <n>', 'at most this many runs', parseMaxResults, 1000);
runSelection(runs.command('list').description('List runs, newest first: id, name, status, start time and latest metrics.')).action(lazy(async () => (await import('./runsCommand.ts')).listRunsCommand));
runSelection(runs.command('search').description("Search runs with MLflow's grammar; columns as mlflow.search_runs() shows them."))
  .option('--filter <expression>', `MLflow filter, e.g. "metrics.acc > 0.9 and params.lr = '0.1'"`)
  .option('--order-by <clause>', 'e.g. "metrics.acc DESC" (repeatable)', collect)
  .action(lazy(async () => (await import('./runsCommand.ts')).searchRunsCommand));

const historySource = (command: Command) =>
  command
    .option('--tracking-uri <url>', 'read through a running mlledger server (default: $MLFLOW_TRACKING_URI; else read the event store directly)')
    .option('--data-dir <dir>', 'data folder of the embedded database (when neither DATABASE_URL nor a tracking URI is set)', './mlledger-data')
    .option('--event-store <kind>', 'postgres or esdb, as for serve (default: $MLLEDGER_EVENT_STORE, else postgres)');

const audit = program.command('audit').description("The model registry's audit trail, read from the event log.");
historySource(audit.command('export').description('Every change of a model (or one version) in log order: actor, time, kind, before → after, comment.'))
  .requiredOption('--model <name>', 'registered model (a deleted one is found by its last name)')
  .option('--version <n>', 'only changes touching this version', parseVersionOption)
  .option('--since <instant>', 'recorded at or after, ISO-8601 (UTC without an offset)')
  .option('--until <instant>', 'recorded before, ISO-8601 (UTC without an offset)')
  .option('--kind <kind>', 'only these kinds, e.g. STAGE_TRANSITIONED (repeatable or comma-separated)', collect)
  .option('--format <format>', 'jsonl (one change event per line) or csv (one changed field per row)', 'jsonl')
  .action(lazy(async () => (await import('./auditCommands.ts')).auditExportCommand));
historySource(audit.command('verify').description('Recompute every registry hash chain; name the first event where one breaks (exit 2).'))
  .option('--output-format <format>', 'text or json', 'text')
  .action(lazy(async () => (await import('./auditCommands.ts')).auditVerifyCommand));

const registry = program.command('registry').description('The model registry, read from the event log.');
historySource(registry.command('as-of').description('A model as it was at an instant: which version was in each stage, which held each alias.'))
  .requiredOption('--model <name>', 'the model that had this name at that instant')
  .requiredOption('--at <instant>', 'ISO-8601, e.g. 2026-03-01T12:00Z (UTC without an offset)')
  .option('--version <n>', 'only this version', parseVersionOption)
  .option('--stage <stage>', 'only versions in this stage then, e.g. Production')
  .option('--alias <alias>', 'only the version this alias pointed at then')
  .option('--output-format <format>', 'table, json or csv', 'table')
  .action(lazy(async () => (await import('./asOfCommand.ts')).registryAsOfCommand));

const storeOptions = (command: Command) =>
  command
    .option('--data-dir <dir>', 'data folder of the embedded database (when DATABASE_URL is not set)', './mlledger-data')
    .option('--event-store <kind>', 'postgres or esdb, as for serve (default: $MLLEDGER_EVENT_STORE, else postgres)');

const users = program.command('users').description('Users who sign in when authentication is on (opens the database directly; stop an embedded server first).');
storeOptions(users.command('create <username>').description('Create a user; the password is read from stdin (or typed, not echoed).'))
  .option('--admin', 'an admin: may do everything, including managing users')
  .action(lazy(async () => (await import('./identityCommands.ts')).createUserCommand));
storeOptions(users.command('passwd <username>').description("Change a user's password (read from stdin, or typed).")).action(lazy(async () => (await import('./identityCommands.ts')).changePasswordCommand));
storeOptions(users.command('set-admin <username> <true|false>').description('Make a user an admin, or not.')).action(lazy(async () => (await import('./identityCommands.ts')).setAdminCommand));
storeOptions(users.command('delete <username>').description('Delete a user with their tokens and grants.')).action(lazy(async () => (await import('./identityCommands.ts')).deleteUserCommand));
storeOptions(users.command('list').description('List users.')).action(lazy(async () => (await import('./identityCommands.ts')).listUsersCommand));

const tokens = program.command('tokens').description('API tokens (Bearer; MLFLOW_TRACKING_TOKEN): shown once, stored hashed.');
storeOptions(tokens.command('create').description('Create a token and print it (the only time it is shown).'))
  .requiredOption('--user <username>', 'whose token')
  .requiredOption('--name <name>', 'what it is for')
  .option('--expires-in-days <days>', 'expire after this many days (default: never)')
  .action(lazy(async () => (await import('./identityCommands.ts')).createTokenCommand));
storeOptions(tokens.command('list').description('List tokens (never their secrets).')).option('--user <username>', "only this user's").action(lazy(async () => (await import('./identityCommands.ts')).listTokensCommand));
storeOptions(tokens.command('revoke <token-id>').description('Revoke a token: refused from the next request on.')).action(lazy(async () => (await import('./identityCommands.ts')).revokeTokenCommand));

const permissions = program.command('permissions').description('Per-experiment and per-registered-model permissions: READ, EDIT, MANAGE, NO_PERMISSIONS.');
storeOptions(permissions.command('set').description('Grant a user a level on an experiment or a registered model.'))
  .requiredOption('--user <username>', 'who')
  .requiredOption('--permission <level>', 'READ, EDIT, MANAGE or NO_PERMISSIONS')
  .option('--experiment-id <id>', 'on this experiment')
  .option('--model <name>', 'on this registered model')
  .action(lazy(async () => (await import('./identityCommands.ts')).setPermissionCommand));
storeOptions(permissions.command('list').description("A user's explicit grants.")).requiredOption('--user <username>', 'whose').action(lazy(async () => (await import('./identityCommands.ts')).listPermissionsCommand));

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`mlledger: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
