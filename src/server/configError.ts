/**
 * A setting that is missing, malformed or points at something unreachable.
 * The message starts with the setting's name (flag or environment variable)
 * and stays on one line, so `mlledger serve` can fail at start with it.
 */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting}: ${oneLine(detail)}`);
    this.name = 'ConfigError';
  }
}

/** The reason an error gives, on one line (driver errors sometimes span several). */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  const message = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error);
  return oneLine(message);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Rejects with a ConfigError when work takes longer than ms (a host that drops packets never refuses). */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => ConfigError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
