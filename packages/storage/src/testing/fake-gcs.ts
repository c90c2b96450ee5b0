import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32cBase64, md5Base64, readBody, resource, send } from './json-api.js';
import { parseMultipart } from './multipart.js';

/**
 * A test double for Google Cloud Storage that speaks the JSON API over real HTTP on loopback: the calls the official
 * client makes for simple (multipart) and resumable uploads, media and metadata reads, paged listing and deletes.
 * Point the client at it with `apiEndpoint: server.url` or `STORAGE_EMULATOR_HOST=server.url`.
 */
export interface StoredObject {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly generation: number;
  readonly updated: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly uploadType?: string;
}

export interface FakeGcsOptions {
  readonly buckets?: readonly string[];
  /** Largest page a list returns, whatever maxResults asks (small values exercise pagination). */
  readonly pageSize?: number;
  /** Milliseconds each request waits before it is answered, like a bucket across a network. */
  readonly latencyMs?: number;
}

interface UploadSession {
  readonly bucket: string;
  readonly name: string;
  readonly contentType: string;
  /** The session's `ifGenerationMatch`, checked again when the upload completes, as GCS does. */
  readonly ifGenerationMatch: string | null;
  received: Buffer[];
  size: number;
  done?: StoredObject;
}

/**
 * GCS's generation preconditions on a write or read: `ifGenerationMatch` (0: the object must not exist) and
 * `ifGenerationNotMatch`. A failed one is 412 conditionNotMet, with GCS's message, so CAS loops see what they would
 * in production.
 */
function checkPreconditions(
  current: StoredObject | undefined,
  match: string | null,
  notMatch: string | null,
): void {
  const generation = current?.generation ?? 0;
  if (
    (match !== null && Number(match) !== generation) ||
    (notMatch !== null && Number(notMatch) === generation)
  ) {
    throw new HttpError(
      412,
      'At least one of the pre-conditions you specified did not hold.',
      'conditionNotMet',
    );
  }
}

