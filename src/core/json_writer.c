#include "core/json_writer.h"

/* "\n" and enough spaces for the deepest indentation: one append per line. */
static const char newline_and_indent[] =
  "\n                                                                ";
G_STATIC_ASSERT(sizeof newline_and_indent >= 1 + 2 * ATX_JSON_WRITER_MAX_DEPTH + 1);

/* 1 for the bytes jansson escapes under JSON_ENSURE_ASCII: controls, '"', '\\'
 * and every byte of a multi-byte sequence. DEL (0x7f) is printable to jansson. */
static const guint8 needs_escape[256] = {
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

void
atx_json_append_string(GString *out, const char *text)
{
  g_string_append_c(out, '"');
  const char *run = text;
  for (;;) {
    const char *p = run;
    /* NUL is a control character: the table stops the scan there too. */
    while (!needs_escape[(guchar) *p])
      p++;
    atx_string_append_len(out, run, p - run);
    if (!*p)
      break;
    run = append_escaped_char(out, p);
  }
  g_string_append_c(out, '"');
}

static void
new_line(AtxJsonWriter *writer, guint depth)
{
  atx_string_append_len(writer->out, newline_and_indent, 1 + 2 * depth);
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
  if (!writer->empty)
    g_string_append_c(writer->out, ',');
  new_line(writer, writer->depth);
  writer->empty = FALSE;
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
  atx_json_append_string(writer->out, key);
  atx_string_append_len(writer->out, ": ", 2);
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
