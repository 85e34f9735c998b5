/* The format test vectors (tests/vectors) through the C ABI: every vector opens to
 * the outcome and released-plaintext digest it names, fed in small pieces; with
 * the test-hooks build, every success vector whose recipients are all listed is
 * sealed again from its header, metadata and plaintext with its seed and must come
 * out byte for byte. Usage: vectors DIR */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <sys/stat.h>

#include "common.h"

static const struct {
  const char *name;
  printseal_status status;
} OUTCOMES[] = {
    {"success", PRINTSEAL_STATUS_OK},
    {"header failure", PRINTSEAL_STATUS_MALFORMED_HEADER},
    {"unsupported version", PRINTSEAL_STATUS_UNSUPPORTED_VERSION},
    {"unsupported suite", PRINTSEAL_STATUS_UNSUPPORTED_SUITE},
    {"not printseal", PRINTSEAL_STATUS_NOT_PRINTSEAL},
    {"limit exceeded", PRINTSEAL_STATUS_LIMIT_EXCEEDED},
    {"HMAC failure", PRINTSEAL_STATUS_HEADER_MAC},
    {"no match", PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT},
    {"unwrap failure", PRINTSEAL_STATUS_STANZA_UNWRAP},
    {"commitment failure", PRINTSEAL_STATUS_PAYLOAD_COMMITMENT},
    {"payload failure", PRINTSEAL_STATUS_PAYLOAD_TAMPERED},
    {"trailing data", PRINTSEAL_STATUS_TRAILING_DATA},
    {"truncated", PRINTSEAL_STATUS_TRUNCATED},
    {"policy violation", PRINTSEAL_STATUS_POLICY_VIOLATION},
};

#define MAX_IDS 16

typedef struct {
  char expect[64];
  char payload[65];
  uint8_t seed[32];
  int has_seed;
  unsigned long long now;
  int has_now;
  const printseal_identity *ids[MAX_IDS];
  size_t n_ids;
  const uint8_t *job;
  size_t job_len;
  int skip;
} vector;

static int g_files = 0, g_opened = 0, g_streamed = 0, g_resealed = 0, g_reseal_skipped = 0;

static void free_vector(vector *v) {
  for (size_t i = 0; i < v->n_ids; i++) printseal_identity_free(v->ids[i]);
}

/* Parses the `key: value` lines; returns 0 if the file is to be skipped. */
static int parse_vector(uint8_t *data, size_t len, vector *v) {
  memset(v, 0, sizeof *v);
  size_t pos = 0;
  uint8_t kek_id[16];
  int have_id = 0;
  while (pos < len) {
    size_t end = pos;
    while (end < len && data[end] != '\n') end++;
    if (end == len) return 0;
    if (end == pos) { /* blank line: the job follows */
      v->job = data + end + 1;
      v->job_len = len - end - 1;
      return 1;
    }
    char line[4096];
    size_t n = end - pos < sizeof line - 1 ? end - pos : sizeof line - 1;
    memcpy(line, data + pos, n);
    line[n] = 0;
    pos = end + 1;
    char *colon = strstr(line, ": ");
    if (!colon) return 0;
    *colon = 0;
    const char *key = line, *val = colon + 2;
    if (!strcmp(key, "expect")) {
      snprintf(v->expect, sizeof v->expect, "%s", val);
    } else if (!strcmp(key, "payload")) {
      snprintf(v->payload, sizeof v->payload, "%s", val);
    } else if (!strcmp(key, "seed")) {
      v->has_seed = unhex(val, v->seed, 32) == 32;
    } else if (!strcmp(key, "now")) {
      v->now = strtoull(val, NULL, 10);
      v->has_now = 1;
    } else if (!strcmp(key, "kek id")) {
      have_id = unhex(val, kek_id, 16) == 16;
    } else if (!strcmp(key, "kek")) {
      uint8_t k[32];
      if (!have_id || unhex(val, k, 32) != 32 || v->n_ids == MAX_IDS) return 0;
      OK(printseal_identity_from_kek(kek_id, 16, k, 32, &v->ids[v->n_ids++]));
      have_id = 0;
    } else if (!strcmp(key, "x25519 identity") || !strcmp(key, "xwing identity")) {
      if (v->n_ids == MAX_IDS) return 0;
      OK(printseal_identity_parse(val, strlen(val), &v->ids[v->n_ids++]));
    } else if (strcmp(key, "comment") && strcmp(key, "file key")) {
      return 0; /* a key this reader does not know: skip the file */
    }
  }
  return 0;
}

