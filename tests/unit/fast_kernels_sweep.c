/* See fast_kernels_sweep.h. Each fast kernel is run only on configurations that meet the
 * conditions its header states (the ones the code generator's selection rules check), and
 * every output byte must equal the reference kernel's. */
#include "fast_kernels_sweep.h"

#include "kiln_conv_s8.h"
#include "kiln_conv_s8_1x1.h"
#include "kiln_conv_s8_dw.h"
#include "kiln_conv_s8_dw3x3.h"
#include "kiln_conv_s8_im2col.h"
#include "kiln_fast_s8.h"
#include "kiln_gemm_s8.h"
#include "kiln_gemm_s8_fc.h"
#include "kiln_gemm_s8_fc_nk.h"

#define SWEEP_MAX_BYTES 16384
#define SWEEP_MAX_CHANNELS 64

static int8_t g_x[SWEEP_MAX_BYTES];
static int8_t g_w[SWEEP_MAX_BYTES];
static int8_t g_ref[SWEEP_MAX_BYTES];
static int8_t g_fast[SWEEP_MAX_BYTES];
static int32_t g_bias[SWEEP_MAX_CHANNELS];
static int32_t g_mult[SWEEP_MAX_CHANNELS];
static int32_t g_shift[SWEEP_MAX_CHANNELS];
/* Weight zero points: all 0, the fast kernels' selection condition (kernel_select.cpp). */
static const int32_t g_w_zero_points[SWEEP_MAX_CHANNELS] = {0};
static uint32_t g_rng;

static uint32_t rnd(void) {
  /* xorshift32: the same stream on every platform. */
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng;
}

