import { Transformer } from '@napi-rs/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample, sampleImages } from './support/sample.js';
import {
  imageForm,
  postForm,
  type RunningApp,
  rawMultipart,
  startApp,
  testConfig,
} from './support/server.js';

const LIMIT = 1024 * 1024;
const jpeg = readSample(sampleImages('Testing')[0]?.path ?? '');

describe('bad input: a clear 4xx, never a 500, and the server keeps answering', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startApp({
      config: testConfig({ limits: { maxUploadBytes: LIMIT, maxPixels: 4_000_000 } }),
    });
  });
  afterAll(() => server.close());

  const expectError = (
    result: { status: number; json: Record<string, unknown> },
    status: number,
    code: string,
  ) => {
    expect(result.status).toBe(status);
    expect(result.json.error).toBe(code);
    expect(result.json.message).toEqual(expect.stringMatching(/\w+ .*\./));
  };

  it('refuses a form without the file field', async () => {
    const form = new FormData();
    form.append('comment', 'no image here');
    expectError(await postForm(server.url, form), 400, 'missing_file');
  });

  it('refuses a file sent under another field name', async () => {
    expectError(
      await postForm(server.url, imageForm(jpeg, 'mri.jpg', 'image/jpeg', 'image')),
      400,
      'unexpected_file_field',
    );
  });

  it('refuses an empty file', async () => {
    expectError(await postForm(server.url, imageForm(new Uint8Array())), 400, 'empty_file');
  });

  it('refuses a file that is not an image', async () => {
    const text = new TextEncoder().encode('patient,diagnosis\n1,glioma\n');
    expectError(await postForm(server.url, imageForm(text, 'scan.jpg')), 415, 'not_an_image');
  });

  it('refuses a truncated JPEG and a JPEG with a corrupt body', async () => {
    expectError(await postForm(server.url, imageForm(jpeg.subarray(0, 300))), 422, 'corrupt_image');
    const garbled = Buffer.from(jpeg);
    garbled.fill(0xff, 600, garbled.length - 2);
    expectError(await postForm(server.url, imageForm(garbled)), 422, 'corrupt_image');
  });

  it('refuses a request that is not multipart', async () => {
    const json = await fetch(`${server.url}/classify`, {
      method: 'POST',
      body: JSON.stringify({ file: 'abc' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ error: 'unsupported_media_type' });
    const raw = await postForm(server.url, jpeg, { 'content-type': 'image/jpeg' });
    expectError(raw, 415, 'unsupported_media_type');
  });

  it('refuses a file declared as a non-image type', async () => {
    const pdf = await postForm(server.url, imageForm(jpeg, 'mri.pdf', 'application/pdf'));
    expectError(pdf, 415, 'unsupported_media_type');
    // A part without a declared type is read as text/plain by multipart parsers: its bytes decide.
    const { body, contentType } = rawMultipart([{ field: 'file', filename: 'mri.jpg', bytes: jpeg }]);
    expect((await postForm(server.url, body, { 'content-type': contentType })).status).toBe(200);
  });

  it('refuses a body over the size limit, whether it says its length or streams it', async () => {
    const big = new Uint8Array(LIMIT + 200 * 1024);
    big.set(jpeg);
    expectError(await postForm(server.url, imageForm(big)), 413, 'payload_too_large');
    const { body, contentType } = rawMultipart([
      { field: 'file', filename: 'big.jpg', type: 'image/jpeg', bytes: big },
    ]);
    const streamed = await fetch(`${server.url}/classify`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('refuses an image with too many pixels, however small its file', async () => {
    const png = await Transformer.fromRgbaPixels(Buffer.alloc(3000 * 3000 * 4, 90), 3000, 3000).png();
    expect(png.length).toBeLessThan(LIMIT);
    expectError(await postForm(server.url, imageForm(png, 'bomb.png', 'image/png')), 413, 'too_many_pixels');
  });

  it('refuses several files', async () => {
    const form = imageForm(jpeg);
    form.append('file', new Blob([jpeg], { type: 'image/jpeg' }), 'second.jpg');
    expectError(await postForm(server.url, form), 400, 'too_many_files');
  });

  it('refuses a malformed multipart body', async () => {
    const result = await postForm(server.url, Buffer.from('--x\r\nnot a part'), {
      'content-type': 'multipart/form-data; boundary=x',
    });
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(result.json.error).toEqual(expect.any(String));
  });

  it('still answers a good image afterwards, and never answered 5xx', async () => {
    const { status } = await postForm(server.url, imageForm(jpeg));
    expect(status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{[^}]*status="4\d\d"/);
    expect(metrics).not.toMatch(/http_requests_total\{[^}]*status="5\d\d"/);
  });
});
