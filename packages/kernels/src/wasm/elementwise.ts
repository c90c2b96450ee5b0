// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../elementwise.wasm. Build: `pnpm --filter @mri/kernels build:wasm`, which runs:
//   asc src/wasm/elementwise.ts -o src/elementwise.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
// (in packages/kernels; a test checks that the committed binary is exactly this build).
// One-pass replacements for chains of tfjs elementwise ops, each of which reads and writes whole tensors.

// ReLU's input gradient: dx = dy where x > 0, else 0 (tfjs: Step, then Multiply: two passes and a temporary).
export function reluGrad(dy: usize, x: usize, dx: usize, length: i32): void {
  const zero = f32x4.splat(0);
  const vectorEnd = length & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(x + o), zero)));
  }
  for (; i < length; i++) {
    const o = (<usize>i) << 2;
    store<f32>(dx + o, load<f32>(x + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

// One Adam step of a parameter p and its moments m, v by gradient g, into outP, outM, outV, as the same float32
// operations in the same order as the separate tf ops (../adam.ts says which): SIMD multiply, add, divide and
// square root round like their scalar forms, so the result is theirs bit for bit. `coupled` 0 for no L2 decay,
// `keep` 1 for no decoupled decay.
export function adam(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  outP: usize,
  outM: usize,
  outV: usize,
  length: i32,
  b1: f32,
  c1: f32,
  b2: f32,
  c2: f32,
  correction2: f32,
  stepSize: f32,
  eps: f32,
  coupled: f32,
  keep: f32,
): void {
  const vb1 = f32x4.splat(b1);
  const vc1 = f32x4.splat(c1);
  const vb2 = f32x4.splat(b2);
  const vc2 = f32x4.splat(c2);
  const vCorrection = f32x4.splat(correction2);
  const vStep = f32x4.splat(stepSize);
  const vEps = f32x4.splat(eps);
  const vCoupled = f32x4.splat(coupled);
  const vKeep = f32x4.splat(keep);
  const vectorEnd = length & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const o = (<usize>i) << 2;
    const w = v128.load(p + o);
    let grad = v128.load(g + o);
    if (coupled !== 0) grad = f32x4.add(grad, f32x4.mul(w, vCoupled));
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(grad, vc1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(grad, grad), vc2));
    const denom = f32x4.add(f32x4.sqrt(f32x4.div(vi, vCorrection)), vEps);
    const decayed = keep !== 1 ? f32x4.mul(w, vKeep) : w;
    v128.store(outM + o, mi);
    v128.store(outV + o, vi);
    v128.store(outP + o, f32x4.sub(decayed, f32x4.mul(f32x4.div(mi, denom), vStep)));
  }
  for (; i < length; i++) {
    const o = (<usize>i) << 2;
    const w = load<f32>(p + o);
    let grad = load<f32>(g + o);
    if (coupled !== 0) grad = grad + w * coupled;
    const mi: f32 = load<f32>(m + o) * b1 + grad * c1;
    const vi: f32 = load<f32>(v + o) * b2 + grad * grad * c2;
    const denom: f32 = sqrt<f32>(vi / correction2) + eps;
    const decayed: f32 = keep !== 1 ? w * keep : w;
    store<f32>(outM + o, mi);
    store<f32>(outV + o, vi);
    store<f32>(outP + o, decayed - (mi / denom) * stepSize);
  }
}
