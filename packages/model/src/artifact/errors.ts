/** A model artifact that cannot be used: missing, corrupt, truncated, or not what the caller expects. */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
}
