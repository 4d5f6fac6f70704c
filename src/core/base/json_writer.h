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
#include <jansson.h>
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

/* A key written in the code: quoted, with its ": ", at compile time. Only for
 * literals that need no escaping (ASCII letters, digits, '_', '-'); the
 * renderers' keys are all like that, and writing them is a copy. */
typedef struct {
  const char *text; /* "\"key\": " */
  gsize len;
} AtxJsonKey;

#define ATX_JSON_KEY(literal) ((AtxJsonKey) { "\"" literal "\": ", sizeof("\"" literal "\": ") - 1 })

/* The member functions above for such a key (atx_json_writer_known_key()
 * and atx_json_writer_known_string() are inline, below). */
/* One string made of @head and @tail, without building it. */
void atx_json_writer_known_string_pair(AtxJsonWriter *writer, AtxJsonKey key, const char *head,
                                       const char *tail);
void atx_json_writer_known_integer(AtxJsonWriter *writer, AtxJsonKey key, gint64 value);
void atx_json_writer_known_boolean(AtxJsonWriter *writer, AtxJsonKey key, gboolean value);
void atx_json_writer_known_string_array(AtxJsonWriter *writer, AtxJsonKey key, const GPtrArray *strings);

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

/* The inline fast path of the writer, for the members the renderers write
 * most: a known key and a string needing no escape go in with one check for
 * room, the key copied as a block of a size known at compile time. Anything
 * else takes the _slow functions, which do it the general way. */

/* Internals of the fast path; not for direct use. */
extern const guint8 atx_json_needs_escape[256];
extern const char atx_json_newline_and_indent[];
#define ATX_JSON_INDENT_COPY 16 /* indentation copied as one block, up to depth 7 */
void atx_json_writer_known_key_slow(AtxJsonWriter *writer, AtxJsonKey key);
void atx_json_writer_known_string_slow(AtxJsonWriter *writer, AtxJsonKey key, const char *value);
void atx_json_reserve_slow(GString *out, gsize n);

/* Length of @text when nothing in it needs escaping, else G_MAXSIZE. */
static inline gsize
atx_json_plain_length(const char *text)
{
  const char *p = text;
  /* NUL is a control character: the table stops the scan there too. */
  while (!atx_json_needs_escape[(guchar) *p])
    p++;
  return *p ? G_MAXSIZE : (gsize) (p - text);
}

/* In an object, with no key pending, at a depth the block copy covers. */
static inline gboolean
atx_json_writer_member_fits(const AtxJsonWriter *writer)
{
  guint depth = writer->depth;
  return !writer->after_key && depth > 0 && 2 * depth + 1 <= ATX_JSON_INDENT_COPY &&
         ((writer->object_bits >> (depth - 1)) & 1);
}

/* Separator, indentation and @key, with room for @value_room bytes after
 * them; returns where the value goes. */
static inline char *
atx_json_writer_put_known_key(AtxJsonWriter *writer, AtxJsonKey key, gsize value_room)
{
  GString *out = writer->out;
  gsize comma = writer->empty ? 0 : 1, room = comma + ATX_JSON_INDENT_COPY + key.len + value_room;
  if (G_UNLIKELY(out->len + room >= out->allocated_len))
    atx_json_reserve_slow(out, room);
  char *dst = out->str + out->len;
  dst[0] = ',';
  dst += comma;
  memcpy(dst, atx_json_newline_and_indent, ATX_JSON_INDENT_COPY);
  dst += 1 + 2 * writer->depth;
  memcpy(dst, key.text, key.len);
  writer->empty = FALSE;
  return dst + key.len;
}

static inline void
atx_json_writer_end_at(AtxJsonWriter *writer, char *end)
{
  writer->out->len = (gsize) (end - writer->out->str);
  *end = '\0';
}

static inline void
atx_json_writer_known_key(AtxJsonWriter *writer, AtxJsonKey key)
{
  if (G_UNLIKELY(!atx_json_writer_member_fits(writer))) {
    atx_json_writer_known_key_slow(writer, key);
    return;
  }
  atx_json_writer_end_at(writer, atx_json_writer_put_known_key(writer, key, 0));
  writer->after_key = TRUE;
}

/* A NULL @value leaves the member out, as atx_json_writer_member_string(). */
static inline void
atx_json_writer_known_string(AtxJsonWriter *writer, AtxJsonKey key, const char *value)
{
  if (!value)
    return;
  gsize len = atx_json_plain_length(value);
  if (G_UNLIKELY(len == G_MAXSIZE || !atx_json_writer_member_fits(writer))) {
    atx_json_writer_known_string_slow(writer, key, value);
    return;
  }
  char *dst = atx_json_writer_put_known_key(writer, key, len + 2);
  dst[0] = '"';
  memcpy(dst + 1, value, len);
  dst[len + 1] = '"';
  atx_json_writer_end_at(writer, dst + len + 2);
}

/* The same text from a jansson tree, for the JSON that is not rendered from an
 * AtxConfig (API answers, job state): json_dumps(JSON_INDENT(2) |
 * JSON_ENSURE_ASCII) plus a newline, byte for byte what AtxJsonWriter writes. */
char *atx_json_text(const json_t *json);
json_t *atx_json_string_array(const GPtrArray *strings);
