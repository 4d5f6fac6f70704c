#include "core/base/json_writer.h"

/* "\n" and enough spaces for the deepest indentation: one append per line. */
const char atx_json_newline_and_indent[] =
  "\n                                                                ";
G_STATIC_ASSERT(sizeof atx_json_newline_and_indent >= 1 + 2 * ATX_JSON_WRITER_MAX_DEPTH + 1);
G_STATIC_ASSERT(sizeof atx_json_newline_and_indent >= ATX_JSON_INDENT_COPY);

/* 1 for the bytes jansson escapes under JSON_ENSURE_ASCII: controls, '"', '\\'
 * and every byte of a multi-byte sequence. DEL (0x7f) is printable to jansson. */
const guint8 atx_json_needs_escape[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  ['"'] = 1, ['\\'] = 1,
  [0x80 ... 0xff] = 1,
};

void
atx_json_writer_init(AtxJsonWriter *writer, GString *out)
{
  *writer = (AtxJsonWriter) { .out = out };
}

static void
append_unicode_escape(GString *out, guint unit)
{
  static const char hex[] = "0123456789ABCDEF";
  char seq[6] = { '\\', 'u', hex[(unit >> 12) & 0xf], hex[(unit >> 8) & 0xf],
                  hex[(unit >> 4) & 0xf], hex[unit & 0xf] };
  atx_string_append_len(out, seq, sizeof seq);
}

/* Escapes the character starting at @p; returns where the next one starts. */
static const char *
append_escaped_char(GString *out, const char *p)
{
  static const char *const short_escapes[0x20] = {
    ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
  };
  guchar c = (guchar) *p;
  if (c == '"' || c == '\\') {
    char seq[2] = { '\\', (char) c };
    atx_string_append_len(out, seq, 2);
    return p + 1;
  }
  if (c < 0x20) {
    if (short_escapes[c])
      atx_string_append_len(out, short_escapes[c], 2);
    else
      append_unicode_escape(out, c);
    return p + 1;
  }
  gunichar codepoint = g_utf8_get_char_validated(p, -1);
  if (codepoint >= 0x110000) {
    append_unicode_escape(out, 0xfffd);
    return p + 1;
  }
  if (codepoint < 0x10000) {
    append_unicode_escape(out, codepoint);
  } else {
    codepoint -= 0x10000;
    append_unicode_escape(out, 0xd800 | (codepoint >> 10));
    append_unicode_escape(out, 0xdc00 | (codepoint & 0x3ff));
  }
  return g_utf8_next_char(p);
}

/* Room for @n more bytes after out->len; returns where they go. The caller
 * writes them and then calls commit(). */
void
atx_json_reserve_slow(GString *out, gsize n)
{
  gsize len = out->len;
  g_string_set_size(out, len + n);
  out->len = len;
}

static inline char *
reserve(GString *out, gsize n)
{
  if (G_UNLIKELY(out->len + n >= out->allocated_len))
    atx_json_reserve_slow(out, n);
  return out->str + out->len;
}

static inline void
commit(GString *out, gsize n)
{
  out->len += n;
  out->str[out->len] = '\0';
}

/* Escapes [@p, end of string) from its first character needing it on. */
static void
append_escaped_rest(GString *out, const char *p)
{
  while (*p) {
    p = append_escaped_char(out, p);
    const char *run = p;
    while (!atx_json_needs_escape[(guchar) *p])
      p++;
    atx_string_append_len(out, run, p - run);
  }
}

/* @text escaped, without quotes. Most strings need no escape: they are found
 * by one scan and copied at once. */
static void
append_escaped(GString *out, const char *text)
{
  const char *p = text;
  /* NUL is a control character: the table stops the scan there too. */
  while (!atx_json_needs_escape[(guchar) *p])
    p++;
  atx_string_append_len(out, text, p - text);
  append_escaped_rest(out, p);
}

/* @text escaped and quoted, followed by @after (@after_len bytes): one
 * reservation and two copies in the usual case. */
static void
append_quoted(GString *out, const char *text, const char *after, gsize after_len)
{
  const char *p = text;
  while (!atx_json_needs_escape[(guchar) *p])
    p++;
  gsize len = (gsize) (p - text);
  char *dst = reserve(out, len + 2 + after_len);
  dst[0] = '"';
  memcpy(dst + 1, text, len);
  if (G_LIKELY(*p == '\0')) {
    dst[len + 1] = '"';
    memcpy(dst + len + 2, after, after_len);
    commit(out, len + 2 + after_len);
    return;
  }
  commit(out, len + 1);
  append_escaped_rest(out, p);
  g_string_append_c(out, '"');
  atx_string_append_len(out, after, after_len);
}

void
atx_json_append_string(GString *out, const char *text)
{
  append_quoted(out, text, "", 0);
}

