/* inspect: prints a sealed job's public header, without any key.
 *
 *   inspect SEALED_FILE
 *
 * Nothing here is authenticated until a recipient opens the job: use it to sort
 * jobs and to pick the key to open with (by key id), not to trust them.
 */
#include <stdio.h>
#include <stdlib.h>

#include <printseal.h>

static void print_str(const char *label, printseal_str s) {
  if (s.data) printf("%s: %.*s\n", label, (int)s.len, s.data);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SEALED_FILE\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  /* A header is at most a few hundred KiB; read until it parses. */
  size_t cap = 0, len = 0;
  uint8_t *buf = NULL;
  printseal_header *h = NULL;
  printseal_status st = PRINTSEAL_STATUS_TRUNCATED;
  while (st == PRINTSEAL_STATUS_TRUNCATED) {
    cap = cap ? cap * 2 : 4096;
    buf = realloc(buf, cap);
    size_t n = fread(buf + len, 1, cap - len, f);
    len += n;
    st = printseal_header_parse(buf, len, &h);
    if (n == 0) break;
  }
  fclose(f);
  if (st != PRINTSEAL_STATUS_OK) {
    fprintf(stderr, "inspect: %s\n", printseal_status_str(st));
    free(buf);
    return 1;
  }
  print_str("content type", printseal_header_content_type(h));
  print_str("producer", printseal_header_producer_name(h));
  print_str("producer version", printseal_header_producer_version(h));
  print_str("job id", printseal_header_job_id(h));
  printf("created: %llu\n", (unsigned long long)printseal_header_created_at(h));
  uint64_t expires;
  if (printseal_header_expires_at(h, &expires))
    printf("expires: %llu\n", (unsigned long long)expires);
  printf("suite: 0x%04x\n", (unsigned)printseal_header_suite(h));
  printf("header bytes: %zu\n", printseal_header_len(h));
  for (size_t i = 0; i < printseal_header_stanza_count(h); i++) {
    uint16_t kind = 0;
    printseal_slice key_id;
    if (printseal_header_stanza(h, i, &kind, &key_id) != PRINTSEAL_STATUS_OK) continue;
    printf("stanza %zu: kind 0x%04x key id ", i, kind);
    for (size_t j = 0; j < key_id.len; j++) printf("%02x", key_id.data[j]);
    printf("\n");
  }
  printseal_header_free(h);
  free(buf);
  return 0;
}
