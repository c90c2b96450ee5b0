// @ts-nocheck: AssemblyScript, compiled by asc as part of winograd.ts and winograd-filter-grad.ts.
// B^T, the data transform of Winograd with the points 0, +-1, +-2 and infinity (alpha = 6), applied to six vectors
// (one row or one column of a 6x6 window, four channels each); the six results are stored `stride` bytes apart
// from `out`. It depends only on the points, so the forward F(4x4, 3x3) and the filter gradient's F(3x3, 4x4) share
// it. B^T's rows: [4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0],
// [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1].
export function bTransposed6(
  d0: v128,
  d1: v128,
  d2: v128,
  d3: v128,
  d4: v128,
  d5: v128,
  out: usize,
  stride: usize,
): void {
  const four = f32x4.splat(4);
  const five = f32x4.splat(5);
  const two = f32x4.splat(2);
  const a = f32x4.sub(d4, f32x4.mul(d2, four)); // d4 - 4 d2
  const b = f32x4.sub(d3, f32x4.mul(d1, four)); // d3 - 4 d1
  const c = f32x4.sub(d4, d2);
  const e = f32x4.mul(f32x4.sub(d3, d1), two); // 2 (d3 - d1)
  v128.store(out, f32x4.add(f32x4.sub(f32x4.mul(d0, four), f32x4.mul(d2, five)), d4));
  v128.store(out + stride, f32x4.add(a, b));
  v128.store(out + 2 * stride, f32x4.sub(a, b));
  v128.store(out + 3 * stride, f32x4.add(c, e));
  v128.store(out + 4 * stride, f32x4.sub(c, e));
  v128.store(out + 5 * stride, f32x4.add(f32x4.sub(f32x4.mul(d1, four), f32x4.mul(d3, five)), d5));
}
