/* C tests of libprintseal: every entry point, its NULL and bad arguments, misuse,
 * every status code the ABI can be made to return, round trips of every recipient
 * kind, callbacks, key stores, random access, rewrap and threads.
 * Usage: test_ffi [quick]   ("quick" skips the slow X-Wing-heavy and thread parts,
 * for valgrind). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define LIT(s) (s), (sizeof(s) - 1)

static const char *CT = "application/pdf";

static void fill_plaintext(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)((i * 31) % 251);
}

static const printseal_identity *gen(uint32_t kind) {
  const printseal_identity *id = NULL;
  OK(printseal_identity_generate(kind, &id));
  CHECK(id != NULL);
  return id;
}

static const printseal_recipient *to_rcpt(const printseal_identity *id) {
  const printseal_recipient *r = NULL;
  OK(printseal_identity_to_recipient(id, &r));
  return r;
}

static printseal_seal_options *options(void) {
  printseal_seal_options *o = NULL;
  OK(printseal_seal_options_new(CT, strlen(CT), &o));
  return o;
}

/* Seals `pt` through the push API in pieces of `step` bytes. */
static printseal_status seal_push(const printseal_seal_options *o,
                                  const printseal_recipient *const *r, size_t nr,
                                  const uint8_t *pt, size_t n, size_t step,
                                  buf_t *out) {
  printseal_sealer *s = NULL;
  printseal_status st = printseal_sealer_new(o, r, nr, &s);
  if (st != PRINTSEAL_STATUS_OK) return st;
  size_t pos = 0;
  do {
    size_t k = n - pos < step ? n - pos : step;
    size_t need = printseal_sealer_update_output_len(s, k), w = 0;
    buf_reserve(out, need);
    st = printseal_sealer_update(s, pt + pos, k, out->data + out->len, need, &w);
    if (st != PRINTSEAL_STATUS_OK) goto done;
    CHECK(w == need); /* the bound is exact */
    out->len += w;
    pos += k;
  } while (pos < n);
  {
    size_t need = printseal_sealer_finish_output_len(s), w = 0;
    buf_reserve(out, need);
    st = printseal_sealer_finish(s, out->data + out->len, need, &w);
    if (st == PRINTSEAL_STATUS_OK) {
      CHECK(w == need);
      out->len += w;
    }
  }
done:
  printseal_sealer_free(s);
  return st;
}

/* Opens `job` through the push API with identities given up front. */
static printseal_status open_push(const printseal_identity *const *ids, size_t nids,
                                  const printseal_policy *policy, const uint8_t *job,
                                  size_t n, size_t step, buf_t *out) {
  printseal_opener *o = NULL;
  printseal_status st = printseal_opener_new(policy, ids, nids, &o);
  if (st != PRINTSEAL_STATUS_OK) return st;
  for (size_t pos = 0; pos < n;) {
    size_t k = n - pos < step ? n - pos : step;
    size_t need = printseal_opener_update_output_len(o, k), c = 0, w = 0;
    buf_reserve(out, need);
    st = printseal_opener_update(o, job + pos, k, out->data + out->len, need, &c, &w);
    if (st != PRINTSEAL_STATUS_OK) goto done;
    CHECK(c == k);
    out->len += w;
    pos += c;
  }
  {
    size_t need = printseal_opener_finish_output_len(o), w = 0;
    buf_reserve(out, need);
    st = printseal_opener_finish(o, out->data + out->len, need, &w);
    if (st == PRINTSEAL_STATUS_OK) out->len += w;
  }
done:
  printseal_opener_free(o);
  return st;
}

static void test_status_codes(void) {
  const uint32_t codes[] = {0,   1,   2,   3,   4,   5,   6,   7,   100, 101, 102, 103, 104,
                            105, 106, 200, 201, 202, 203, 300, 400, 500, 501, 502, 900};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    const char *s = printseal_status_str(codes[i]);
    CHECK(s != NULL && strncmp(s, "UNKNOWN", 7) != 0);
  }
  CHECK(strncmp(printseal_status_str(8), "UNKNOWN", 7) == 0);
  CHECK(strncmp(printseal_status_str(0xffffffffu), "UNKNOWN", 7) == 0);
  CHECK(strncmp(printseal_status_str(PRINTSEAL_STATUS_TRUNCATED), "TRUNCATED", 9) == 0);
  /* The fixed numbers of docs/ERRORS.md. */
  CHECK(PRINTSEAL_STATUS_BUFFER_TOO_SMALL == 2 && PRINTSEAL_STATUS_INVALID_STATE == 3);
  CHECK(PRINTSEAL_STATUS_PAYLOAD_TAMPERED == 203 && PRINTSEAL_STATUS_KEY_STORE == 502);
  CHECK(PRINTSEAL_STATUS_INTERNAL == 900 && PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT == 300);
}

static void test_version(void) {
  char want[64];
  snprintf(want, sizeof want, "printseal-ffi/%d.%d.%d/", PRINTSEAL_VERSION_MAJOR,
           PRINTSEAL_VERSION_MINOR, PRINTSEAL_VERSION_PATCH);
  printseal_str v = printseal_version();
  CHECK(v.data != NULL && v.len > strlen(want) && memcmp(v.data, want, strlen(want)) == 0);
  CHECK(PRINTSEAL_VERSION_NUMBER == ((PRINTSEAL_VERSION_MAJOR << 24) |
                                     (PRINTSEAL_VERSION_MINOR << 16) |
                                     (PRINTSEAL_VERSION_PATCH << 8)));
  printseal_str bi = printseal_build_info();
  CHECK(bi.len > 0);
  printseal_str sb = printseal_sbom_json();
  CHECK(sb.len > 100 && sb.data[0] == '{');
  uint8_t d[32], zero[32] = {0};
  CHECK(printseal_sbom_sha256(d));
  CHECK(memcmp(d, zero, 32) != 0);
  CHECK(!printseal_sbom_sha256(NULL));
}