function preconditionsOf(url: URL): [string | null, string | null] {
  return [url.searchParams.get('ifGenerationMatch'), url.searchParams.get('ifGenerationNotMatch')];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

export class FakeGcsServer {
  /** Every request served, in order: tests assert which protocol paths the client really took. */
  readonly requests: RecordedRequest[] = [];
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly sessions = new Map<string, UploadSession>();
  private readonly server: Server;
  private failures: number[] = [];
  private generation = 1;
  url = '';

  private constructor(private readonly options: FakeGcsOptions) {
    for (const bucket of options.buckets ?? []) this.createBucket(bucket);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        const reason = error instanceof HttpError ? error.reason : 'backendError';
        send(res, status, {
          error: { code: status, message: String((error as Error).message), errors: [{ reason }] },
        });
      });
    });
  }

  static async start(options: FakeGcsOptions = {}): Promise<FakeGcsServer> {
    const fake = new FakeGcsServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  /** The objects of a bucket, by name (live: tests may inspect or tamper with them). */
  objects(bucket: string): Map<string, StoredObject> {
    return this.bucket(bucket);
  }

  putObject(bucket: string, name: string, bytes: Uint8Array): void {
    this.bucket(bucket).set(name, this.stored(bytes, 'application/octet-stream'));
  }

  /** The next `count` requests fail with `status` (a transient outage the client is expected to retry). */
  failNext(count: number, status = 503): void {
    this.failures.push(...Array.from({ length: count }, () => status));
  }

  private bucket(name: string): Map<string, StoredObject> {
    const objects = this.buckets.get(name);
    if (!objects) throw new HttpError(404, 'The specified bucket does not exist.', 'notFound');
    return objects;
  }

  private stored(bytes: Uint8Array, contentType: string): StoredObject {
    return {
      bytes: Buffer.from(bytes),
      contentType,
      generation: this.generation++,
      updated: new Date().toISOString(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const uploadType = url.searchParams.get('uploadType') ?? undefined;
    this.requests.push({ method, path: url.pathname, ...(uploadType ? { uploadType } : {}) });
    const body = await readBody(req);
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    const failure = this.failures.shift();
    if (failure) throw new HttpError(failure, 'Injected failure.', 'backendError');

    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (upload?.[1]) return this.handleUpload(method, decodeURIComponent(upload[1]), url, req, body, res);
    // With STORAGE_EMULATOR_HOST the client drops the /storage/v1 base path; accept both.
    const path = url.pathname.replace(/^\/storage\/v1(?=\/)/, '');
    const object = /^\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    if (object?.[1] && object[2]) {
      return this.handleObject(
        method,
        decodeURIComponent(object[1]),
        decodeURIComponent(object[2]),
        url,
        res,
      );
    }
    const list = /^\/b\/([^/]+)\/o\/?$/.exec(path);
    if (list?.[1] && method === 'GET') return this.handleList(decodeURIComponent(list[1]), url, res);
    const bucket = /^\/b\/([^/]+)\/?$/.exec(path);
    if (bucket?.[1] && method === 'GET') {
      this.bucket(decodeURIComponent(bucket[1]));
      send(res, 200, { kind: 'storage#bucket', name: decodeURIComponent(bucket[1]) });
      return;
    }
    throw new HttpError(404, `Not found: ${method} ${url.pathname}`, 'notFound');
  }

  private handleUpload(
    method: string,
    bucket: string,
    url: URL,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): void {
    const uploadType = url.searchParams.get('uploadType');
    if (method === 'PUT' && uploadType === 'resumable') this.handleChunk(url, req, body, res);
    else if (method !== 'POST') throw new HttpError(405, `${method} is not an upload method.`, 'invalid');
    else if (uploadType === 'resumable') this.startSession(bucket, url, req, body, res);
    else if (uploadType === 'multipart' || uploadType === 'media')
      this.simpleUpload(bucket, url, req, body, res);
    else throw new HttpError(400, `Unsupported uploadType "${uploadType}".`, 'invalid');
  }

  private simpleUpload(
    bucket: string,
    url: URL,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): void {
    const objects = this.bucket(bucket);
    let metadata: { name?: string; contentType?: string } = {};
    let media = body;
    let contentType = req.headers['content-type'] ?? 'application/octet-stream';
    if (url.searchParams.get('uploadType') === 'multipart') {
      const [meta, data] = parseMultipart(body, contentType);
      if (!meta || !data)
        throw new HttpError(400, 'A multipart upload needs a metadata and a media part.', 'invalid');
      metadata = JSON.parse(meta.body.toString() || '{}');
      media = data.body;
      contentType = metadata.contentType ?? data.headers['content-type'] ?? '';
    }
    const name = url.searchParams.get('name') ?? metadata.name;
    if (!name) throw new HttpError(400, 'Required: object name.', 'required');
    checkPreconditions(objects.get(name), ...preconditionsOf(url));
    const stored = this.stored(media, contentType);
    objects.set(name, stored);
    send(res, 200, resource(bucket, name, stored));
  }

  private startSession(
    bucket: string,
    url: URL,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): void {
    const objects = this.bucket(bucket);
    const metadata = JSON.parse(body.toString() || '{}') as { name?: string; contentType?: string };
    const name = url.searchParams.get('name') ?? metadata.name;
    if (!name) throw new HttpError(400, 'Required: object name.', 'required');
    checkPreconditions(objects.get(name), ...preconditionsOf(url));
    const id = randomUUID();
    const contentType = String(req.headers['x-upload-content-type'] ?? metadata.contentType ?? '');
    const ifGenerationMatch = url.searchParams.get('ifGenerationMatch');
    this.sessions.set(id, { bucket, name, contentType, ifGenerationMatch, received: [], size: 0 });
    const location = `${this.url}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&upload_id=${id}`;
    res.setHeader('Location', location);
    send(res, 200, {});
  }

  /** One PUT of a resumable session: `bytes a-b/total`, `bytes a-*\/total` or a status query `bytes *\/total`. */
  private handleChunk(url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const session = this.sessions.get(url.searchParams.get('upload_id') ?? '');
    if (!session) throw new HttpError(404, 'No such upload session.', 'notFound');
    if (session.done) {
      send(res, 200, resource(session.bucket, session.name, session.done));
      return;
    }
    const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range) throw new HttpError(400, 'Bad Content-Range.', 'invalid');
    if (range[1] !== '*') {
      const first = Number(range[2]);
      if (first > session.size) throw new HttpError(400, 'Chunk starts past the bytes received.', 'invalid');
      // A resent chunk overlaps what we hold: keep only the new tail.
      const fresh = body.subarray(session.size - first);
      session.received.push(fresh);
      session.size += fresh.length;
    }
    const total = range[4] === '*' ? undefined : Number(range[4]);
    const lastChunk = range[3] === '*' || (total !== undefined && session.size >= total);
    if (lastChunk && range[1] !== '*') {
      if (total !== undefined && session.size !== total) {
        throw new HttpError(400, `Upload ended at ${session.size} of ${total} bytes.`, 'invalid');
      }
      checkPreconditions(this.bucket(session.bucket).get(session.name), session.ifGenerationMatch, null);
      session.done = this.stored(Buffer.concat(session.received), session.contentType);
      this.bucket(session.bucket).set(session.name, session.done);
      send(res, 200, resource(session.bucket, session.name, session.done));
      return;
    }
    if (session.size > 0) res.setHeader('Range', `bytes=0-${session.size - 1}`);
    res.writeHead(308).end();
  }

  private handleObject(method: string, bucket: string, name: string, url: URL, res: ServerResponse): void {
    const objects = this.bucket(bucket);
    const stored = objects.get(name);
    // A read of a given generation misses once that generation was replaced (a bucket without versioning).
    const wanted = url.searchParams.get('generation');
    if (!stored || (wanted !== null && Number(wanted) !== stored.generation)) {
      throw new HttpError(404, `No such object: ${bucket}/${name}`, 'notFound');
    }
    checkPreconditions(stored, ...preconditionsOf(url));
    if (method === 'DELETE') {
      objects.delete(name);
      res.writeHead(204).end();
      return;
    }
    if (method !== 'GET') throw new HttpError(405, `${method} is not supported on objects here.`, 'invalid');
    if (url.searchParams.get('alt') !== 'media') {
      send(res, 200, resource(bucket, name, stored));
      return;
    }
    res.writeHead(200, {
      'Content-Type': stored.contentType || 'application/octet-stream',
      'Content-Length': stored.bytes.length,
      'x-goog-hash': `crc32c=${crc32cBase64(stored.bytes)},md5=${md5Base64(stored.bytes)}`,
      'x-goog-stored-content-encoding': 'identity',
      'x-goog-generation': String(stored.generation),
    });
    res.end(stored.bytes);
  }

  private handleList(bucket: string, url: URL, res: ServerResponse): void {
    const prefix = url.searchParams.get('prefix') ?? '';
    const after = url.searchParams.get('pageToken');
    const start = after ? Buffer.from(after, 'base64url').toString() : undefined;
    const asked = Number(url.searchParams.get('maxResults') ?? 1000);
    const pageSize = Math.min(asked > 0 ? asked : 1000, this.options.pageSize ?? 1000);
    const names = [...this.bucket(bucket).keys()]
      .filter((name) => name.startsWith(prefix) && (start === undefined || name > start))
      .sort();
    const page = names.slice(0, pageSize);
    const last = page.at(-1);
    send(res, 200, {
      kind: 'storage#objects',
      items: page.map((name) => resource(bucket, name, this.bucket(bucket).get(name) as StoredObject)),
      ...(names.length > pageSize && last ? { nextPageToken: Buffer.from(last).toString('base64url') } : {}),
    });
  }
}
