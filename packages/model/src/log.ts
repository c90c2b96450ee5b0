import { createLogger } from '@mri/logging';

/** The package's logger: JSON lines on stderr, so a command's stdout stays machine-readable. */
export const log = createLogger({ name: 'model' });
