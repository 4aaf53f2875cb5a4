// sslkit/gpu's kernels, compiled at run time by NVRTC for the card's
// architecture (see nvrtc.go). Every kernel has a plain-Go twin in host.go
// with the same arithmetic; CheckKernels compares them on the device.
// Plain C with no headers: NVRTC ships none of the C library's.

#define INF __int_as_float(0x7f800000)

struct Strided { int rank; int shape[6]; int sa[6]; int sb[6]; };
struct Conv { int n, c, h, w, kh, kw, ph, pw, sh, sw, dh, dw, oh, ow; };
struct Pool { int n, c, h, w, kh, kw, ph, pw, sh, sw, oh, ow; };

#define GRID_LOOP(i, n) \
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (long long)(n); \
       i += (long long)blockDim.x * gridDim.x)

// Unary ops, numbered as UnaryOp in backend.go.
__device__ __forceinline__ float unary_f(int op, float x) {
  switch (op) {
    case 0: return fabsf(x);
    case 1: return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);
    case 2: return ceilf(x);
    case 3: return floorf(x);
    case 4: return sinf(x);
    case 5: return cosf(x);
    case 6: return expf(x);
    case 7: return logf(x);
    case 8: return log2f(x);
    case 9: return -x;
    case 10: return x * x;
    case 11: return sqrtf(x);
    case 12: return 1.f / x;
    case 13: return 1.f / sqrtf(x);
    case 14: return x * x * x;
    case 15: return tanhf(x);
    case 16: return 1.f / (1.f + expf(-x));
    case 17: return log1pf(x);
    case 18: return expm1f(x);
    case 19: return x > 20.f ? x : log1pf(expf(x));
    case 20: return x > 0.f ? x : 0.f;
  }
  return __int_as_float(0x7fc00000);  // NaN: an unknown op shows in the check
}

// Binary ops, numbered as BinaryOp in backend.go.
__device__ __forceinline__ float binary_f(int op, float a, float b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return powf(a, b);
    case 5: return a < b ? 1.f : 0.f;
    case 6: return a > b ? 1.f : 0.f;
    case 7: return a <= b ? 1.f : 0.f;
    case 8: return a >= b ? 1.f : 0.f;
    case 9: return a == b ? 1.f : 0.f;
    case 10: return a != b ? 1.f : 0.f;
    case 11: return fmaxf(a, b);
    case 12: return fminf(a, b);
    case 13: return a;
  }
  return __int_as_float(0x7fc00000);
}

extern "C" __global__ void k_unary(int op, float* y, const float* x, int n) {
  GRID_LOOP(i, n) y[i] = unary_f(op, x[i]);
}

// Strided operands (transposes, broadcasts). n < 2^31, so 32-bit index
// arithmetic (64-bit division is many times slower on the GPU).
extern "C" __global__ void k_binary(int op, float* y, const float* a, const float* b, int n, Strided s) {
  GRID_LOOP(i, n) {
    unsigned rest = (unsigned)i, ia = 0, ib = 0;
    for (int d = s.rank - 1; d >= 0; d--) {
      unsigned dim = (unsigned)s.shape[d];
      unsigned k = rest % dim;
      rest /= dim;
      ia += k * (unsigned)s.sa[d];
      ib += k * (unsigned)s.sb[d];
    }
    y[i] = binary_f(op, a[ia], op == 13 ? 0.f : b[ib]);
  }
}

// Dense operands or single values (sa, sb are 1 or 0): the common case.
extern "C" __global__ void k_binary_flat(int op, float* y, const float* a, const float* b, int n, int sa, int sb) {
  GRID_LOOP(i, n) y[i] = binary_f(op, a[i * sa], op == 13 ? 0.f : b[i * sb]);
}

// Block-wide reductions; blockDim.x is a multiple of 32, sh holds 32 floats.
__device__ float block_sum(float v, float* sh) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
  if (lane == 0) sh[wid] = v;
  __syncthreads();
  if (wid == 0) {
    v = lane < nw ? sh[lane] : 0.f;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (lane == 0) sh[0] = v;
  }
  __syncthreads();
  float r = sh[0];
  __syncthreads();
  return r;
}

__device__ float block_max(float v, float* sh) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, o));
  int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
  if (lane == 0) sh[wid] = v;
  __syncthreads();
  if (wid == 0) {
    v = lane < nw ? sh[lane] : -INF;
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, o));
    if (lane == 0) sh[0] = v;
  }
  __syncthreads();
  float r = sh[0];
  __syncthreads();
  return r;
}