static void
new_line(AtxJsonWriter *writer, guint depth)
{
  atx_string_append_len(writer->out, atx_json_newline_and_indent, 1 + 2 * depth);
}

/* The separator before a key or an element: a comma unless it is the first,
 * then a new line and the indentation. Shallow indentation is copied as a
 * fixed block of ATX_JSON_INDENT_COPY bytes (a few moves, not a memcpy call);
 * the room reserved for it always allows that. Returns where the item goes. */
static char *
put_separator(AtxJsonWriter *writer, gsize item_room)
{
  gsize indent = 1 + 2 * writer->depth, comma = writer->empty ? 0 : 1;
  char *dst = reserve(writer->out, comma + MAX(indent, ATX_JSON_INDENT_COPY) + item_room);
  dst[0] = ',';
  dst += comma;
  if (G_LIKELY(indent <= ATX_JSON_INDENT_COPY))
    memcpy(dst, atx_json_newline_and_indent, ATX_JSON_INDENT_COPY);
  else
    memcpy(dst, atx_json_newline_and_indent, indent);
  writer->empty = FALSE;
  return dst + indent;
}

/* Ends what was written up to @end (inside the room reserved). */
static inline void
commit_to(GString *out, const char *end)
{
  out->len = (gsize) (end - out->str);
  out->str[out->len] = '\0';
}

/* Whatever separates the next key or value from what came before it. */
static void
begin_item(AtxJsonWriter *writer)
{
  if (writer->after_key) {
    writer->after_key = FALSE;
    return;
  }
  if (writer->depth == 0)
    return;
  commit_to(writer->out, put_separator(writer, 0));
}

/* "@text" at @dst, which has room for it; @len is its plain length. */
static char *
put_plain_string(char *dst, const char *text, gsize len)
{
  dst[0] = '"';
  memcpy(dst + 1, text, len);
  dst[len + 1] = '"';
  return dst + len + 2;
}

static gboolean
in_object(const AtxJsonWriter *writer)
{
  return writer->depth > 0 && (writer->object_bits >> (writer->depth - 1)) & 1;
}

static void
begin_container(AtxJsonWriter *writer, char open, gboolean is_object)
{
  g_return_if_fail(writer->depth < ATX_JSON_WRITER_MAX_DEPTH);
  g_return_if_fail(!in_object(writer) || writer->after_key);
  begin_item(writer);
  g_string_append_c(writer->out, open);
  if (is_object)
    writer->object_bits |= 1u << writer->depth;
  else
    writer->object_bits &= ~(1u << writer->depth);
  writer->depth++;
  writer->empty = TRUE;
}

static void
end_container(AtxJsonWriter *writer, char close, gboolean is_object)
{
  g_return_if_fail(writer->depth > 0 && in_object(writer) == is_object && !writer->after_key);
  writer->depth--;
  if (!writer->empty)
    new_line(writer, writer->depth);
  g_string_append_c(writer->out, close);
  /* The container just closed is a member of the one around it. */
  writer->empty = FALSE;
}

void
atx_json_writer_begin_object(AtxJsonWriter *writer)
{
  begin_container(writer, '{', TRUE);
}

void
atx_json_writer_end_object(AtxJsonWriter *writer)
{
  end_container(writer, '}', TRUE);
}

void
atx_json_writer_begin_array(AtxJsonWriter *writer)
{
  begin_container(writer, '[', FALSE);
}

void
atx_json_writer_end_array(AtxJsonWriter *writer)
{
  end_container(writer, ']', FALSE);
}

void
atx_json_writer_key(AtxJsonWriter *writer, const char *key)
{
  g_return_if_fail(in_object(writer) && !writer->after_key);
  begin_item(writer);
  append_quoted(writer->out, key, ": ", 2);
  writer->after_key = TRUE;
}

/* A value where one is allowed: after a key in an object, anywhere in an array,
 * or as the whole document. */
static gboolean
begin_value(AtxJsonWriter *writer)
{
  g_return_val_if_fail(!in_object(writer) || writer->after_key, FALSE);
  begin_item(writer);
  return TRUE;
}

void
atx_json_writer_string(AtxJsonWriter *writer, const char *value)
{
  gsize len = atx_json_plain_length(value);
  /* An element of an array, the usual case: separator and string at once. */
  if (G_LIKELY(len != G_MAXSIZE && !writer->after_key && writer->depth > 0 && !in_object(writer))) {
    commit_to(writer->out, put_plain_string(put_separator(writer, len + 2), value, len));
    return;
  }
  if (begin_value(writer))
    atx_json_append_string(writer->out, value);
}

