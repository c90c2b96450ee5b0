/**
 * The two things the service needs from the trainer's model registry. A module of its own so that model-source.ts
 * can load it lazily while the bundler still sees named imports (a dynamic import of the whole package would
 * pull in everything the package exports: training, plots, the CLI).
 */
export { openRegistry, UserError } from '@mri/trainer';
