/**
 * Near-equal contiguous ranges of `size` items over `shards` parts, earlier ones one smaller when it does not divide:
 * how a batch is cut over the workers, and how the workers share the summing of the gradients.
 */
export function shardBounds(size: number, shards: number): [number, number][] {
  return Array.from({ length: shards }, (_, i) => [
    Math.floor((i * size) / shards),
    Math.floor(((i + 1) * size) / shards),
  ]);
}