// x (outer, n) → y (outer): one block per row. op 0 sum, 1 max.
extern "C" __global__ void k_reduce_rows(int op, float* y, const float* x, int outer, int n) {
  __shared__ float sh[32];
  const float* row = x + (long long)blockIdx.x * n;
  float acc = op == 0 ? 0.f : -INF;
  for (int j = threadIdx.x; j < n; j += blockDim.x) acc = op == 0 ? acc + row[j] : fmaxf(acc, row[j]);
  acc = op == 0 ? block_sum(acc, sh) : block_max(acc, sh);
  if (threadIdx.x == 0) y[blockIdx.x] = acc;
}

// x (outer, n) → y (outer) for short rows: one warp per row, 8 rows a block.
extern "C" __global__ void k_reduce_rows_warp(int op, float* y, const float* x, int outer, int n) {
  long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= outer) return;  // whole warps leave together
  const float* r = x + row * n;
  float acc = op == 0 ? 0.f : -INF;
  for (int j = lane; j < n; j += 32) acc = op == 0 ? acc + r[j] : fmaxf(acc, r[j]);
  for (int o = 16; o > 0; o >>= 1) {
    float v = __shfl_down_sync(0xffffffffu, acc, o);
    acc = op == 0 ? acc + v : fmaxf(acc, v);
  }
  if (lane == 0) y[row] = acc;
}

// x (outer, n, inner) → y (outer, inner) with few outputs and long n (a
// batch-norm statistic over the batch axis): one block per output.
extern "C" __global__ void k_reduce_mid(int op, float* y, const float* x, int outer, int n, int inner) {
  __shared__ float sh[32];
  long long o = blockIdx.x / inner, k = blockIdx.x % inner;
  const float* p = x + o * n * inner + k;
  float acc = op == 0 ? 0.f : -INF;
  for (int j = threadIdx.x; j < n; j += blockDim.x) acc = op == 0 ? acc + p[(long long)j * inner] : fmaxf(acc, p[(long long)j * inner]);
  acc = op == 0 ? block_sum(acc, sh) : block_max(acc, sh);
  if (threadIdx.x == 0) y[blockIdx.x] = acc;
}

// x (outer, n, inner) → y (outer, inner), inner > 1 (or very short rows): one thread per output,
// neighbouring threads reading neighbouring values.
extern "C" __global__ void k_reduce_cols(int op, float* y, const float* x, int outer, int n, int inner) {
  GRID_LOOP(i, (long long)outer * inner) {
    long long o = i / inner, k = i % inner;
    const float* p = x + o * n * inner + k;
    float acc = op == 0 ? 0.f : -INF;
    for (int j = 0; j < n; j++) acc = op == 0 ? acc + p[(long long)j * inner] : fmaxf(acc, p[(long long)j * inner]);
    y[i] = acc;
  }
}

extern "C" __global__ void k_softmax(float* y, const float* x, int rows, int cols) {
  __shared__ float sh[32];
  const float* xr = x + (long long)blockIdx.x * cols;
  float* yr = y + (long long)blockIdx.x * cols;
  float m = -INF;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, xr[j]);
  m = block_max(m, sh);
  float s = 0.f;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) s += expf(xr[j] - m);
  s = block_sum(s, sh);
  for (int j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = expf(xr[j] - m) / s;
}

extern "C" __global__ void k_softmax_grad(float* dx, const float* y, const float* dy, int rows, int cols) {
  __shared__ float sh[32];
  long long base = (long long)blockIdx.x * cols;
  float s = 0.f;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) s += dy[base + j] * y[base + j];
  s = block_sum(s, sh);
  for (int j = threadIdx.x; j < cols; j += blockDim.x) dx[base + j] = y[base + j] * (dy[base + j] - s);
}

// col (N, OH, OW, C·KH·KW) from x (N, C, H, W): one thread per col value.
extern "C" __global__ void k_im2col(float* col, const float* x, Conv g) {
  int ckk = g.c * g.kh * g.kw;
  long long total = (long long)g.n * g.oh * g.ow * ckk;
  GRID_LOOP(i, total) {
    long long row = i / ckk;
    int k = (int)(i % ckk);
    int j = k % g.kw, t = k / g.kw, ki = t % g.kh, c = t / g.kh;
    int ow = (int)(row % g.ow);
    long long r2 = row / g.ow;
    int oh = (int)(r2 % g.oh), n = (int)(r2 / g.oh);
    int ih = oh * g.sh - g.ph + ki * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
    float v = 0.f;
    if (ih >= 0 && ih < g.h && iw >= 0 && iw < g.w) v = x[(((long long)n * g.c + c) * g.h + ih) * g.w + iw];
    col[i] = v;
  }
}