void
atx_json_writer_integer(AtxJsonWriter *writer, gint64 value)
{
  char digits[24];
  char *end = digits + sizeof digits, *p = end;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;
  do {
    *--p = (char) ('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude);
  if (value < 0)
    *--p = '-';
  if (begin_value(writer))
    atx_string_append_len(writer->out, p, end - p);
}

void
atx_json_writer_boolean(AtxJsonWriter *writer, gboolean value)
{
  if (begin_value(writer))
    atx_string_append_len(writer->out, value ? "true" : "false", value ? 4 : 5);
}

void
atx_json_writer_string_array(AtxJsonWriter *writer, const GPtrArray *strings)
{
  atx_json_writer_begin_array(writer);
  for (guint i = 0; strings && i < strings->len; i++) {
    const char *text = g_ptr_array_index(strings, i);
    if (text)
      atx_json_writer_string(writer, text);
  }
  atx_json_writer_end_array(writer);
}

/* A NULL value leaves the member out, as json_object_set_new() did with the
 * NULL that json_string(NULL) returns. */
void
atx_json_writer_member_string(AtxJsonWriter *writer, const char *key, const char *value)
{
  if (!value)
    return;
  atx_json_writer_key(writer, key);
  atx_json_writer_string(writer, value);
}

static void
write_string_pair(AtxJsonWriter *writer, const char *head, const char *tail)
{
  if (!begin_value(writer))
    return;
  g_string_append_c(writer->out, '"');
  append_escaped(writer->out, head);
  append_escaped(writer->out, tail);
  g_string_append_c(writer->out, '"');
}

void
atx_json_writer_member_integer(AtxJsonWriter *writer, const char *key, gint64 value)
{
  atx_json_writer_key(writer, key);
  atx_json_writer_integer(writer, value);
}

void
atx_json_writer_member_boolean(AtxJsonWriter *writer, const char *key, gboolean value)
{
  atx_json_writer_key(writer, key);
  atx_json_writer_boolean(writer, value);
}

void
atx_json_writer_member_string_array(AtxJsonWriter *writer, const char *key,
                                    const GPtrArray *strings)
{
  atx_json_writer_key(writer, key);
  atx_json_writer_string_array(writer, strings);
}

/* Separator, indentation and @key of the next member, in room for
 * @value_room more bytes; returns where the value goes. */
static char *
put_known_key(AtxJsonWriter *writer, AtxJsonKey key, gsize value_room)
{
  char *dst = put_separator(writer, key.len + value_room);
  memcpy(dst, key.text, key.len);
  return dst + key.len;
}

void
atx_json_writer_known_key_slow(AtxJsonWriter *writer, AtxJsonKey key)
{
  g_return_if_fail(in_object(writer) && !writer->after_key);
  commit_to(writer->out, put_known_key(writer, key, 0));
  writer->after_key = TRUE;
}

void
atx_json_writer_known_string_slow(AtxJsonWriter *writer, AtxJsonKey key, const char *value)
{
  atx_json_writer_known_key_slow(writer, key);
  atx_json_writer_string(writer, value);
}

void
atx_json_writer_known_string_pair(AtxJsonWriter *writer, AtxJsonKey key, const char *head,
                                  const char *tail)
{
  g_return_if_fail(in_object(writer) && !writer->after_key);
  gsize head_len = atx_json_plain_length(head), tail_len = atx_json_plain_length(tail);
  if (G_UNLIKELY(head_len == G_MAXSIZE || tail_len == G_MAXSIZE)) {
    atx_json_writer_known_key(writer, key);
    write_string_pair(writer, head, tail);
    return;
  }
  char *dst = put_known_key(writer, key, head_len + tail_len + 2);
  *dst++ = '"';
  memcpy(dst, head, head_len);
  memcpy(dst + head_len, tail, tail_len);
  dst[head_len + tail_len] = '"';
  commit_to(writer->out, dst + head_len + tail_len + 1);
}

void
atx_json_writer_known_integer(AtxJsonWriter *writer, AtxJsonKey key, gint64 value)
{
  atx_json_writer_known_key(writer, key);
  atx_json_writer_integer(writer, value);
}

void
atx_json_writer_known_boolean(AtxJsonWriter *writer, AtxJsonKey key, gboolean value)
{
  atx_json_writer_known_key(writer, key);
  atx_json_writer_boolean(writer, value);
}

void
atx_json_writer_known_string_array(AtxJsonWriter *writer, AtxJsonKey key, const GPtrArray *strings)
{
  atx_json_writer_known_key(writer, key);
  atx_json_writer_string_array(writer, strings);
}

char *
atx_json_text(const json_t *json)
{
  char *dumped = json_dumps(json, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  char *text = g_strconcat(dumped, "\n", NULL);
  free(dumped);
  return text;
}

json_t *
atx_json_string_array(const GPtrArray *strings)
{
  json_t *array = json_array();
  for (guint i = 0; strings && i < strings->len; i++)
    json_array_append_new(array, json_string(g_ptr_array_index(strings, i)));
  return array;
}
