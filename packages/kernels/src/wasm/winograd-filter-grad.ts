// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../winograd-filter-grad.wasm and ../winograd-filter-grad.fma.wasm, built like conv.ts.
//
// dW of a 3x3 stride-1 convolution by Winograd F(3x3, 4x4): dw[u, v, c, o] = sum over n, y, x of
// xpad[n, y + u, x + v, c] * dy[n, y, x, o] is, per 4x4 tile of dy, a 3x3 correlation of the 6x6 window of x
// under it with that tile. With the points 0, +-1, +-2 and infinity (alpha = 6):
//   dw = A^T [ sum over tiles (G dy G^T) . (B^T x B) ] A
// B^T (6x6) is the forward F(4x4, 3x3)'s input transform (it depends only on the points); G (6x4) takes a tile of
// dy where the forward transform takes the filter, and A^T (3x6) gives three outputs:
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0 0; -1/6 -1/6 -1/6 -1/6; -1/6 1/6 -1/6 1/6; 1/24 1/12 1/6 1/3; 1/24 -1/12 1/6 -1/3; 0 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 1]
// The sum over tiles is 36 matrix products V[xi] (tiles x ci)^T times D[xi] (tiles x co), 36 multiply-adds per
// tile where the direct sum spends 16 x 9 = 144: 4x fewer. Tiles run in blocks whose V and D fit in L2; the
// products of one block are 4 input x 8 output channel register tiles (the 8 accumulators of filter-grad.ts),
// and their running sums over blocks are kept in M. After the last block each 4 x 8 group of M (36 points, in L1)
// goes through A^T straight into dw.

import { madd } from './madd';
import { bTransposed6 } from './winograd-input';

const POINTS: usize = 36;
/** Bytes of one register tile's 36 points of M: 36 x (4 x 8 floats). */
const GROUP_BYTES: usize = POINTS * 128;
/** Scratch for one 6x6 transform's intermediate rows: 36 vectors. */
const TEMP_BYTES: usize = POINTS * 16;
const POINT_PAD: usize = 64;

// Bytes from one point's rows of V (or D) to the next: a block's tiles x channels, plus one cache line so that
// the 36 points of a tile do not fall on the same cache sets when that is a multiple of 4 kB.
function pointBytes(block: i32, channels: i32): usize {
  return <usize>(block * channels) * 4 + POINT_PAD;
}

// Bytes of scratch `winogradFilterGrad` needs: a transform's temporary, V and D of one block of tiles, and M
// (all of it when the tiles take several blocks; one register tile's worth when one block holds them all).
export function winogradFilterGradScratch(channels: i32, outChannels: i32, tiles: i32, blockTiles: i32): f64 {
  const block = min(tiles, blockTiles);
  const vd = <f64>POINTS * <f64>(pointBytes(block, channels) + pointBytes(block, outChannels));
  const m = tiles > block ? <f64>POINTS * <f64>channels * <f64>outChannels * 4 : <f64>GROUP_BYTES;
  return <f64>TEMP_BYTES + vd + m;
}

