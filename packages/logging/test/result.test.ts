import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printResult } from '../src/index.js';

/** A stream that records what is written, and says whether it is a terminal. */
function stream(isTTY: boolean) {
  let text = '';
  const writable = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const out = Object.assign(writable, { isTTY }) as unknown as NodeJS.WriteStream;
  // Console colours values on a terminal; the assertions read the characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are what is removed
  return { out, text: () => text.replace(/\u001b\[[0-9;]*m/g, '') };
}

const result = { status: 'completed', accuracy: 0.91 };
const table = { status: 'completed', 'val accuracy': '91.0 %' };

describe('printResult', () => {
  it('gives a person at a terminal the title and table on stderr, and no JSON', () => {
    const stdout = stream(true);
    const stderr = stream(true);
    printResult(result, { table, title: 'Run completed', env: {}, stdout: stdout.out, stderr: stderr.out });
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toMatch(/^\nRun completed\n/);
    expect(stderr.text()).toMatch(/│\s*val accuracy\s*│\s*'91\.0 %'\s*│/);
  });

  it('keeps the JSON line when stdout is piped, even for a person', () => {
    const stdout = stream(false);
    const stderr = stream(true);
    printResult(result, { table, env: {}, stdout: stdout.out, stderr: stderr.out });
    expect(JSON.parse(stdout.text())).toEqual(result);
    expect(stderr.text()).toContain('val accuracy');
  });

  it.each([
    ['in CI', { CI: 'true' }, true],
    ['in a container', { container: 'docker' }, true],
    ['with LOG_FORMAT=json', { LOG_FORMAT: 'json' }, true],
    ['through a pipe', {}, false],
  ])('writes only the JSON line %s', (_where, env, tty) => {
    const stdout = stream(tty);
    const stderr = stream(tty);
    printResult(result, { table, env, stdout: stdout.out, stderr: stderr.out });
    expect(stdout.text()).toBe(`${JSON.stringify(result)}\n`);
    expect(stderr.text()).toBe('');
  });

  it('writes a result without a table as JSON for a person too', () => {
    const stdout = stream(true);
    const stderr = stream(true);
    printResult(result, { env: {}, stdout: stdout.out, stderr: stderr.out });
    expect(JSON.parse(stdout.text())).toEqual(result);
  });
});
