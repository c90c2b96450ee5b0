/**
 * One registry client in its own process, for the concurrency tests: `register DIR TAG [ALIAS...]` registers a model
 * folder then points each alias at the new version; `die-midway DIR` claims a version, writes one file of it and
 * is killed (SIGKILL, no clean-up), as a crashed or preempted trainer would be. A `gs://` registry reaches the GCS test
 * server through STORAGE_EMULATOR_HOST.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@mri/storage';
import { ModelRegistry } from '../../src/index.js';

const [command, registryUrl, modelDir, tag, ...aliases] = process.argv.slice(2);
if (!command || !registryUrl || !modelDir)
  throw new Error('usage: child.ts COMMAND REGISTRY DIR [TAG ALIAS...]');
const store = openStore(registryUrl);
const info = {
  architecture: 'compact',
  metrics: { tag: Number(tag ?? -1) },
  dataHash: 'd'.repeat(64),
  configHash: 'c'.repeat(64),
  config: null,
  run: null,
};

if (command === 'register') {
  const registry = new ModelRegistry(store, join(tmpdir(), `registry-child-${process.pid}`));
  const entry = await registry.register(modelDir, info);
  for (const alias of aliases) await registry.promote(entry.version, alias);
  process.stdout.write(`${JSON.stringify(entry.version)}\n`);
} else if (command === 'die-midway') {
  const dying = {
    ...store,
    url: store.url,
    read: store.read.bind(store),
    exists: store.exists.bind(store),
    list: store.list.bind(store),
    delete: store.delete.bind(store),
    readVersioned: store.readVersioned.bind(store),
    writeIfGeneration: store.writeIfGeneration.bind(store),
    async write(key: string, bytes: Uint8Array | string) {
      await store.write(key, bytes);
      if (key.startsWith('models/')) process.kill(process.pid, 'SIGKILL');
    },
  };
  await new ModelRegistry(dying, tmpdir()).register(modelDir, info);
  throw new Error('the process should have been killed after its first model file');
} else {
  throw new Error(`unknown command ${command}`);
}
