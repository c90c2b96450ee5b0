import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A dataset as DVC 3 stores it, written out by hand from DVC's documented formats, with the values DVC itself
 * computes: each md5 and the listing below come from Python's `hashlib.md5` and
 * `json.dumps(entries_sorted_by_relpath, sort_keys=True).encode("utf-8")` — the calls DVC makes — run once:
 *
 *   python3 -c 'import json,hashlib; files={...}; entries=sorted(({"md5": hashlib.md5(b).hexdigest(),
 *     "relpath": p} for p,b in files.items()), key=lambda e: e["relpath"]);
 *     raw=json.dumps(entries, sort_keys=True).encode("utf-8"); print(raw, hashlib.md5(raw).hexdigest())'
 *
 * It has what trips a careless reimplementation: a name that sorts differently as a string than as a path
 * ("glioma-extra.txt" before "glioma/..."), a non-ASCII name (escaped by Python as \u00fc), and two files with the
 * same bytes (stored once).
 */
export const FILES: Record<string, string> = {
  'glioma/g1.jpg': 'glioma one',
  'glioma/g2.jpg': 'glioma two',
  'glioma-extra.txt': 'extra\n',
  'notumor/\u00fc-umlaut.jpg': 'umlaut',
  'notumor/copy.jpg': 'glioma one',
};

export const MD5S: Record<string, string> = {
  'glioma/g1.jpg': '24b6bac0be1f15aba45c41baeba35adb',
  'glioma/g2.jpg': '6b52f242f4b8ad5366f8f969479498d3',
  'glioma-extra.txt': '7b48666b13c02ffd7122df4275adc002',
  'notumor/\u00fc-umlaut.jpg': 'e4f7981a7e3b887516e863b95c969e50',
  'notumor/copy.jpg': '24b6bac0be1f15aba45c41baeba35adb',
};

export const LISTING =
  '[{"md5": "7b48666b13c02ffd7122df4275adc002", "relpath": "glioma-extra.txt"}, ' +
  '{"md5": "24b6bac0be1f15aba45c41baeba35adb", "relpath": "glioma/g1.jpg"}, ' +
  '{"md5": "6b52f242f4b8ad5366f8f969479498d3", "relpath": "glioma/g2.jpg"}, ' +
  '{"md5": "24b6bac0be1f15aba45c41baeba35adb", "relpath": "notumor/copy.jpg"}, ' +
  '{"md5": "e4f7981a7e3b887516e863b95c969e50", "relpath": "notumor/\\u00fc-umlaut.jpg"}]';

export const LISTING_OID = '5298b0c7f3cad7dbfb8fd09b70a85d39.dir';
export const SIZE = 42;

/** `data.dvc` as `dvc add data/brain-mri --file data.dvc` writes it with DVC 3. */
export const DVC_FILE = `outs:
- md5: ${LISTING_OID}
  size: ${SIZE}
  nfiles: 5
  hash: md5
  path: data/brain-mri
`;

/** The object keys a DVC 3 remote holds for the dataset: `files/md5/<2>/<30>`, the listing included. */
export function remoteLayout(): Record<string, string> {
  const objects: Record<string, string> = {};
  for (const [relpath, content] of Object.entries(FILES)) {
    const md5 = MD5S[relpath] as string;
    objects[`files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`] = content;
  }
  objects[`files/md5/${LISTING_OID.slice(0, 2)}/${LISTING_OID.slice(2)}`] = LISTING;
  return objects;
}

export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [relpath, content] of Object.entries(files)) {
    const path = join(root, ...relpath.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/** A fresh repository with `.dvc/config` naming `remoteUrl` as the default remote and the fixture's `data.dvc`. */
export async function makeRepo(remoteUrl: string, extraConfig = ''): Promise<string> {
  const repo = await mkdtemp(join(tmpdir(), 'datasync-repo-'));
  await writeTree(repo, {
    '.dvc/config': `[core]\n    remote = storage\n['remote "storage"']\n    url = ${remoteUrl}\n${extraConfig}`,
    'data.dvc': DVC_FILE,
  });
  return repo;
}
