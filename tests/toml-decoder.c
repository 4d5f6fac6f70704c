/* toml-test decoder: TOML on stdin -> tagged JSON on stdout (exit 0), or
 * "line:col: message" on stderr (exit 1) when the input is not valid TOML 1.0.0.
 * Exit 2 means the decoder itself could not run (I/O error). */
#include <stdio.h>

#include "core/base/error.h"
#include "core/toml/toml.h"

static GByteArray *
read_all(FILE *stream, GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new();
  guint8 chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stream)) > 0)
    g_byte_array_append(data, chunk, (guint)n);
  if (ferror(stream)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot read standard input");
    return NULL;
  }
  return g_steal_pointer(&data);
}

int
main(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) input = read_all(stdin, &error);
  if (!input) {
    fprintf(stderr, "toml-decoder: %s\n", error->message);
    return 2;
  }

  AtxTomlPosition where = { 0, 0 };
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse((const char *)input->data, input->len, NULL, &where, &error);
  if (!doc) {
    fprintf(stderr, "%u:%u: %s\n", where.line, where.column, error->message);
    return 1;
  }

  json_t *json = atx_toml_to_tagged_json(atx_toml_doc_root(doc));
  int rc = json_dumpf(json, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : 2;
  json_decref(json);
  if (rc == 0 && (fputc('\n', stdout) == EOF || fflush(stdout) != 0))
    rc = 2;
  return rc;
}
