import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@mri/atomic-file';
import { Document, parseDocument } from 'yaml';
import { z } from 'zod';
import { DataSyncError } from './errors.js';

/**
 * A `.dvc` file as DVC 3 writes it for `dvc add`:
 *
 *     outs:
 *     - md5: 1f0e...c2.dir     # a directory: the md5 of its .dir listing, with the suffix
 *       size: 52391710         # bytes over all files
 *       nfiles: 5708
 *       hash: md5              # DVC 3's marker; absent in 2.x files, whose objects live at the remote's root
 *       path: data/brain-mri   # relative to the .dvc file's folder
 */
const OutSchema = z.looseObject({
  md5: z.string().regex(/^[0-9a-f]{32}(\.dir)?$/, 'an md5, with ".dir" for a directory'),
  size: z.number().int().nonnegative().optional(),
  nfiles: z.number().int().nonnegative().optional(),
  hash: z.literal('md5').optional(),
  path: z.string().min(1),
  remote: z.string().optional(),
  push: z.boolean().optional(),
});
const DvcFileSchema = z.looseObject({ outs: z.array(OutSchema).min(1) });

export type DvcOut = z.infer<typeof OutSchema>;

export interface DvcFile {
  /** Where the `.dvc` file is; outs' paths are relative to its folder. */
  readonly file: string;
  readonly outs: DvcOut[];
}

export function isDirectoryOut(out: DvcOut): boolean {
  return out.md5.endsWith('.dir');
}

/** DVC 2.x outs (no `hash: md5`) keep objects at the remote's root instead of under `files/md5/`. */
export function isLegacyOut(out: DvcOut): boolean {
  return out.hash !== 'md5';
}

export function outPath(dvc: DvcFile, out: DvcOut): string {
  return join(dirname(dvc.file), ...out.path.split('/'));
}

export async function readDvcFile(file: string): Promise<DvcFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DataSyncError(`${file} does not exist: track a folder first with \`pnpm data add PATH\`.`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new DataSyncError(`${file} is not valid YAML: ${doc.errors[0]?.message}.`);
  const parsed = DvcFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataSyncError(
      `${file} is not a DVC file: ${issue?.path.join('.') || 'outs'} ${issue?.message ?? ''}.`,
    );
  }
  return { file, outs: parsed.data.outs };
}

/** Records new hashes for the outs, in DVC's field order, keeping every other field of the file as it was. */
export async function writeDvcFile(file: string, outs: readonly DvcOut[]): Promise<void> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // a new .dvc file
  }
  const doc = text.trim() ? parseDocument(text) : new Document({});
  const ordered = outs.map(({ md5, size, nfiles, hash, path, ...rest }) => ({
    md5,
    ...(size === undefined ? {} : { size }),
    ...(nfiles === undefined ? {} : { nfiles }),
    ...(hash === undefined ? {} : { hash }),
    path,
    ...rest,
  }));
  doc.set('outs', doc.createNode(ordered));
  await writeFileAtomic(file, doc.toString({ indentSeq: false }));
}
