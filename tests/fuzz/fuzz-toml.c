/* libFuzzer target for the TOML parser: parse, check the tree's invariants while
 * walking it, find every value again through its JSON Pointer, convert with both
 * JSON converters, locate a few pointers, and validate the document against two
 * schemas both ways: the tree itself (atx_toml_instance_class) and its
 * atx_toml_to_json conversion, which must agree on validity and on every
 * error. Any crash, leak, sanitizer report or GLib critical is a bug. */
#include <stdint.h>
#include <string.h>

#include "core/config/config.h"
#include "core/base/jsonpointer.h"
#include "core/jsonschema/jsonschema.h"
#include "core/toml/toml.h"

/* Every keyword that reads values, applied at every level of any document. */
static const char any_document_schema[] =
  "{\"$defs\": {\"v\": {"
  "  \"properties\": {"
  "    \"s\": {\"type\": \"string\", \"pattern\": \"^[a-z_][a-z0-9_-]{0,7}$\", \"minLength\": 2, \"maxLength\": 4},"
  "    \"p\": {\"pattern\": \"(a|b)+c\"},"
  "    \"e\": {\"enum\": [1, 1.5, \"x\", true, null, [1, \"x\"], {\"k\": 1}]},"
  "    \"c\": {\"const\": {\"a\": [1, 2.0]}},"
  "    \"n\": {\"type\": \"number\", \"minimum\": -5, \"exclusiveMaximum\": 1e3, \"multipleOf\": 0.25},"
  "    \"i\": {\"type\": [\"integer\", \"boolean\"], \"maximum\": 65535},"
  "    \"kind\": {\"enum\": [\"a\", \"b\"]}},"
  "  \"patternProperties\": {\"^x\": {\"type\": \"array\", \"uniqueItems\": true, \"maxItems\": 3}},"
  "  \"additionalProperties\": {\"$ref\": \"#/$defs/v\"},"
  "  \"propertyNames\": {\"maxLength\": 6, \"pattern\": \"^[A-Za-z0-9_-]*$\"},"
  "  \"dependentRequired\": {\"kind\": [\"s\"]},"
  "  \"dependentSchemas\": {\"i\": {\"required\": [\"n\"]}},"
  "  \"maxProperties\": 5,"
  "  \"items\": {\"$ref\": \"#/$defs/v\"},"
  "  \"contains\": {\"type\": \"integer\"}, \"maxContains\": 2,"
  "  \"uniqueItems\": true,"
  "  \"not\": {\"const\": \"forbidden\"},"
  "  \"anyOf\": [{\"type\": [\"object\", \"array\", \"string\", \"integer\"]}, {\"minimum\": 0}],"
  "  \"oneOf\": [{\"type\": \"string\"}, {\"not\": {\"type\": \"string\"}}, {\"const\": 7}],"
  "  \"if\": {\"required\": [\"kind\"]}, \"then\": {\"properties\": {\"kind\": {\"const\": \"a\"}}},"
  "  \"else\": {\"unevaluatedProperties\": {\"not\": {\"type\": \"boolean\"}}}"
  "}}, \"$ref\": \"#/$defs/v\"}";

static AtxJsonSchema *schemas[2];

/* Pointers checked per document; keeps huge inputs from turning quadratic. */
#define MAX_POINTER_CHECKS 4096

typedef struct {
  const AtxTomlDoc *doc;
  GString *pointer;
  guint checks;
  /* Inside a key holding U+0000, which a C-string pointer cannot name. */
  guint unaddressable;
} Walk;

static void walk_value(Walk *w, const AtxTomlValue *value, guint depth);

static void
check_found_again(Walk *w, const AtxTomlValue *value)
{
  if (w->checks >= MAX_POINTER_CHECKS || w->unaddressable)
    return;
  w->checks++;
  g_assert_true(atx_toml_doc_lookup(w->doc, w->pointer->str) == value);
  guint line = 0, column = 0;
  g_assert_true(atx_toml_doc_locate(w->pointer->str, &line, &column, (gpointer)w->doc));
  g_assert_cmpuint(line, ==, atx_toml_value_line(value));
  g_assert_cmpuint(column, ==, atx_toml_value_column(value));
}

