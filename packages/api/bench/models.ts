// The benchmarks' untrained artifacts come from the model package, which the batch-prediction benchmark shares.
export { untrainedModel as buildBenchModel } from '@mri/model/testing';
