import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CRC32C } from '@google-cloud/storage';
import type { StoredObject } from './fake-gcs.js';

/** The GCS JSON API's object resource and response plumbing, as the official client reads them. */
export function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

/** The CRC-32C GCS reports, computed by the client's own implementation so the server and the client cannot disagree. */
export function crc32cBase64(bytes: Uint8Array): string {
  const crc = new CRC32C();
  crc.update(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return crc.toString();
}

export function resource(bucket: string, name: string, stored: StoredObject) {
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/${stored.generation}`,
    name,
    bucket,
    generation: String(stored.generation),
    metageneration: '1',
    contentType: stored.contentType,
    size: String(stored.bytes.length),
    md5Hash: md5Base64(stored.bytes),
    crc32c: crc32cBase64(stored.bytes),
    etag: String(stored.generation),
    timeCreated: stored.updated,
    updated: stored.updated,
  };
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
