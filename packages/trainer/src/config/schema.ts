/**
 * The shape of a resolved training config. Every key a YAML file or an override can set is declared here, and
 * nothing else gets through: the config is validated once, at the edge, then passed down as a plain typed object.
 * Optional keys are the ones a user adds with `+key=value`; everything else comes from the files in configs/.
 */
import { ARCHITECTURE_NAMES, BACKEND_CHOICES } from '@mri/model/contract';
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

export const dataSchema = z.strictObject({
  /** Dataset root (Kaggle layout or class folders), relative to the repository root unless absolute. */
  root: z.string().min(1),
  image_size: z.number().int().min(16).max(512),
  val_fraction: z.number().gt(0).lt(1),
  /** Seed of the stratified train/validation split; independent of the training seed. */
  seed: z.number().int(),
  /** Use at most this many training images per class (quick experiments). */
  limit_per_class: positiveInt.optional(),
});

export const modelSchema = z.strictObject({
  architecture: z.enum(ARCHITECTURE_NAMES),
  /** Channels of the first block, for networks that scale by it (compact); omitted: the network's default. */
  width: z.number().int().min(4).max(128).optional(),
});

export const optimizerSchema = z.strictObject({
  name: z.enum(['adam', 'adamw', 'sgd']),
  lr: z.number().positive(),
  weight_decay: z.number().min(0),
  momentum: fraction,
});

export const augmentationSchema = z.strictObject({
  flip: z.boolean(),
  /** Maximum rotation either way, in degrees; 0 turns it off. */
  rotation_degrees: z.number().min(0).max(45),
  /** Maximum zoom either way, as a fraction (0.1 scales by 0.9 to 1.1); 0 turns it off. */
  scale: z.number().min(0).max(0.5).default(0),
  /** Maximum shift either way along each axis, as a fraction of the image side; 0 turns it off. */
  translate: z.number().min(0).max(0.5).default(0),
  /** Maximum brightness shift, as a fraction of the [0, 1] pixel range. */
  brightness: fraction,
  /** Maximum contrast change, as a fraction (0.1 scales contrast by 0.9 to 1.1). */
  contrast: fraction,
});

export const trainingSchema = z.strictObject({
  epochs: positiveInt,
  batch_size: positiveInt,
  lr_schedule: z.enum(['one_cycle', 'cosine', 'constant']),
  /** Fraction of the steps spent warming up (one-cycle only). */
  warmup_fraction: z.number().gt(0).lt(1),
  /**
   * Stop after this many epochs without a better validation score, counted once the learning rate has decayed to
   * half its peak (train/early-stopping.ts); 0 never stops early.
   */
  early_stopping_patience: z.number().int().min(0),
  /** Which validation figure picks the best checkpoint. */
  monitor: z.enum(['val_accuracy', 'val_loss', 'val_macro_f1']),
  label_smoothing: z.number().min(0).lt(1),
  class_weighting: z.enum(['none', 'balanced']),
  augmentation: augmentationSchema,
  /** Stop after this many optimiser steps in total (smoke tests). */
  max_steps: positiveInt.optional(),
  /**
   * `auto`: continue the newest unfinished run of this config under output_dir from its last epoch's checkpoint
   * (a retried Cloud Run Job or Vertex AI task); `false`: always start a new run. Not part of the config hash.
   */
  resume: z.union([z.literal(false), z.literal('auto')]).default(false),
});

export const registrySchema = z.strictObject({
  /** A folder (relative to the repository root) or `gs://bucket/prefix`. */
  url: z.string().min(1),
  /** Register the best model of every finished run. */
  register: z.boolean(),
  /**
   * After registering, `auto` promotes the new version to production only when it beats production on the
   * evaluation set (the promotion gate); `never` leaves production to `pnpm registry promote`.
   */
  promote: z.enum(['auto', 'never']),
  /**
   * The fixed evaluation set every promotion is decided on: a folder of class folders, relative to the repository
   * root, recorded by content hash with each decision. It must hold images no model was trained on.
   */
  evaluation_set: z.string().min(1),
});

export const configSchema = z.strictObject({
  seed: z.number().int(),
  backend: z.enum(BACKEND_CHOICES),
  /** Data-parallel training workers; 0 trains on the main thread, `auto` uses one per core. */
  workers: z.union([z.number().int().min(0).max(64), z.literal('auto')]),
  /** Where runs are written, relative to the repository root unless absolute. */
  output_dir: z.string().min(1),
  /** Copy each finished run to this blob store (`gs://bucket/prefix` or a folder); null keeps runs local. */
  upload_url: z.string().min(1).nullable(),
  registry: registrySchema,
  data: dataSchema,
  model: modelSchema,
  optimizer: optimizerSchema,
  training: trainingSchema,
});

export type TrainConfig = z.infer<typeof configSchema>;
export type AugmentationConfig = z.infer<typeof augmentationSchema>;

/** The config groups: folders under configs/ whose files fill the key of the same name. */
export const CONFIG_GROUPS = ['data', 'model', 'optimizer', 'training'] as const;
export type ConfigGroup = (typeof CONFIG_GROUPS)[number];