static void test_keys(void) {
  const uint32_t kinds[] = {PRINTSEAL_KEY_KIND_KEK, PRINTSEAL_KEY_KIND_X25519,
                            PRINTSEAL_KEY_KIND_XWING};
  for (size_t i = 0; i < 3; i++) {
    const printseal_identity *id = gen(kinds[i]);
    CHECK(printseal_identity_kind(id) == kinds[i]);
    const printseal_recipient *r = to_rcpt(id);
    CHECK(printseal_recipient_kind(r) == kinds[i]);
    uint8_t a[PRINTSEAL_KEY_ID_MAX_LEN], b[PRINTSEAL_KEY_ID_MAX_LEN];
    size_t na = 0, nb = 0;
    OK(printseal_identity_key_id(id, a, sizeof a, &na));
    OK(printseal_recipient_key_id(r, b, sizeof b, &nb));
    CHECK(na == nb && memcmp(a, b, na) == 0);
    CHECK(na == (kinds[i] == PRINTSEAL_KEY_KIND_KEK ? PRINTSEAL_KEK_ID_LEN
                                                    : PRINTSEAL_HPKE_KEY_ID_LEN));
    /* BUFFER_TOO_SMALL reports the size needed. */
    size_t need = 0;
    EXPECT(printseal_identity_key_id(id, a, 1, &need), PRINTSEAL_STATUS_BUFFER_TOO_SMALL);
    CHECK(need == na);
    if (kinds[i] != PRINTSEAL_KEY_KIND_KEK) {
      char text[256], rtext[4096];
      size_t tn = 0, rn = 0;
      EXPECT(printseal_identity_encode(id, text, 4, &tn), PRINTSEAL_STATUS_BUFFER_TOO_SMALL);
      CHECK(tn > 4 && tn < sizeof text);
      OK(printseal_identity_encode(id, text, sizeof text, &tn));
      CHECK(strncmp(text, "PRINTSEAL-SECRET-KEY-", 21) == 0);
      const printseal_identity *id2 = NULL;
      OK(printseal_identity_parse(text, tn, &id2));
      CHECK(printseal_identity_kind(id2) == kinds[i]);
      size_t n2 = 0;
      uint8_t c[16];
      OK(printseal_identity_key_id(id2, c, sizeof c, &n2));
      CHECK(n2 == na && memcmp(a, c, na) == 0);
      printseal_identity_free(id2);
      /* One flipped character: bad checksum. */
      text[tn - 3] = text[tn - 3] == 'Q' ? 'P' : 'Q';
      const printseal_identity *bad = (const printseal_identity *)0x1;
      EXPECT(printseal_identity_parse(text, tn, &bad), PRINTSEAL_STATUS_INVALID_INPUT);
      CHECK(bad == (const printseal_identity *)0x1); /* untouched on error */
      memset(text, 0, sizeof text);
      OK(printseal_recipient_encode(r, rtext, sizeof rtext, &rn));
      CHECK(strncmp(rtext, "printseal", 9) == 0);
      const printseal_recipient *r2 = NULL;
      OK(printseal_recipient_parse(rtext, rn, &r2));
      CHECK(printseal_recipient_kind(r2) == kinds[i]);
      printseal_recipient_free(r2);
      /* A recipient string is not an identity and vice versa. */
      EXPECT(printseal_identity_parse(rtext, rn, &id2), PRINTSEAL_STATUS_INVALID_INPUT);
      EXPECT(printseal_recipient_parse(rtext, rn - 1, &r2), PRINTSEAL_STATUS_INVALID_INPUT);
      uint8_t kid[16], kk[32];
      EXPECT(printseal_identity_kek_bytes(id, kid, kk), PRINTSEAL_STATUS_INVALID_INPUT);
    } else {
      char text[64];
      size_t tn;
      EXPECT(printseal_identity_encode(id, text, sizeof text, &tn), PRINTSEAL_STATUS_INVALID_INPUT);
      EXPECT(printseal_recipient_encode(r, text, sizeof text, &tn), PRINTSEAL_STATUS_INVALID_INPUT);
      uint8_t kid[16], kk[32];
      OK(printseal_identity_kek_bytes(id, kid, kk));
      const printseal_identity *same = NULL;
      OK(printseal_identity_from_kek(kid, sizeof kid, kk, sizeof kk, &same));
      size_t ns = 0;
      uint8_t sid[16];
      OK(printseal_identity_key_id(same, sid, sizeof sid, &ns));
      CHECK(ns == 16 && memcmp(sid, kid, 16) == 0);
      printseal_identity_free(same);
    }
    printseal_recipient_free(r);
    printseal_identity_free(id);
  }
  /* Bad arguments. */
  const printseal_identity *id = NULL;
  const printseal_recipient *r = NULL;
  uint8_t k16[16] = {1}, k32[32] = {2};
  EXPECT(printseal_identity_generate(7, &id), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_generate(PRINTSEAL_KEY_KIND_KEY_STORE, &id), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_generate(PRINTSEAL_KEY_KIND_KEK, NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_from_kek(k16, 15, k32, 32, &id), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_from_kek(k16, 16, k32, 31, &id), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_from_kek(NULL, 16, k32, 32, &id), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_from_kek(k16, 16, k32, 32, NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_parse(NULL, 5, &id), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_parse(LIT("hello"), &id), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_parse(LIT("\xff\xfe"), &id), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_parse(LIT(""), &id), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_recipient_parse(LIT("printseal1qqqq"), &r), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_recipient_parse(LIT("x"), NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_to_recipient(NULL, &r), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_key_id(NULL, k16, 16, &(size_t){0}), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_recipient_key_id(NULL, k16, 16, &(size_t){0}), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_encode(NULL, NULL, 0, &(size_t){0}), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_recipient_encode(NULL, NULL, 0, &(size_t){0}), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_kek_bytes(NULL, k16, k32), PRINTSEAL_STATUS_NULL_PARAMETER);
  CHECK(printseal_identity_kind(NULL) == 0 && printseal_recipient_kind(NULL) == 0);
  /* A length that cannot be a buffer. */
  EXPECT(printseal_identity_parse("x", (size_t)-1, &id), PRINTSEAL_STATUS_INVALID_INPUT);
  printseal_identity_free(NULL);
  printseal_recipient_free(NULL);
}

/* Seals to `r` and opens with `id`, plus the failure with `wrong`. */
static void roundtrip(const printseal_recipient *const *r, size_t nr,
                      const printseal_identity *id, const printseal_identity *wrong,
                      size_t len, size_t step) {
  uint8_t *pt = (uint8_t *)malloc(len ? len : 1);
  fill_plaintext(pt, len);
  printseal_seal_options *o = options();
  buf_t job = {0}, back = {0};
  OK(seal_push(o, r, nr, pt, len, step, &job));
  OK(open_push(&id, 1, NULL, job.data, job.len, step, &back));
  CHECK(back.len == len && (len == 0 || memcmp(back.data, pt, len) == 0));
  back.len = 0;
  if (wrong) {
    EXPECT(open_push(&wrong, 1, NULL, job.data, job.len, step, &back),
           PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
    CHECK(back.len == 0);
  }
  buf_free(&job);
  buf_free(&back);
  printseal_seal_options_free(o);
  free(pt);
}

static void test_roundtrips(int quick) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK), *kek2 = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_identity *x = gen(PRINTSEAL_KEY_KIND_X25519), *x2 = gen(PRINTSEAL_KEY_KIND_X25519);
  const printseal_identity *w = gen(PRINTSEAL_KEY_KIND_XWING), *w2 = gen(PRINTSEAL_KEY_KIND_XWING);
  const printseal_recipient *rk = to_rcpt(kek), *rx = to_rcpt(x), *rw = to_rcpt(w);
  const size_t lens[] = {0, 1, 16383, 16384, 16385, 3 * 16384 + 100, 300000};
  const size_t steps[] = {1 << 20, 1000, 16384, 7};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    size_t step = steps[i % 3];
    if (quick && lens[i] > 20000) continue;
    roundtrip(&rk, 1, kek, kek2, lens[i], step);
    roundtrip(&rx, 1, x, x2, lens[i], step);
    roundtrip(&rw, 1, w, w2, lens[i], step);
  }
  roundtrip(&rk, 1, kek, NULL, 5000, 7); /* byte by byte */
  /* Several recipients of mixed kinds: each opens. */
  const printseal_recipient *mixed[2] = {rw, rk};
  roundtrip(mixed, 2, w, x, 20000, 4096);
  roundtrip(mixed, 2, kek, x, 20000, 4096);
  const printseal_recipient *classical[2] = {rx, rk};
  roundtrip(classical, 2, x, w, 100, 10);
  /* X-Wing with X25519: refused unless allowed. */
  printseal_seal_options *o = options();
  const printseal_recipient *pqmix[2] = {rw, rx};
  printseal_sealer *s = NULL;
  EXPECT(printseal_sealer_new(o, pqmix, 2, &s), PRINTSEAL_STATUS_MIXED_POST_QUANTUM);
  CHECK(s == NULL);
  OK(printseal_seal_options_allow_mixed_pq(o, true));
  OK(printseal_sealer_new(o, pqmix, 2, &s));
  printseal_sealer_free(s);
  s = NULL;
  /* No recipients, or too many. */
  EXPECT(printseal_sealer_new(o, NULL, 0, &s), PRINTSEAL_STATUS_LIMIT_EXCEEDED);
  const printseal_recipient *many[65];
  for (int i = 0; i < 65; i++) many[i] = rk;
  EXPECT(printseal_sealer_new(o, many, 65, &s), PRINTSEAL_STATUS_LIMIT_EXCEEDED);
  const printseal_recipient *with_null[2] = {rk, NULL};
  EXPECT(printseal_sealer_new(o, with_null, 2, &s), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_sealer_new(o, NULL, 1, &s), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_sealer_new(NULL, &rk, 1, &s), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_sealer_new(o, &rk, 1, NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  CHECK(s == NULL);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_recipient_free(rx);
  printseal_recipient_free(rw);
  printseal_identity_free(kek);
  printseal_identity_free(kek2);
  printseal_identity_free(x);
  printseal_identity_free(x2);
  printseal_identity_free(w);
  printseal_identity_free(w2);
}

static void test_metadata_and_manual_unlock(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK), *x = gen(PRINTSEAL_KEY_KIND_X25519);
  const printseal_recipient *r[2] = {to_rcpt(x), to_rcpt(kek)};
  printseal_seal_options *o = options();
  OK(printseal_seal_options_set_job_id(o, LIT("spool-000042")));
  OK(printseal_seal_options_set_created_at(o, 1700000000));
  OK(printseal_seal_options_set_expires_at(o, 4102444800ull));
  OK(printseal_seal_options_set_suite(o, PRINTSEAL_SUITE_CHACHA20_POLY1305));
  OK(printseal_seal_options_add_private_entry(o, LIT("title"), (const uint8_t *)"Payroll", 7));
  OK(printseal_seal_options_add_private_entry(o, LIT("owner"), (const uint8_t *)"alice", 5));
  EXPECT(printseal_seal_options_add_private_entry(o, LIT("bad\nkey"), (const uint8_t *)"v", 1),
         PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_seal_options_set_suite(o, 3), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_seal_options_set_expires_at(o, 0), PRINTSEAL_STATUS_INVALID_INPUT);
  uint8_t big[5000] = {0};
  EXPECT(printseal_seal_options_add_private_entry(o, LIT("big"), big, sizeof big),
         PRINTSEAL_STATUS_LIMIT_EXCEEDED);
  uint8_t pt[40000];
  fill_plaintext(pt, sizeof pt);
  buf_t job = {0};
  OK(seal_push(o, r, 2, pt, sizeof pt, 9999, &job));

  /* Inspect without a key. */
  printseal_header *h = NULL;
  EXPECT(printseal_header_parse(job.data, 10, &h), PRINTSEAL_STATUS_TRUNCATED);
  OK(printseal_header_parse(job.data, job.len, &h));
  printseal_str ct = printseal_header_content_type(h);
  CHECK(ct.len == strlen(CT) && memcmp(ct.data, CT, ct.len) == 0);
  printseal_str jid = printseal_header_job_id(h);
  CHECK(jid.len == 12 && memcmp(jid.data, "spool-000042", 12) == 0);
  printseal_str pn = printseal_header_producer_name(h);
  CHECK(pn.len == 9 && memcmp(pn.data, "printseal", 9) == 0);
  CHECK(printseal_header_producer_version(h).len > 0);
  CHECK(printseal_header_created_at(h) == 1700000000);
  uint64_t exp = 0;
  CHECK(printseal_header_expires_at(h, &exp) && exp == 4102444800ull);
  uint8_t sbom[32], mine[32];
  CHECK(printseal_header_sbom_sha256(h, sbom) && printseal_sbom_sha256(mine));
  CHECK(memcmp(sbom, mine, 32) == 0);
  CHECK(printseal_header_suite(h) == PRINTSEAL_SUITE_CHACHA20_POLY1305);
  CHECK(printseal_header_stanza_count(h) == 2);
  size_t hlen = printseal_header_len(h);
  CHECK(hlen > 0 && hlen < job.len);
  uint16_t kind = 0;
  printseal_slice kid;
  OK(printseal_header_stanza(h, 1, &kind, &kid));
  CHECK(kind == PRINTSEAL_KEY_KIND_KEK && kid.len == 16);
  EXPECT(printseal_header_stanza(h, 2, &kind, &kid), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_header_stanza(h, 0, NULL, &kid), PRINTSEAL_STATUS_NULL_PARAMETER);
  printseal_header_free(h);

  /* Manual unlock: read the header, pick the identity by key id. */
  printseal_opener *op = NULL;
  OK(printseal_opener_new(NULL, NULL, 0, &op));
  CHECK(printseal_opener_header(op) == NULL);
  CHECK(!printseal_opener_is_locked(op));
  buf_t out = {0};
  size_t c = 0, w = 0;
  buf_reserve(&out, sizeof pt + 20000);
  size_t need = printseal_opener_update_output_len(op, job.len);
  OK(printseal_opener_update(op, job.data, job.len, out.data, need, &c, &w));
  CHECK(c == hlen && w == 0 && printseal_opener_is_locked(op));
  const printseal_header *oh = printseal_opener_header(op);
  CHECK(oh != NULL && printseal_header_stanza_count(oh) == 2);
  uint8_t want[16];
  size_t wn = 0;
  OK(printseal_identity_key_id(x, want, sizeof want, &wn));
  OK(printseal_header_stanza(oh, 0, &kind, &kid));
  CHECK(kind == PRINTSEAL_KEY_KIND_X25519 && kid.len == wn && memcmp(kid.data, want, wn) == 0);
  printseal_slice v;
  CHECK(!printseal_opener_private_entry(op, LIT("title"), &v)); /* locked */
  CHECK(printseal_opener_private_entry_count(op) == 0);
  /* finish while locked is misuse; it does not break the opener. */
  EXPECT(printseal_opener_unlock(op, NULL, 0), PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
  printseal_opener_free(op);
  op = NULL;
  OK(printseal_opener_new(NULL, NULL, 0, &op));
  OK(printseal_opener_update(op, job.data, job.len, out.data, need, &c, &w));
  OK(printseal_opener_unlock(op, &x, 1));
  CHECK(printseal_opener_private_entry(op, LIT("title"), &v));
  CHECK(v.len == 7 && memcmp(v.data, "Payroll", 7) == 0);
  CHECK(!printseal_opener_private_entry(op, LIT("nope"), &v));
  CHECK(printseal_opener_private_entry_count(op) == 2);
  printseal_str k0;
  OK(printseal_opener_private_entry_at(op, 0, &k0, &v));
  CHECK(k0.len == 5 && memcmp(k0.data, "owner", 5) == 0);
  EXPECT(printseal_opener_private_entry_at(op, 2, &k0, &v), PRINTSEAL_STATUS_INVALID_INPUT);
  /* Feed the rest. */
  size_t rest = job.len - c;
  need = printseal_opener_update_output_len(op, rest);
  OK(printseal_opener_update(op, job.data + c, rest, out.data, need, &c, &w));
  out.len = w;
  size_t fw = 0;
  OK(printseal_opener_finish(op, out.data + out.len, printseal_opener_finish_output_len(op), &fw));
  out.len += fw;
  CHECK(out.len == sizeof pt && memcmp(out.data, pt, sizeof pt) == 0);
  /* A second unlock, finish twice: misuse. */
  EXPECT(printseal_opener_unlock(op, &x, 1), PRINTSEAL_STATUS_INVALID_STATE);
  EXPECT(printseal_opener_finish(op, out.data, 100000, &fw), PRINTSEAL_STATUS_INVALID_STATE);
  printseal_opener_free(op);

  buf_free(&out);
  buf_free(&job);
  printseal_seal_options_free(o);
  printseal_recipient_free(r[0]);
  printseal_recipient_free(r[1]);
  printseal_identity_free(kek);
  printseal_identity_free(x);
}

static void test_damage(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  uint8_t kid[16], kk[32];
  OK(printseal_identity_kek_bytes(kek, kid, kk));
  kk[0] ^= 1;
  const printseal_identity *same_id_wrong_key = NULL;
  OK(printseal_identity_from_kek(kid, 16, kk, 32, &same_id_wrong_key));
  printseal_seal_options *o = options();
  uint8_t pt[50000];
  fill_plaintext(pt, sizeof pt);
  buf_t job = {0}, out = {0};
  OK(seal_push(o, &rk, 1, pt, sizeof pt, 50000, &job));
  printseal_header *h = NULL;
  OK(printseal_header_parse(job.data, job.len, &h));
  size_t hlen = printseal_header_len(h);
  printseal_header_free(h);

  uint8_t *bad = (uint8_t *)malloc(job.len + 32);
  /* A payload byte: PAYLOAD_TAMPERED, with the chunk in the detail; errors final. */
  memcpy(bad, job.data, job.len);
  bad[hlen + 56 + 20000] ^= 1;
  {
    printseal_opener *op = NULL;
    OK(printseal_opener_new(NULL, &kek, 1, &op));
    buf_reserve(&out, job.len);
    size_t c, w;
    size_t need = printseal_opener_update_output_len(op, job.len);
    EXPECT(printseal_opener_update(op, bad, job.len, out.data, need, &c, &w),
           PRINTSEAL_STATUS_PAYLOAD_TAMPERED);
    printseal_str d = printseal_opener_error_detail(op);
    CHECK(str_contains(d, "chunk 1"));
    EXPECT(printseal_opener_update(op, bad, 10, out.data, need, &c, &w),
           PRINTSEAL_STATUS_INVALID_STATE);
    EXPECT(printseal_opener_finish(op, out.data, need, &w), PRINTSEAL_STATUS_INVALID_STATE);
    printseal_opener_free(op);
  }
  /* A header byte covered by the MAC (the created time). */
  memcpy(bad, job.data, job.len);
  bad[hlen - 40] ^= 1; /* in the stanza or metadata area */
  {
    printseal_status st = open_push(&kek, 1, NULL, bad, job.len, 4096, &out);
    CHECK(st == PRINTSEAL_STATUS_HEADER_MAC || st == PRINTSEAL_STATUS_STANZA_UNWRAP);
  }
  /* Bad magic, bad version. */
  memcpy(bad, job.data, job.len);
  bad[1] = 'p';
  out.len = 0;
  EXPECT(open_push(&kek, 1, NULL, bad, job.len, 4096, &out), PRINTSEAL_STATUS_NOT_PRINTSEAL);
  memcpy(bad, job.data, job.len);
  bad[8] = 2;
  EXPECT(open_push(&kek, 1, NULL, bad, job.len, 4096, &out), PRINTSEAL_STATUS_UNSUPPORTED_VERSION);
  memcpy(bad, job.data, job.len);
  bad[10] = 3; /* suite id 0x0003 */
  EXPECT(open_push(&kek, 1, NULL, bad, job.len, 4096, &out), PRINTSEAL_STATUS_UNSUPPORTED_SUITE);
  /* Truncated: at the end, after the header, in the header, empty. */
  out.len = 0;
  EXPECT(open_push(&kek, 1, NULL, job.data, job.len - 1, 4096, &out),
         PRINTSEAL_STATUS_PAYLOAD_TAMPERED);
  out.len = 0;
  EXPECT(open_push(&kek, 1, NULL, job.data, hlen, 4096, &out), PRINTSEAL_STATUS_TRUNCATED);
  EXPECT(open_push(&kek, 1, NULL, job.data, hlen - 5, 4096, &out), PRINTSEAL_STATUS_TRUNCATED);
  EXPECT(open_push(&kek, 1, NULL, job.data, 0, 4096, &out), PRINTSEAL_STATUS_TRUNCATED);
  /* Cut at a chunk boundary: whole chunks released, then TRUNCATED at finish. */
  out.len = 0;
  EXPECT(open_push(&kek, 1, NULL, job.data, hlen + 56 + 16400, 4096, &out),
         PRINTSEAL_STATUS_TRUNCATED);
  CHECK(out.len == 16384 && memcmp(out.data, pt, 16384) == 0);
  /* Trailing data. */
  memcpy(bad, job.data, job.len);
  bad[job.len] = '\n';
  out.len = 0;
  EXPECT(open_push(&kek, 1, NULL, bad, job.len + 1, 4096, &out), PRINTSEAL_STATUS_TRAILING_DATA);
  /* Same key id, wrong key. */
  EXPECT(open_push(&same_id_wrong_key, 1, NULL, job.data, job.len, 4096, &out),
         PRINTSEAL_STATUS_STANZA_UNWRAP);
  free(bad);
  buf_free(&job);
  buf_free(&out);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
  printseal_identity_free(same_id_wrong_key);
}

static void test_policy(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  printseal_seal_options *o = options();
  OK(printseal_seal_options_set_producer(o, LIT("acme-spooler"), LIT("2.3.1")));
  OK(printseal_seal_options_set_created_at(o, 1000));
  OK(printseal_seal_options_set_expires_at(o, 2000));
  uint8_t pt[100];
  fill_plaintext(pt, sizeof pt);
  buf_t job = {0}, out = {0};
  OK(seal_push(o, &rk, 1, pt, sizeof pt, 100, &job));
  /* Expired by the clock: refused by default, through every path. */
  EXPECT(open_push(&kek, 1, NULL, job.data, job.len, 4096, &out), PRINTSEAL_STATUS_POLICY_VIOLATION);
  CHECK(out.len == 0);
  printseal_policy *p = NULL;
  OK(printseal_policy_new(&p));
  OK(printseal_policy_at_time(p, 1500));
  OK(open_push(&kek, 1, p, job.data, job.len, 4096, &out));
  CHECK(out.len == sizeof pt);
  OK(printseal_policy_at_time(p, 2500));
  OK(printseal_policy_allow_expired(p, true));
  out.len = 0;
  OK(open_push(&kek, 1, p, job.data, job.len, 4096, &out));
  /* Version rules. */
  OK(printseal_policy_deny_versions(p, LIT("acme-spooler"), LIT(">=2.3.0, <2.3.5")));
  out.len = 0;
  {
    printseal_opener *op = NULL;
    OK(printseal_opener_new(p, &kek, 1, &op));
    size_t c, w;
    buf_reserve(&out, 100000);
    EXPECT(printseal_opener_update(op, job.data, job.len, out.data, 100000, &c, &w),
           PRINTSEAL_STATUS_POLICY_VIOLATION);
    printseal_str d = printseal_opener_error_detail(op);
    CHECK(str_contains(d, "2.3.1"));
    printseal_opener_free(op);
  }
  EXPECT(printseal_policy_deny_versions(p, LIT("x"), LIT("not a range")), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_policy_min_producer_version(p, LIT("x"), LIT("1.x")), PRINTSEAL_STATUS_INVALID_INPUT);
  printseal_policy_free(p);
  p = NULL;
  OK(printseal_policy_new(&p));
  OK(printseal_policy_allow_expired(p, true));
  OK(printseal_policy_min_producer_version(p, LIT("acme-spooler"), LIT("3.0.0")));
  EXPECT(open_push(&kek, 1, p, job.data, job.len, 4096, &out), PRINTSEAL_STATUS_POLICY_VIOLATION);
  printseal_policy_free(p);
  p = NULL;
  OK(printseal_policy_new(&p));
  OK(printseal_policy_allow_expired(p, true));
  OK(printseal_policy_accept_producer(p, LIT("printseal")));
  EXPECT(open_push(&kek, 1, p, job.data, job.len, 4096, &out), PRINTSEAL_STATUS_POLICY_VIOLATION);
  OK(printseal_policy_accept_producer(p, LIT("acme-spooler")));
  out.len = 0;
  OK(open_push(&kek, 1, p, job.data, job.len, 4096, &out));
  OK(printseal_policy_accept_suite(p, PRINTSEAL_SUITE_CHACHA20_POLY1305));
  EXPECT(open_push(&kek, 1, p, job.data, job.len, 4096, &out), PRINTSEAL_STATUS_POLICY_VIOLATION);
  OK(printseal_policy_accept_suite(p, PRINTSEAL_SUITE_AES256_GCM));
  OK(printseal_policy_accept_stanza_kind(p, PRINTSEAL_KEY_KIND_X25519));
  EXPECT(open_push(&kek, 1, p, job.data, job.len, 4096, &out), PRINTSEAL_STATUS_POLICY_VIOLATION);
  OK(printseal_policy_accept_stanza_kind(p, PRINTSEAL_KEY_KIND_KEK));
  out.len = 0;
  OK(open_push(&kek, 1, p, job.data, job.len, 4096, &out));
  uint8_t d[32] = {0};
  OK(printseal_policy_deny_sbom_sha256(p, d));
  EXPECT(printseal_policy_accept_suite(p, 9), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_policy_deny_sbom_sha256(p, NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_policy_accept_producer(NULL, LIT("x")), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_policy_new(NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  printseal_policy_free(p);
  printseal_policy_free(NULL);
  /* A denied SBOM digest: printseal's own. */
  printseal_seal_options *o2 = options();
  job.len = 0;
  OK(seal_push(o2, &rk, 1, pt, sizeof pt, 100, &job));
  p = NULL;
  OK(printseal_policy_new(&p));
  uint8_t mine[32];
  CHECK(printseal_sbom_sha256(mine));
  OK(printseal_policy_deny_sbom_sha256(p, mine));
  EXPECT(open_push(&kek, 1, p, job.data, job.len, 4096, &out), PRINTSEAL_STATUS_POLICY_VIOLATION);
  printseal_policy_free(p);
  printseal_seal_options_free(o2);
  buf_free(&job);
  buf_free(&out);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
}

static void test_misuse(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  printseal_seal_options *o = options();
  printseal_sealer *s = NULL;
  OK(printseal_sealer_new(o, &rk, 1, &s));
  uint8_t in[40000], out[60000];
  fill_plaintext(in, sizeof in);
  size_t w = 12345;
  size_t need = printseal_sealer_update_output_len(s, sizeof in);
  EXPECT(printseal_sealer_update(s, in, sizeof in, out, need - 1, &w), PRINTSEAL_STATUS_BUFFER_TOO_SMALL);
  CHECK(w == need);
  /* Overlapping input and output. */
  EXPECT(printseal_sealer_update(s, out, 100, out + 50, sizeof out - 50, &w), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_sealer_update(s, NULL, 5, out, sizeof out, &w), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_sealer_update(s, in, 5, NULL, 100, &w), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_sealer_update(s, in, 5, out, sizeof out, NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_sealer_update(NULL, in, 5, out, sizeof out, &w), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_sealer_update(s, in, (size_t)-1, out, sizeof out, &w), PRINTSEAL_STATUS_INVALID_INPUT);
  CHECK(printseal_sealer_update_output_len(s, (size_t)-1) == (size_t)-1);
  CHECK(printseal_sealer_update_output_len(NULL, 5) == 0);
  /* Still usable after those. */
  OK(printseal_sealer_update(s, in, sizeof in, out, sizeof out, &w));
  CHECK(w == need);
  OK(printseal_sealer_update(s, NULL, 0, NULL, 0, &w));
  CHECK(w == 0);
  size_t fneed = printseal_sealer_finish_output_len(s);
  EXPECT(printseal_sealer_finish(s, out, fneed - 1, &w), PRINTSEAL_STATUS_BUFFER_TOO_SMALL);
  CHECK(w == fneed);
  OK(printseal_sealer_finish(s, out, sizeof out, &w));
  EXPECT(printseal_sealer_finish(s, out, sizeof out, &w), PRINTSEAL_STATUS_INVALID_STATE);
  EXPECT(printseal_sealer_update(s, in, 1, out, sizeof out, &w), PRINTSEAL_STATUS_INVALID_STATE);
  CHECK(printseal_sealer_error_detail(s).len > 0);
  printseal_sealer_free(s);
  printseal_sealer_free(NULL);
  /* Opener argument checks. */
  printseal_opener *op = NULL;
  EXPECT(printseal_opener_new(NULL, NULL, 1, &op), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_opener_new(NULL, NULL, 0, NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  OK(printseal_opener_new(NULL, NULL, 0, &op));
  size_t c;
  EXPECT(printseal_opener_update(op, in, 10, in + 5, 10, &c, &w), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_opener_update(op, in, 10, out, 0, NULL, &w), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_opener_update(op, in, 40000, out, 10, &c, &w), PRINTSEAL_STATUS_BUFFER_TOO_SMALL);
  CHECK(w == printseal_opener_update_output_len(op, 40000) && c == 0);
  EXPECT(printseal_opener_finish(op, out, 0, &w), PRINTSEAL_STATUS_TRUNCATED);
  EXPECT(printseal_opener_finish(op, out, 0, &w), PRINTSEAL_STATUS_INVALID_STATE);
  EXPECT(printseal_opener_unlock(op, &kek, 1), PRINTSEAL_STATUS_INVALID_STATE);
  EXPECT(printseal_opener_unlock(NULL, &kek, 1), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_opener_finish(NULL, out, 0, &w), PRINTSEAL_STATUS_NULL_PARAMETER);
  CHECK(printseal_opener_header(NULL) == NULL);
  CHECK(!printseal_opener_is_locked(NULL));
  CHECK(printseal_opener_error_detail(NULL).data == NULL);
  printseal_opener_free(op);
  printseal_opener_free(NULL);
  /* Options argument checks. */
  printseal_seal_options *o2 = NULL;
  EXPECT(printseal_seal_options_new(NULL, 3, &o2), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_new(LIT("a"), NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_new(LIT("\xc3"), &o2), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_seal_options_set_job_id(NULL, LIT("a")), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_set_suite(NULL, 1), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_set_created_at(NULL, 1), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_set_expires_at(NULL, 1), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_set_producer(o, NULL, 1, LIT("1")), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_set_sbom_sha256(o, NULL), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_allow_mixed_pq(NULL, true), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_seal_options_add_private_entry(o, LIT("k"), NULL, 3), PRINTSEAL_STATUS_NULL_PARAMETER);
  printseal_seal_options_free(NULL);
  /* Bad metadata is found when sealing. */
  OK(printseal_seal_options_set_job_id(o, LIT("bad\x01id")));
  EXPECT(printseal_sealer_new(o, &rk, 1, &s), PRINTSEAL_STATUS_INVALID_INPUT);
  printseal_seal_options *o3 = NULL;
  OK(printseal_seal_options_new(LIT("not a mime type"), &o3));
  EXPECT(printseal_sealer_new(o3, &rk, 1, &s), PRINTSEAL_STATUS_INVALID_INPUT);
  printseal_seal_options_free(o3);
  /* Header getters with NULL. */
  CHECK(printseal_header_len(NULL) == 0 && printseal_header_stanza_count(NULL) == 0);
  CHECK(printseal_header_content_type(NULL).data == NULL);
  CHECK(!printseal_header_expires_at(NULL, NULL) && !printseal_header_sbom_sha256(NULL, NULL));
  printseal_header *h = NULL;
  EXPECT(printseal_header_parse(NULL, 5, &h), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_header_parse((const uint8_t *)"hello world", 11, &h), PRINTSEAL_STATUS_NOT_PRINTSEAL);
  printseal_header_free(NULL);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
}

static void test_streams(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  printseal_seal_options *o = options();
  size_t n = 3 * 1024 * 1024 + 12345;
  uint8_t *pt = (uint8_t *)malloc(n);
  fill_plaintext(pt, n);
  mem_reader r = {pt, n, 0, 100000, (size_t)-1, 0};
  mem_writer w = {{0}, (size_t)-1, 0};
  OK(printseal_seal_stream(o, &rk, 1, mem_read, &r, mem_write, &w));
  buf_t back = {0};
  OK(open_push(&kek, 1, NULL, w.out.data, w.out.len, 65536, &back));
  CHECK(back.len == n && memcmp(back.data, pt, n) == 0);
  mem_reader r2 = {w.out.data, w.out.len, 0, 3333, (size_t)-1, 0};
  mem_writer w2 = {{0}, (size_t)-1, 0};
  OK(printseal_open_stream(NULL, &kek, 1, mem_read, &r2, mem_write, &w2));
  CHECK(w2.out.len == n && memcmp(w2.out.data, pt, n) == 0);
  /* A read callback that fails half-way: IO, and no complete-looking output. */
  mem_reader rf = {pt, n, 0, 0, n / 2, 5};
  mem_writer wf = {{0}, (size_t)-1, 0};
  EXPECT(printseal_seal_stream(o, &rk, 1, mem_read, &rf, mem_write, &wf), PRINTSEAL_STATUS_IO);
  back.len = 0;
  EXPECT(open_push(&kek, 1, NULL, wf.out.data, wf.out.len, 65536, &back), PRINTSEAL_STATUS_TRUNCATED);
  /* A write callback that fails half-way. */
  mem_reader r3 = {pt, n, 0, 0, (size_t)-1, 0};
  mem_writer w3 = {{0}, n / 3, 28};
  EXPECT(printseal_seal_stream(o, &rk, 1, mem_read, &r3, mem_write, &w3), PRINTSEAL_STATUS_IO);
  back.len = 0;
  CHECK(open_push(&kek, 1, NULL, w3.out.data, w3.out.len, 65536, &back) != PRINTSEAL_STATUS_OK);
  /* Opening: a failing reader, a damaged job. */
  mem_reader r4 = {w.out.data, w.out.len, 0, 0, w.out.len / 2, 5};
  mem_writer w4 = {{0}, (size_t)-1, 0};
  EXPECT(printseal_open_stream(NULL, &kek, 1, mem_read, &r4, mem_write, &w4), PRINTSEAL_STATUS_IO);
  w.out.data[w.out.len - 5] ^= 1;
  mem_reader r5 = {w.out.data, w.out.len, 0, 0, (size_t)-1, 0};
  mem_writer w5 = {{0}, (size_t)-1, 0};
  EXPECT(printseal_open_stream(NULL, &kek, 1, mem_read, &r5, mem_write, &w5), PRINTSEAL_STATUS_PAYLOAD_TAMPERED);
  CHECK(w5.out.len < n);
  EXPECT(printseal_seal_stream(o, &rk, 1, NULL, &r, mem_write, &w), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_open_stream(NULL, &kek, 1, mem_read, &r, NULL, &w), PRINTSEAL_STATUS_NULL_PARAMETER);
  /* Around the helpers' 1 MiB buffers (one buffer inline, more through the worker
   * thread), both ways. */
  const size_t MIB = 1024 * 1024;
  const size_t sizes[] = {0, 1, MIB - 1, MIB, MIB + 1, 2 * MIB, 2 * MIB + 16385};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    mem_reader rs = {pt, sizes[i], 0, 0, (size_t)-1, 0};
    mem_writer ws = {{0}, (size_t)-1, 0};
    OK(printseal_seal_stream(o, &rk, 1, mem_read, &rs, mem_write, &ws));
    mem_reader ro = {ws.out.data, ws.out.len, 0, 0, (size_t)-1, 0};
    mem_writer wo = {{0}, (size_t)-1, 0};
    OK(printseal_open_stream(NULL, &kek, 1, mem_read, &ro, mem_write, &wo));
    CHECK(wo.out.len == sizes[i] && (sizes[i] == 0 || memcmp(wo.out.data, pt, sizes[i]) == 0));
    buf_free(&ws.out);
    buf_free(&wo.out);
  }
  /* A chunk damaged in the third MiB fails on the worker thread: that error comes
   * back (not a generic one), and nothing from that chunk on was written. */
  {
    mem_reader rs = {pt, n, 0, 0, (size_t)-1, 0};
    mem_writer ws = {{0}, (size_t)-1, 0};
    OK(printseal_seal_stream(o, &rk, 1, mem_read, &rs, mem_write, &ws));
    size_t at = 2 * MIB + 5000;
    ws.out.data[at] ^= 1;
    mem_reader ro = {ws.out.data, ws.out.len, 0, 0, (size_t)-1, 0};
    mem_writer wo = {{0}, (size_t)-1, 0};
    EXPECT(printseal_open_stream(NULL, &kek, 1, mem_read, &ro, mem_write, &wo), PRINTSEAL_STATUS_PAYLOAD_TAMPERED);
    CHECK(wo.out.len < at && memcmp(wo.out.data, pt, wo.out.len) == 0);
    buf_free(&ws.out);
    buf_free(&wo.out);
  }
  buf_free(&back);
  buf_free(&w.out);
  buf_free(&w2.out);
  buf_free(&wf.out);
  buf_free(&w3.out);
  buf_free(&w4.out);
  buf_free(&w5.out);
  free(pt);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
}

/* Lends copies of `data` in pieces of `step` bytes, each in a read-only mapping of its
 * own that is unmapped when the next piece is asked for: printseal writing a lent
 * piece, or reading one after it called the lender again, faults. The contract of
 * printseal_lend_callback is checked, not trusted. Also records that every call came
 * from the thread that called the helper. */
typedef struct {
  const uint8_t *data;
  size_t len, pos, step;
  void *map;
  size_t map_len;
  pthread_t owner;
  int calls, foreign_calls;
} guarded_lender;

static int32_t guarded_lend(void *ud, const uint8_t **out, size_t *out_n) {
  guarded_lender *l = (guarded_lender *)ud;
  l->calls++;
  if (!pthread_equal(pthread_self(), l->owner)) l->foreign_calls++;
  if (l->map) munmap(l->map, l->map_len);
  l->map = NULL;
  size_t k = l->len - l->pos < l->step ? l->len - l->pos : l->step;
  *out = NULL;
  *out_n = 0;
  if (k == 0) return 0;
  void *m = mmap(NULL, k, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return 12;
  memcpy(m, l->data + l->pos, k);
  if (mprotect(m, k, PROT_READ) != 0) return 13;
  l->map = m;
  l->map_len = k;
  l->pos += k;
  *out = (const uint8_t *)m;
  *out_n = k;
  return 0;
}

/* A lender that breaks its contract: a length with no data (`len` 5), or a length no
 * buffer can have (`len` SIZE_MAX, with data). */
static int32_t bad_lend(void *ud, const uint8_t **out, size_t *out_n) {
  static const uint8_t some[8] = {0};
  size_t len = *(size_t *)ud;
  *out = len == 5 ? NULL : some;
  *out_n = len;
  return 0;
}

/* The lending helpers: what the copying ones do, over input the host lends. */
static void test_lent_streams(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_identity *x = gen(PRINTSEAL_KEY_KIND_X25519);
  const printseal_recipient *rk = to_rcpt(kek);
  printseal_seal_options *o = options();
  const size_t MIB = 1024 * 1024;
  size_t n = 3 * MIB + 12345;
  uint8_t *pt = (uint8_t *)malloc(n);
  fill_plaintext(pt, n);
  /* Round trips around the 1 MiB steps, lent all at once (split by printseal), in
   * odd pieces, and in guarded pieces; each side against the push API. */
  const size_t sizes[] = {0, 1, 16384, MIB - 1, MIB, MIB + 1, 2 * MIB + 16385, n};
  const size_t steps[] = {0, 3333, 100000, MIB + 7};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    for (size_t j = 0; j < sizeof steps / sizeof steps[0]; j++) {
      if (steps[j] == 3333 && sizes[i] > MIB + 1) continue; /* many calls, nothing new */
      mem_reader l = {pt, sizes[i], 0, steps[j], (size_t)-1, 0};
      mem_writer ws = {{0}, (size_t)-1, 0};
      OK(printseal_seal_stream_lent(o, &rk, 1, mem_lend, &l, mem_write, &ws));
      CHECK(l.pos == sizes[i]);
      buf_t back = {0};
      OK(open_push(&kek, 1, NULL, ws.out.data, ws.out.len, 65536, &back));
      CHECK(back.len == sizes[i] && (sizes[i] == 0 || memcmp(back.data, pt, sizes[i]) == 0));
      buf_t job = {0};
      OK(seal_push(o, &rk, 1, pt, sizes[i], 200000, &job));
      CHECK(job.len == ws.out.len); /* same layout as the push API */
      mem_reader lo = {job.data, job.len, 0, steps[j], (size_t)-1, 0};
      mem_writer wo = {{0}, (size_t)-1, 0};
      OK(printseal_open_stream_lent(NULL, &kek, 1, mem_lend, &lo, mem_write, &wo));
      CHECK(wo.out.len == sizes[i] && (sizes[i] == 0 || memcmp(wo.out.data, pt, sizes[i]) == 0));
      buf_free(&back);
      buf_free(&job);
      buf_free(&ws.out);
      buf_free(&wo.out);
    }
  }
  /* Guarded pieces: printseal neither writes them nor reads one after the next call,
   * and calls the lender from the calling thread only. */
  {
    guarded_lender g = {pt, n, 0, 300001, NULL, 0, pthread_self(), 0, 0};
    mem_writer ws = {{0}, (size_t)-1, 0};
    OK(printseal_seal_stream_lent(o, &rk, 1, guarded_lend, &g, mem_write, &ws));
    CHECK(g.pos == n && g.foreign_calls == 0 && g.calls == (int)(n / 300001) + 2);
    guarded_lender go = {ws.out.data, ws.out.len, 0, 77777, NULL, 0, pthread_self(), 0, 0};
    mem_writer wo = {{0}, (size_t)-1, 0};
    OK(printseal_open_stream_lent(NULL, &kek, 1, guarded_lend, &go, mem_write, &wo));
    CHECK(go.foreign_calls == 0 && wo.out.len == n && same_bytes(wo.out.data, pt, n));
    /* A small job lent a byte at a time: the header arrives across many calls. */
    buf_t small = {0};
    OK(seal_push(o, &rk, 1, pt, 20000, 20000, &small));
    guarded_lender g1 = {small.data, small.len, 0, 1, NULL, 0, pthread_self(), 0, 0};
    mem_writer w1 = {{0}, (size_t)-1, 0};
    OK(printseal_open_stream_lent(NULL, &kek, 1, guarded_lend, &g1, mem_write, &w1));
    CHECK(g1.calls == (int)small.len + 1 && w1.out.len == 20000 && same_bytes(w1.out.data, pt, 20000));
    buf_free(&small);
    buf_free(&w1.out);
    buf_free(&ws.out);
    buf_free(&wo.out);
  }
  /* A lender that fails half-way: IO, and the output opens as truncated. */
  {
    mem_reader lf = {pt, n, 0, 100000, n / 2, 5};
    mem_writer wf = {{0}, (size_t)-1, 0};
    EXPECT(printseal_seal_stream_lent(o, &rk, 1, mem_lend, &lf, mem_write, &wf), PRINTSEAL_STATUS_IO);
    buf_t back = {0};
    EXPECT(open_push(&kek, 1, NULL, wf.out.data, wf.out.len, 65536, &back), PRINTSEAL_STATUS_TRUNCATED);
    CHECK(back.len <= n / 2 && same_bytes(back.data, pt, back.len));
    buf_free(&back);
    buf_free(&wf.out);
  }
  /* A write callback that fails half-way. */
  {
    mem_reader l = {pt, n, 0, 0, (size_t)-1, 0};
    mem_writer w = {{0}, n / 3, 28};
    EXPECT(printseal_seal_stream_lent(o, &rk, 1, mem_lend, &l, mem_write, &w), PRINTSEAL_STATUS_IO);
    buf_t back = {0};
    CHECK(open_push(&kek, 1, NULL, w.out.data, w.out.len, 65536, &back) != PRINTSEAL_STATUS_OK);
    buf_free(&back);
    buf_free(&w.out);
  }
  /* Lenders that break the contract: IO, never a crash, no complete output. */
  {
    size_t bad[] = {5, (size_t)-1};
    for (int i = 0; i < 2; i++) {
      mem_writer w = {{0}, (size_t)-1, 0};
      EXPECT(printseal_seal_stream_lent(o, &rk, 1, bad_lend, &bad[i], mem_write, &w), PRINTSEAL_STATUS_IO);
      CHECK(w.out.len == 0); /* the header waits for the first payload bytes */
      EXPECT(printseal_open_stream_lent(NULL, &kek, 1, bad_lend, &bad[i], mem_write, &w), PRINTSEAL_STATUS_IO);
      CHECK(w.out.len == 0);
      buf_free(&w.out);
    }
  }
  /* Opening: a failing lender, a short job, the wrong key, a damaged chunk. */
  buf_t job = {0};
  OK(seal_push(o, &rk, 1, pt, n, MIB, &job));
  {
    mem_reader l = {job.data, job.len, 0, 65536, job.len / 2, 7};
    mem_writer w = {{0}, (size_t)-1, 0};
    EXPECT(printseal_open_stream_lent(NULL, &kek, 1, mem_lend, &l, mem_write, &w), PRINTSEAL_STATUS_IO);
    CHECK(w.out.len < n && same_bytes(w.out.data, pt, w.out.len));
    buf_free(&w.out);
    /* Cut after the last full chunk (the final one holds 12345 bytes and its tag):
     * the job looks complete up to there, and only the missing end tells. */
    mem_reader ls = {job.data, job.len - (12345 + 16), 0, 0, (size_t)-1, 0};
    mem_writer w2 = {{0}, (size_t)-1, 0};
    EXPECT(printseal_open_stream_lent(NULL, &kek, 1, mem_lend, &ls, mem_write, &w2), PRINTSEAL_STATUS_TRUNCATED);
    CHECK(w2.out.len < n && same_bytes(w2.out.data, pt, w2.out.len));
    buf_free(&w2.out);
    mem_reader lx = {job.data, job.len, 0, 0, (size_t)-1, 0};
    mem_writer w3 = {{0}, (size_t)-1, 0};
    EXPECT(printseal_open_stream_lent(NULL, &x, 1, mem_lend, &lx, mem_write, &w3), PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
    CHECK(w3.out.len == 0);
    buf_free(&w3.out);
    /* A chunk damaged in the third MiB: that chunk and what follows never reach
     * `write`; what came before is the plaintext. */
    size_t at = 2 * MIB + 5000;
    job.data[at] ^= 1;
    mem_reader ld = {job.data, job.len, 0, 0, (size_t)-1, 0};
    mem_writer w4 = {{0}, (size_t)-1, 0};
    EXPECT(printseal_open_stream_lent(NULL, &kek, 1, mem_lend, &ld, mem_write, &w4), PRINTSEAL_STATUS_PAYLOAD_TAMPERED);
    CHECK(w4.out.len < at && same_bytes(w4.out.data, pt, w4.out.len));
    buf_free(&w4.out);
    job.data[at] ^= 1;
  }
  /* An expired job under the default policy. */
  {
    printseal_seal_options *oe = options();
    OK(printseal_seal_options_set_created_at(oe, 1000));
    OK(printseal_seal_options_set_expires_at(oe, 2000));
    buf_t old = {0};
    OK(seal_push(oe, &rk, 1, pt, 100, 100, &old));
    mem_reader l = {old.data, old.len, 0, 0, (size_t)-1, 0};
    mem_writer w = {{0}, (size_t)-1, 0};
    EXPECT(printseal_open_stream_lent(NULL, &kek, 1, mem_lend, &l, mem_write, &w), PRINTSEAL_STATUS_POLICY_VIOLATION);
    CHECK(w.out.len == 0);
    buf_free(&w.out);
    buf_free(&old);
    printseal_seal_options_free(oe);
  }
  buf_free(&job);
  free(pt);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
  printseal_identity_free(x);
}

/* A toy key store: "wraps" the file key by XOR with a secret pad, kind 0x7f00,
 * body = 4-byte tag || 32 bytes. It shows the vtable; a real one calls its HSM. */
typedef struct {
  uint8_t pad[32];
  uint8_t tag[4];
  int fail_with;
  int freed;
  int calls;
} toy_store;

static int32_t toy_wrap(void *ud, const uint8_t *fk, uint8_t *body, size_t cap, size_t *len) {
  toy_store *t = (toy_store *)ud;
  __atomic_add_fetch(&t->calls, 1, __ATOMIC_SEQ_CST);
  if (t->fail_with) return t->fail_with;
  if (cap < 36) return PRINTSEAL_KEY_STORE_FAILURE_OTHER;
  memcpy(body, t->tag, 4);
  for (int i = 0; i < 32; i++) body[4 + i] = fk[i] ^ t->pad[i];
  *len = 36;
  return 0;
}

static int32_t toy_unwrap(void *ud, uint16_t kind, const uint8_t *body, size_t len, uint8_t *fk,
                          bool *matched) {
  toy_store *t = (toy_store *)ud;
  __atomic_add_fetch(&t->calls, 1, __ATOMIC_SEQ_CST);
  if (kind != 0x7f00 || len != 36 || memcmp(body, t->tag, 4) != 0) {
    *matched = false;
    return 0;
  }
  if (t->fail_with) return t->fail_with;
  for (int i = 0; i < 32; i++) fk[i] = body[4 + i] ^ t->pad[i];
  *matched = true;
  return 0;
}

static void toy_free(void *ud) { ((toy_store *)ud)->freed++; }

static void test_key_store(void) {
  toy_store t;
  memset(&t, 0, sizeof t);
  for (int i = 0; i < 32; i++) t.pad[i] = (uint8_t)(i * 7 + 1);
  memcpy(t.tag, "TOY1", 4);
  printseal_key_store vt = {&t, toy_unwrap, toy_wrap, toy_free};
  const printseal_identity *id = NULL;
  const printseal_recipient *r = NULL;
  OK(printseal_identity_from_key_store(&vt, &id));
  OK(printseal_recipient_from_key_store(&vt, 0x7f00, 2, &r));
  CHECK(printseal_identity_kind(id) == PRINTSEAL_KEY_KIND_KEY_STORE);
  uint8_t buf16[16];
  size_t n16;
  EXPECT(printseal_identity_key_id(id, buf16, 16, &n16), PRINTSEAL_STATUS_INVALID_INPUT);
  EXPECT(printseal_identity_to_recipient(id, &(const printseal_recipient *){NULL}), PRINTSEAL_STATUS_INVALID_INPUT);
  /* Symmetric: mixes with X-Wing. */
  const printseal_identity *w = gen(PRINTSEAL_KEY_KIND_XWING);
  const printseal_recipient *rw = to_rcpt(w);
  const printseal_recipient *both[2] = {rw, r};
  roundtrip(both, 2, id, w == NULL ? NULL : NULL, 30000, 5000);
  roundtrip(&r, 1, id, NULL, 10, 5);
  /* Failures: the store refuses the PIN. */
  printseal_seal_options *o = options();
  uint8_t pt[10] = {1, 2, 3};
  buf_t job = {0}, out = {0};
  OK(seal_push(o, &r, 1, pt, sizeof pt, 10, &job));
  t.fail_with = PRINTSEAL_KEY_STORE_FAILURE_PIN_INCORRECT;
  EXPECT(open_push(&id, 1, NULL, job.data, job.len, 100, &out), PRINTSEAL_STATUS_KEY_STORE);
  {
    printseal_opener *op = NULL;
    OK(printseal_opener_new(NULL, NULL, 0, &op));
    size_t c, wn;
    buf_reserve(&out, 1000);
    OK(printseal_opener_update(op, job.data, job.len, out.data, 1000, &c, &wn));
    EXPECT(printseal_opener_unlock(op, &id, 1), PRINTSEAL_STATUS_KEY_STORE);
    printseal_str d = printseal_opener_error_detail(op);
    CHECK(str_contains(d, "PIN"));
    printseal_opener_free(op);
  }
  printseal_sealer *s = NULL;
  EXPECT(printseal_sealer_new(o, &r, 1, &s), PRINTSEAL_STATUS_KEY_STORE);
  t.fail_with = 0;
  /* A store that is not asked about other jobs' stanzas: NO_MATCHING_RECIPIENT. */
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  job.len = 0;
  OK(seal_push(o, &rk, 1, pt, sizeof pt, 10, &job));
  EXPECT(open_push(&id, 1, NULL, job.data, job.len, 100, &out), PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
  /* NULL callbacks and arguments. */
  printseal_key_store novt = {&t, NULL, NULL, NULL};
  const printseal_identity *id2 = NULL;
  EXPECT(printseal_identity_from_key_store(&novt, &id2), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_recipient_from_key_store(&novt, 1, 0, &r), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_identity_from_key_store(NULL, &id2), PRINTSEAL_STATUS_NULL_PARAMETER);
  EXPECT(printseal_recipient_from_key_store(&vt, 1, 7, &(const printseal_recipient *){NULL}),
         PRINTSEAL_STATUS_INVALID_INPUT);
  CHECK(t.freed == 0);
  printseal_identity_free(id);
  CHECK(t.freed == 1);
  printseal_recipient_free(r);
  CHECK(t.freed == 2);
  CHECK(t.calls > 0);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
  printseal_recipient_free(rw);
  printseal_identity_free(w);
  printseal_seal_options_free(o);
  buf_free(&job);
  buf_free(&out);
}

typedef struct {
  const uint8_t *data;
  size_t len;
  int fail;
} mem_file;

static int32_t mem_pread(void *ud, uint8_t *buf, size_t n, uint64_t off, size_t *out_n) {
  mem_file *f = (mem_file *)ud;
  if (f->fail) return f->fail;
  if (off >= f->len) {
    *out_n = 0;
    return 0;
  }
  size_t k = f->len - (size_t)off;
  if (k > n) k = n;
  memcpy(buf, f->data + off, k);
  *out_n = k;
  return 0;
}

static void test_seekable(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  printseal_seal_options *o = options();
  size_t n = 5 * 16384 + 777;
  uint8_t *pt = (uint8_t *)malloc(n);
  fill_plaintext(pt, n);
  buf_t job = {0};
  OK(seal_push(o, &rk, 1, pt, n, n, &job));
  mem_file f = {job.data, job.len, 0};
  printseal_seekable_opener *so = NULL;
  OK(printseal_seekable_opener_new(NULL, &kek, 1, mem_pread, &f, job.len, &so));
  uint64_t plen = 0;
  OK(printseal_seekable_opener_plaintext_len(so, &plen));
  CHECK(plen == n);
  CHECK(printseal_header_stanza_count(printseal_seekable_opener_header(so)) == 1);
  const uint64_t offs[] = {0, 1, 16383, 16384, 40000, n - 10, n - 1, n, n + 100};
  uint8_t buf[20000];
  for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
    size_t got = 99;
    OK(printseal_seekable_opener_read_at(so, offs[i], buf, sizeof buf, &got));
    size_t want = offs[i] >= n ? 0 : (n - offs[i] < sizeof buf ? n - offs[i] : sizeof buf);
    CHECK(got == want && (want == 0 || memcmp(buf, pt + offs[i], want) == 0));
  }
  printseal_seekable_opener_free(so);
  /* A damaged chunk: reading it fails, other chunks still read. */
  {
    printseal_header *h = NULL;
    OK(printseal_header_parse(job.data, job.len, &h));
    size_t hl = printseal_header_len(h);
    printseal_header_free(h);
    job.data[hl + 56 + 2 * 16400 + 5] ^= 1;
  }
  so = NULL;
  OK(printseal_seekable_opener_new(NULL, &kek, 1, mem_pread, &f, job.len, &so));
  size_t got = 0;
  OK(printseal_seekable_opener_read_at(so, 0, buf, 1000, &got));
  CHECK(got == 1000 && memcmp(buf, pt, 1000) == 0);
  EXPECT(printseal_seekable_opener_read_at(so, 2 * 16384 + 10, buf, 100, &got), PRINTSEAL_STATUS_PAYLOAD_TAMPERED);
  CHECK(printseal_seekable_opener_error_detail(so).len > 0);
  printseal_seekable_opener_free(so);
  /* Wrong key, failing pread, truncated file. */
  const printseal_identity *other = gen(PRINTSEAL_KEY_KIND_KEK);
  so = NULL;
  EXPECT(printseal_seekable_opener_new(NULL, &other, 1, mem_pread, &f, job.len, &so), PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
  f.fail = 5;
  EXPECT(printseal_seekable_opener_new(NULL, &kek, 1, mem_pread, &f, job.len, &so), PRINTSEAL_STATUS_IO);
  f.fail = 0;
  EXPECT(printseal_seekable_opener_new(NULL, &kek, 1, mem_pread, &f, 30, &so), PRINTSEAL_STATUS_TRUNCATED);
  EXPECT(printseal_seekable_opener_new(NULL, &kek, 1, NULL, &f, job.len, &so), PRINTSEAL_STATUS_NULL_PARAMETER);
  CHECK(so == NULL);
  printseal_seekable_opener_free(NULL);
  printseal_identity_free(other);
  buf_free(&job);
  free(pt);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
}

static void test_rewrap(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK), *x = gen(PRINTSEAL_KEY_KIND_X25519);
  const printseal_recipient *rk = to_rcpt(kek), *rx = to_rcpt(x);
  printseal_seal_options *o = options();
  uint8_t pt[30000];
  fill_plaintext(pt, sizeof pt);
  buf_t job = {0}, out = {0};
  OK(seal_push(o, &rk, 1, pt, sizeof pt, 30000, &job));
  mem_reader r = {job.data, job.len, 0, 0, (size_t)-1, 0};
  mem_writer w = {{0}, (size_t)-1, 0};
  OK(printseal_rewrap_stream(NULL, &kek, 1, &rx, 1, false, mem_read, &r, mem_write, &w));
  OK(open_push(&x, 1, NULL, w.out.data, w.out.len, 4096, &out));
  CHECK(out.len == sizeof pt && memcmp(out.data, pt, sizeof pt) == 0);
  EXPECT(open_push(&kek, 1, NULL, w.out.data, w.out.len, 4096, &out), PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
  mem_reader r2 = {job.data, job.len, 0, 0, (size_t)-1, 0};
  mem_writer w2 = {{0}, (size_t)-1, 0};
  EXPECT(printseal_rewrap_stream(NULL, &x, 1, &rk, 1, false, mem_read, &r2, mem_write, &w2),
         PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
  mem_reader r3 = {job.data, job.len, 0, 0, (size_t)-1, 0};
  EXPECT(printseal_rewrap_stream(NULL, &kek, 1, NULL, 0, false, mem_read, &r3, mem_write, &w2),
         PRINTSEAL_STATUS_LIMIT_EXCEEDED);
  /* Header only: the host writes the new header, then the old payload bytes. */
  {
    uint8_t hdr[8192];
    size_t hn = 0, off = 0;
    EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, hdr, 10, &hn, &off),
           PRINTSEAL_STATUS_BUFFER_TOO_SMALL);
    CHECK(hn > 10 && hn < sizeof hdr);
    OK(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, hdr, sizeof hdr, &hn, &off));
    buf_t moved = {0};
    buf_append(&moved, hdr, hn);
    buf_append(&moved, job.data + off, job.len - off);
    out.len = 0;
    OK(open_push(&x, 1, NULL, moved.data, moved.len, 4096, &out));
    CHECK(out.len == sizeof pt && memcmp(out.data, pt, sizeof pt) == 0);
    EXPECT(printseal_rewrap_header(NULL, job.data, off + 10, &kek, 1, &rx, 1, false, hdr, sizeof hdr, &hn, &off),
           PRINTSEAL_STATUS_TRUNCATED);
    job.data[off + 30] ^= 1;   /* the key commitment */
    EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, hdr, sizeof hdr, &hn, &off),
           PRINTSEAL_STATUS_PAYLOAD_COMMITMENT);
    job.data[off + 30] ^= 1;
    EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, NULL, 0, &hn, NULL),
           PRINTSEAL_STATUS_NULL_PARAMETER);
    buf_free(&moved);
  }
  /* In place, on a file. */
  char path[] = "/tmp/printseal-ffi-test-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    CHECK(write(fd, job.data, job.len) == (ssize_t)job.len);
    close(fd);
    OK(printseal_rewrap_file(path, strlen(path), NULL, &kek, 1, &rx, 1, false));
    FILE *fp = fopen(path, "rb");
    buf_t file = {0};
    uint8_t tmp[65536];
    size_t k;
    while (fp && (k = fread(tmp, 1, sizeof tmp, fp)) > 0) buf_append(&file, tmp, k);
    if (fp) fclose(fp);
    out.len = 0;
    OK(open_push(&x, 1, NULL, file.data, file.len, 4096, &out));
    CHECK(out.len == sizeof pt);
    /* Wrong key: the file is left as it was. */
    EXPECT(printseal_rewrap_file(path, strlen(path), NULL, &kek, 1, &rk, 1, false),
           PRINTSEAL_STATUS_NO_MATCHING_RECIPIENT);
    out.len = 0;
    OK(open_push(&x, 1, NULL, file.data, file.len, 4096, &out));
    buf_free(&file);
    unlink(path);
    EXPECT(printseal_rewrap_file(path, strlen(path), NULL, &kek, 1, &rx, 1, false), PRINTSEAL_STATUS_IO);
  }
  EXPECT(printseal_rewrap_file(NULL, 4, NULL, &kek, 1, &rx, 1, false), PRINTSEAL_STATUS_NULL_PARAMETER);
  buf_free(&job);
  buf_free(&out);
  buf_free(&w.out);
  buf_free(&w2.out);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_recipient_free(rx);
  printseal_identity_free(kek);
  printseal_identity_free(x);
}

/* Several threads seal and open at once with shared keys. */
typedef struct {
  const printseal_identity *const *ids;
  const printseal_recipient *const *rcpts;
  int seed;
  int failures;
} thread_arg;

static void *thread_main(void *p) {
  thread_arg *a = (thread_arg *)p;
  printseal_seal_options *o = NULL;
  if (printseal_seal_options_new(CT, strlen(CT), &o) != PRINTSEAL_STATUS_OK) {
    a->failures++;
    return NULL;
  }
  for (int j = 0; j < 12; j++) {
    /* Three rounds span several 1 MiB steps: the stream helpers' worker thread and
     * the parallel sealing run in every thread at once. */
    size_t n = (size_t)(a->seed * 7919 + j * 3001) % 70000 + (j == 4 || j == 8 || j == 10 ? 2500000 : 0);
    uint8_t *pt = (uint8_t *)malloc(n + 1);
    for (size_t i = 0; i < n; i++) pt[i] = (uint8_t)(i + (size_t)a->seed);
    buf_t job = {0};
    mem_writer out = {{0}, (size_t)-1, 0};
    const printseal_recipient *r = a->rcpts[j % 3];
    const printseal_identity *id = a->ids[j % 3];
    printseal_status st;
    /* Every way in and out, in turn: push, lending helpers, copying helpers. */
    if (j % 3 == 0) {
      st = seal_push(o, &r, 1, pt, n, 5000 + (size_t)j, &job);
    } else if (j % 3 == 1) {
      mem_reader l = {pt, n, 0, 40000, (size_t)-1, 0};
      mem_writer w = {{0}, (size_t)-1, 0};
      st = printseal_seal_stream_lent(o, &r, 1, mem_lend, &l, mem_write, &w);
      job = w.out;
    } else {
      mem_reader rd = {pt, n, 0, 30000, (size_t)-1, 0};
      mem_writer w = {{0}, (size_t)-1, 0};
      st = printseal_seal_stream(o, &r, 1, mem_read, &rd, mem_write, &w);
      job = w.out;
    }
    if (st == PRINTSEAL_STATUS_OK) {
      if ((j / 3) % 3 == 0) {
        st = open_push(&id, 1, NULL, job.data, job.len, 3000, &out.out);
      } else if ((j / 3) % 3 == 1) {
        mem_reader l = {job.data, job.len, 0, 50000, (size_t)-1, 0};
        st = printseal_open_stream_lent(NULL, &id, 1, mem_lend, &l, mem_write, &out);
      } else {
        mem_reader rd = {job.data, job.len, 0, 0, (size_t)-1, 0};
        st = printseal_open_stream(NULL, &id, 1, mem_read, &rd, mem_write, &out);
      }
    }
    if (st != PRINTSEAL_STATUS_OK || out.out.len != n || !same_bytes(out.out.data, pt, n))
      a->failures++;
    buf_free(&job);
    buf_free(&out.out);
    free(pt);
  }
  printseal_seal_options_free(o);
  return NULL;
}

static void test_threads(void) {
  const printseal_identity *ids[3] = {gen(PRINTSEAL_KEY_KIND_KEK), gen(PRINTSEAL_KEY_KIND_X25519),
                                      gen(PRINTSEAL_KEY_KIND_XWING)};
  const printseal_recipient *rc[3] = {to_rcpt(ids[0]), to_rcpt(ids[1]), to_rcpt(ids[2])};
  pthread_t th[6];
  thread_arg args[6];
  for (int i = 0; i < 6; i++) {
    args[i] = (thread_arg){ids, rc, i + 1, 0};
    CHECK(pthread_create(&th[i], NULL, thread_main, &args[i]) == 0);
  }
  for (int i = 0; i < 6; i++) {
    pthread_join(th[i], NULL);
    CHECK(args[i].failures == 0);
  }
  for (int i = 0; i < 3; i++) {
    printseal_recipient_free(rc[i]);
    printseal_identity_free(ids[i]);
  }
}

/* INVALID_SEEK from real misuse of the seekable opener's position, and seek + read
 * against read_at. */
static void test_seek(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  printseal_seal_options *o = options();
  size_t n = 2 * 16384 + 321;
  uint8_t *pt = (uint8_t *)malloc(n);
  fill_plaintext(pt, n);
  buf_t job = {0};
  OK(seal_push(o, &rk, 1, pt, n, n, &job));
  mem_file f = {job.data, job.len, 0};
  printseal_seekable_opener *so = NULL;
  OK(printseal_seekable_opener_new(NULL, &kek, 1, mem_pread, &f, job.len, &so));
  uint64_t pos = 77;
  uint8_t buf[1000];
  size_t got = 0;
  OK(printseal_seekable_opener_seek(so, 16000, PRINTSEAL_WHENCE_SET, &pos));
  CHECK(pos == 16000);
  OK(printseal_seekable_opener_read(so, buf, sizeof buf, &got));
  CHECK(got == sizeof buf && memcmp(buf, pt + 16000, got) == 0);
  OK(printseal_seekable_opener_seek(so, -500, PRINTSEAL_WHENCE_CURRENT, &pos));
  CHECK(pos == 16500);
  OK(printseal_seekable_opener_read(so, buf, 10, &got));
  CHECK(got == 10 && memcmp(buf, pt + 16500, 10) == 0);
  OK(printseal_seekable_opener_seek(so, -21, PRINTSEAL_WHENCE_END, &pos));
  CHECK(pos == n - 21);
  OK(printseal_seekable_opener_read(so, buf, sizeof buf, &got));
  CHECK(got == 21 && memcmp(buf, pt + n - 21, 21) == 0);
  OK(printseal_seekable_opener_read(so, buf, sizeof buf, &got));
  CHECK(got == 0);
  /* Misuse: before the start (three ways), past UINT64_MAX; the position stays. */
  pos = 12345;
  EXPECT(printseal_seekable_opener_seek(so, -1, PRINTSEAL_WHENCE_SET, &pos), PRINTSEAL_STATUS_INVALID_SEEK);
  CHECK(pos == 12345);
  CHECK(printseal_seekable_opener_error_detail(so).len > 0);
  EXPECT(printseal_seekable_opener_seek(so, -(int64_t)n - 1, PRINTSEAL_WHENCE_CURRENT, &pos), PRINTSEAL_STATUS_INVALID_SEEK);
  EXPECT(printseal_seekable_opener_seek(so, -(int64_t)n - 1, PRINTSEAL_WHENCE_END, &pos), PRINTSEAL_STATUS_INVALID_SEEK);
  OK(printseal_seekable_opener_seek(so, INT64_MAX, PRINTSEAL_WHENCE_SET, &pos));
  OK(printseal_seekable_opener_seek(so, INT64_MAX, PRINTSEAL_WHENCE_CURRENT, &pos));
  CHECK(pos == (uint64_t)INT64_MAX * 2);
  EXPECT(printseal_seekable_opener_seek(so, 2, PRINTSEAL_WHENCE_CURRENT, &pos), PRINTSEAL_STATUS_INVALID_SEEK);
  CHECK(pos == (uint64_t)INT64_MAX * 2);
  OK(printseal_seekable_opener_read(so, buf, sizeof buf, &got));
  CHECK(got == 0); /* far past the end: nothing */
  EXPECT(printseal_seekable_opener_seek(so, 0, 3, &pos), PRINTSEAL_STATUS_INVALID_INPUT);
  /* Still usable; read_at ignores the position and leaves it after what it read. */
  OK(printseal_seekable_opener_read_at(so, 5, buf, 5, &got));
  CHECK(got == 5 && memcmp(buf, pt + 5, 5) == 0);
  OK(printseal_seekable_opener_read(so, buf, 3, &got));
  CHECK(got == 3 && memcmp(buf, pt + 10, 3) == 0);
  printseal_seekable_opener_free(so);
  buf_free(&job);
  free(pt);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_identity_free(kek);
}

/* Every entry point with each NULL pointer argument: NULL_PARAMETER for a status, the
 * documented neutral value (0, false, NULL, an empty string) otherwise, a no-op for
 * _free. Each function is logged ("null-case: name"); scripts/test-ffi.sh fails when a
 * function of the header with a pointer argument has no case. */
static void test_null_arguments(void) {
  const int NP = PRINTSEAL_STATUS_NULL_PARAMETER;
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_identity *x = gen(PRINTSEAL_KEY_KIND_X25519);
  const printseal_recipient *rk = to_rcpt(kek), *rx = to_rcpt(x);
  const printseal_identity *nid = NULL;
  const printseal_recipient *nr = NULL;
  const printseal_identity *null_ids[1] = {NULL};
  const printseal_recipient *null_rcpts[1] = {NULL};
  printseal_seal_options *o = options();
  printseal_policy *p = NULL;
  OK(printseal_policy_new(&p));
  uint8_t in[64] = {1, 2, 3}, out[70000], d32[32] = {0}, id16[16] = {0}, key32[32] = {0};
  char text[256];
  size_t n = 0, c = 0, w = 0;
  uint64_t u64 = 0;
  buf_t job = {0};
  uint8_t pt[100];
  fill_plaintext(pt, sizeof pt);
  OK(seal_push(o, &rk, 1, pt, sizeof pt, sizeof pt, &job));

  /* Keys. */
  NULL_CASE(printseal_identity_generate, EXPECT(printseal_identity_generate(PRINTSEAL_KEY_KIND_KEK, NULL), NP));
  NULL_CASE(printseal_identity_from_kek,
            EXPECT(printseal_identity_from_kek(NULL, 16, key32, 32, &nid), NP);
            EXPECT(printseal_identity_from_kek(id16, 16, NULL, 32, &nid), NP);
            EXPECT(printseal_identity_from_kek(id16, 16, key32, 32, NULL), NP));
  NULL_CASE(printseal_identity_parse,
            EXPECT(printseal_identity_parse(NULL, 10, &nid), NP);
            EXPECT(printseal_identity_parse(LIT("PRINTSEAL-SECRET-KEY-1X"), NULL), NP));
  NULL_CASE(printseal_identity_encode,
            EXPECT(printseal_identity_encode(NULL, text, sizeof text, &n), NP);
            EXPECT(printseal_identity_encode(x, NULL, sizeof text, &n), NP);
            EXPECT(printseal_identity_encode(x, text, sizeof text, NULL), NP));
  NULL_CASE(printseal_identity_kek_bytes,
            EXPECT(printseal_identity_kek_bytes(NULL, id16, key32), NP);
            EXPECT(printseal_identity_kek_bytes(kek, NULL, key32), NP);
            EXPECT(printseal_identity_kek_bytes(kek, id16, NULL), NP));
  NULL_CASE(printseal_identity_kind, CHECK(printseal_identity_kind(NULL) == 0));
  NULL_CASE(printseal_identity_key_id,
            EXPECT(printseal_identity_key_id(NULL, id16, 16, &n), NP);
            EXPECT(printseal_identity_key_id(kek, NULL, 16, &n), NP);
            EXPECT(printseal_identity_key_id(kek, id16, 16, NULL), NP));
  NULL_CASE(printseal_identity_to_recipient,
            EXPECT(printseal_identity_to_recipient(NULL, &nr), NP);
            EXPECT(printseal_identity_to_recipient(kek, NULL), NP));
  NULL_CASE(printseal_identity_free, printseal_identity_free(NULL));
  NULL_CASE(printseal_recipient_parse,
            EXPECT(printseal_recipient_parse(NULL, 10, &nr), NP);
            EXPECT(printseal_recipient_parse(LIT("printseal1x"), NULL), NP));
  NULL_CASE(printseal_recipient_encode,
            EXPECT(printseal_recipient_encode(NULL, text, sizeof text, &n), NP);
            EXPECT(printseal_recipient_encode(rx, NULL, sizeof text, &n), NP);
            EXPECT(printseal_recipient_encode(rx, text, sizeof text, NULL), NP));
  NULL_CASE(printseal_recipient_kind, CHECK(printseal_recipient_kind(NULL) == 0));
  NULL_CASE(printseal_recipient_key_id,
            EXPECT(printseal_recipient_key_id(NULL, id16, 16, &n), NP);
            EXPECT(printseal_recipient_key_id(rk, NULL, 16, &n), NP);
            EXPECT(printseal_recipient_key_id(rk, id16, 16, NULL), NP));
  NULL_CASE(printseal_recipient_free, printseal_recipient_free(NULL));

  /* Key stores, callbacks and PKCS#11 (argument checks come before any token call). */
  printseal_key_store no_unwrap = {NULL, NULL, toy_wrap, NULL};
  printseal_key_store no_wrap = {NULL, toy_unwrap, NULL, NULL};
  NULL_CASE(printseal_identity_from_key_store,
            EXPECT(printseal_identity_from_key_store(NULL, &nid), NP);
            EXPECT(printseal_identity_from_key_store(&no_wrap, NULL), NP);
            EXPECT(printseal_identity_from_key_store(&no_unwrap, &nid), NP));
  NULL_CASE(printseal_recipient_from_key_store,
            EXPECT(printseal_recipient_from_key_store(NULL, 0x7f00, 2, &nr), NP);
            EXPECT(printseal_recipient_from_key_store(&no_unwrap, 0x7f00, 2, NULL), NP);
            EXPECT(printseal_recipient_from_key_store(&no_wrap, 0x7f00, 2, &nr), NP));
  static const char URI[] = "pkcs11:id=%01?module-path=/nonexistent/module.so";
  int32_t failure = 77;
  NULL_CASE(printseal_identity_from_pkcs11,
            EXPECT(printseal_identity_from_pkcs11(NULL, 10, NULL, 0, &nid, &failure), NP);
            CHECK(failure == 0);
            EXPECT(printseal_identity_from_pkcs11(LIT(URI), NULL, 4, &nid, &failure), NP);
            EXPECT(printseal_identity_from_pkcs11(LIT(URI), NULL, 0, NULL, &failure), NP);
            EXPECT(printseal_identity_from_pkcs11(LIT(URI), NULL, 0, NULL, NULL), NP));
  NULL_CASE(printseal_identity_generate_in_pkcs11,
            EXPECT(printseal_identity_generate_in_pkcs11(NULL, 10, NULL, 0, &nid, &failure), NP);
            EXPECT(printseal_identity_generate_in_pkcs11(LIT(URI), NULL, 4, &nid, &failure), NP);
            EXPECT(printseal_identity_generate_in_pkcs11(LIT(URI), NULL, 0, NULL, NULL), NP));
  NULL_CASE(printseal_identity_key_store_failure, CHECK(printseal_identity_key_store_failure(NULL) == 0));
  NULL_CASE(printseal_recipient_key_store_failure, CHECK(printseal_recipient_key_store_failure(NULL) == 0));

  /* Header inspection. */
  printseal_header *h = NULL;
  OK(printseal_header_parse(job.data, job.len, &h));
  uint16_t kind = 0;
  printseal_slice sl;
  NULL_CASE(printseal_header_parse,
            EXPECT(printseal_header_parse(NULL, 10, &h), NP);
            EXPECT(printseal_header_parse(job.data, job.len, NULL), NP));
  NULL_CASE(printseal_header_len, CHECK(printseal_header_len(NULL) == 0));
  NULL_CASE(printseal_header_suite, CHECK(printseal_header_suite(NULL) == 0));
  NULL_CASE(printseal_header_content_type, CHECK(printseal_header_content_type(NULL).data == NULL));
  NULL_CASE(printseal_header_producer_name, CHECK(printseal_header_producer_name(NULL).data == NULL));
  NULL_CASE(printseal_header_producer_version, CHECK(printseal_header_producer_version(NULL).len == 0));
  NULL_CASE(printseal_header_job_id, CHECK(printseal_header_job_id(NULL).data == NULL));
  NULL_CASE(printseal_header_created_at, CHECK(printseal_header_created_at(NULL) == 0));
  /* `out` NULL only asks whether there is a value (documented). */
  NULL_CASE(printseal_header_expires_at,
            CHECK(!printseal_header_expires_at(NULL, &u64));
            CHECK(!printseal_header_expires_at(h, NULL)));
  NULL_CASE(printseal_header_sbom_sha256,
            CHECK(!printseal_header_sbom_sha256(NULL, d32));
            CHECK(printseal_header_sbom_sha256(h, NULL)));
  NULL_CASE(printseal_header_stanza_count, CHECK(printseal_header_stanza_count(NULL) == 0));
  NULL_CASE(printseal_header_stanza,
            EXPECT(printseal_header_stanza(NULL, 0, &kind, &sl), NP);
            EXPECT(printseal_header_stanza(h, 0, NULL, &sl), NP);
            EXPECT(printseal_header_stanza(h, 0, &kind, NULL), NP));
  NULL_CASE(printseal_header_free, printseal_header_free(NULL));
  printseal_header_free(h);

  /* Policy. */
  printseal_policy *np = NULL;
  NULL_CASE(printseal_policy_new, EXPECT(printseal_policy_new(NULL), NP); (void)np);
  NULL_CASE(printseal_policy_accept_producer,
            EXPECT(printseal_policy_accept_producer(NULL, LIT("printseal")), NP);
            EXPECT(printseal_policy_accept_producer(p, NULL, 3), NP));
  NULL_CASE(printseal_policy_min_producer_version,
            EXPECT(printseal_policy_min_producer_version(NULL, LIT("a"), LIT("1.0.0")), NP);
            EXPECT(printseal_policy_min_producer_version(p, NULL, 1, LIT("1.0.0")), NP);
            EXPECT(printseal_policy_min_producer_version(p, LIT("a"), NULL, 5), NP));
  NULL_CASE(printseal_policy_deny_versions,
            EXPECT(printseal_policy_deny_versions(NULL, LIT("a"), LIT("<1.0.0")), NP);
            EXPECT(printseal_policy_deny_versions(p, NULL, 1, LIT("<1.0.0")), NP);
            EXPECT(printseal_policy_deny_versions(p, LIT("a"), NULL, 6), NP));
  NULL_CASE(printseal_policy_deny_sbom_sha256,
            EXPECT(printseal_policy_deny_sbom_sha256(NULL, d32), NP);
            EXPECT(printseal_policy_deny_sbom_sha256(p, NULL), NP));
  NULL_CASE(printseal_policy_accept_suite, EXPECT(printseal_policy_accept_suite(NULL, 1), NP));
  NULL_CASE(printseal_policy_accept_stanza_kind, EXPECT(printseal_policy_accept_stanza_kind(NULL, 1), NP));
  NULL_CASE(printseal_policy_allow_expired, EXPECT(printseal_policy_allow_expired(NULL, true), NP));
  NULL_CASE(printseal_policy_at_time, EXPECT(printseal_policy_at_time(NULL, 5), NP));
  NULL_CASE(printseal_policy_free, printseal_policy_free(NULL));

  /* Seal options. */
  printseal_seal_options *no = NULL;
  NULL_CASE(printseal_seal_options_new,
            EXPECT(printseal_seal_options_new(NULL, 3, &no), NP);
            EXPECT(printseal_seal_options_new(LIT("a/b"), NULL), NP));
  NULL_CASE(printseal_seal_options_set_suite, EXPECT(printseal_seal_options_set_suite(NULL, 1), NP));
  NULL_CASE(printseal_seal_options_set_job_id,
            EXPECT(printseal_seal_options_set_job_id(NULL, LIT("j")), NP);
            EXPECT(printseal_seal_options_set_job_id(o, NULL, 1), NP));
  NULL_CASE(printseal_seal_options_set_created_at, EXPECT(printseal_seal_options_set_created_at(NULL, 1), NP));
  NULL_CASE(printseal_seal_options_set_expires_at, EXPECT(printseal_seal_options_set_expires_at(NULL, 1), NP));
  NULL_CASE(printseal_seal_options_set_producer,
            EXPECT(printseal_seal_options_set_producer(NULL, LIT("t"), LIT("1")), NP);
            EXPECT(printseal_seal_options_set_producer(o, NULL, 1, LIT("1")), NP);
            EXPECT(printseal_seal_options_set_producer(o, LIT("t"), NULL, 1), NP));
  NULL_CASE(printseal_seal_options_set_sbom_sha256,
            EXPECT(printseal_seal_options_set_sbom_sha256(NULL, d32), NP);
            EXPECT(printseal_seal_options_set_sbom_sha256(o, NULL), NP));
  NULL_CASE(printseal_seal_options_allow_mixed_pq, EXPECT(printseal_seal_options_allow_mixed_pq(NULL, true), NP));
  NULL_CASE(printseal_seal_options_add_private_entry,
            EXPECT(printseal_seal_options_add_private_entry(NULL, LIT("k"), in, 3), NP);
            EXPECT(printseal_seal_options_add_private_entry(o, NULL, 1, in, 3), NP);
            EXPECT(printseal_seal_options_add_private_entry(o, LIT("k"), NULL, 3), NP));
  NULL_CASE(printseal_seal_options_free, printseal_seal_options_free(NULL));

  /* Sealer. */
  printseal_sealer *s = NULL;
  OK(printseal_sealer_new(o, &rk, 1, &s));
  NULL_CASE(printseal_sealer_new,
            EXPECT(printseal_sealer_new(NULL, &rk, 1, &s), NP);
            EXPECT(printseal_sealer_new(o, NULL, 1, &s), NP);
            EXPECT(printseal_sealer_new(o, null_rcpts, 1, &s), NP);
            EXPECT(printseal_sealer_new(o, &rk, 1, NULL), NP));
  NULL_CASE(printseal_sealer_update_output_len, CHECK(printseal_sealer_update_output_len(NULL, 5) == 0));
  NULL_CASE(printseal_sealer_finish_output_len, CHECK(printseal_sealer_finish_output_len(NULL) == 0));
  NULL_CASE(printseal_sealer_update,
            EXPECT(printseal_sealer_update(NULL, in, 5, out, sizeof out, &w), NP);
            EXPECT(printseal_sealer_update(s, NULL, 5, out, sizeof out, &w), NP);
            EXPECT(printseal_sealer_update(s, in, 5, NULL, sizeof out, &w), NP);
            EXPECT(printseal_sealer_update(s, in, 5, out, sizeof out, NULL), NP));
  NULL_CASE(printseal_sealer_finish,
            EXPECT(printseal_sealer_finish(NULL, out, sizeof out, &w), NP);
            EXPECT(printseal_sealer_finish(s, NULL, sizeof out, &w), NP);
            EXPECT(printseal_sealer_finish(s, out, sizeof out, NULL), NP));
  /* None of those consumed or ended anything. */
  OK(printseal_sealer_finish(s, out, sizeof out, &w));
  NULL_CASE(printseal_sealer_error_detail, CHECK(printseal_sealer_error_detail(NULL).data == NULL));
  NULL_CASE(printseal_sealer_free, printseal_sealer_free(NULL));
  printseal_sealer_free(s);

  /* Opener. */
  printseal_opener *op = NULL;
  OK(printseal_opener_new(NULL, NULL, 0, &op));
  NULL_CASE(printseal_opener_new,
            EXPECT(printseal_opener_new(p, NULL, 1, &op), NP);
            EXPECT(printseal_opener_new(p, null_ids, 1, &op), NP);
            EXPECT(printseal_opener_new(p, &kek, 1, NULL), NP));
  NULL_CASE(printseal_opener_update_output_len, CHECK(printseal_opener_update_output_len(NULL, 5) == 0));
  NULL_CASE(printseal_opener_finish_output_len, CHECK(printseal_opener_finish_output_len(NULL) == 0));
  NULL_CASE(printseal_opener_update,
            EXPECT(printseal_opener_update(NULL, job.data, 5, out, sizeof out, &c, &w), NP);
            EXPECT(printseal_opener_update(op, NULL, 5, out, sizeof out, &c, &w), NP);
            EXPECT(printseal_opener_update(op, job.data, 5, NULL, sizeof out, &c, &w), NP);
            EXPECT(printseal_opener_update(op, job.data, 5, out, sizeof out, NULL, &w), NP);
            EXPECT(printseal_opener_update(op, job.data, 5, out, sizeof out, &c, NULL), NP));
  OK(printseal_opener_update(op, job.data, job.len, out, sizeof out, &c, &w));
  CHECK(printseal_opener_is_locked(op));
  NULL_CASE(printseal_opener_is_locked, CHECK(!printseal_opener_is_locked(NULL)));
  NULL_CASE(printseal_opener_header, CHECK(printseal_opener_header(NULL) == NULL));
  NULL_CASE(printseal_opener_unlock,
            EXPECT(printseal_opener_unlock(NULL, &kek, 1), NP);
            EXPECT(printseal_opener_unlock(op, NULL, 1), NP);
            EXPECT(printseal_opener_unlock(op, null_ids, 1), NP));
  OK(printseal_opener_unlock(op, &kek, 1));
  size_t rest = job.len - c;
  OK(printseal_opener_update(op, job.data + c, rest, out, sizeof out, &c, &w));
  NULL_CASE(printseal_opener_finish,
            EXPECT(printseal_opener_finish(NULL, out, sizeof out, &w), NP);
            EXPECT(printseal_opener_finish(op, NULL, sizeof out, &w), NP);
            EXPECT(printseal_opener_finish(op, out, sizeof out, NULL), NP));
  OK(printseal_opener_finish(op, out, sizeof out, &w));
  printseal_str ks;
  NULL_CASE(printseal_opener_private_entry,
            CHECK(!printseal_opener_private_entry(NULL, LIT("k"), &sl));
            CHECK(!printseal_opener_private_entry(op, NULL, 1, &sl));
            CHECK(!printseal_opener_private_entry(op, LIT("k"), NULL)));
  NULL_CASE(printseal_opener_private_entry_count, CHECK(printseal_opener_private_entry_count(NULL) == 0));
  NULL_CASE(printseal_opener_private_entry_at,
            EXPECT(printseal_opener_private_entry_at(NULL, 0, &ks, &sl), NP);
            EXPECT(printseal_opener_private_entry_at(op, 0, NULL, &sl), NP);
            EXPECT(printseal_opener_private_entry_at(op, 0, &ks, NULL), NP));
  NULL_CASE(printseal_opener_error_detail, CHECK(printseal_opener_error_detail(NULL).data == NULL));
  NULL_CASE(printseal_opener_free, printseal_opener_free(NULL));
  printseal_opener_free(op);

  /* Stream helpers, files and header rewrap. */
  mem_reader r = {job.data, job.len, 0, 0, (size_t)-1, 0};
  mem_writer mw = {{0}, (size_t)-1, 0};
  NULL_CASE(printseal_seal_stream,
            EXPECT(printseal_seal_stream(NULL, &rk, 1, mem_read, &r, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream(o, NULL, 1, mem_read, &r, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream(o, null_rcpts, 1, mem_read, &r, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream(o, &rk, 1, NULL, &r, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream(o, &rk, 1, mem_read, &r, NULL, &mw), NP));
  NULL_CASE(printseal_open_stream,
            EXPECT(printseal_open_stream(NULL, NULL, 1, mem_read, &r, mem_write, &mw), NP);
            EXPECT(printseal_open_stream(NULL, null_ids, 1, mem_read, &r, mem_write, &mw), NP);
            EXPECT(printseal_open_stream(NULL, &kek, 1, NULL, &r, mem_write, &mw), NP);
            EXPECT(printseal_open_stream(NULL, &kek, 1, mem_read, &r, NULL, &mw), NP));
  mem_reader ml = {job.data, job.len, 0, 0, (size_t)-1, 0};
  NULL_CASE(printseal_seal_stream_lent,
            EXPECT(printseal_seal_stream_lent(NULL, &rk, 1, mem_lend, &ml, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream_lent(o, NULL, 1, mem_lend, &ml, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream_lent(o, null_rcpts, 1, mem_lend, &ml, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream_lent(o, &rk, 1, NULL, &ml, mem_write, &mw), NP);
            EXPECT(printseal_seal_stream_lent(o, &rk, 1, mem_lend, &ml, NULL, &mw), NP));
  NULL_CASE(printseal_open_stream_lent,
            EXPECT(printseal_open_stream_lent(NULL, NULL, 1, mem_lend, &ml, mem_write, &mw), NP);
            EXPECT(printseal_open_stream_lent(NULL, null_ids, 1, mem_lend, &ml, mem_write, &mw), NP);
            EXPECT(printseal_open_stream_lent(NULL, &kek, 1, NULL, &ml, mem_write, &mw), NP);
            EXPECT(printseal_open_stream_lent(NULL, &kek, 1, mem_lend, &ml, NULL, &mw), NP));
  NULL_CASE(printseal_rewrap_stream,
            EXPECT(printseal_rewrap_stream(NULL, NULL, 1, &rx, 1, false, mem_read, &r, mem_write, &mw), NP);
            EXPECT(printseal_rewrap_stream(NULL, &kek, 1, NULL, 1, false, mem_read, &r, mem_write, &mw), NP);
            EXPECT(printseal_rewrap_stream(NULL, &kek, 1, &rx, 1, false, NULL, &r, mem_write, &mw), NP);
            EXPECT(printseal_rewrap_stream(NULL, &kek, 1, &rx, 1, false, mem_read, &r, NULL, &mw), NP));
  CHECK(r.pos == 0 && ml.pos == 0 && mw.out.len == 0); /* no callback ran */
  NULL_CASE(printseal_rewrap_file,
            EXPECT(printseal_rewrap_file(NULL, 8, NULL, &kek, 1, &rx, 1, false), NP);
            EXPECT(printseal_rewrap_file(LIT("/nonexistent"), NULL, NULL, 1, &rx, 1, false), NP);
            EXPECT(printseal_rewrap_file(LIT("/nonexistent"), NULL, &kek, 1, NULL, 1, false), NP));
  size_t off = 0;
  NULL_CASE(printseal_rewrap_header,
            EXPECT(printseal_rewrap_header(NULL, NULL, 10, &kek, 1, &rx, 1, false, out, sizeof out, &w, &off), NP);
            EXPECT(printseal_rewrap_header(NULL, job.data, job.len, NULL, 1, &rx, 1, false, out, sizeof out, &w, &off), NP);
            EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, NULL, 1, false, out, sizeof out, &w, &off), NP);
            EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, NULL, 100, &w, &off), NP);
            EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, out, sizeof out, NULL, &off), NP);
            EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, out, sizeof out, &w, NULL), NP));

  /* Seekable opener. */
  mem_file f = {job.data, job.len, 0};
  printseal_seekable_opener *so = NULL;
  OK(printseal_seekable_opener_new(NULL, &kek, 1, mem_pread, &f, job.len, &so));
  printseal_seekable_opener *nso = NULL;
  NULL_CASE(printseal_seekable_opener_new,
            EXPECT(printseal_seekable_opener_new(NULL, NULL, 1, mem_pread, &f, job.len, &nso), NP);
            EXPECT(printseal_seekable_opener_new(NULL, null_ids, 1, mem_pread, &f, job.len, &nso), NP);
            EXPECT(printseal_seekable_opener_new(NULL, &kek, 1, NULL, &f, job.len, &nso), NP);
            EXPECT(printseal_seekable_opener_new(NULL, &kek, 1, mem_pread, &f, job.len, NULL), NP));
  NULL_CASE(printseal_seekable_opener_plaintext_len,
            EXPECT(printseal_seekable_opener_plaintext_len(NULL, &u64), NP);
            EXPECT(printseal_seekable_opener_plaintext_len(so, NULL), NP));
  NULL_CASE(printseal_seekable_opener_read_at,
            EXPECT(printseal_seekable_opener_read_at(NULL, 0, out, 10, &n), NP);
            EXPECT(printseal_seekable_opener_read_at(so, 0, NULL, 10, &n), NP);
            EXPECT(printseal_seekable_opener_read_at(so, 0, out, 10, NULL), NP));
  NULL_CASE(printseal_seekable_opener_seek,
            EXPECT(printseal_seekable_opener_seek(NULL, 0, PRINTSEAL_WHENCE_SET, &u64), NP);
            EXPECT(printseal_seekable_opener_seek(so, 0, PRINTSEAL_WHENCE_SET, NULL), NP));
  NULL_CASE(printseal_seekable_opener_read,
            EXPECT(printseal_seekable_opener_read(NULL, out, 10, &n), NP);
            EXPECT(printseal_seekable_opener_read(so, NULL, 10, &n), NP);
            EXPECT(printseal_seekable_opener_read(so, out, 10, NULL), NP));
  NULL_CASE(printseal_seekable_opener_header, CHECK(printseal_seekable_opener_header(NULL) == NULL));
  NULL_CASE(printseal_seekable_opener_error_detail, CHECK(printseal_seekable_opener_error_detail(NULL).data == NULL));
  NULL_CASE(printseal_seekable_opener_free, printseal_seekable_opener_free(NULL));
  printseal_seekable_opener_free(so);

  /* Version and SBOM. */
  NULL_CASE(printseal_sbom_sha256, CHECK(!printseal_sbom_sha256(NULL)));
#ifdef PRINTSEAL_TEST_HOOKS
  printseal_sealer *ts = NULL;
  NULL_CASE(printseal_sealer_new_seeded_for_testing,
            EXPECT(printseal_sealer_new_seeded_for_testing(NULL, &rk, 1, d32, &ts), NP);
            EXPECT(printseal_sealer_new_seeded_for_testing(o, NULL, 1, d32, &ts), NP);
            EXPECT(printseal_sealer_new_seeded_for_testing(o, &rk, 1, NULL, &ts), NP);
            EXPECT(printseal_sealer_new_seeded_for_testing(o, &rk, 1, d32, NULL), NP));
#endif
  buf_free(&job);
  printseal_policy_free(p);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_recipient_free(rx);
  printseal_identity_free(kek);
  printseal_identity_free(x);
}

#ifdef PRINTSEAL_TEST_HOOKS
/* RANDOMNESS and INTERNAL cannot be provoked on purpose: this is fault injection
 * through the test build's printseal_inject_fault_for_testing, which makes the
 * operating-system generator fail, or a sealer or opener step fail as a broken
 * invariant in the core would. Each path must report it and leave no object or
 * output behind. */
static void test_injected_faults(void) {
  const printseal_identity *kek = gen(PRINTSEAL_KEY_KIND_KEK);
  const printseal_recipient *rk = to_rcpt(kek);
  const printseal_identity *x = gen(PRINTSEAL_KEY_KIND_X25519);
  const printseal_recipient *rx = to_rcpt(x);
  printseal_seal_options *o = options();
  uint8_t pt[5000], out[70000];
  fill_plaintext(pt, sizeof pt);
  buf_t job = {0};
  OK(seal_push(o, &rk, 1, pt, sizeof pt, sizeof pt, &job));
  EXPECT(printseal_inject_fault_for_testing(PRINTSEAL_STATUS_IO), PRINTSEAL_STATUS_INVALID_INPUT);

  OK(printseal_inject_fault_for_testing(PRINTSEAL_STATUS_RANDOMNESS));
  printseal_sealer *s = NULL;
  const printseal_identity *id = NULL;
  EXPECT(printseal_sealer_new(o, &rk, 1, &s), PRINTSEAL_STATUS_RANDOMNESS);
  CHECK(s == NULL);
  EXPECT(printseal_identity_generate(PRINTSEAL_KEY_KIND_X25519, &id), PRINTSEAL_STATUS_RANDOMNESS);
  CHECK(id == NULL);
  mem_reader r = {pt, sizeof pt, 0, 0, (size_t)-1, 0};
  mem_writer mw = {{0}, (size_t)-1, 0};
  EXPECT(printseal_seal_stream(o, &rk, 1, mem_read, &r, mem_write, &mw), PRINTSEAL_STATUS_RANDOMNESS);
  CHECK(mw.out.len == 0);
  mem_reader l = {pt, sizeof pt, 0, 0, (size_t)-1, 0};
  EXPECT(printseal_seal_stream_lent(o, &rk, 1, mem_lend, &l, mem_write, &mw), PRINTSEAL_STATUS_RANDOMNESS);
  CHECK(mw.out.len == 0 && l.pos == 0);
  size_t w = 0, off = 0;
  EXPECT(printseal_rewrap_header(NULL, job.data, job.len, &kek, 1, &rx, 1, false, out, sizeof out, &w, &off),
         PRINTSEAL_STATUS_RANDOMNESS);
  mem_reader rj = {job.data, job.len, 0, 0, (size_t)-1, 0};
  EXPECT(printseal_rewrap_stream(NULL, &kek, 1, &rx, 1, false, mem_read, &rj, mem_write, &mw), PRINTSEAL_STATUS_RANDOMNESS);
  CHECK(mw.out.len == 0);
  {
    /* The file is left as it was. */
    char path[] = "/tmp/printseal-ffi-fault-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, job.data, job.len) == (ssize_t)job.len);
    close(fd);
    EXPECT(printseal_rewrap_file(path, strlen(path), NULL, &kek, 1, &rx, 1, false), PRINTSEAL_STATUS_RANDOMNESS);
    FILE *f = fopen(path, "rb");
    uint8_t back[8192];
    size_t got = f ? fread(back, 1, sizeof back, f) : 0;
    if (f) fclose(f);
    CHECK(got == job.len && memcmp(back, job.data, got) == 0);
    unlink(path);
  }
  /* Opening needs no randomness. */
  buf_t pt2 = {0};
  OK(open_push(&kek, 1, NULL, job.data, job.len, 1000, &pt2));
  CHECK(pt2.len == sizeof pt);
  buf_free(&pt2);
  OK(printseal_inject_fault_for_testing(PRINTSEAL_STATUS_OK));

  /* INTERNAL: the sealer fails and stays failed; so does an opener. */
  OK(printseal_sealer_new(o, &rk, 1, &s));
  OK(printseal_inject_fault_for_testing(PRINTSEAL_STATUS_INTERNAL));
  EXPECT(printseal_sealer_update(s, pt, sizeof pt, out, sizeof out, &w), PRINTSEAL_STATUS_INTERNAL);
  printseal_str det = printseal_sealer_error_detail(s);
  CHECK(str_contains(det, "fault injected"));
  printseal_opener *op = NULL;
  size_t c = 0;
  OK(printseal_opener_new(NULL, &kek, 1, &op));
  EXPECT(printseal_opener_update(op, job.data, job.len, out, sizeof out, &c, &w), PRINTSEAL_STATUS_INTERNAL);
  OK(printseal_inject_fault_for_testing(PRINTSEAL_STATUS_OK));
  EXPECT(printseal_sealer_finish(s, out, sizeof out, &w), PRINTSEAL_STATUS_INVALID_STATE);
  EXPECT(printseal_opener_finish(op, out, sizeof out, &w), PRINTSEAL_STATUS_INVALID_STATE);
  printseal_opener_free(op);
  printseal_sealer_free(s);
  /* Cleared: everything works again. */
  OK(printseal_sealer_new(o, &rk, 1, &s));
  printseal_sealer_free(s);
  buf_free(&mw.out);
  buf_free(&job);
  printseal_seal_options_free(o);
  printseal_recipient_free(rk);
  printseal_recipient_free(rx);
  printseal_identity_free(kek);
  printseal_identity_free(x);
}
#endif

#ifdef PRINTSEAL_TEST_HOOKS
static void test_panic_boundary(void) {
  EXPECT(printseal_panic_for_testing(), PRINTSEAL_STATUS_PANIC);
}
#endif

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
  test_status_codes();
  test_version();
  test_keys();
  test_roundtrips(quick);
  test_metadata_and_manual_unlock();
  test_damage();
  test_policy();
  test_misuse();
  test_streams();
  test_lent_streams();
  test_key_store();
  test_seekable();
  test_seek();
  test_rewrap();
  test_null_arguments();
  if (!quick) test_threads();
#ifdef PRINTSEAL_TEST_HOOKS
  test_panic_boundary();
  test_injected_faults();
#endif
  return finish_tests(quick ? "test_ffi (quick)" : "test_ffi");
}
