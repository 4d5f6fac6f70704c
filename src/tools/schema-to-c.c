/* schema-to-c SCHEMA.json OUTPUT.c SYMBOL: compiles a JSON Schema at build
 * time and writes it as C data (atx_json_schema_emit_c), so a binary embeds
 * the compiled schema instead of parsing and compiling it at every start.
 * A schema that does not compile fails the build. */
#include <stdio.h>

#include "core/jsonschema/jsonschema.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

static gboolean
schema_to_c(const char *input, const char *output, const char *symbol, GError **error)
{
  json_error_t json_error;
  g_autoptr(json_t) document = json_load_file(input, JSON_ALLOW_NUL, &json_error);
  if (!document) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: %s", input, json_error.line, json_error.text);
    return FALSE;
  }
  g_autoptr(AtxJsonSchema) schema = atx_json_schema_compile(document, NULL, error);
  if (!schema || !atx_json_schema_check_references(schema, error)) {
    g_prefix_error(error, "%s: ", input);
    return FALSE;
  }
  g_autoptr(GString) out = g_string_new(NULL);
  if (!atx_json_schema_emit_c(schema, symbol, out, error)) {
    g_prefix_error(error, "%s: ", input);
    return FALSE;
  }
  return g_file_set_contents(output, out->str, (gssize) out->len, error);
}

int
main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: schema-to-c SCHEMA.json OUTPUT.c SYMBOL\n");
    return 2;
  }
  g_autoptr(GError) error = NULL;
  if (!schema_to_c(argv[1], argv[2], argv[3], &error)) {
    fprintf(stderr, "schema-to-c: %s\n", error->message);
    return 1;
  }
  return 0;
}