// channels a multiple of 4, outChannels of 8; x [batch, height, width, channels], dy [batch, outHeight, outWidth,
// outChannels], dw [3, 3, channels, outChannels]; padTop/padLeft as the forward convolution's. `scratch` holds
// winogradFilterGradScratch(...) bytes, 16-byte aligned.
export function winogradFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  scratch: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  padTop: i32,
  padLeft: i32,
  outHeight: i32,
  outWidth: i32,
  outChannels: i32,
  blockTiles: i32,
): void {
  const tileRows = (outHeight + 3) >> 2;
  const tileColumns = (outWidth + 3) >> 2;
  const tiles = batch * tileRows * tileColumns;
  const block = min(tiles, blockTiles);
  const temp = scratch;
  const v = temp + TEMP_BYTES;
  const d = v + POINTS * pointBytes(block, channels);
  const m = d + POINTS * pointBytes(block, outChannels);
  const groupsKept = tiles > block;
  for (let first = 0; first < tiles; first += block) {
    const count = min(block, tiles - first);
    inputTransform(
      x,
      v,
      temp,
      first,
      count,
      block,
      height,
      width,
      channels,
      padTop,
      padLeft,
      tileRows,
      tileColumns,
    );
    dyTransform(dy, d, temp, first, count, block, outHeight, outWidth, outChannels, tileRows, tileColumns);
    const last = first + count >= tiles;
    for (let c = 0; c < channels; c += 4) {
      for (let o = 0; o < outChannels; o += 8) {
        const group = groupsKept
          ? m + <usize>((c >> 2) * (outChannels >> 3)) * GROUP_BYTES + <usize>(o >> 3) * GROUP_BYTES
          : m;
        products(v, d, group, c, o, count, block, channels, outChannels, first === 0);
        if (last) outputTransform(group, dw, temp, c, o, channels, outChannels);
      }
    }
  }
}

// x's 6x6 windows of tiles first .. first + count - 1 (n, tile row, tile column order) through B^T . B, into
// v [36][block][channels]; values outside the image are zeros.
function inputTransform(
  x: usize,
  v: usize,
  temp: usize,
  first: i32,
  count: i32,
  block: i32,
  height: i32,
  width: i32,
  channels: i32,
  padTop: i32,
  padLeft: i32,
  tileRows: i32,
  tileColumns: i32,
): void {
  const perImage = tileRows * tileColumns;
  const pointStride = pointBytes(block, channels);
  const step = <usize>channels * 4;
  for (let k = 0; k < count; k++) {
    const t = first + k;
    const n = t / perImage;
    const r = t - n * perImage;
    const y0 = (r / tileColumns) * 4 - padTop;
    const x0 = (r % tileColumns) * 4 - padLeft;
    const image = x + <usize>(n * height * width * channels) * 4;
    const out = v + <usize>(k * channels) * 4;
    for (let c = 0; c < channels; c += 4) {
      // Rows of the window through B^T (along x) into temp[row][column] ...
      for (let i = 0; i < 6; i++) {
        const y = y0 + i;
        const inside = y >= 0 && y < height;
        const line = image + <usize>(y * width * channels + c) * 4;
        windowRow(inside ? line : 0, x0, width, step, temp + <usize>(i * 6) * 16);
      }
      // ... then the columns through B^T (along y) into the 36 points.
      const at = out + <usize>c * 4;
      for (let j = 0; j < 6; j++) {
        const col = temp + <usize>j * 16;
        bTransposed6(
          v128.load(col),
          v128.load(col, 96),
          v128.load(col, 192),
          v128.load(col, 288),
          v128.load(col, 384),
          v128.load(col, 480),
          at + <usize>j * pointStride,
          6 * pointStride,
        );
      }
    }
  }
}

// Six pixels of one row of a window (columns x0 .. x0 + 5 of `line`, 0 for a row outside the image) through B^T.
function windowRow(line: usize, x0: i32, width: i32, step: usize, out: usize): void {
  bTransposed6(
    pixel(line, x0, width, step),
    pixel(line, x0 + 1, width, step),
    pixel(line, x0 + 2, width, step),
    pixel(line, x0 + 3, width, step),
    pixel(line, x0 + 4, width, step),
    pixel(line, x0 + 5, width, step),
    out,
    16,
  );
}

// Four channels of pixel `column` of a row, zeros outside it.
function pixel(line: usize, column: i32, width: i32, step: usize): v128 {
  if (line === 0 || column < 0 || column >= width) return f32x4.splat(0);
  return v128.load(line + <usize>column * step);
}

