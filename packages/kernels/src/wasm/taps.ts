// @ts-nocheck: AssemblyScript, compiled by asc as part of patches.ts and filter-grad.ts.
// Which outputs of a convolution a filter tap reads inside the image, along one axis: output o reads input
// o*stride + j - pad for tap j.

// First output whose input for tap j lies at or after 0.
export function firstInside(j: i32, stride: i32, pad: i32): i32 {
  return max(0, (pad - j + stride - 1) / stride);
}

// One past the last output whose input for tap j lies before `width` (at most outWidth).
export function endInside(j: i32, stride: i32, pad: i32, width: i32, outWidth: i32): i32 {
  const last = width - 1 - j + pad;
  return last < 0 ? 0 : min(outWidth, last / stride + 1);
}
