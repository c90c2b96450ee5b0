import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSeeded, openRegistry, SHIPPED_MODEL_DIR } from '@mri/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteThroughGate } from '../src/commands/promote.js';
import { REPO_ROOT } from '../src/paths.js';
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

describe('pnpm registry promote', () => {
  it('notifies only when production actually moved', async () => {
    status = 204;
    const root = mkdtempSync(join(tmpdir(), 'notify-'));
    const registry = openRegistry({ registryUrl: join(root, 'registry') });
    await ensureSeeded(registry);
    // A copy of the shipped model with its weights zeroed: worse on the evaluation set, so the gate refuses it.
    const broken = join(root, 'broken');
    cpSync(join(REPO_ROOT, SHIPPED_MODEL_DIR), broken, { recursive: true });
    writeFileSync(
      join(broken, 'weights.bin'),
      Buffer.alloc(readFileSync(join(broken, 'weights.bin')).length),
    );
    const info = {
      architecture: 'compact',
      metrics: {},
      dataHash: 'x',
      configHash: 'y',
      config: null,
      run: null,
    };
    const v2 = await registry.register(broken, info, { production: 'never' });
    const env = { GITHUB_DISPATCH_TOKEN: 't', GITHUB_REPOSITORY: 'me/mri-pipeline', GITHUB_API_URL: api };
    const notify = (promotion: Parameters<typeof notifyPromotion>[0]) => notifyPromotion(promotion, env);
    const promote = (alias: string, force: boolean) =>
      promoteThroughGate(registry, { version: v2.version, alias, force }, notify);
    const before = seen.length;

    await expect(promote('production', false)).rejects.toThrow(/^Refused: v2 is worse than production v1/);
    expect(await promote('staging', false)).not.toHaveProperty('notified');
    expect(seen.length).toBe(before);

    const forced = await promote('production', true);
    expect(forced).toMatchObject({ promoted: true, notified: { sent: true, repository: 'me/mri-pipeline' } });
    expect(seen.slice(before).map((request) => request.body)).toEqual([
      {
        event_type: PROMOTED_EVENT,
        client_payload: { alias: 'production', version: 'v2', registry: registry.store.url },
      },
    ]);

    // Already production: nothing moved, nothing sent.
    expect(await promote('production', true)).toMatchObject({ promoted: false });
    expect(seen.length).toBe(before + 1);
  }, 120_000);
});
