#include "core/toml/toml_write.h"

#include <math.h>
#include <string.h>

#include "core/base/error.h"
#include "core/base/jsonpointer.h"
#include "core/base/instance.h"
#include "core/toml/toml.h"

/* Every document the parser accepts must be writable: allow its deepest
 * nesting, counted the same way (each table and array one level), with room
 * for the root. Recursion this deep stays far inside a thread's stack. */
#define MAX_DEPTH (ATX_TOML_MAX_DEPTH_CAP + 2)

typedef struct {
  GString *out;
  GError **error;
  gboolean failed;
} Writer;

static gboolean write_value(Writer *w, const json_t *value, GString *pointer, guint depth);

static gboolean
fail(Writer *w, const GString *pointer, const char *what)
{
  if (!w->failed)
    g_set_error(w->error, ATX_ERROR, ATX_ERROR_UNSUPPORTED, "unsupported value in canonical TOML at %s: %s",
                pointer->len ? pointer->str : "/", what);
  w->failed = TRUE;
  return FALSE;
}

static void
write_string(GString *out, const char *text, gsize len)
{
  g_string_append_c(out, '"');
  for (gsize i = 0; i < len; i++) {
    unsigned char c = (unsigned char) text[i];
    switch (c) {
    case '"': g_string_append(out, "\\\""); break;
    case '\\': g_string_append(out, "\\\\"); break;
    case '\b': g_string_append(out, "\\b"); break;
    case '\t': g_string_append(out, "\\t"); break;
    case '\n': g_string_append(out, "\\n"); break;
    case '\f': g_string_append(out, "\\f"); break;
    case '\r': g_string_append(out, "\\r"); break;
    default:
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf(out, "\\u%04X", c);
      else
        g_string_append_c(out, (char) c);
    }
  }
  g_string_append_c(out, '"');
}

static gboolean
is_bare_key(const char *key, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum(key[i]) && key[i] != '_' && key[i] != '-')
      return FALSE;
  return TRUE;
}

static void
write_key(GString *out, const char *key, gsize len)
{
  if (is_bare_key(key, len))
    g_string_append_len(out, key, (gssize) len);
  else
    write_string(out, key, len);
}

/* Shortest spelling that reads back as the same double, always a float. */
static void
write_float(GString *out, double d)
{
  if (isnan(d)) {
    g_string_append(out, "nan");
    return;
  }
  if (isinf(d)) {
    g_string_append(out, d > 0 ? "inf" : "-inf");
    return;
  }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
    g_ascii_formatd(buf, sizeof buf, formats[i], d);
    if (g_ascii_strtod(buf, NULL) == d)
      break;
  }
  g_string_append(out, buf);
  if (!strpbrk(buf, ".eEn"))
    g_string_append(out, ".0");
}

static gboolean
write_opaque(Writer *w, const json_t *value, const GString *pointer)
{
  const char *type = atx_json_opaque_type(value);
  const char *text = atx_json_opaque_text(value);
  static const char *const datetime_types[] = { "offset date-time", "local date-time", "local date", "local time", NULL };
  if (!text)
    return fail(w, pointer, "malformed opaque value");
  if (g_str_equal(type, "float") && (g_str_equal(text, "nan") || g_str_equal(text, "inf") || g_str_equal(text, "-inf"))) {
    g_string_append(w->out, text);
    return TRUE;
  }
  if (!g_strv_contains(datetime_types, type))
    return fail(w, pointer, type);
  g_string_append(w->out, text);
  return TRUE;
}

static gboolean
is_table(const json_t *value)
{
  return json_is_object(value) && !atx_json_opaque_type(value);
}

static gboolean
is_array_of_tables(const json_t *value)
{
  if (!json_is_array(value) || json_array_size(value) == 0)
    return FALSE;
  for (gsize i = 0; i < json_array_size(value); i++)
    if (!is_table(json_array_get(value, i)))
      return FALSE;
  return TRUE;
}