// dy's 4x4 tiles first .. first + count - 1 through G . G^T, into d [36][block][outChannels]; rows and columns
// past the output are zeros.
function dyTransform(
  dy: usize,
  d: usize,
  temp: usize,
  first: i32,
  count: i32,
  block: i32,
  outHeight: i32,
  outWidth: i32,
  outChannels: i32,
  tileRows: i32,
  tileColumns: i32,
): void {
  const perImage = tileRows * tileColumns;
  const pointStride = pointBytes(block, outChannels);
  const step = <usize>outChannels * 4;
  for (let k = 0; k < count; k++) {
    const t = first + k;
    const n = t / perImage;
    const r = t - n * perImage;
    const y0 = (r / tileColumns) * 4;
    const x0 = (r % tileColumns) * 4;
    const columns = min(4, outWidth - x0);
    const image = dy + <usize>(n * outHeight * outWidth * outChannels) * 4;
    const out = d + <usize>(k * outChannels) * 4;
    for (let o = 0; o < outChannels; o += 4) {
      // Rows of the tile through G (along x) into temp[row][0..5] ...
      for (let i = 0; i < 4; i++) {
        const y = y0 + i;
        const line = image + <usize>((y * outWidth + x0) * outChannels + o) * 4;
        tileRow(y < outHeight ? line : 0, columns, step, temp + <usize>(i * 6) * 16);
      }
      // ... then the six columns through G (along y) into the 36 points.
      const at = out + <usize>o * 4;
      for (let j = 0; j < 6; j++) {
        const col = temp + <usize>j * 16;
        g6(
          v128.load(col),
          v128.load(col, 96),
          v128.load(col, 192),
          v128.load(col, 288),
          at + <usize>j * pointStride,
          6 * pointStride,
        );
      }
    }
  }
}

// The first `columns` pixels of a row of a dy tile (0 for a row past the output; the rest are zeros) through G.
function tileRow(line: usize, columns: i32, step: usize, out: usize): void {
  g6(
    pixel(line, 0, columns, step),
    pixel(line, 1, columns, step),
    pixel(line, 2, columns, step),
    pixel(line, 3, columns, step),
    out,
    16,
  );
}

// G of four vectors into six, stored `stride` bytes apart from `out`.
function g6(g0: v128, g1: v128, g2: v128, g3: v128, out: usize, stride: usize): void {
  const even = f32x4.add(g0, g2);
  const odd = f32x4.add(g1, g3);
  const even4 = f32x4.add(g0, f32x4.mul(f32x4.splat(4), g2));
  const odd4 = f32x4.mul(f32x4.splat(2), f32x4.add(g1, f32x4.mul(f32x4.splat(4), g3)));
  const sixth = f32x4.splat(<f32>(-1.0 / 6.0));
  const twentyFourth = f32x4.splat(<f32>(1.0 / 24.0));
  v128.store(out, f32x4.mul(f32x4.splat(0.25), g0));
  v128.store(out + stride, f32x4.mul(sixth, f32x4.add(even, odd)));
  v128.store(out + 2 * stride, f32x4.mul(sixth, f32x4.sub(even, odd)));
  v128.store(out + 3 * stride, f32x4.mul(twentyFourth, f32x4.add(even4, odd4)));
  v128.store(out + 4 * stride, f32x4.mul(twentyFourth, f32x4.sub(even4, odd4)));
  v128.store(out + 5 * stride, g3);
}

