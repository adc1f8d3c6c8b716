import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { MlflowError } from '../mlflow/mlflowErrors.ts';

/** One artifact upload (a PUT, or one part of a multipart upload); S3's own single-PUT limit. */
export const defaultMaxUploadBytes = 5 * 1024 ** 3;

const tooLarge = (size: string, max: number) =>
  new MlflowError('INVALID_PARAMETER_VALUE', `The artifact is ${size} bytes; this server accepts at most ${max} in one upload (use multipart upload for more).`, 413);

/**
 * The request body as a stream that fails once it passes maxBytes. A declared
 * Content-Length over the limit is refused before anything is read; a body without
 * one is counted as it streams, and the store discards the partial file.
 */
export function limitedUpload(req: IncomingMessage, maxBytes: number): Readable {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(String(declared), maxBytes);
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge(`more than ${maxBytes}`, maxBytes));
      else done(null, chunk);
    },
  });
  req.on('error', (error) => counter.destroy(error));
  return req.pipe(counter);
}