/* Iterates an object's members with each key's length (keys may hold U+0000). */
#define FOREACH_MEMBER(object, key, key_len, member)                                                  \
  for (void *iter_ = json_object_iter((json_t *) (object));                                          \
       iter_ && ((key) = json_object_iter_key(iter_), (key_len) = json_object_iter_key_len(iter_),    \
                (member) = json_object_iter_value(iter_), TRUE);                                       \
       iter_ = json_object_iter_next((json_t *) (object), iter_))

static gboolean
write_inline_table(Writer *w, const json_t *table, GString *pointer, guint depth)
{
  const char *key;
  gsize key_len;
  json_t *member;
  gboolean first = TRUE;
  g_string_append_c(w->out, '{');
  FOREACH_MEMBER(table, key, key_len, member)
  {
    gsize saved = pointer->len;
    atx_json_pointer_append_len(pointer, key, key_len);
    g_string_append(w->out, first ? " " : ", ");
    write_key(w->out, key, key_len);
    g_string_append(w->out, " = ");
    gboolean ok = write_value(w, member, pointer, depth + 1);
    g_string_truncate(pointer, saved);
    if (!ok)
      return FALSE;
    first = FALSE;
  }
  g_string_append(w->out, first ? "}" : " }");
  return TRUE;
}

static gboolean
write_inline_array(Writer *w, const json_t *array, GString *pointer, guint depth)
{
  g_string_append_c(w->out, '[');
  for (gsize i = 0; i < json_array_size(array); i++) {
    gsize saved = pointer->len;
    atx_json_pointer_append_index(pointer, i);
    if (i)
      g_string_append(w->out, ", ");
    gboolean ok = write_value(w, json_array_get(array, i), pointer, depth + 1);
    g_string_truncate(pointer, saved);
    if (!ok)
      return FALSE;
  }
  g_string_append_c(w->out, ']');
  return TRUE;
}

