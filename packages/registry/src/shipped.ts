/**
 * Where the model the repository ships lives, in a module of its own that imports nothing: the API's configuration
 * names it as its default seed without loading the registry (which it imports only when it opens one).
 */

/** Where the shipped model lives in the repository, with its model card and its registry entry beside it. */
export const SHIPPED_MODEL_DIR = 'reports/model';
/** The registry entry the shipped model is imported with (what its training run recorded). */
export const SHIPPED_ENTRY_FILE = 'registry-entry.json';
export const SHIPPED_SOURCE = 'shipped';
