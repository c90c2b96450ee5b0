/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's base URL baked in at build time; /config.json overrides it at run time. */
  readonly VITE_API_URL?: string;
}
