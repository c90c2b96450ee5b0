// @ts-nocheck: AssemblyScript, compiled by asc as part of max-pool-grad.ts and relu-grad.ts.
// The gradient of one row of 2x2 pooling windows (stride 2, no padding; NHWC, float32): each window's pooled
// gradient goes to its first maximum of x in row-major order (strict >, so NaN and -Infinity never win) and 0 to
// its other three elements. With `positiveOnly` (x is a ReLU's output, so never negative) it also passes that
// ReLU: the gradient goes only where the window's maximum is positive, the ReLU's mask at the routed element.
// Channels go four at a time in SIMD lanes; `channels` need not be a multiple of four. `corner` is the byte
// offset of the row's first window in x and dx; returns where the next row's pooled gradient starts.
export function routeWindowRow(
  dp: usize,
  x: usize,
  dx: usize,
  corner: usize,
  inWidth: i32,
  channels: i32,
  outWidth: i32,
  positiveOnly: bool,
): usize {
  const rowBytes = (<usize>(inWidth * channels)) << 2;
  const channelBytes = (<usize>channels) << 2;
  const vectorEnd = channels & ~3;
  let g = dp;
  let at = corner;
  for (let ow = 0; ow < outWidth; ow++) {
    let c = 0;
    for (; c < vectorEnd; c += 4) {
      const o = at + ((<usize>c) << 2);
      window4(
        x,
        dx,
        o,
        o + channelBytes,
        o + rowBytes,
        o + rowBytes + channelBytes,
        v128.load(g),
        positiveOnly,
      );
      g += 16;
    }
    for (; c < channels; c++) {
      const o = at + ((<usize>c) << 2);
      window1(
        x,
        dx,
        o,
        o + channelBytes,
        o + rowBytes,
        o + rowBytes + channelBytes,
        load<f32>(g),
        positiveOnly,
      );
      g += 4;
    }
    at += channelBytes << 1;
  }
  return g;
}

function window4(
  x: usize,
  dx: usize,
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  grad: v128,
  positiveOnly: bool,
): void {
  const v0 = v128.load(x + p0);
  const v1 = v128.load(x + p1);
  const v2 = v128.load(x + p2);
  const v3 = v128.load(x + p3);
  // take_k: lane k holds the first maximum so far, i.e. it beats every earlier lane value strictly.
  const take0 = f32x4.gt(v0, f32x4.splat(-Infinity));
  let best = v128.bitselect(v0, f32x4.splat(-Infinity), take0);
  const take1 = f32x4.gt(v1, best);
  best = v128.bitselect(v1, best, take1);
  const take2 = f32x4.gt(v2, best);
  best = v128.bitselect(v2, best, take2);
  const take3 = f32x4.gt(v3, best);
  best = v128.bitselect(v3, best, take3);
  const live = positiveOnly ? v128.and(grad, f32x4.gt(best, f32x4.splat(0))) : grad;
  // A later winner clears the earlier ones: position k wins iff it took and no later position took.
  v128.store(dx + p0, v128.and(live, v128.andnot(v128.andnot(v128.andnot(take0, take1), take2), take3)));
  v128.store(dx + p1, v128.and(live, v128.andnot(v128.andnot(take1, take2), take3)));
  v128.store(dx + p2, v128.and(live, v128.andnot(take2, take3)));
  v128.store(dx + p3, v128.and(live, take3));
}

function window1(
  x: usize,
  dx: usize,
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  grad: f32,
  positiveOnly: bool,
): void {
  let best: f32 = -Infinity;
  let at: usize = 0;
  let found = false;
  const v0 = load<f32>(x + p0);
  if (v0 > best) {
    best = v0;
    at = p0;
    found = true;
  }
  const v1 = load<f32>(x + p1);
  if (v1 > best) {
    best = v1;
    at = p1;
    found = true;
  }
  const v2 = load<f32>(x + p2);
  if (v2 > best) {
    best = v2;
    at = p2;
    found = true;
  }
  const v3 = load<f32>(x + p3);
  if (v3 > best) {
    best = v3;
    at = p3;
    found = true;
  }
  const live: f32 = found && (!positiveOnly || best > 0) ? grad : 0;
  store<f32>(dx + p0, at === p0 ? live : 0);
  store<f32>(dx + p1, at === p1 ? live : 0);
  store<f32>(dx + p2, at === p2 ? live : 0);
  store<f32>(dx + p3, at === p3 ? live : 0);
}
