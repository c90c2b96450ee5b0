// @ts-nocheck: AssemblyScript, compiled by asc as part of conv.ts and filter-grad.ts.
// a * b + c on four lanes (binaryen inlines it at -O3). Each module that imports this is built twice
// (scripts/build-wasm.mjs): with relaxed SIMD it is one fused multiply-add instruction where the CPU has one, half
// the arithmetic instructions of the products our convolutions spend their time on; without, a multiply then an
// add, as XNNPACK's wasm kernels do.
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