// dx (N, C, H, W) = the sum of the col values that im2col read from each
// pixel: one thread per pixel, gathering (no atomics, deterministic).
extern "C" __global__ void k_col2im(float* dx, const float* col, Conv g) {
  int ckk = g.c * g.kh * g.kw;
  long long total = (long long)g.n * g.c * g.h * g.w;
  GRID_LOOP(i, total) {
    int iw = (int)(i % g.w);
    long long t = i / g.w;
    int ih = (int)(t % g.h);
    t /= g.h;
    int c = (int)(t % g.c), n = (int)(t / g.c);
    float acc = 0.f;
    for (int ki = 0; ki < g.kh; ki++) {
      int a = ih + g.ph - ki * g.dh;
      if (a < 0 || a % g.sh != 0) continue;
      int oh = a / g.sh;
      if (oh >= g.oh) continue;
      for (int j = 0; j < g.kw; j++) {
        int b = iw + g.pw - j * g.dw;
        if (b < 0 || b % g.sw != 0) continue;
        int ow = b / g.sw;
        if (ow >= g.ow) continue;
        acc += col[(((long long)n * g.oh + oh) * g.ow + ow) * ckk + (c * g.kh + ki) * g.kw + j];
      }
    }
    dx[i] = acc;
  }
}

// Batch norm, x (N, C, HW). One block per channel for the statistics.
extern "C" __global__ void k_bn_stats(float* mean, float* invstd, const float* x, int n, int c, int hw, float eps) {
  __shared__ float sh[32];
  int ch = blockIdx.x;
  long long m = (long long)n * hw;
  float s = 0.f;
  for (long long i = threadIdx.x; i < m; i += blockDim.x) s += x[((i / hw) * c + ch) * hw + i % hw];
  float mu = block_sum(s, sh) / (float)m;
  float q = 0.f;
  for (long long i = threadIdx.x; i < m; i += blockDim.x) {
    float d = x[((i / hw) * c + ch) * hw + i % hw] - mu;
    q += d * d;
  }
  float var = block_sum(q, sh) / (float)m;
  if (threadIdx.x == 0) {
    mean[ch] = mu;
    invstd[ch] = 1.f / sqrtf(var + eps);
  }
}

extern "C" __global__ void k_bn_apply(float* y, const float* x, const float* mean, const float* invstd,
                                      const float* gamma, const float* beta, int n, int c, int hw) {
  GRID_LOOP(i, (long long)n * c * hw) {
    int ch = (int)((i / hw) % c);
    y[i] = (x[i] - mean[ch]) * invstd[ch] * gamma[ch] + beta[ch];
  }
}

extern "C" __global__ void k_bn_grad_stats(float* dgamma, float* dbeta, const float* dy, const float* x,
                                           const float* mean, const float* invstd, int n, int c, int hw) {
  __shared__ float sh[32];
  int ch = blockIdx.x;
  long long m = (long long)n * hw;
  float sb = 0.f, sg = 0.f;
  float mu = mean[ch], is = invstd[ch];
  for (long long i = threadIdx.x; i < m; i += blockDim.x) {
    long long at = ((i / hw) * c + ch) * hw + i % hw;
    sb += dy[at];
    sg += dy[at] * (x[at] - mu) * is;
  }
  sb = block_sum(sb, sh);
  sg = block_sum(sg, sh);
  if (threadIdx.x == 0) {
    dbeta[ch] = sb;
    dgamma[ch] = sg;
  }
}

extern "C" __global__ void k_bn_grad_apply(float* dx, const float* dy, const float* x, const float* mean,
                                           const float* invstd, const float* gamma, const float* dgamma,
                                           const float* dbeta, int n, int c, int hw) {
  float m = (float)n * hw;
  GRID_LOOP(i, (long long)n * c * hw) {
    int ch = (int)((i / hw) % c);
    float xhat = (x[i] - mean[ch]) * invstd[ch];
    dx[i] = gamma[ch] * invstd[ch] / m * (m * dy[i] - dbeta[ch] - xhat * dgamma[ch]);
  }
}

