/* Throughput of libprintseal's C API: push seal/open in 1 MiB updates (the same steps
 * as ffi/examples/push_bench.rs, the Rust baseline) and the whole-stream helpers over
 * read/write callbacks (copying reads, and lent input). Prints MiB/s. Usage: bench [MiB]   (default 1024)
 * Run by scripts/bench_ffi.sh, not by the tests. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <printseal.h>

#define STEP (1u << 20)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void must(printseal_status st, const char *what) {
  if (st != PRINTSEAL_STATUS_OK) {
    fprintf(stderr, "%s: %s\n", what, printseal_status_str(st));
    exit(1);
  }
}

typedef struct {
  const uint8_t *step;
  size_t left;
} gen_reader;

static int32_t gen_read(void *ud, uint8_t *buf, size_t n, size_t *out_n) {
  gen_reader *r = (gen_reader *)ud;
  size_t k = n < STEP ? n : STEP;
  if (k > r->left) k = r->left;
  memcpy(buf, r->step, k);
  r->left -= k;
  *out_n = k;
  return 0;
}

typedef struct {
  const uint8_t *data;
  size_t len, pos;
} mem_reader;

static int32_t mem_read(void *ud, uint8_t *buf, size_t n, size_t *out_n) {
  mem_reader *r = (mem_reader *)ud;
  size_t k = r->len - r->pos < n ? r->len - r->pos : n;
  memcpy(buf, r->data + r->pos, k);
  r->pos += k;
  *out_n = k;
  return 0;
}

/* Lends the 1 MiB step again and again (as the Rust baseline feeds it), and a job in
 * memory 1 MiB at a time (as the baseline's open pass does). */
typedef struct {
  const uint8_t *data;
  size_t step, len, pos;
  int repeat;
} lender;

static int32_t lend(void *ud, const uint8_t **out, size_t *out_n) {
  lender *l = (lender *)ud;
  size_t k = l->len - l->pos < l->step ? l->len - l->pos : l->step;
  *out = l->repeat ? l->data : l->data + l->pos;
  l->pos += k;
  *out_n = k;
  return 0;
}

