/* open_file: opens a sealed job with a secret key, or with a KEK in an HSM.
 *
 *   open_file SECRET_FILE IN OUT
 *   open_file 'pkcs11:...?module-path=...&pin-source=file:...' IN OUT
 *
 * Uses the push API: feed sealed bytes, get plaintext into our own buffers, then
 * finish. Only finish returning OK means the job was complete and authentic, so
 * the plaintext goes to a temporary file that is renamed to OUT only then.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <printseal.h>

static const printseal_identity *load_identity(const char *path) {
  if (strncmp(path, "pkcs11:", 7) == 0) {
    /* A KEK in a PKCS#11 token: the token unwraps; the PIN comes from the URI's
     * pin-source file (never from the command line). */
    const printseal_identity *id = NULL;
    int32_t failure = 0;
    printseal_status st = printseal_identity_from_pkcs11(path, strlen(path), NULL, 0, &id, &failure);
    if (st != PRINTSEAL_STATUS_OK)
      fprintf(stderr, "PKCS#11 key: %s (key store failure %d)\n", printseal_status_str(st), failure);
    return id;
  }
  char text[256] = {0};
  FILE *f = fopen(path, "r");
  if (!f || !fgets(text, sizeof text, f)) {
    perror(path);
    return NULL;
  }
  fclose(f);
  size_t n = strcspn(text, "\r\n");
  const printseal_identity *id = NULL;
  printseal_status st = printseal_identity_parse(text, n, &id);
  memset(text, 0, sizeof text);
  if (st != PRINTSEAL_STATUS_OK) fprintf(stderr, "%s: %s\n", path, printseal_status_str(st));
  return id;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s SECRET_FILE|PKCS11_URI IN OUT\n", argv[0]);
    return 2;
  }
  const printseal_identity *id = load_identity(argv[1]);
  if (!id) return 1;
  FILE *in = fopen(argv[2], "rb");
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", argv[3]);
  int fd = mkstemp(tmp);
  FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!in || !out) {
    perror(!in ? argv[2] : tmp);
    return 1;
  }

  /* The default policy (NULL: expired jobs refused); the opener unlocks itself
   * with the identity once the header is in. */
  printseal_opener *op = NULL;
  printseal_status st = printseal_opener_new(NULL, &id, 1, &op);
  enum { IN_BUF = 64 * 1024 };
  uint8_t *inbuf = malloc(IN_BUF);
  size_t cap = printseal_opener_update_output_len(op, IN_BUF) + 16384;
  uint8_t *outbuf = malloc(cap);
  size_t n;
  while (st == PRINTSEAL_STATUS_OK && (n = fread(inbuf, 1, IN_BUF, in)) > 0) {
    size_t consumed = 0, written = 0;
    /* update_output_len says how much room this call needs: never more than cap. */
    st = printseal_opener_update(op, inbuf, n, outbuf, cap, &consumed, &written);
    if (st == PRINTSEAL_STATUS_OK && fwrite(outbuf, 1, written, out) != written)
      st = PRINTSEAL_STATUS_IO;
  }
  if (st == PRINTSEAL_STATUS_OK) {
    size_t written = 0;
    st = printseal_opener_finish(op, outbuf, cap, &written);
    if (st == PRINTSEAL_STATUS_OK && fwrite(outbuf, 1, written, out) != written)
      st = PRINTSEAL_STATUS_IO;
  }
  if (st != PRINTSEAL_STATUS_OK) {
    printseal_str detail = printseal_opener_error_detail(op);
    fprintf(stderr, "open_file: %s (%.*s)\n", printseal_status_str(st), (int)detail.len,
            detail.data ? detail.data : "");
  } else {
    printseal_slice title;
    if (printseal_opener_private_entry(op, "title", 5, &title))
      fprintf(stderr, "title: %.*s\n", (int)title.len, (const char *)title.data);
  }
  int ok = st == PRINTSEAL_STATUS_OK && fflush(out) == 0 && fsync(fd) == 0;
  ok = fclose(out) == 0 && ok;
  fclose(in);
  if (!ok || rename(tmp, argv[3]) != 0) {
    unlink(tmp); /* never leave unauthenticated plaintext under the final name */
    ok = 0;
  }
  memset(outbuf, 0, cap);
  free(outbuf);
  free(inbuf);
  printseal_opener_free(op);
  printseal_identity_free(id);
  return ok ? 0 : 1;
}
