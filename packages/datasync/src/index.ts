export { type AddResult, addOuts } from './add.js';
export {
  addCommand,
  type DataSyncArgs,
  dataSyncCommands,
  isUserError,
  pullCommand,
  pushCommand,
  remoteCommand,
  run as runDataCommand,
  statusCommand,
} from './commands.js';
export { chooseRemote, type DvcConfig, parseConfig, type RemoteSettings, readDvcConfig } from './config.js';
export { findRepoRoot, type SyncContext } from './context.js';
export { type DvcFile, type DvcOut, readDvcFile, writeDvcFile } from './dvcfile.js';
export { DataSyncError } from './errors.js';
export { hashDirectory, md5File } from './files.js';
export {
  compareCodePoints,
  type DirEntry,
  dirOid,
  parseManifest,
  pythonJsonString,
  serializeManifest,
} from './manifest.js';
export { byteProgress, type TransferProgress } from './progress.js';
export { type PullResult, pull } from './pull.js';
export { type PushResult, push } from './push.js';
export { DvcRemote } from './remote.js';
export { addRemote, listRemotes, type RemoteChange, type RemoteListing, setKey } from './remote-config.js';
export { type StatusResult, status } from './status.js';