static int32_t sink(void *ud, const uint8_t *buf, size_t n, size_t *out_n) {
  (void)buf;
  *(size_t *)ud += n;
  *out_n = n;
  return 0;
}

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1024;
  uint8_t *input = malloc(STEP);
  for (size_t i = 0; i < STEP; i++) input[i] = (uint8_t)((i * 31) % 251);
  const printseal_identity *kek = NULL;
  const printseal_recipient *r = NULL;
  must(printseal_identity_generate(PRINTSEAL_KEY_KIND_KEK, &kek), "kek");
  must(printseal_identity_to_recipient(kek, &r), "recipient");
  printseal_seal_options *o = NULL;
  must(printseal_seal_options_new("application/octet-stream", 24, &o), "options");

  /* Push seal, timed; then a job kept in memory for the open passes. */
  printseal_sealer *s = NULL;
  must(printseal_sealer_new(o, &r, 1, &s), "sealer");
  size_t cap = printseal_sealer_update_output_len(s, STEP) + 16400, w = 0, total = 0;
  uint8_t *out = malloc(cap);
  double t = now();
  for (size_t i = 0; i < mib; i++) {
    must(printseal_sealer_update(s, input, STEP, out, cap, &w), "update");
    total += w;
  }
  must(printseal_sealer_finish(s, out, cap, &w), "finish");
  double seal_s = now() - t;
  printseal_sealer_free(s);

  size_t job_cap = mib * (size_t)STEP + mib * 1024 + 65536, job_len = 0;
  uint8_t *job = malloc(job_cap);
  must(printseal_sealer_new(o, &r, 1, &s), "sealer");
  for (size_t i = 0; i < mib; i++) {
    must(printseal_sealer_update(s, input, STEP, job + job_len, job_cap - job_len, &w), "update");
    job_len += w;
  }
  must(printseal_sealer_finish(s, job + job_len, job_cap - job_len, &w), "finish");
  job_len += w;
  printseal_sealer_free(s);

  /* Push open. */
  printseal_opener *op = NULL;
  must(printseal_opener_new(NULL, &kek, 1, &op), "opener");
  size_t pcap = STEP + 2 * 16384, c = 0, opened = 0;
  uint8_t *plain = malloc(pcap);
  t = now();
  for (size_t pos = 0; pos < job_len; pos += c) {
    size_t k = job_len - pos < STEP ? job_len - pos : STEP;
    must(printseal_opener_update(op, job + pos, k, plain, pcap, &c, &w), "open update");
    opened += w;
  }
  must(printseal_opener_finish(op, plain, pcap, &w), "open finish");
  opened += w;
  double open_s = now() - t;
  printseal_opener_free(op);
  if (opened != mib * (size_t)STEP) {
    fprintf(stderr, "opened %zu bytes\n", opened);
    return 1;
  }

  /* Push seal with the host's copy of each MiB into the input buffer first (what a
   * read callback does): the like-for-like baseline of the stream helpers. */
  uint8_t *src = malloc(STEP), *inbuf = malloc(STEP);
  memcpy(src, input, STEP);
  must(printseal_sealer_new(o, &r, 1, &s), "sealer");
  t = now();
  for (size_t i = 0; i < mib; i++) {
    memcpy(inbuf, src, STEP);
    must(printseal_sealer_update(s, inbuf, STEP, out, cap, &w), "update");
  }
  must(printseal_sealer_finish(s, out, cap, &w), "finish");
  double seal_copy_s = now() - t;
  printseal_sealer_free(s);
  must(printseal_opener_new(NULL, &kek, 1, &op), "opener");
  uint8_t *jbuf = malloc(STEP);
  t = now();
  for (size_t pos = 0; pos < job_len; pos += c) {
    size_t k = job_len - pos < STEP ? job_len - pos : STEP;
    memcpy(jbuf, job + pos, k);
    must(printseal_opener_update(op, jbuf, k, plain, pcap, &c, &w), "open update");
  }
  must(printseal_opener_finish(op, plain, pcap, &w), "open finish");
  double open_copy_s = now() - t;
  printseal_opener_free(op);
  free(jbuf);
  free(src);
  free(inbuf);

  /* The callback helpers. */
  gen_reader g = {input, mib * (size_t)STEP};
  size_t sunk = 0;
  t = now();
  must(printseal_seal_stream(o, &r, 1, gen_read, &g, sink, &sunk), "seal_stream");
  double sstream_s = now() - t;
  mem_reader mr = {job, job_len, 0};
  sunk = 0;
  t = now();
  must(printseal_open_stream(NULL, &kek, 1, mem_read, &mr, sink, &sunk), "open_stream");
  double ostream_s = now() - t;

  lender ls = {input, STEP, mib * (size_t)STEP, 0, 1};
  sunk = 0;
  t = now();
  must(printseal_seal_stream_lent(o, &r, 1, lend, &ls, sink, &sunk), "seal_stream_lent");
  double slent_s = now() - t;
  lender lo = {job, STEP, job_len, 0, 0};
  sunk = 0;
  t = now();
  must(printseal_open_stream_lent(NULL, &kek, 1, lend, &lo, sink, &sunk), "open_stream_lent");
  double olent_s = now() - t;
  if (sunk != mib * (size_t)STEP) {
    fprintf(stderr, "open_stream_lent wrote %zu bytes\n", sunk);
    return 1;
  }

  printf("c push seal %.1f MiB/s\n", (double)mib / seal_s);
  printf("c push open %.1f MiB/s\n", (double)mib / open_s);
  printf("c stream seal %.1f MiB/s\n", (double)mib / sstream_s);
  printf("c copy+push seal %.1f MiB/s\n", (double)mib / seal_copy_s);
  printf("c copy+push open %.1f MiB/s\n", (double)mib / open_copy_s);
  printf("c stream open %.1f MiB/s\n", (double)mib / ostream_s);
  printf("c lent seal %.1f MiB/s\n", (double)mib / slent_s);
  printf("c lent open %.1f MiB/s\n", (double)mib / olent_s);
  (void)total;
  free(job);
  free(plain);
  free(out);
  free(input);
  printseal_seal_options_free(o);
  printseal_recipient_free(r);
  printseal_identity_free(kek);
  return 0;
}
