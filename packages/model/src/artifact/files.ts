/** The artifact's layout on disk: the tfjs layers format plus our metadata, in one directory. */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'metadata.json';
