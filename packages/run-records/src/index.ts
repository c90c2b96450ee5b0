/** Run folders: their layout, their files, and the status a reader shows for one. */
export { createRunDir, LEADERBOARD_FILE, SWEEPS_DIR, startedAt, sweepOf } from './layout.js';
export {
  findRunFolders,
  flattenConfig,
  isRecord,
  isRunFolder,
  numbers,
  parseJsonRecord,
  parseRun,
  RUN_FILES,
  type RunRecord,
  readMetricsFile,
  readRunFolder,
  runIdsAmong,
} from './record.js';
export {
  HEARTBEAT_LAPSE_MS,
  HEARTBEAT_MS,
  type LiveFields,
  liveFields,
  RESUMABLE,
  runStatus,
} from './status.js';
