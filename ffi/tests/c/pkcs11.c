/* KEKs in a PKCS#11 token through the C ABI, against a real SoftHSM2 token that
 * scripts/test-ffi.sh makes in a temporary directory (SOFTHSM2_CONF): KEK 2 of
 * tests/vectors imported with softhsm2-util (label "vector-kek-2"), and a KEK this
 * program generates inside the token. Seals through the token and opens with the
 * software KEK and the reverse (byte for byte with the test-hooks build), opens the
 * format vector sealed to KEK 2 through the token, rewraps from the token to X-Wing,
 * and checks KEY_STORE with its failure kind for a missing module, a wrong PIN, a
 * missing token and a missing key, and, read from the handle, for a key that vanished
 * from the token after the handle was made.
 * Usage: pkcs11 MODULE TOKEN_LABEL PIN_FILE VECTOR_FILE   (the PIN is read from the
 * file, never from the command line) */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#define LIT(s) (s), (sizeof(s) - 1)

static const char *g_module, *g_token, *g_pin_file;
static char g_pin[256];

static void read_file(const char *path, buf_t *b) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  uint8_t tmp[65536];
  size_t k;
  while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(b, tmp, k);
  fclose(f);
}

/* "pkcs11:<path>?module-path=<module><query>" */
static size_t uri(char *out, size_t cap, const char *path, const char *module, const char *query) {
  int n = snprintf(out, cap, "pkcs11:%s?module-path=%s%s", path, module, query);
  if (n < 0 || (size_t)n >= cap) {
    fprintf(stderr, "URI too long\n");
    exit(2);
  }
  return (size_t)n;
}

/* Opens a token KEK by URI path and query with the PIN bytes (NULL: none). */
static printseal_status open_kek(const char *path, const char *module, const char *query,
                                 const char *pin, const printseal_identity **out,
                                 int32_t *failure) {
  char u[4096];
  size_t n = uri(u, sizeof u, path, module, query);
  return printseal_identity_from_pkcs11(u, n, (const uint8_t *)pin, pin ? strlen(pin) : 0, out,
                                        failure);
}

static printseal_seal_options *options(void) {
  printseal_seal_options *o = NULL;
  OK(printseal_seal_options_new(LIT("application/pdf"), &o));
  OK(printseal_seal_options_set_job_id(o, LIT("spool-000042")));
  return o;
}

static buf_t seal_to(const printseal_recipient *r, const uint8_t *pt, size_t n) {
  buf_t job = {0};
  printseal_seal_options *o = options();
  mem_reader rd = {pt, n, 0, 0, (size_t)-1, 0};
  mem_writer w = {{0}, (size_t)-1, 0};
  OK(printseal_seal_stream(o, &r, 1, mem_read, &rd, mem_write, &w));
  job = w.out;
  printseal_seal_options_free(o);
  return job;
}

static printseal_status open_with(const printseal_identity *id, const buf_t *job, buf_t *out) {
  mem_reader rd = {job->data, job->len, 0, 0, (size_t)-1, 0};
  mem_writer w = {{0}, (size_t)-1, 0};
  printseal_status st = printseal_open_stream(NULL, &id, 1, mem_read, &rd, mem_write, &w);
  *out = w.out;
  return st;
}

/* The push API, to see that the opener's detail names the token failure too. */
static void check_roundtrip(const printseal_recipient *seal_to_r, const printseal_identity *open_id,
                            const uint8_t *pt, size_t n) {
  buf_t job = seal_to(seal_to_r, pt, n), out = {0};
  OK(open_with(open_id, &job, &out));
  CHECK(out.len == n && (n == 0 || memcmp(out.data, pt, n) == 0));
  buf_free(&job);
  buf_free(&out);
}