static void
walk_table(Walk *w, const AtxTomlValue *table, guint depth)
{
  gsize mark = w->pointer->len;
  for (guint i = 0; i < atx_toml_table_size(table); i++) {
    const char *key = atx_toml_table_key(table, i);
    gsize key_len = atx_toml_table_key_length(table, i);
    const AtxTomlValue *child = atx_toml_table_value(table, i);
    g_assert_cmpuint(atx_toml_table_key_line(table, i), >=, 1);
    g_assert_cmpuint(atx_toml_table_key_column(table, i), >=, 1);
    g_assert_true(g_utf8_validate_len(key, key_len, NULL) || memchr(key, '\0', key_len));
    gboolean has_nul = strlen(key) != key_len;
    atx_json_pointer_append_len(w->pointer, key, key_len);
    w->unaddressable += has_nul;
    if (!has_nul)
      g_assert_true(atx_toml_table_get(table, key) == child);
    check_found_again(w, child);
    walk_value(w, child, depth + 1);
    w->unaddressable -= has_nul;
    g_string_truncate(w->pointer, mark);
  }
}

static void
walk_array(Walk *w, const AtxTomlValue *array, guint depth)
{
  gsize mark = w->pointer->len;
  for (guint i = 0; i < atx_toml_array_length(array); i++) {
    const AtxTomlValue *item = atx_toml_array_get(array, i);
    atx_json_pointer_append_index(w->pointer, i);
    check_found_again(w, item);
    walk_value(w, item, depth + 1);
    g_string_truncate(w->pointer, mark);
  }
}

static void
walk_value(Walk *w, const AtxTomlValue *value, guint depth)
{
  g_assert_cmpuint(depth, <=, ATX_TOML_DEFAULT_MAX_DEPTH + 1);
  g_assert_cmpuint(atx_toml_value_line(value), >=, 1);
  g_assert_cmpuint(atx_toml_value_column(value), >=, 1);
  g_assert_nonnull(atx_toml_type_name(atx_toml_value_type(value)));
  gsize len = 0;
  switch (atx_toml_value_type(value)) {
  case ATX_TOML_TABLE:
    walk_table(w, value, depth);
    break;
  case ATX_TOML_ARRAY:
    walk_array(w, value, depth);
    break;
  case ATX_TOML_STRING:
    g_assert_nonnull(atx_toml_value_string(value, &len));
    g_assert_true(atx_toml_value_string(value, NULL)[len] == '\0');
    break;
  case ATX_TOML_INTEGER:
    (void)atx_toml_value_integer(value);
    break;
  case ATX_TOML_FLOAT:
    (void)atx_toml_value_float(value);
    break;
  case ATX_TOML_BOOLEAN:
    (void)atx_toml_value_boolean(value);
    break;
  default:
    g_assert_true(g_utf8_validate(atx_toml_value_datetime(value), -1, NULL));
    break;
  }
}

static void
convert(const AtxTomlValue *root)
{
  json_t *plain = atx_toml_to_json(root);
  json_t *tagged = atx_toml_to_tagged_json(root);
  g_assert_true(json_is_object(plain) && json_is_object(tagged));
  char *text = json_dumps(tagged, JSON_COMPACT | JSON_ENCODE_ANY);
  g_assert_nonnull(text);
  free(text);
  json_decref(plain);
  json_decref(tagged);
}

static void
locate_some(const AtxTomlDoc *doc)
{
  static const char *const pointers[] = { "", "/a", "/0", "/a/0/b", "/~0/~1", "/a/-", "/", "x", "/~" };
  for (guint i = 0; i < G_N_ELEMENTS(pointers); i++) {
    guint line = 0, column = 0;
    if (atx_toml_doc_locate(pointers[i], &line, &column, (gpointer)doc))
      g_assert_true(line >= 1 && column >= 1);
    (void)atx_toml_doc_lookup(doc, pointers[i]);
  }
}