#ifdef PRINTSEAL_TEST_HOOKS
/* Finds the identity whose key id matches, as a recipient. */
static const printseal_recipient *recipient_for(const vector *v, printseal_slice kid) {
  for (size_t i = 0; i < v->n_ids; i++) {
    uint8_t id[PRINTSEAL_KEY_ID_MAX_LEN];
    size_t n = 0;
    if (printseal_identity_key_id(v->ids[i], id, sizeof id, &n) == PRINTSEAL_STATUS_OK &&
        n == kid.len && memcmp(id, kid.data, n) == 0) {
      const printseal_recipient *r = NULL;
      OK(printseal_identity_to_recipient(v->ids[i], &r));
      return r;
    }
  }
  return NULL;
}

static void reseal(const char *name, const vector *v, const printseal_opener *op,
                   const buf_t *plaintext) {
  const printseal_header *h = printseal_opener_header(op);
  size_t ns = printseal_header_stanza_count(h);
  const printseal_recipient *rc[64] = {0};
  int ok = v->has_seed && ns <= 64;
  for (size_t i = 0; ok && i < ns; i++) {
    uint16_t kind;
    printseal_slice kid;
    OK(printseal_header_stanza(h, i, &kind, &kid));
    rc[i] = kid.data ? recipient_for(v, kid) : NULL;
    if (!rc[i]) ok = 0;
  }
  if (ok) {
    printseal_seal_options *o = NULL;
    printseal_str ct = printseal_header_content_type(h);
    printseal_str pn = printseal_header_producer_name(h);
    printseal_str pv = printseal_header_producer_version(h);
    printseal_str jid = printseal_header_job_id(h);
    OK(printseal_seal_options_new(ct.data, ct.len, &o));
    OK(printseal_seal_options_set_producer(o, pn.data, pn.len, pv.data, pv.len));
    OK(printseal_seal_options_set_created_at(o, printseal_header_created_at(h)));
    OK(printseal_seal_options_set_suite(o, printseal_header_suite(h)));
    OK(printseal_seal_options_allow_mixed_pq(o, true));
    uint64_t exp;
    if (printseal_header_expires_at(h, &exp)) OK(printseal_seal_options_set_expires_at(o, exp));
    if (jid.data) OK(printseal_seal_options_set_job_id(o, jid.data, jid.len));
    uint8_t sb[32];
    if (printseal_header_sbom_sha256(h, sb)) OK(printseal_seal_options_set_sbom_sha256(o, sb));
    for (size_t i = 0; i < printseal_opener_private_entry_count(op); i++) {
      printseal_str k;
      printseal_slice val;
      OK(printseal_opener_private_entry_at(op, i, &k, &val));
      OK(printseal_seal_options_add_private_entry(o, k.data, k.len, val.data, val.len));
    }
    printseal_sealer *s = NULL;
    buf_t out = {0};
    OK(printseal_sealer_new_seeded_for_testing(o, rc, ns, v->seed, &s));
    size_t need = printseal_sealer_update_output_len(s, plaintext->len);
    buf_reserve(&out, need);
    size_t w = 0;
    OK(printseal_sealer_update(s, plaintext->data, plaintext->len, out.data, need, &w));
    out.len = w;
    need = printseal_sealer_finish_output_len(s); /* depends on what update buffered */
    buf_reserve(&out, need);
    w = 0;
    OK(printseal_sealer_finish(s, out.data + out.len, need, &w));
    out.len += w;
    int same = out.len == v->job_len && memcmp(out.data, v->job, out.len) == 0;
    CHECK(same);
    if (!same) fprintf(stderr, "%s: resealed job differs\n", name);
    g_resealed++;
    buf_free(&out);
    printseal_sealer_free(s);
    printseal_seal_options_free(o);
  } else {
    g_reseal_skipped++;
  }
  for (size_t i = 0; i < ns && i < 64; i++) printseal_recipient_free(rc[i]);
}
#endif