static void test_failures(void) {
  const printseal_identity *id = NULL;
  int32_t failure = -1;
  /* Before any login of this process: PKCS#11 keeps a login per process and token. */
  EXPECT(open_kek("token=printseal-ffi;object=vector-kek-2", g_module, "", "0000-wrong", &id,
                  &failure),
         PRINTSEAL_STATUS_KEY_STORE);
  CHECK(failure == PRINTSEAL_KEY_STORE_FAILURE_PIN_INCORRECT && id == NULL);
  failure = -1;
  EXPECT(open_kek("token=printseal-ffi;object=vector-kek-2", "/nonexistent/libnothing.so", "",
                  g_pin, &id, &failure),
         PRINTSEAL_STATUS_KEY_STORE);
  CHECK(failure == PRINTSEAL_KEY_STORE_FAILURE_MODULE_UNAVAILABLE && id == NULL);
  /* A file that is not a PKCS#11 module. */
  failure = -1;
  EXPECT(open_kek("object=vector-kek-2", g_pin_file, "", g_pin, &id, &failure),
         PRINTSEAL_STATUS_KEY_STORE);
  CHECK(failure == PRINTSEAL_KEY_STORE_FAILURE_MODULE_UNAVAILABLE);
  failure = -1;
  EXPECT(open_kek("token=no-such-token;object=vector-kek-2", g_module, "", g_pin, &id, &failure),
         PRINTSEAL_STATUS_KEY_STORE);
  CHECK(failure == PRINTSEAL_KEY_STORE_FAILURE_TOKEN_ABSENT);
  failure = -1;
  EXPECT(open_kek("token=printseal-ffi;object=no-such-key", g_module, "", g_pin, &id, &failure),
         PRINTSEAL_STATUS_KEY_STORE);
  CHECK(failure == PRINTSEAL_KEY_STORE_FAILURE_KEY_NOT_FOUND);
  /* Refused before any token call: a PIN in the URI, a PIN twice, bad UTF-8. */
  failure = -1;
  EXPECT(open_kek("token=printseal-ffi;object=vector-kek-2", g_module, "&pin-value=4711", NULL,
                  &id, &failure),
         PRINTSEAL_STATUS_INVALID_INPUT);
  CHECK(failure == 0);
  char q[4200];
  snprintf(q, sizeof q, "&pin-source=file:%s", g_pin_file);
  EXPECT(open_kek("token=printseal-ffi;object=vector-kek-2", g_module, q, g_pin, &id, &failure),
         PRINTSEAL_STATUS_INVALID_INPUT);
  char u[4096];
  size_t n = uri(u, sizeof u, "token=printseal-ffi;object=vector-kek-2", g_module, "");
  EXPECT(printseal_identity_from_pkcs11(u, n, (const uint8_t *)"\xff\xfe", 2, &id, NULL),
         PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_from_pkcs11(LIT("file:/etc/passwd"), NULL, 0, &id, NULL),
         PRINTSEAL_STATUS_INVALID_INPUT);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s MODULE TOKEN_LABEL PIN_FILE VECTOR_FILE\n", argv[0]);
    return 2;
  }
  g_module = argv[1];
  g_token = argv[2];
  g_pin_file = argv[3];
  {
    buf_t pin = {0};
    read_file(g_pin_file, &pin);
    size_t k = 0;
    while (k < pin.len && k < sizeof g_pin - 1 && pin.data[k] != '\n') k++;
    memcpy(g_pin, pin.data, k);
    g_pin[k] = 0;
    buf_free(&pin);
  }
  if (strcmp(g_token, "printseal-ffi") != 0) {
    fprintf(stderr, "the token must be labelled printseal-ffi\n");
    return 2;
  }
  test_failures();

  /* KEK 2 of tests/vectors, in software (from the vector file) and in the token. */
  buf_t vec = {0};
  read_file(argv[4], &vec);
  uint8_t kek_id[16] = {0}, kek[32] = {0};
  char payload_hex[65] = {0};
  const uint8_t *job_start = NULL;
  for (size_t pos = 0; pos < vec.len;) {
    size_t end = pos;
    while (end < vec.len && vec.data[end] != '\n') end++;
    if (end == pos) {
      job_start = vec.data + end + 1;
      break;
    }
    char line[512];
    size_t n = end - pos < sizeof line - 1 ? end - pos : sizeof line - 1;
    memcpy(line, vec.data + pos, n);
    line[n] = 0;
    if (!strncmp(line, "kek id: ", 8)) CHECK(unhex(line + 8, kek_id, 16) == 16);
    if (!strncmp(line, "kek: ", 5)) CHECK(unhex(line + 5, kek, 32) == 32);
    if (!strncmp(line, "payload: ", 9)) snprintf(payload_hex, sizeof payload_hex, "%s", line + 9);
    pos = end + 1;
  }
  CHECK(job_start != NULL && strlen(payload_hex) == 64);
  const printseal_identity *soft = NULL;
  OK(printseal_identity_from_kek(kek_id, 16, kek, 32, &soft));
  memset(kek, 0, sizeof kek);
  const printseal_recipient *soft_r = NULL;
  OK(printseal_identity_to_recipient(soft, &soft_r));

  const printseal_identity *tok = NULL;
  int32_t failure = -1;
  OK(open_kek("token=printseal-ffi;object=vector-kek-2;type=secret-key", g_module, "", g_pin, &tok,
              &failure));
  CHECK(failure == 0);
  const printseal_recipient *tok_r = NULL;
  OK(printseal_identity_to_recipient(tok, &tok_r));
  CHECK(printseal_identity_kind(tok) == PRINTSEAL_KEY_KIND_PKCS11);
  CHECK(printseal_recipient_kind(tok_r) == PRINTSEAL_KEY_KIND_PKCS11);
  uint8_t id[PRINTSEAL_KEY_ID_MAX_LEN], key[32];
  size_t idn = 0;
  OK(printseal_identity_key_id(tok, id, sizeof id, &idn));
  CHECK(idn == 16 && memcmp(id, kek_id, 16) == 0);
  OK(printseal_recipient_key_id(tok_r, id, sizeof id, &idn));
  CHECK(idn == 16 && memcmp(id, kek_id, 16) == 0);
  /* The value never leaves the token. */
  EXPECT(printseal_identity_kek_bytes(tok, id, key), PRINTSEAL_STATUS_INVALID_INPUT);
  char text[256];
  EXPECT(printseal_identity_encode(tok, text, sizeof text, &idn), PRINTSEAL_STATUS_INVALID_INPUT);

  /* The same key with the PIN from the URI's pin-source. */
  char q[4200];
  snprintf(q, sizeof q, "&pin-source=file:%s", g_pin_file);
  const printseal_identity *tok2 = NULL;
  OK(open_kek("token=printseal-ffi;object=vector-kek-2", g_module, q, NULL, &tok2, NULL));

  /* Round trips both ways, through the stream helpers. */
  size_t n = 3 * 16384 + 1000;
  uint8_t *pt = (uint8_t *)malloc(n);
  for (size_t i = 0; i < n; i++) pt[i] = (uint8_t)((i * 31) % 251);
  check_roundtrip(tok_r, soft, pt, n);
  check_roundtrip(soft_r, tok, pt, n);
  check_roundtrip(soft_r, tok2, pt, 10);
  check_roundtrip(tok_r, tok, pt, 0);

  /* The format vector sealed to KEK 1 and KEK 2 opens through the token, to the
   * plaintext digest it names (the push API, fed in small pieces). */
  {
    buf_t job = {0}, out = {0};
    buf_append(&job, job_start, vec.len - (size_t)(job_start - vec.data));
    printseal_opener *op = NULL;
    OK(printseal_opener_new(NULL, &tok, 1, &op));
    size_t c = 0, w = 0;
    for (size_t pos = 0; pos < job.len; pos += c) {
      size_t k = job.len - pos < 1000 ? job.len - pos : 1000;
      size_t need = printseal_opener_update_output_len(op, k);
      buf_reserve(&out, need);
      OK(printseal_opener_update(op, job.data + pos, k, out.data + out.len, need, &c, &w));
      if (c == 0) break;
      out.len += w;
    }
    buf_reserve(&out, printseal_opener_finish_output_len(op));
    OK(printseal_opener_finish(op, out.data + out.len, printseal_opener_finish_output_len(op), &w));
    out.len += w;
    char hex[65];
    sha256_hex(out.data ? out.data : (const uint8_t *)"", out.len, hex);
    CHECK(strcmp(hex, payload_hex) == 0);
    printseal_opener_free(op);
    buf_free(&job);
    buf_free(&out);
  }