static int32_t rnd_range(int32_t lo, int32_t hi) {
  return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

static void fill_s8(int8_t* p, int32_t count) {
  int32_t i;
  for (i = 0; i < count; ++i) p[i] = (int8_t)(rnd() & 0xFF);
}

static void fill_bytes(int8_t* p, int32_t count, int8_t value) {
  int32_t i;
  for (i = 0; i < count; ++i) p[i] = value;
}

static int same(const int8_t* a, const int8_t* b, int32_t count) {
  int32_t i;
  for (i = 0; i < count; ++i)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* Appends text / a decimal number to the mismatch description. */
static void put_text(char* out, const char* text) {
  int32_t n = 0;
  while (out[n]) ++n;
  while (*text && n < 198) out[n++] = *text++;
  out[n] = 0;
}

static void put_int(char* out, int32_t v) {
  char digits[16];
  int32_t n = 0;
  uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
  char text[18];
  int32_t k = 0;
  do {
    digits[n++] = (char)('0' + u % 10u);
    u /= 10u;
  } while (u);
  if (v < 0) text[k++] = '-';
  while (n) text[k++] = digits[--n];
  text[k] = 0;
  put_text(out, text);
}

/* Random requantization: per-channel multipliers and shifts (or per-tensor: the
 * KILN_REQUANT_PER_TENSOR flag), a mode, a fused clamp. */
typedef struct {
  int32_t mode, y_zero_point, act_min, act_max;
} requant_params;

static requant_params random_requant(int32_t channels) {
  requant_params r;
  int32_t c;
  const int32_t clamp = rnd_range(0, 2);
  const int32_t mode = rnd_range(0, 5);
  /* Every requantization mode of kiln_requant.h: the fast kernels pass the mode through. */
  r.mode =
      mode == 0 ? KILN_REQUANT_SHIFT : (mode <= 2 ? KILN_REQUANT_SINGLE : KILN_REQUANT_FIXED_POINT);
  r.y_zero_point = rnd_range(-128, 127);
  for (c = 0; c < channels; ++c) {
    /* Q31 multiplier; for KILN_REQUANT_SINGLE the bits of a float32 scale in [2^-17, 1). */
    g_mult[c] = r.mode == KILN_REQUANT_SINGLE
                    ? (int32_t)(((uint32_t)rnd_range(110, 126) << 23) | (rnd() & 0x7FFFFFu))
                    : (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
    g_shift[c] = r.mode == KILN_REQUANT_SHIFT ? rnd_range(-14, 1) : rnd_range(-12, 1);
  }
  /* A quarter of the layers requantize per tensor: only entry 0 applies, the others (drawn above,
   * all different) must be ignored by every kernel. */
  if (rnd_range(0, 3) == 0) r.mode |= KILN_REQUANT_PER_TENSOR;
  if (clamp == 0) {
    r.act_min = -128;
    r.act_max = 127;
  } else if (clamp == 1) { /* fused ReLU */
    r.act_min = r.y_zero_point;
    r.act_max = 127;
  } else {
    r.act_min = rnd_range(-128, 0);
    r.act_max = rnd_range(r.act_min, 127);
  }
  return r;
}

typedef void (*conv_fn)(const int8_t*, const int8_t*, const int32_t*, int8_t*, int32_t, int32_t,
                        int32_t, int32_t, const int32_t*, const int32_t*, const int32_t*,
                        const int32_t*, const int32_t*, const int32_t*, int32_t, int32_t,
                        const int32_t*, int32_t, const int32_t*, const int32_t*, int32_t, int32_t,
                        int32_t);

static const char* const kKernelNames[6] = {"kiln_conv_s8_im2col", "kiln_conv_s8_1x1",
                                            "kiln_conv_s8_dw",     "kiln_conv_s8_dw3x3",
                                            "kiln_gemm_s8_fc",     "kiln_gemm_s8_fc_nk"};

static void record(kiln_sweep_result* result, int32_t kernel, int ok, int32_t case_index) {
  ++result->comparisons;
  ++result->per_kernel[kernel];
  if (ok) return;
  if (result->mismatches++ == 0) {
    put_text(result->first_mismatch, kKernelNames[kernel]);
    put_text(result->first_mismatch, " differs from the reference in case ");
    put_int(result->first_mismatch, case_index);
  }
}

/* One random convolution; returns 0 if the drawn shape is unusable (caller redraws). */
static int conv_case(kiln_sweep_result* result, int32_t case_index) {
  const int32_t kind = rnd_range(0, 3); /* 0 general, 1 pointwise, 2 depthwise, 3 grouped */
  const int32_t batch = rnd_range(1, 2);
  int32_t in_h = rnd_range(0, 4) == 0 ? 1 : rnd_range(1, 12);
  int32_t in_w = rnd_range(1, 12);
  int32_t group = 1, in_channels, out_channels, k_h, k_w;
  int32_t stride_h = rnd_range(1, 3), stride_w = rnd_range(1, 3);
  int32_t dil_h = rnd_range(0, 4) == 0 ? 2 : 1, dil_w = rnd_range(0, 4) == 0 ? 2 : 1;
  int32_t pad_h = rnd_range(0, 2), pad_w = rnd_range(0, 2);
  int32_t pad_h_end = rnd_range(0, 2), pad_w_end = rnd_range(0, 2);
  int32_t out_h, out_w, taps, x_bytes, w_bytes, y_bytes;
  int32_t in_size[3], out_size[3], kernel[3], strides[3], dilations[3], pads[3];
  int32_t x_zero_point, k;
  const int32_t* bias;
  requant_params rq;
  if (kind == 1) {
    in_channels = rnd_range(1, 48);
    out_channels = rnd_range(1, 33);
    k_h = k_w = 1;
    if (rnd_range(0, 3) != 0) stride_h = stride_w = 1, pad_h = pad_w = pad_h_end = pad_w_end = 0;
  } else if (kind == 2) {
    in_channels = out_channels = group = rnd_range(1, 16);
    if (rnd_range(0, 1)) {
      k_h = k_w = 3;
    } else {
      k_h = rnd_range(1, 6);
      k_w = rnd_range(1, 6);
    }
  } else if (kind == 3) {
    group = rnd_range(2, 3);
    in_channels = group * rnd_range(1, 6);
    out_channels = group * rnd_range(1, 6);
    k_h = rnd_range(1, 4);
    k_w = rnd_range(1, 4);
  } else {
    in_channels = rnd_range(1, 24);
    out_channels = rnd_range(1, 24);
    k_h = rnd_range(1, 5);
    k_w = rnd_range(1, 5);
  }
  if (kind == 2 && rnd_range(0, 5) == 0) { /* planes too large for the padded copy */
    in_h = rnd_range(30, 40);
    in_w = rnd_range(30, 40);
    in_channels = out_channels = group = rnd_range(1, 4);
  }
  if (in_h == 1) k_h = 1, pad_h = pad_h_end = 0; /* 1-D */
  if (kind == 2 && rnd_range(0, 3) == 0) {       /* a column: 1-D along H (streaming models) */
    in_w = 1;
    k_w = 1;
    if (rnd_range(0, 1)) pad_w = pad_w_end = 0;
  }
  if (in_h + pad_h + pad_h_end - dil_h * (k_h - 1) - 1 < 0) return 0;
  if (in_w + pad_w + pad_w_end - dil_w * (k_w - 1) - 1 < 0) return 0;
  out_h = (in_h + pad_h + pad_h_end - dil_h * (k_h - 1) - 1) / stride_h + 1;
  out_w = (in_w + pad_w + pad_w_end - dil_w * (k_w - 1) - 1) / stride_w + 1;
  taps = in_channels / group * k_h * k_w;
  x_bytes = batch * in_channels * in_h * in_w;
  w_bytes = out_channels * taps;
  y_bytes = batch * out_channels * out_h * out_w;
  if (taps > KILN_CONV_PATCH_MAX || x_bytes > SWEEP_MAX_BYTES || w_bytes > SWEEP_MAX_BYTES ||
      y_bytes > SWEEP_MAX_BYTES || out_channels > SWEEP_MAX_CHANNELS)
    return 0;

  in_size[0] = 1, in_size[1] = in_h, in_size[2] = in_w;
  out_size[0] = 1, out_size[1] = out_h, out_size[2] = out_w;
  kernel[0] = 1, kernel[1] = k_h, kernel[2] = k_w;
  strides[0] = 1, strides[1] = stride_h, strides[2] = stride_w;
  dilations[0] = 1, dilations[1] = dil_h, dilations[2] = dil_w;
  pads[0] = 0, pads[1] = pad_h, pads[2] = pad_w;
  fill_s8(g_x, x_bytes);
  fill_s8(g_w, w_bytes);
  for (k = 0; k < out_channels; ++k) g_bias[k] = rnd_range(-40000, 40000);
  bias = rnd_range(0, 3) == 0 ? 0 : g_bias;
  x_zero_point = rnd_range(-128, 127);
  rq = random_requant(out_channels);

  fill_bytes(g_ref, y_bytes, (int8_t)0xA5);
  kiln_conv_s8(g_x, g_w, bias, g_ref, batch, in_channels, out_channels, group, in_size, out_size,
               kernel, strides, dilations, pads, 8, x_zero_point, g_w_zero_points, rq.y_zero_point,
               g_mult, g_shift, rq.mode, rq.act_min, rq.act_max);
  {
    const int depthwise = group == in_channels && group == out_channels;
    const int pointwise = group == 1 && k_h == 1 && k_w == 1 && stride_h == 1 && stride_w == 1 &&
                          pad_h == 0 && pad_w == 0 && out_h == in_h && out_w == in_w;
    const conv_fn fns[4] = {kiln_conv_s8_im2col, kiln_conv_s8_1x1, kiln_conv_s8_dw,
                            kiln_conv_s8_dw3x3};
    const int applies[4] = {1, pointwise, depthwise, depthwise && k_h == 3 && k_w == 3};
    for (k = 0; k < 4; ++k) {
      if (!applies[k]) continue;
      fill_bytes(g_fast, y_bytes, (int8_t)0x5A);
      fns[k](g_x, g_w, bias, g_fast, batch, in_channels, out_channels, group, in_size, out_size,
             kernel, strides, dilations, pads, 8, x_zero_point, g_w_zero_points, rq.y_zero_point,
             g_mult, g_shift, rq.mode, rq.act_min, rq.act_max);
      record(result, k, same(g_ref, g_fast, y_bytes), case_index);
    }
  }
  return 1;
}

/* One random fully connected layer: a [m, k] rows (padded stride); b either [k, n] with padded
 * rows (an ONNX MatMul weight) or [n, k] with padded rows (a Gemm with transB). */
static int fc_case(kiln_sweep_result* result, int32_t case_index) {
  const int32_t m = rnd_range(1, 3), n = rnd_range(1, 40), k = rnd_range(1, 90);
  const int32_t a_stride_m = k + rnd_range(0, 3);
  const int transposed = rnd_range(0, 1);
  const int32_t b_stride_k = transposed ? 1 : n + rnd_range(0, 3);
  const int32_t b_stride_n = transposed ? k + rnd_range(0, 3) : 1;
  const int32_t b_bytes = transposed ? n * b_stride_n : k * b_stride_k;
  const int32_t a_zero_point = rnd_range(-128, 127);
  const int32_t* bias;
  requant_params rq;
  int32_t j;
  if (m * a_stride_m > SWEEP_MAX_BYTES || b_bytes > SWEEP_MAX_BYTES || n > SWEEP_MAX_CHANNELS)
    return 0;
  fill_s8(g_x, m * a_stride_m);
  fill_s8(g_w, b_bytes);
  for (j = 0; j < n; ++j) g_bias[j] = rnd_range(-40000, 40000);
  bias = rnd_range(0, 3) == 0 ? 0 : g_bias;
  rq = random_requant(n);
  fill_bytes(g_ref, m * n, (int8_t)0xA5);
  fill_bytes(g_fast, m * n, (int8_t)0x5A);
  kiln_gemm_s8(g_x, g_w, bias, g_ref, m, n, k, a_stride_m, 1, b_stride_k, b_stride_n, 8,
               a_zero_point, g_w_zero_points, rq.y_zero_point, g_mult, g_shift, rq.mode, rq.act_min,
               rq.act_max);
  (transposed ? kiln_gemm_s8_fc_nk : kiln_gemm_s8_fc)(
      g_x, g_w, bias, g_fast, m, n, k, a_stride_m, 1, b_stride_k, b_stride_n, 8, a_zero_point,
      g_w_zero_points, rq.y_zero_point, g_mult, g_shift, rq.mode, rq.act_min, rq.act_max);
  record(result, transposed ? 5 : 4, same(g_ref, g_fast, m * n), case_index);
  return 1;
}

void kiln_fast_sweep(uint32_t seed, int32_t cases, kiln_sweep_result* result) {
  int32_t i, k;
  g_rng = seed ? seed : 1u;
  result->cases = 0;
  result->comparisons = 0;
  result->mismatches = 0;
  for (k = 0; k < 6; ++k) result->per_kernel[k] = 0;
  result->first_mismatch[0] = 0;
  for (i = 0; i < cases; ++i) {
    /* Redraw unusable shapes; a quarter of the cases are fully connected layers. */
    while (!(rnd_range(0, 3) == 0 ? fc_case(result, i) : conv_case(result, i))) {
    }
    ++result->cases;
  }
}
