import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Secrets never reach the logs, even if a caller logs a request, a config or credentials by mistake. */
const REDACTED = [
  'authorization',
  'password',
  'token',
  'secret',
  'connectionString',
  'connectionParams',
  '*.authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.connectionString',
  '*.connectionParams',
  '*.headers.authorization',
  '*.headers.cookie',
];

/** Structured JSON logs on stdout; LOG_LEVEL=silent turns them off (tests). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'mlledger' }, redact: { paths: REDACTED, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
