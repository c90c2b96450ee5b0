/** A problem the user can fix: the message is one sentence naming the input and what to do. */
export class DataSyncError extends Error {
  override readonly name = 'DataSyncError';
}
