/* Streaming JSON text into a GString, in exactly the layout jansson gives with
 * json_dumps(JSON_INDENT(2) | JSON_ENSURE_ASCII): 2-space indentation, one
 * member or element per line, "key": value, "{}" and "[]" for empty
 * containers, and every character outside printable ASCII escaped (\uXXXX in
 * upper-case hex, surrogate pairs beyond the BMP, "/" left alone).
 *
 * The renderers write the device's state files through it instead of building
 * and dumping a jansson tree: the bytes are the same, the allocations are not.
 *
 * Commas, newlines and indentation follow from the nesting, so a caller only
 * says what comes next. Strings must be valid UTF-8 (the TOML parser and the
 * semantic checks guarantee that for everything in an AtxConfig); a byte that
 * does not start a valid sequence is written as \uFFFD. */
#pragma once

#include <glib.h>
#include <string.h>

/* Containers deeper than this are a programming error (the state files nest
 * three levels at most). */
#define ATX_JSON_WRITER_MAX_DEPTH 32

typedef struct {
  GString *out;
  guint depth;         /* open containers */
  guint32 object_bits; /* bit d set: the container at depth d+1 is an object */
  gboolean empty;      /* the innermost container has no member yet */
  gboolean after_key;  /* a key was written; its value comes next */
} AtxJsonWriter;

/* Appends to @out, which the writer does not own. */
void atx_json_writer_init(AtxJsonWriter *writer, GString *out);

void atx_json_writer_begin_object(AtxJsonWriter *writer);
void atx_json_writer_end_object(AtxJsonWriter *writer);
void atx_json_writer_begin_array(AtxJsonWriter *writer);
void atx_json_writer_end_array(AtxJsonWriter *writer);

/* Inside an object: the key of the value written next. */
void atx_json_writer_key(AtxJsonWriter *writer, const char *key);

void atx_json_writer_string(AtxJsonWriter *writer, const char *value);
void atx_json_writer_integer(AtxJsonWriter *writer, gint64 value);
void atx_json_writer_boolean(AtxJsonWriter *writer, gboolean value);
/* An array of the strings in @strings (char*); NULL elements are skipped and a
 * NULL array is written as []. */
void atx_json_writer_string_array(AtxJsonWriter *writer, const GPtrArray *strings);

/* key + value in one call, for the common case of an object member. */
void atx_json_writer_member_string(AtxJsonWriter *writer, const char *key, const char *value);
void atx_json_writer_member_integer(AtxJsonWriter *writer, const char *key, gint64 value);
void atx_json_writer_member_boolean(AtxJsonWriter *writer, const char *key, gboolean value);
void atx_json_writer_member_string_array(AtxJsonWriter *writer, const char *key,
                                         const GPtrArray *strings);

/* Appends @text as a quoted, escaped JSON string (no separators). */
void atx_json_append_string(GString *out, const char *text);

/* g_string_append_len() for the short pieces documents are made of: GLib 2.74
 * inlines only g_string_append_c(), and for a few bytes the call costs more
 * than the copy. */
static inline void
atx_string_append_len(GString *out, const char *bytes, gsize len)
{
  if (G_UNLIKELY(out->len + len >= out->allocated_len)) {
    g_string_append_len(out, bytes, len);
    return;
  }
  memcpy(out->str + out->len, bytes, len);
  out->len += len;
  out->str[out->len] = '\0';
}

static inline void
atx_string_append(GString *out, const char *text)
{
  atx_string_append_len(out, text, strlen(text));
}
