import type { IncomingMessage } from 'node:http';
import { MlflowError } from './mlflowErrors.ts';
import { isJsonObject, RequestFields } from './requestFields.ts';

/**
 * Reads a JSON request body into RequestFields. A body over maxBytes is refused
 * with a 400 once it has been drained (so the client sees the answer rather than
 * a reset connection); one more than four times over is cut off.
 */
export async function readJsonFields(req: IncomingMessage, maxBytes: number): Promise<RequestFields> {
  const body = await readBody(req, maxBytes);
  const text = body.toString('utf8').trim();
  // An empty body is an empty message: MLflow then reports the first missing required field.
  if (text === '') return new RequestFields({}, '', body.length);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message}` : '';
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Malformed request body: it must be a JSON object${detail}.`);
  }
  if (!isJsonObject(parsed)) throw new MlflowError('INVALID_PARAMETER_VALUE', 'Malformed request body: it must be a JSON object.');
  return new RequestFields(parsed, '', body.length);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) chunks.push(chunk);
      else if (total > maxBytes * 4) req.destroy();
    });
    req.on('end', () => {
      if (total > maxBytes) reject(new MlflowError('INVALID_PARAMETER_VALUE', `The request body is ${total} bytes; this server accepts at most ${maxBytes}.`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('close', () => reject(new MlflowError('INVALID_PARAMETER_VALUE', 'The request body was not received completely.')));
    req.on('error', reject);
  });
}
