/* Helpers shared by the C tests of libprintseal: checks, a growable buffer,
 * memory I/O callbacks and a small SHA-256 (FIPS 180-4) for the vector digests. */
#ifndef PRINTSEAL_TEST_COMMON_H
#define PRINTSEAL_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printseal.h"

/* Atomic: the thread test's workers check too. */
static _Atomic int g_failures = 0;
static _Atomic int g_checks = 0;
/* Which statuses a test expected and got: printed by finish_tests, so that
 * scripts/test-ffi.sh can fail when a status of the header is provoked by no test. */
static unsigned char g_provoked[1024];

#define CHECK(cond)                                                         \
  do {                                                                      \
    g_checks++;                                                             \
    if (!(cond)) {                                                          \
      g_failures++;                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,      \
              #cond);                                                       \
    }                                                                       \
  } while (0)

#define EXPECT(call, want)                                                  \
  do {                                                                      \
    printseal_status got_ = (call);                                         \
    g_checks++;                                                             \
    if (got_ == (printseal_status)(want) && (uint32_t)got_ < 1024)          \
      g_provoked[(uint32_t)got_] = 1;                                       \
    if (got_ != (printseal_status)(want)) {                                 \
      g_failures++;                                                         \
      fprintf(stderr, "%s:%d: %s: got %s, want %s\n", __FILE__, __LINE__,   \
              #call, printseal_status_str(got_),                            \
              printseal_status_str((uint32_t)(want)));                      \
    }                                                                       \
  } while (0)

#define OK(call) EXPECT(call, PRINTSEAL_STATUS_OK)

/* A growable byte buffer. */
typedef struct {
  uint8_t *data;
  size_t len;
  size_t cap;
} buf_t;

static inline void buf_reserve(buf_t *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->len + extra) cap *= 2;
  uint8_t *p = (uint8_t *)realloc(b->data, cap);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  b->data = p;
  b->cap = cap;
}

static inline void buf_append(buf_t *b, const uint8_t *p, size_t n) {
  if (n == 0) return;
  buf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static inline void buf_free(buf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* Memory input, in pieces of at most `step` bytes (0: no limit): read by mem_read
 * (printseal_read_callback, which copies) or lent by mem_lend
 * (printseal_lend_callback, in place). Fails with `fail_code` once `fail_at` bytes
 * were given (fail_at = SIZE_MAX: never). */
typedef struct {
  const uint8_t *data;
  size_t len;
  size_t pos;
  size_t step;
  size_t fail_at;
  int fail_code;
} mem_reader;

/* How many bytes the next piece holds, at most `cap`; 0 at the end. */
static inline size_t mem_piece(const mem_reader *r, size_t cap) {
  size_t k = r->len - r->pos;
  if (k > cap) k = cap;
  if (r->step && k > r->step) k = r->step;
  if (r->fail_at != (size_t)-1 && r->pos + k > r->fail_at) k = r->fail_at - r->pos;
  return k;
}

static inline int32_t mem_read(void *ud, uint8_t *out, size_t n, size_t *out_n) {
  mem_reader *r = (mem_reader *)ud;
  if (r->pos >= r->fail_at) return r->fail_code;
  size_t k = mem_piece(r, n);
  memcpy(out, r->data + r->pos, k);
  r->pos += k;
  *out_n = k;
  return 0;
}

static inline int32_t mem_lend(void *ud, const uint8_t **out, size_t *out_n) {
  mem_reader *r = (mem_reader *)ud;
  if (r->pos >= r->fail_at) return r->fail_code;
  size_t k = mem_piece(r, (size_t)-1);
  *out = r->data + r->pos;
  r->pos += k;
  *out_n = k;
  return 0;
}

typedef struct {
  buf_t out;
  size_t fail_at;
  int fail_code;
} mem_writer;

static inline int32_t mem_write(void *ud, const uint8_t *in, size_t n, size_t *out_n) {
  mem_writer *w = (mem_writer *)ud;
  if (w->out.len >= w->fail_at) return w->fail_code;
  /* Short writes on purpose: printseal must call again for the rest. */
  size_t k = n > 7000 ? 7000 : n;
  buf_append(&w->out, in, k);
  *out_n = k;
  return 0;
}

/* memcmp that accepts the NULL data of an empty buffer. */
static inline int same_bytes(const uint8_t *a, const uint8_t *b, size_t n) {
  return n == 0 || memcmp(a, b, n) == 0;
}

/* Hex text to bytes: how many bytes were decoded (stops at the first non-hex pair). */
static inline int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static inline size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (s[0] && s[1] && n < cap) {
    int a = hexval(s[0]), b = hexval(s[1]);
    if (a < 0 || b < 0) break;
    out[n++] = (uint8_t)(a * 16 + b);
    s += 2;
  }
  return n;
}

/* ---- SHA-256 ---------------------------------------------------------------- */
typedef struct {
  uint32_t h[8];
  uint8_t block[64];
  size_t fill;
  uint64_t total;
} sha256_ctx;

static const uint32_t SHA256_K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static inline void sha256_block(sha256_ctx *c, const uint8_t *p) {
  uint32_t w[64], a, b, cc, d, e, f, g, h;
  for (int i = 0; i < 16; i++)
    w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
           ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
  e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) +
                  ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i];
    uint32_t t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) +
                  ((a & b) ^ (a & cc) ^ (b & cc));
    h = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
  }
  c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
  c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static inline void sha256_init(sha256_ctx *c) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, iv, sizeof iv);
  c->fill = 0;
  c->total = 0;
}

static inline void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n) {
  c->total += n;
  while (n > 0) {
    size_t k = 64 - c->fill;
    if (k > n) k = n;
    memcpy(c->block + c->fill, p, k);
    c->fill += k;
    p += k;
    n -= k;
    if (c->fill == 64) {
      sha256_block(c, c->block);
      c->fill = 0;
    }
  }
}

static inline void sha256_final(sha256_ctx *c, uint8_t out[32]) {
  uint64_t bits = c->total * 8;
  uint8_t pad = 0x80, zero = 0, len[8];
  sha256_update(c, &pad, 1);
  while (c->fill != 56) sha256_update(c, &zero, 1);
  for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_update(c, len, 8);
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(c->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)c->h[i];
  }
}

static inline void sha256_hex(const uint8_t *p, size_t n, char hex[65]) {
  sha256_ctx c;
  uint8_t d[32];
  sha256_init(&c);
  sha256_update(&c, p, n);
  sha256_final(&c, d);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* Whether a borrowed (not NUL-terminated) string contains `needle`. */
static inline int str_contains(printseal_str s, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; s.data && i + k <= s.len; i++)
    if (memcmp(s.data + i, needle, k) == 0) return 1;
  return 0;
}

/* Records that `fn` was called with a NULL pointer argument and answered as its
 * documentation says (scripts/test-ffi.sh checks every function of the header has one). */
#define NULL_CASE(fn, ...)                                                  \
  do {                                                                      \
    __VA_ARGS__;                                                            \
    printf("null-case: %s\n", #fn);                                         \
  } while (0)

static inline int finish_tests(const char *name) {
  printf("statuses provoked:");
  for (unsigned i = 0; i < 1024; i++)
    if (g_provoked[i]) printf(" %u", i);
  printf("\n");
  int checks = g_checks, failures = g_failures;
  printf("%s: %d checks, %d failed\n", name, checks, failures);
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}

#endif
