import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/monitoring/webhookSignature.ts';

export interface ReceivedWebhook {
  idempotencyKey: string;
  signatureValid: boolean;
  /** The signature's timestamp: the sender's clock at the attempt. */
  signedAt?: number;
  body: { deliveryId: string; alert: { to: string; from: string; monitorName: string; value: number | null; model: string } };
  answered: number;
}

/** A real HTTP receiver that answers 500 to its first `failFirst` requests, then 200, checking every signature. */
export async function startWebhookReceiver(secret: string, failFirst: number): Promise<{ url: string; received: ReceivedWebhook[]; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  let failuresLeft = failFirst;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const status = failuresLeft > 0 ? 500 : 200;
      if (failuresLeft > 0) failuresLeft--;
      const signature = verifySignature(secret, req.headers['x-mlledger-signature'] as string | undefined, raw);
      received.push({
        idempotencyKey: String(req.headers['idempotency-key']),
        signatureValid: signature.valid,
        signedAt: signature.timestamp,
        body: JSON.parse(raw),
        answered: status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/mlledger`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
