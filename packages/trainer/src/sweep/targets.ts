/** The managed engines `pnpm sweep --on` submits to (a module of its own, so the CLI's options load nothing else). */
export const CLOUD_TARGETS = ['cloud-run-jobs', 'vertex'] as const;
export type CloudTarget = (typeof CLOUD_TARGETS)[number];