static gboolean
write_value(Writer *w, const json_t *value, GString *pointer, guint depth)
{
  if (depth > MAX_DEPTH)
    return fail(w, pointer, "nested too deeply");
  switch (json_typeof(value)) {
  case JSON_STRING:
    write_string(w->out, json_string_value(value), json_string_length(value));
    return TRUE;
  case JSON_INTEGER:
    g_string_append_printf(w->out, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
    return TRUE;
  case JSON_REAL:
    write_float(w->out, json_real_value(value));
    return TRUE;
  case JSON_TRUE:
  case JSON_FALSE:
    g_string_append(w->out, json_is_true(value) ? "true" : "false");
    return TRUE;
  case JSON_ARRAY:
    return write_inline_array(w, value, pointer, depth);
  case JSON_OBJECT:
    return atx_json_opaque_type(value) ? write_opaque(w, value, pointer) : write_inline_table(w, value, pointer, depth);
  case JSON_NULL:
  default:
    return fail(w, pointer, "null");
  }
}

/* "a.\"b c\"" for a header. */
static void
write_header(GString *out, GPtrArray *path, GArray *lengths, const char *open, const char *close)
{
  if (out->len)
    g_string_append_c(out, '\n');
  g_string_append(out, open);
  for (guint i = 0; i < path->len; i++) {
    if (i)
      g_string_append_c(out, '.');
    write_key(out, g_ptr_array_index(path, i), g_array_index(lengths, gsize, i));
  }
  g_string_append(out, close);
  g_string_append_c(out, '\n');
}

static gboolean write_section(Writer *w, const json_t *table, GPtrArray *path, GArray *lengths,
                              GString *pointer, guint depth, gboolean force_header, gboolean array_element);

static gboolean
write_plain_members(Writer *w, const json_t *table, GString *pointer, guint depth)
{
  const char *key;
  gsize key_len;
  json_t *member;
  FOREACH_MEMBER(table, key, key_len, member)
  {
    if (is_table(member) || is_array_of_tables(member))
      continue;
    gsize saved = pointer->len;
    atx_json_pointer_append_len(pointer, key, key_len);
    write_key(w->out, key, key_len);
    g_string_append(w->out, " = ");
    gboolean ok = write_value(w, member, pointer, depth + 1);
    g_string_append_c(w->out, '\n');
    g_string_truncate(pointer, saved);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

static gboolean
has_plain_members(const json_t *table)
{
  const char *key;
  json_t *member;
  json_object_foreach((json_t *) table, key, member)
  {
    if (!is_table(member) && !is_array_of_tables(member))
      return TRUE;
  }
  return FALSE;
}

static void
path_push(GPtrArray *path, GArray *lengths, GString *pointer, const char *key, gsize key_len)
{
  g_ptr_array_add(path, (gpointer) key);
  g_array_append_val(lengths, key_len);
  atx_json_pointer_append_len(pointer, key, key_len);
}

static void
path_pop(GPtrArray *path, GArray *lengths, GString *pointer, gsize pointer_len)
{
  g_ptr_array_remove_index(path, path->len - 1);
  g_array_remove_index(lengths, lengths->len - 1);
  g_string_truncate(pointer, pointer_len);
}

static gboolean
write_subsections(Writer *w, const json_t *table, GPtrArray *path, GArray *lengths, GString *pointer, guint depth)
{
  const char *key;
  gsize key_len;
  json_t *member;
  FOREACH_MEMBER(table, key, key_len, member)
  {
    if (!is_table(member))
      continue;
    gsize saved = pointer->len;
    path_push(path, lengths, pointer, key, key_len);
    gboolean ok = write_section(w, member, path, lengths, pointer, depth + 1, FALSE, FALSE);
    path_pop(path, lengths, pointer, saved);
    if (!ok)
      return FALSE;
  }
  FOREACH_MEMBER(table, key, key_len, member)
  {
    if (!is_array_of_tables(member))
      continue;
    gsize saved = pointer->len;
    path_push(path, lengths, pointer, key, key_len);
    for (gsize i = 0; i < json_array_size(member); i++) {
      gsize element_saved = pointer->len;
      atx_json_pointer_append_index(pointer, i);
      gboolean ok = write_section(w, json_array_get(member, i), path, lengths, pointer, depth + 2, FALSE, TRUE);
      g_string_truncate(pointer, element_saved);
      if (!ok) {
        path_pop(path, lengths, pointer, saved);
        return FALSE;
      }
    }
    path_pop(path, lengths, pointer, saved);
  }
  return TRUE;
}

static gboolean
write_section(Writer *w, const json_t *table, GPtrArray *path, GArray *lengths, GString *pointer, guint depth,
              gboolean force_header, gboolean array_element)
{
  if (depth > MAX_DEPTH)
    return fail(w, pointer, "nested too deeply");
  if (array_element)
    write_header(w->out, path, lengths, "[[", "]]");
  else if (path->len > 0 && (force_header || json_object_size(table) == 0 || has_plain_members(table)))
    write_header(w->out, path, lengths, "[", "]");
  return write_plain_members(w, table, pointer, depth) && write_subsections(w, table, path, lengths, pointer, depth);
}

char *
atx_toml_write(const json_t *document, GError **error)
{
  if (!is_table(document)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED, "a TOML document must be a table");
    return NULL;
  }
  Writer w = { g_string_new(NULL), error, FALSE };
  g_autoptr(GPtrArray) path = g_ptr_array_new();
  g_autoptr(GArray) lengths = g_array_new(FALSE, FALSE, sizeof(gsize));
  g_autoptr(GString) pointer = g_string_new(NULL);
  if (!write_section(&w, document, path, lengths, pointer, 0, FALSE, FALSE)) {
    g_string_free(w.out, TRUE);
    return NULL;
  }
  return g_string_free(w.out, FALSE);
}
