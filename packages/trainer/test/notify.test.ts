import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyPromotion, PROMOTED_EVENT } from '../src/registry/notify.js';

/** GitHub's dispatch endpoint as far as the notifier sees it: records each request, answers with a set status. */
interface Seen {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

let server: Server;
let api = '';
let status = 204;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      seen.push({ url: request.url ?? '', headers: request.headers, body: JSON.parse(body) });
      response.writeHead(status).end(status === 204 ? undefined : '{"message":"Bad credentials"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const promotion = { alias: 'production', version: '7', registry: 'gs://b/registry' };

describe('notifyPromotion', () => {
  it('sends the deploy workflow a model-promoted repository_dispatch with the promotion', async () => {
    status = 204;
    const result = await notifyPromotion(promotion, {
      GITHUB_DISPATCH_TOKEN: 'token-1',
      GITHUB_REPOSITORY: 'me/mri-pipeline',
      GITHUB_API_URL: `${api}/`,
    });
    expect(result).toEqual({ sent: true, repository: 'me/mri-pipeline' });
    const request = seen.at(-1);
    expect(request?.url).toBe('/repos/me/mri-pipeline/dispatches');
    expect(request?.headers.authorization).toBe('Bearer token-1');
    expect(request?.body).toEqual({ event_type: PROMOTED_EVENT, client_payload: promotion });
  });

  it('sends nothing without a token or with a malformed repository, and says why', async () => {
    const before = seen.length;
    const none = await notifyPromotion(promotion, { GITHUB_REPOSITORY: 'me/x', GITHUB_API_URL: api });
    expect(none).toEqual({ sent: false, reason: expect.stringMatching(/GITHUB_DISPATCH_TOKEN is not set/) });
    const bad = await notifyPromotion(promotion, {
      GITHUB_DISPATCH_TOKEN: 't',
      GITHUB_REPOSITORY: 'just-a-name',
      GITHUB_API_URL: api,
    });
    expect(bad).toEqual({
      sent: false,
      reason: expect.stringMatching(/GITHUB_REPOSITORY must be owner\/name/),
    });
    expect(seen.length).toBe(before);
  });

  it('reports a refusal or an unreachable GitHub in one sentence instead of failing the promotion', async () => {
    status = 401;
    const refused = await notifyPromotion(promotion, {
      GITHUB_DISPATCH_TOKEN: 'expired',
      GITHUB_REPOSITORY: 'me/mri-pipeline',
      GITHUB_API_URL: api,
    });
    expect(refused).toEqual({
      sent: false,
      reason: expect.stringMatching(/GitHub refused the dispatch to me\/mri-pipeline \(401\)/),
    });
    const unreachable = await notifyPromotion(promotion, {
      GITHUB_DISPATCH_TOKEN: 't',
      GITHUB_REPOSITORY: 'me/mri-pipeline',
      GITHUB_API_URL: 'http://127.0.0.1:1',
    });
    expect(unreachable).toEqual({
      sent: false,
      reason: expect.stringMatching(/GitHub could not be reached/),
    });
  });
});
