/** A problem the user can fix (a bad URL, a missing bucket, a bad key): the message is one sentence saying what. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
}
