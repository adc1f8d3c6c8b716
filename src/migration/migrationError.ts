/** The copy cannot go on, or its result is not an exact copy: the message says why and what to do. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}
