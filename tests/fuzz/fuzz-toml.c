/* libFuzzer target for the TOML parser: parse, check the tree's invariants while
 * walking it, find every value again through its JSON Pointer, convert with both
 * JSON converters, locate a few pointers. Any crash, leak, sanitizer report or
 * GLib critical is a bug. */
#include <stdint.h>

#include "core/jsonpointer.h"
#include "core/toml.h"

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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  /* A critical means an accessor was misused: a bug worth a crash report. */
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
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
  locate_some(doc);
  return 0;
}