// Pooling on (N, C, H, W). argmax holds ih·W+iw of each maximum.
extern "C" __global__ void k_maxpool(float* y, float* argmax, const float* x, Pool g) {
  GRID_LOOP(i, (long long)g.n * g.c * g.oh * g.ow) {
    int ow = (int)(i % g.ow);
    long long t = i / g.ow;
    int oh = (int)(t % g.oh);
    long long plane = t / g.oh;
    const float* xp = x + plane * g.h * g.w;
    float best = -INF;
    int at = -1;
    for (int a = 0; a < g.kh; a++) {
      int ih = oh * g.sh - g.ph + a;
      if (ih < 0 || ih >= g.h) continue;
      for (int b = 0; b < g.kw; b++) {
        int iw = ow * g.sw - g.pw + b;
        if (iw < 0 || iw >= g.w) continue;
        float v = xp[ih * g.w + iw];
        if (v > best || at < 0) { best = v; at = ih * g.w + iw; }
      }
    }
    y[i] = best;
    argmax[i] = (float)at;
  }
}

// The windows holding input row ih are oh in [lo, hi].
__device__ __forceinline__ void windows(int ih, int k, int s, int p, int o, int* lo, int* hi) {
  int a = ih + p - k + 1;
  *lo = a <= 0 ? 0 : (a + s - 1) / s;
  int b = (ih + p) / s;
  *hi = b < o - 1 ? b : o - 1;
}

extern "C" __global__ void k_maxpool_grad(float* dx, const float* dy, const float* argmax, Pool g) {
  GRID_LOOP(i, (long long)g.n * g.c * g.h * g.w) {
    int iw = (int)(i % g.w);
    long long t = i / g.w;
    int ih = (int)(t % g.h);
    long long plane = t / g.h;
    int h0, h1, w0, w1;
    windows(ih, g.kh, g.sh, g.ph, g.oh, &h0, &h1);
    windows(iw, g.kw, g.sw, g.pw, g.ow, &w0, &w1);
    float me = (float)(ih * g.w + iw), acc = 0.f;
    for (int oh = h0; oh <= h1; oh++)
      for (int ow = w0; ow <= w1; ow++) {
        long long o = (plane * g.oh + oh) * g.ow + ow;
        if (argmax[o] == me) acc += dy[o];
      }
    dx[i] = acc;
  }
}

extern "C" __global__ void k_avgpool(float* y, const float* x, Pool g) {
  float inv = 1.f / (float)(g.kh * g.kw);
  GRID_LOOP(i, (long long)g.n * g.c * g.oh * g.ow) {
    int ow = (int)(i % g.ow);
    long long t = i / g.ow;
    int oh = (int)(t % g.oh);
    const float* xp = x + (t / g.oh) * g.h * g.w;
    float s = 0.f;
    for (int a = 0; a < g.kh; a++) {
      int ih = oh * g.sh - g.ph + a;
      if (ih < 0 || ih >= g.h) continue;
      for (int b = 0; b < g.kw; b++) {
        int iw = ow * g.sw - g.pw + b;
        if (iw >= 0 && iw < g.w) s += xp[ih * g.w + iw];
      }
    }
    y[i] = s * inv;
  }
}

extern "C" __global__ void k_avgpool_grad(float* dx, const float* dy, Pool g) {
  float inv = 1.f / (float)(g.kh * g.kw);
  GRID_LOOP(i, (long long)g.n * g.c * g.h * g.w) {
    int iw = (int)(i % g.w);
    long long t = i / g.w;
    int ih = (int)(t % g.h);
    long long plane = t / g.h;
    int h0, h1, w0, w1;
    windows(ih, g.kh, g.sh, g.ph, g.oh, &h0, &h1);
    windows(iw, g.kw, g.sw, g.pw, g.ow, &w0, &w1);
    float acc = 0.f;
    for (int oh = h0; oh <= h1; oh++)
      for (int ow = w0; ow <= w1; ow++) acc += dy[(plane * g.oh + oh) * g.ow + ow];
    dx[i] = acc * inv;
  }
}

extern "C" __global__ void k_sgd(float* w, const float* g, float* v, int n, float lr, float momentum, float wd) {
  GRID_LOOP(i, n) {
    float vi = momentum * v[i] + g[i] + wd * w[i];
    v[i] = vi;
    w[i] -= lr * vi;
  }
}

// c1 = 1 − β1^t, c2 = 1 − β2^t (bias corrections, computed on the host).
extern "C" __global__ void k_adam(float* w, const float* g, float* m, float* v, int n, float lr, float b1,
                                  float b2, float eps, float wd, float c1, float c2) {
  GRID_LOOP(i, n) {
    float gi = g[i];
    float mi = b1 * m[i] + (1.f - b1) * gi;
    float vi = b2 * v[i] + (1.f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= lr * ((mi / c1) / (sqrtf(vi / c2) + eps) + wd * w[i]);
  }
}
