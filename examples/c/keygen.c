/* keygen: makes an X25519 or X-Wing key pair for printseal.
 *
 *   keygen [--pq] SECRET_FILE    writes the secret key (mode 0600), prints the
 *                                public key (give that to whoever seals to you)
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <printseal.h>

int main(int argc, char **argv) {
  int pq = argc == 3 && strcmp(argv[1], "--pq") == 0;
  if (argc != 2 + pq) {
    fprintf(stderr, "usage: %s [--pq] SECRET_FILE\n", argv[0]);
    return 2;
  }
  const printseal_identity *id = NULL;
  const printseal_recipient *r = NULL;
  char secret[256], public_key[4096];
  size_t ns = 0, np = 0;
  printseal_status st = printseal_identity_generate(
      pq ? PRINTSEAL_KEY_KIND_XWING : PRINTSEAL_KEY_KIND_X25519, &id);
  if (st == PRINTSEAL_STATUS_OK) st = printseal_identity_encode(id, secret, sizeof secret, &ns);
  if (st == PRINTSEAL_STATUS_OK) st = printseal_identity_to_recipient(id, &r);
  if (st == PRINTSEAL_STATUS_OK) st = printseal_recipient_encode(r, public_key, sizeof public_key, &np);
  if (st != PRINTSEAL_STATUS_OK) {
    fprintf(stderr, "keygen: %s\n", printseal_status_str(st));
    return 1;
  }
  /* Created with its final mode, never over an existing file. */
  int fd = open(argv[1 + pq], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (fd < 0 || write(fd, secret, ns) != (ssize_t)ns || write(fd, "\n", 1) != 1 ||
      fsync(fd) != 0 || close(fd) != 0) {
    perror(argv[1 + pq]);
    return 1;
  }
  memset(secret, 0, sizeof secret);
  printf("%.*s\n", (int)np, public_key);
  printseal_recipient_free(r);
  printseal_identity_free(id);
  return 0;
}
