import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  DataSyncError,
  dirOid,
  parseManifest,
  pythonJsonString,
  serializeManifest,
} from '../src/index.js';
import { FILES, LISTING, LISTING_OID, MD5S } from './fixture.js';

const entries = Object.keys(FILES).map((relpath) => ({ md5: MD5S[relpath] as string, relpath }));

describe('the .dir listing', () => {
  it('serialises byte for byte as DVC (Python json.dumps) does, whatever order the entries come in', () => {
    expect(serializeManifest(entries).toString('utf8')).toBe(LISTING);
    expect(serializeManifest([...entries].reverse()).toString('utf8')).toBe(LISTING);
    expect(dirOid(serializeManifest(entries))).toBe(LISTING_OID);
    expect(serializeManifest([]).toString()).toBe('[]');
  });

  it('escapes strings as Python json.dumps does with ensure_ascii', () => {
    // Expected values printed by python3 -c 'import json; print(json.dumps(s))'.
    expect(pythonJsonString('caf\u00e9')).toBe('"caf\\u00e9"');
    expect(pythonJsonString('\u{1d11e}')).toBe('"\\ud834\\udd1e"');
    expect(pythonJsonString('tab\there "q" back\\slash')).toBe('"tab\\there \\"q\\" back\\\\slash"');
    expect(pythonJsonString('\u007f\u0001')).toBe('"\\u007f\\u0001"');
    expect(pythonJsonString('a/b')).toBe('"a/b"');
  });

  it('sorts by code point as Python does, not by UTF-16 unit', () => {
    const names = ['a\u{1d11e}', 'a\uffff', 'a/b', 'a-b', 'a'];
    expect([...names].sort(compareCodePoints)).toEqual(['a', 'a-b', 'a/b', 'a\uffff', 'a\u{1d11e}']);
  });

  it('parses a DVC listing, ignoring extra fields DVC may add', () => {
    const withMeta = Buffer.from(
      '[{"md5": "24b6bac0be1f15aba45c41baeba35adb", "relpath": "a.jpg", "size": 10}]',
    );
    expect(parseManifest(withMeta, dirOid(withMeta))).toEqual([
      { md5: '24b6bac0be1f15aba45c41baeba35adb', relpath: 'a.jpg' },
    ]);
    expect(parseManifest(Buffer.from(LISTING), LISTING_OID)).toHaveLength(5);
  });

  it('refuses a listing whose bytes do not match its id, that is not a listing, or that escapes the folder', () => {
    expect(() => parseManifest(Buffer.from(LISTING.replace('g1', 'g9')), LISTING_OID)).toThrow(/corrupt/);
    const notList = Buffer.from('{"md5": "x"}');
    expect(() => parseManifest(notList, dirOid(notList))).toThrow(DataSyncError);
    const escaping = Buffer.from('[{"md5": "24b6bac0be1f15aba45c41baeba35adb", "relpath": "../etc/passwd"}]');
    expect(() => parseManifest(escaping, dirOid(escaping))).toThrow(/unsafe path/);
  });
});
