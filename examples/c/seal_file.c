/* seal_file: seals a print job to one or more recipients.
 *
 *   seal_file IN OUT RECIPIENT...      RECIPIENT: printseal1..., printseal-pq1..., or
 *                                      pkcs11:... (a KEK in an HSM; PIN from pin-source)
 *
 * Uses the whole-stream helper over stdio callbacks. The sealed job is written to a
 * temporary file next to OUT (mode 0600) and renamed into place only when complete,
 * so OUT never holds a partial job.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <printseal.h>

/* printseal_read_callback over a FILE *: 0 bytes at the end, errno on error. */
static int32_t read_file(void *userdata, uint8_t *buf, size_t n, size_t *out_n) {
  FILE *f = (FILE *)userdata;
  *out_n = fread(buf, 1, n, f);
  return ferror(f) ? (errno ? errno : EIO) : 0;
}

/* printseal_write_callback over a FILE *. */
static int32_t write_file(void *userdata, const uint8_t *buf, size_t n, size_t *out_n) {
  FILE *f = (FILE *)userdata;
  *out_n = fwrite(buf, 1, n, f);
  return *out_n == 0 ? (errno ? errno : EIO) : 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s IN OUT RECIPIENT...\n", argv[0]);
    return 2;
  }
  size_t n = (size_t)argc - 3;
  const printseal_recipient **rcpts = calloc(n, sizeof *rcpts);
  printseal_seal_options *opts = NULL;
  printseal_status st = PRINTSEAL_STATUS_OK;
  for (size_t i = 0; i < n && st == PRINTSEAL_STATUS_OK; i++) {
    const char *arg = argv[3 + i];
    if (strncmp(arg, "pkcs11:", 7) == 0) {
      /* A KEK in a PKCS#11 token: the token wraps the file key (C_WrapKey). */
      const printseal_identity *kek = NULL;
      st = printseal_identity_from_pkcs11(arg, strlen(arg), NULL, 0, &kek, NULL);
      if (st == PRINTSEAL_STATUS_OK) st = printseal_identity_to_recipient(kek, &rcpts[i]);
      printseal_identity_free(kek);
    } else {
      st = printseal_recipient_parse(arg, strlen(arg), &rcpts[i]);
    }
    if (st != PRINTSEAL_STATUS_OK) fprintf(stderr, "recipient %zu: ", i + 1);
  }
  /* Public metadata: readable without a key. Private entries: only by recipients. */
  const char *ct = "application/pdf";
  if (st == PRINTSEAL_STATUS_OK) st = printseal_seal_options_new(ct, strlen(ct), &opts);
  if (st == PRINTSEAL_STATUS_OK)
    st = printseal_seal_options_add_private_entry(opts, "title", 5, (const uint8_t *)argv[1],
                                                  strlen(argv[1]));
  if (st != PRINTSEAL_STATUS_OK) {
    fprintf(stderr, "%s\n", printseal_status_str(st));
    return 1;
  }

  FILE *in = fopen(argv[1], "rb");
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", argv[2]);
  int fd = mkstemp(tmp); /* mode 0600, O_EXCL */
  FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!in || !out) {
    perror(!in ? argv[1] : tmp);
    return 1;
  }
  st = printseal_seal_stream(opts, rcpts, n, read_file, in, write_file, out);
  int ok = st == PRINTSEAL_STATUS_OK && fflush(out) == 0 && fsync(fd) == 0;
  ok = fclose(out) == 0 && ok;
  fclose(in);
  if (ok && rename(tmp, argv[2]) == 0) {
    /* A durable rename needs the directory fsynced too; left out for brevity. */
  } else {
    unlink(tmp);
    fprintf(stderr, "seal_file: %s\n",
            st != PRINTSEAL_STATUS_OK ? printseal_status_str(st) : strerror(errno));
    ok = 0;
  }
  for (size_t i = 0; i < n; i++) printseal_recipient_free(rcpts[i]);
  free(rcpts);
  printseal_seal_options_free(opts);
  return ok ? 0 : 1;
}
