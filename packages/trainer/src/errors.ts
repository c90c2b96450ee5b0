/**
 * An error the user caused and can fix (a bad config key, a missing model, an unknown alias). The CLI prints its
 * message as one sentence and exits non-zero, without a stack trace; anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
