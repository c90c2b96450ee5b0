export {
  type ComposedConfig,
  type ComposeOptions,
  canonicalJson,
  composeConfig,
  configHash,
  listOptions,
} from './compose.js';
export { type Override, parseOverride } from './overrides.js';
export { type AugmentationConfig, CONFIG_GROUPS, configSchema, type TrainConfig } from './schema.js';