#ifdef PRINTSEAL_TEST_HOOKS
  /* Byte for byte: the token's wrap is the software KEK's stanza. */
  {
    uint8_t seed[32];
    memset(seed, 7, sizeof seed);
    buf_t a = {0}, b = {0};
    uint8_t tmp[200000];
    const printseal_recipient *rs[2] = {tok_r, soft_r};
    for (int i = 0; i < 2; i++) {
      printseal_seal_options *o = options();
      OK(printseal_seal_options_set_created_at(o, 1700000000));
      printseal_sealer *s = NULL;
      OK(printseal_sealer_new_seeded_for_testing(o, &rs[i], 1, seed, &s));
      size_t w = 0;
      OK(printseal_sealer_update(s, pt, 20000, tmp, sizeof tmp, &w));
      buf_append(i == 0 ? &a : &b, tmp, w);
      OK(printseal_sealer_finish(s, tmp, sizeof tmp, &w));
      buf_append(i == 0 ? &a : &b, tmp, w);
      printseal_sealer_free(s);
      printseal_seal_options_free(o);
    }
    CHECK(a.len == b.len && a.len > 20000 && memcmp(a.data, b.data, a.len) == 0);
    buf_free(&a);
    buf_free(&b);
  }
#endif

  /* A KEK generated inside the token (never extractable): round trip; a job sealed to
   * it is not for the imported key (another key id: skipped, no token call). */
  {
    const printseal_identity *gen = NULL;
    /* CKA_ID "printseal ffi #1", the stanza key id as is. */
    static const char GEN_PATH[] =
        "token=printseal-ffi;id=%70%72%69%6e%74%73%65%61%6c%20%66%66%69%20%23%31;object=ffi-generated";
    char u[4096];
    size_t un = uri(u, sizeof u, GEN_PATH, g_module, "");
    failure = -1;
    OK(printseal_identity_generate_in_pkcs11(u, un, (const uint8_t *)g_pin, strlen(g_pin), &gen,
                                             &failure));
    CHECK(failure == 0 && printseal_identity_kind(gen) == PRINTSEAL_KEY_KIND_PKCS11);
    OK(printseal_identity_key_id(gen, id, sizeof id, &idn));
    CHECK(idn == 16 && memcmp(id, "printseal ffi #1", 16) == 0);
    EXPECT(printseal_identity_kek_bytes(gen, id, key), PRINTSEAL_STATUS_INVALID_INPUT);
    const printseal_recipient *gen_r = NULL;
    OK(printseal_identity_to_recipient(gen, &gen_r));
    check_roundtrip(gen_r, gen, pt, n);
    buf_t job = seal_to(gen_r, pt, 5000), out = {0};
    EXPECT(open_with(tok, &job, &out), PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
    CHECK(out.len == 0);
    buf_free(&out);
    /* Opened again by its URI, as another process would. */
    const printseal_identity *again = NULL;
    OK(printseal_identity_from_pkcs11(u, un, (const uint8_t *)g_pin, strlen(g_pin), &again, NULL));
    OK(open_with(again, &job, &out));
    CHECK(out.len == 5000 && memcmp(out.data, pt, 5000) == 0);
    buf_free(&out);
    /* Generating it twice is refused. */
    const printseal_identity *dup = NULL;
    failure = -1;
    EXPECT(printseal_identity_generate_in_pkcs11(u, un, (const uint8_t *)g_pin, strlen(g_pin), &dup,
                                                 &failure),
           PRINTSEAL_STATUS_KEY_STORE);
    CHECK(failure == PRINTSEAL_KEY_STORE_FAILURE_OTHER && dup == NULL);
    CHECK(printseal_identity_key_store_failure(gen) == 0);
    CHECK(printseal_recipient_key_store_failure(gen_r) == 0);

    /* Rewrap from the token's KEK to X-Wing: the token unwraps, X-Wing opens. */
    const printseal_identity *xw = NULL;
    OK(printseal_identity_generate(PRINTSEAL_KEY_KIND_XWING, &xw));
    const printseal_recipient *xw_r = NULL;
    OK(printseal_identity_to_recipient(xw, &xw_r));
    mem_reader rd = {job.data, job.len, 0, 0, (size_t)-1, 0};
    mem_writer w = {{0}, (size_t)-1, 0};
    OK(printseal_rewrap_stream(NULL, &gen, 1, &xw_r, 1, false, mem_read, &rd, mem_write, &w));
    EXPECT(open_with(gen, &w.out, &out), PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
    buf_free(&out);
    OK(open_with(xw, &w.out, &out));
    CHECK(out.len == 5000 && memcmp(out.data, pt, 5000) == 0);
    buf_free(&out);
    buf_free(&w.out);
    buf_free(&job);
    printseal_recipient_free(xw_r);
    printseal_identity_free(xw);
    printseal_identity_free(again);
    printseal_recipient_free(gen_r);
    printseal_identity_free(gen);
  }

  /* A token failure after the handle was made: the token's objects vanish (the
   * token directory is emptied, as if the token were re-initialised elsewhere). The
   * seal fails with KEY_STORE, and the handle tells which failure. */
  {
    const char *conf = getenv("SOFTHSM2_CONF");
    char cmd[4200];
    CHECK(conf != NULL);
    snprintf(cmd, sizeof cmd, "rm -rf \"$(dirname '%s')/tokens\"/*", conf ? conf : "/nonexistent");
    CHECK(system(cmd) == 0);
    printseal_seal_options *o = options();
    printseal_sealer *s = NULL;
    EXPECT(printseal_sealer_new(o, &tok_r, 1, &s), PRINTSEAL_STATUS_KEY_STORE);
    /* C_WrapKey with a key handle that no longer names an object. */
    CHECK(printseal_recipient_key_store_failure(tok_r) == PRINTSEAL_KEY_STORE_FAILURE_KEY_NOT_FOUND);
    CHECK(printseal_identity_key_store_failure(tok) == PRINTSEAL_KEY_STORE_FAILURE_KEY_NOT_FOUND);
    printseal_seal_options_free(o);
  }

  free(pt);
  buf_free(&vec);
  printseal_identity_free(tok2);
  printseal_recipient_free(tok_r);
  printseal_identity_free(tok);
  printseal_recipient_free(soft_r);
  printseal_identity_free(soft);
  memset(g_pin, 0, sizeof g_pin);
  return finish_tests("pkcs11");
}
