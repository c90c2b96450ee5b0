/**
 * Runs `work` over `items` with at most `jobs` in flight. When `signal` aborts, no new item starts; the ones in
 * flight finish (each writes atomically, so none is left half-done) and the pool rejects with the abort reason.
 */
export async function runPool<T>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined && !signal?.aborted) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  if (failure !== undefined) throw failure;
  signal?.throwIfAborted();
}
