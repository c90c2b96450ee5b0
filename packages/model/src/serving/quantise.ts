/**
 * Weight-only int8 quantisation of a serving plan: every convolution and dense kernel (after BatchNorm is folded
 * in) is rounded to 255 levels per output channel, symmetric around zero (scale = max |w| / 127), the scheme int8
 * inference engines use for weights. Biases stay float32. The values are put back as float32 for our kernels, so
 * this measures (and serves with) exactly the rounding an int8 engine's weights carry, not an int8 speed-up.
 */
import type { Plan, Step, Weight } from './plan.js';

const LEVELS = 127;

/** The kernel rounded to int8 per output channel (its last axis), as float32 values. */
export function int8RoundTrip(weight: Weight): Weight {
  const channels = weight.shape.at(-1) ?? 1;
  const scales = new Float32Array(channels);
  const { values } = weight;
  for (let i = 0; i < values.length; i++) {
    const channel = i % channels;
    scales[channel] = Math.max(scales[channel] as number, Math.abs(values[i] as number));
  }
  for (let c = 0; c < channels; c++) scales[c] = (scales[c] as number) / LEVELS;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const scale = scales[i % channels] as number;
    out[i] = scale === 0 ? 0 : Math.round((values[i] as number) / scale) * scale;
  }
  return { values: out, shape: weight.shape };
}

/** The same plan with its convolution and dense kernels int8-rounded; the plan given is left as it is. */
export function quantisePlan(plan: Plan): Plan {
  const steps = plan.steps.map((step): Step => {
    if (step.op === 'conv' || step.op === 'dense') return { ...step, kernel: int8RoundTrip(step.kernel) };
    return step;
  });
  return { ...plan, steps };
}