static void run_vector(const char *name, uint8_t *data, size_t len) {
  vector v;
  if (!parse_vector(data, len, &v)) {
    free_vector(&v);
    return;
  }
  g_files++;
  printseal_status want = (printseal_status)0xffff;
  for (size_t i = 0; i < sizeof OUTCOMES / sizeof OUTCOMES[0]; i++)
    if (!strcmp(v.expect, OUTCOMES[i].name)) want = OUTCOMES[i].status;
  CHECK(want != (printseal_status)0xffff);
  printseal_opener *op = NULL;
  printseal_policy *pol = NULL;
  OK(printseal_policy_new(&pol));
  /* The default policy, at the vector's time when it names one. */
  if (v.has_now) OK(printseal_policy_at_time(pol, v.now));
  OK(printseal_opener_new(pol, v.ids, v.n_ids, &op));
  buf_t released = {0};
  printseal_status st = PRINTSEAL_STATUS_OK;
  for (size_t pos = 0; pos < v.job_len && st == PRINTSEAL_STATUS_OK;) {
    size_t k = v.job_len - pos < 1000 ? v.job_len - pos : 1000;
    size_t need = printseal_opener_update_output_len(op, k), c = 0, w = 0;
    buf_reserve(&released, need);
    st = printseal_opener_update(op, v.job + pos, k, released.data + released.len, need, &c, &w);
    if (st == PRINTSEAL_STATUS_OK) {
      released.len += w;
      pos += c;
      if (c == 0) st = PRINTSEAL_STATUS_INTERNAL; /* locked with identities: cannot be */
    }
  }
  if (st == PRINTSEAL_STATUS_OK) {
    size_t need = printseal_opener_finish_output_len(op), w = 0;
    buf_reserve(&released, need);
    st = printseal_opener_finish(op, released.data + released.len, need, &w);
    if (st == PRINTSEAL_STATUS_OK) released.len += w;
  }
  char hex[65];
  sha256_hex(released.data ? released.data : (const uint8_t *)"", released.len, hex);
  EXPECT(st, want); /* records the status as provoked */
  CHECK(strcmp(hex, v.payload) == 0);
  if (st != want || strcmp(hex, v.payload) != 0)
    fprintf(stderr, "%s: got %s, released %zu bytes (%s); want %s, %s\n", name,
            printseal_status_str(st), released.len, hex, v.expect, v.payload);
  g_opened++;
  /* The same outcome through the stream helpers, copying and lending (what they
   * write before an error may end earlier than the push API's: it is discarded). */
  for (int lent = 0; lent < 2; lent++) {
    mem_writer w = {{0}, (size_t)-1, 0};
    printseal_status sst;
    if (lent) {
      mem_reader l = {v.job, v.job_len, 0, 997, (size_t)-1, 0};
      sst = printseal_open_stream_lent(pol, v.ids, v.n_ids, mem_lend, &l, mem_write, &w);
    } else {
      mem_reader r = {v.job, v.job_len, 0, 997, (size_t)-1, 0};
      sst = printseal_open_stream(pol, v.ids, v.n_ids, mem_read, &r, mem_write, &w);
    }
    EXPECT(sst, want);
    if (sst == PRINTSEAL_STATUS_OK) {
      sha256_hex(w.out.data ? w.out.data : (const uint8_t *)"", w.out.len, hex);
      CHECK(strcmp(hex, v.payload) == 0);
    } else {
      CHECK(w.out.len <= released.len && same_bytes(w.out.data, released.data, w.out.len));
    }
    if (sst != want)
      fprintf(stderr, "%s: %s helper got %s, want %s\n", name, lent ? "lending" : "copying",
              printseal_status_str(sst), v.expect);
    g_streamed++;
    buf_free(&w.out);
  }
#ifdef PRINTSEAL_TEST_HOOKS
  if (st == PRINTSEAL_STATUS_OK) reseal(name, &v, op, &released);
#endif
  buf_free(&released);
  printseal_opener_free(op);
  printseal_policy_free(pol);
  free_vector(&v);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s VECTOR_DIR\n", argv[0]);
    return 2;
  }
  DIR *d = opendir(argv[1]);
  if (!d) {
    perror(argv[1]);
    return 2;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || strstr(e->d_name, ".md")) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    buf_t b = {0};
    uint8_t tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, k);
    fclose(f);
    run_vector(e->d_name, b.data, b.len);
    buf_free(&b);
  }
  closedir(d);
  printf("vectors: %d files, %d opened (and %d through the stream helpers), %d resealed byte for byte, %d not resealable\n",
         g_files, g_opened, g_streamed, g_resealed, g_reseal_skipped);
  CHECK(g_files >= 79);
#ifdef PRINTSEAL_TEST_HOOKS
  CHECK(g_resealed >= 15);
#endif
  return finish_tests("vectors");
}
