/**
 * A registry problem the user caused and can fix (an unknown alias, an empty registry, a folder that is not a
 * model). Its message is one sentence; command lines print it without a stack trace, recognising it by `name`.
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}
