import { describe, expect, it } from 'vitest';
import { rejectNonImage } from '../src/image-check.js';

describe('rejectNonImage', () => {
  it.each([
    { name: 'scan.jpg', type: 'image/jpeg', size: 1200 },
    { name: 'scan.png', type: 'image/png', size: 1200 },
    // Some systems report no type at all: the extension decides then.
    { name: 'scan.JPEG', type: '', size: 1200 },
    // The API judges the bytes; a wrongly named file is its to refuse, with its own message.
    { name: 'fake.jpg', type: 'image/jpeg', size: 12 },
  ])('lets $name ($type) through', (file) => {
    expect(rejectNonImage(file)).toBeNull();
  });

  it.each([
    { name: 'notes.txt', type: 'text/plain', size: 5 },
    { name: 'report.pdf', type: 'application/pdf', size: 5000 },
    { name: 'data', type: '', size: 10 },
  ])('refuses $name, naming it', (file) => {
    expect(rejectNonImage(file)).toMatch(new RegExp(`“${file.name}” is not an image`));
  });

  it('refuses an empty image file', () => {
    expect(rejectNonImage({ name: 'scan.jpg', type: 'image/jpeg', size: 0 })).toMatch(/“scan.jpg” is empty/);
  });
});
