/** Logging and progress for every package and app of the workspace (the ground floor: it imports none of ours). */
export { type Environment, LOG_FORMATS, type LogFormat, logFormat, onCloudRun } from './format.js';
export { gcpEntry, gcpLoggerOptions, parseTraceHeader, type TraceContext } from './gcp.js';
export { createLogger, type Logger, type LoggerSettings, silentLogger } from './logger.js';
export { createProgress, type Progress, type ProgressSettings } from './progress.js';
export { forPeople, printResult, type ResultSettings, type TableRows } from './result.js';
export { printTable } from './table.js';