static AtxJsonSchema *
compile_schema(const char *text)
{
  json_t *document = json_loads(text, 0, NULL);
  g_assert_nonnull(document);
  AtxJsonSchema *schema = atx_json_schema_compile(document, NULL, NULL);
  json_decref(document);
  g_assert_nonnull(schema);
  return schema;
}

/* A table whose only key is the opaque marker is an opaque value once
 * converted; read directly it stays a table, which is the point of reading
 * it directly. Such documents are not compared. */
static gboolean
has_opaque_marker(const AtxTomlValue *value)
{
  AtxTomlType type = atx_toml_value_type(value);
  if (type == ATX_TOML_TABLE) {
    for (guint i = 0; i < atx_toml_table_size(value); i++)
      if (strcmp(atx_toml_table_key(value, i), ATX_JSON_OPAQUE_KEY) == 0 ||
          has_opaque_marker(atx_toml_table_value(value, i)))
        return TRUE;
  } else if (type == ATX_TOML_ARRAY) {
    for (guint i = 0; i < atx_toml_array_length(value); i++)
      if (has_opaque_marker(atx_toml_array_get(value, i)))
        return TRUE;
  }
  return FALSE;
}

static void
assert_same_errors(GPtrArray *direct, GPtrArray *converted)
{
  g_assert_cmpuint(direct->len, ==, converted->len);
  for (guint i = 0; i < direct->len; i++) {
    const AtxJsonSchemaError *a = g_ptr_array_index(direct, i);
    const AtxJsonSchemaError *b = g_ptr_array_index(converted, i);
    g_assert_cmpstr(a->instance_pointer, ==, b->instance_pointer);
    g_assert_cmpstr(a->keyword_location, ==, b->keyword_location);
    g_assert_cmpstr(a->keyword, ==, b->keyword);
    g_assert_cmpstr(a->message, ==, b->message);
  }
}

static void
validate_both_ways(const AtxJsonSchema *schema, const AtxTomlValue *root, const json_t *converted)
{
  g_autoptr(GPtrArray) direct_errors = NULL;
  g_autoptr(GPtrArray) converted_errors = NULL;
  gboolean direct = atx_json_schema_validate_instance(schema, atx_toml_instance_class(), root, &direct_errors);
  gboolean via_json = atx_json_schema_validate(schema, converted, &converted_errors);
  g_assert_cmpint(direct, ==, via_json);
  assert_same_errors(direct_errors, converted_errors);
  g_assert_cmpint(atx_json_schema_validate_instance(schema, atx_toml_instance_class(), root, NULL), ==,
                  atx_json_schema_validate(schema, converted, NULL));
}

static void
validate(const AtxTomlValue *root)
{
  if (has_opaque_marker(root))
    return;
  json_t *converted = atx_toml_to_json(root);
  for (guint i = 0; i < G_N_ELEMENTS(schemas); i++)
    validate_both_ways(schemas[i], root, converted);
  json_decref(converted);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  /* A critical means an accessor was misused: a bug worth a crash report. */
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  schemas[0] = compile_schema(atx_config_schema_text());
  schemas[1] = compile_schema(any_document_schema);
  return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  AtxTomlPosition where = { 0, 0 };
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse((const char *)data, size, NULL, &where, &error);
  if (!doc) {
    g_assert_nonnull(error);
    g_assert_true(error->domain == ATX_TOML_ERROR);
    g_assert_true(where.line >= 1 && where.column >= 1);
    g_assert_true(g_utf8_validate(error->message, -1, NULL));
    return 0;
  }
  g_assert_no_error(error);
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  Walk w = { doc, g_string_new(NULL), 0 };
  walk_value(&w, root, 0);
  g_string_free(w.pointer, TRUE);
  convert(root);
  validate(root);
  locate_some(doc);
  return 0;
}
