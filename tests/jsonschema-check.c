/* jsonschema-check SCHEMA INSTANCE: validates one JSON document against a JSON
 * Schema (draft 2020-12) with the project's validator, for the conformance
 * scripts and for trying schemas by hand.
 *
 * Exit status: 0 valid, 1 invalid (one "POINTER: message" line per error on
 * stderr), 2 usage error or a schema the validator refuses. */
#include "core/jsonschema/jsonschema.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
  "Usage: jsonschema-check SCHEMA INSTANCE\n"
  "\n"
  "Validates the JSON document INSTANCE against the JSON Schema (draft 2020-12)\n"
  "in SCHEMA. Prints one line per error on stderr: the JSON Pointer of the\n"
  "offending value (\"(root)\" for the whole document), a colon and the message.\n"
  "\n"
  "Exit status: 0 valid, 1 invalid, 2 usage error or unusable schema\n"
  "(unsupported keyword, invalid keyword value, unresolvable $ref).\n";

static json_t *
load_json(const char *path)
{
  json_error_t error;
  json_t *value = json_load_file(path, JSON_DECODE_ANY, &error);
  if (!value)
    fprintf(stderr, "jsonschema-check: %s:%d:%d: %s\n", path, error.line, error.column, error.text);
  return value;
}

static char *
file_uri(const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename(path, NULL);
  char *uri = g_filename_to_uri(absolute, NULL, NULL);
  return uri ? uri : g_strdup("urn:atomix:schema");
}

static int
check(const char *schema_path, const char *instance_path)
{
  json_t *schema_json = load_json(schema_path);
  json_t *instance = schema_json ? load_json(instance_path) : NULL;
  if (!instance) {
    json_decref(schema_json);
    return 2;
  }
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = file_uri(schema_path);
  AtxJsonSchema *schema = atx_json_schema_compile(schema_json, uri, &error);
  json_decref(schema_json);
  if (schema && !atx_json_schema_check_references(schema, &error))
    g_clear_pointer(&schema, atx_json_schema_free);
  if (!schema) {
    fprintf(stderr, "jsonschema-check: %s: %s\n", schema_path, error->message);
    json_decref(instance);
    return 2;
  }
  g_autoptr(GPtrArray) errors = NULL;
  gboolean valid = atx_json_schema_validate(schema, instance, &errors);
  for (guint i = 0; i < errors->len; i++) {
    const AtxJsonSchemaError *e = g_ptr_array_index(errors, i);
    fprintf(stderr, "%s: %s\n", *e->instance_pointer ? e->instance_pointer : "(root)", e->message);
  }
  atx_json_schema_free(schema);
  json_decref(instance);
  return valid ? 0 : 1;
}

int
main(int argc, char **argv)
{
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(usage, stdout);
    return 0;
  }
  if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
    fputs(usage, stderr);
    return 2;
  }
  return check(argv[1], argv[2]);
}