// For input channels c..c+3 and output channels o..o+7, each of the 36 points: group[xi] (+)= sum over the
// block's `count` tiles of v[xi][t][c..c+3] (outer) d[xi][t][o..o+7]. group holds 8 vectors per point
// (channel c: outputs o..o+3, o+4..o+7; then c+1, ...).
function products(
  v: usize,
  d: usize,
  group: usize,
  c: i32,
  o: i32,
  count: i32,
  block: i32,
  channels: i32,
  outChannels: i32,
  fresh: bool,
): void {
  const vStep = <usize>channels * 4;
  const dStep = <usize>outChannels * 4;
  const vPoint = pointBytes(block, channels);
  const dPoint = pointBytes(block, outChannels);
  let vp0 = v + <usize>c * 4;
  let dp0 = d + <usize>o * 4;
  for (let xi: usize = 0; xi < POINTS; xi++, vp0 += vPoint, dp0 += dPoint) {
    const w = group + <usize>xi * 128;
    let a0 = f32x4.splat(0),
      b0 = a0,
      a1 = a0,
      b1 = a0,
      a2 = a0,
      b2 = a0,
      a3 = a0,
      b3 = a0;
    if (!fresh) {
      a0 = v128.load(w);
      b0 = v128.load(w, 16);
      a1 = v128.load(w, 32);
      b1 = v128.load(w, 48);
      a2 = v128.load(w, 64);
      b2 = v128.load(w, 80);
      a3 = v128.load(w, 96);
      b3 = v128.load(w, 112);
    }
    let vp = vp0;
    let dp = dp0;
    for (let t = 0; t < count; t++, vp += vStep, dp += dStep) {
      const xv = v128.load(vp);
      const g0 = v128.load(dp);
      const g1 = v128.load(dp, 16);
      let s = v128.shuffle<f32>(xv, xv, 0, 0, 0, 0);
      a0 = madd(s, g0, a0);
      b0 = madd(s, g1, b0);
      s = v128.shuffle<f32>(xv, xv, 1, 1, 1, 1);
      a1 = madd(s, g0, a1);
      b1 = madd(s, g1, b1);
      s = v128.shuffle<f32>(xv, xv, 2, 2, 2, 2);
      a2 = madd(s, g0, a2);
      b2 = madd(s, g1, b2);
      s = v128.shuffle<f32>(xv, xv, 3, 3, 3, 3);
      a3 = madd(s, g0, a3);
      b3 = madd(s, g1, b3);
    }
    v128.store(w, a0);
    v128.store(w, b0, 16);
    v128.store(w, a1, 32);
    v128.store(w, b1, 48);
    v128.store(w, a2, 64);
    v128.store(w, b2, 80);
    v128.store(w, a3, 96);
    v128.store(w, b3, 112);
  }
}

// A^T . A of one register tile's 36 points (8 vectors each) into dw[u, v, c..c+3, o..o+7].
function outputTransform(
  group: usize,
  dw: usize,
  temp: usize,
  c: i32,
  o: i32,
  channels: i32,
  outChannels: i32,
): void {
  const tapStride = <usize>(channels * outChannels) * 4;
  for (let q = 0; q < 8; q++) {
    const lane = group + <usize>q * 16;
    // Each row of points through A^T (along x) into temp[row][0..2] ...
    for (let i = 0; i < 6; i++) {
      const row = lane + <usize>(i * 6) * 128;
      at3(
        v128.load(row),
        v128.load(row, 128),
        v128.load(row, 256),
        v128.load(row, 384),
        v128.load(row, 512),
        v128.load(row, 640),
        temp + <usize>(i * 3) * 16,
        16,
      );
    }
    // ... then the three columns through A^T (along y) into taps (u, j).
    const base = dw + <usize>((c + (q >> 1)) * outChannels + o + (q & 1) * 4) * 4;
    for (let j = 0; j < 3; j++) {
      const col = temp + <usize>j * 16;
      at3(
        v128.load(col),
        v128.load(col, 48),
        v128.load(col, 96),
        v128.load(col, 144),
        v128.load(col, 192),
        v128.load(col, 240),
        base + <usize>j * tapStride,
        3 * tapStride,
      );
    }
  }
}

// A^T of six vectors into three, stored `stride` bytes apart from `out`.
function at3(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, out: usize, stride: usize): void {
  const s12 = f32x4.add(m1, m2);
  const d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4);
  const d34 = f32x4.sub(m3, m4);
  v128.store(out, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(out + stride, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)));
  v128.store(out + 2 * stride, f32x4.add(f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)), m5));
}
