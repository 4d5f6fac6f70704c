/* TOML lexical layer: encoding check, positions, errors, keys and the input
 * cursor. Strings and the other scalars are in toml_scalar.c. */
#include "core/toml_lexer.h"

#include <stdarg.h>

static const char utf8_bom[] = "\xEF\xBB\xBF";

void
atx_toml_lexer_init(AtxTomlLexer *lx, const char *data, gsize len, AtxTomlDoc *doc,
                    AtxTomlPosition *where, GError **error)
{
  memset(lx, 0, sizeof(*lx));
  if (!data)
    data = "";
  lx->begin = data;
  lx->end = data + len;
  /* A byte order mark is not part of the document and takes no column. */
  if (len >= 3 && memcmp(data, utf8_bom, 3) == 0)
    lx->begin += 3;
  lx->p = lx->begin;
  lx->line = 1;
  lx->line_start = lx->begin;
  lx->col_anchor = lx->begin;
  lx->col_value = 1;
  lx->doc = doc;
  lx->where = where;
  lx->error = error;
}

GString *
atx_toml_lexer_scratch(AtxTomlLexer *lx)
{
  if (!lx->scratch)
    lx->scratch = g_string_sized_new(256);
  g_string_truncate(lx->scratch, 0);
  return lx->scratch;
}

void
atx_toml_lexer_clear(AtxTomlLexer *lx)
{
  if (lx->scratch)
    g_string_free(lx->scratch, TRUE);
  lx->scratch = NULL;
}

/* Advances (line, column) from @from to @at, counting code points: continuation
 * bytes (10xxxxxx) do not start a new column. */
static void
count_position(const char *from, const char *at, guint *line, guint *column, const char **line_start)
{
  for (const char *q = from; q < at; q++) {
    if (*q == '\n') {
      (*line)++;
      *column = 1;
      *line_start = q + 1;
    } else if (((guint8)*q & 0xC0) != 0x80) {
      (*column)++;
    }
  }
}

void
atx_toml_lexer_position(AtxTomlLexer *lx, const char *at, guint *line, guint *column)
{
  const char *from = lx->begin, *line_start = lx->begin;
  guint l = 1, c = 1;

  if (at >= lx->col_anchor && lx->col_anchor >= lx->line_start) {
    from = lx->col_anchor;
    l = lx->line;
    c = lx->col_value;
    line_start = lx->line_start;
  } else if (at >= lx->line_start) {
    from = lx->line_start;
    l = lx->line;
    line_start = lx->line_start;
  }
  count_position(from, at, &l, &c, &line_start);
  if (l == lx->line) {
    lx->col_anchor = at;
    lx->col_value = c;
  }
  *line = l;
  *column = c;
}

static gboolean G_GNUC_PRINTF(6, 0)
lexer_vfail(AtxTomlLexer *lx, const char *at, guint line, guint column, AtxTomlErrorCode code,
            const char *format, va_list args)
{
  if (lx->failed)
    return FALSE;
  lx->failed = TRUE;
  g_autofree char *message = g_strdup_vprintf(format, args);
  g_set_error_literal(lx->error, ATX_TOML_ERROR, code, message);
  if (!lx->where)
    return FALSE;
  if (at)
    atx_toml_lexer_position(lx, at, &line, &column);
  lx->where->line = line;
  lx->where->column = column;
  return FALSE;
}

gboolean
atx_toml_lexer_fail(AtxTomlLexer *lx, const char *at, AtxTomlErrorCode code, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  lexer_vfail(lx, at, 0, 0, code, format, args);
  va_end(args);
  return FALSE;
}

gboolean
atx_toml_lexer_fail_at(AtxTomlLexer *lx, guint line, guint column, AtxTomlErrorCode code,
                       const char *format, ...)
{
  va_list args;
  va_start(args, format);
  lexer_vfail(lx, NULL, line, column, code, format, args);
  va_end(args);
  return FALSE;
}

static gunichar
decode_valid_utf8(const guint8 *s, gsize avail)
{
  gunichar cp = g_utf8_get_char_validated((const char *)s, (gssize)avail);
  return cp < 0x110000 ? cp : 0xFFFD;
}

const char *
atx_toml_lexer_describe(const AtxTomlLexer *lx, const char *at, char buf[32])
{
  if (at >= lx->end)
    return "end of input";
  guint8 c = (guint8)*at;
  if (c == '\n' || c == '\r')
    return "end of line";
  if (c >= 0x21 && c < 0x7f)
    g_snprintf(buf, 32, "'%c'", c);
  else if (c == ' ')
    return "a space";
  else
    g_snprintf(buf, 32, "U+%04X", c < 0x80 ? c : decode_valid_utf8((const guint8 *)at, lx->end - at));
  return buf;
}

/* ---- Encoding ---- */

/* Validates the multi-byte sequence at @s; returns its length or 0 after failing. */
static gsize
check_utf8_sequence(AtxTomlLexer *lx, const guint8 *s, const guint8 *end)
{
  const char *at = (const char *)s;
  guint8 lead = s[0];
  gsize n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

  if (lead < 0xC0 || lead > 0xF4)
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING, "invalid UTF-8 byte 0x%02x", lead);
  if (lead < 0xC2)
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING,
                               "overlong UTF-8 encoding (byte 0x%02x)", lead);
  gunichar cp = lead & (0x7F >> n);
  for (gsize i = 1; i < n; i++) {
    if (s + i >= end || (s[i] & 0xC0) != 0x80)
      return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING,
                                 "incomplete UTF-8 sequence starting with byte 0x%02x", lead);
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING, "overlong UTF-8 encoding of U+%04X", cp);
  if (cp >= 0xD800 && cp <= 0xDFFF)
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING,
                               "UTF-8 encoded surrogate U+%04X is not allowed", cp);
  if (cp > 0x10FFFF)
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING,
                               "code point U+%X is beyond U+10FFFF", cp);
  return n;
}

static gboolean
fail_control(AtxTomlLexer *lx, const guint8 *s)
{
  const char *at = (const char *)s;
  if (*s == '\0')
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING, "NUL byte is not allowed");
  if (*s == '\r')
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING,
                               "carriage return (U+000D) must be followed by a line feed");
  return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_ENCODING,
                             "control character U+%04X is not allowed", *s);
}

#define BYTES(b) ((guint64)(b) * G_GUINT64_CONSTANT(0x0101010101010101))

/* High bit of each byte of @w that equals @b (exact, no carries between bytes). */
static inline guint64
bytes_equal(guint64 w, guint8 b)
{
  guint64 x = w ^ BYTES(b);
  return ~(((x & BYTES(0x7f)) + BYTES(0x7f)) | x) & BYTES(0x80);
}

/* TRUE when all 8 bytes are printable ASCII, tab or LF: the common case, checked
 * a word at a time because this scan covers the whole input before parsing. */
static inline gboolean
word_is_plain(const guint8 *s)
{
  guint64 w;
  memcpy(&w, s, sizeof w);
  guint64 low7 = w & BYTES(0x7f);
  guint64 non_ascii = w & BYTES(0x80);
  guint64 control = ~(low7 + BYTES(0x60)) & ~w & BYTES(0x80); /* below 0x20 */
  guint64 del = (low7 + BYTES(0x01)) & ~w & BYTES(0x80);      /* 0x7f */
  control &= ~(bytes_equal(w, '\t') | bytes_equal(w, '\n'));
  return (non_ascii | control | del) == 0;
}

gboolean
atx_toml_lexer_check_encoding(AtxTomlLexer *lx)
{
  const guint8 *s = (const guint8 *)lx->begin;
  const guint8 *end = (const guint8 *)lx->end;

  while (s < end) {
    if (end - s >= 8 && word_is_plain(s)) {
      s += 8;
      continue;
    }
    guint8 c = *s;
    if (G_LIKELY((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t')) {
      s++;
    } else if (c == '\r' && s + 1 < end && s[1] == '\n') {
      s += 2;
    } else if (c < 0x80) {
      return fail_control(lx, s);
    } else {
      gsize n = check_utf8_sequence(lx, s, end);
      if (!n)
        return FALSE;
      s += n;
    }
  }
  return TRUE;
}

/* ---- Layout ---- */

static inline void
start_line(AtxTomlLexer *lx, const char *next)
{
  lx->line++;
  lx->line_start = next;
  lx->col_anchor = next;
  lx->col_value = 1;
}

gboolean
atx_toml_lexer_newline(AtxTomlLexer *lx)
{
  const char *p = lx->p;
  if (p < lx->end && *p == '\n')
    p += 1;
  else if (p + 1 < lx->end && p[0] == '\r' && p[1] == '\n')
    p += 2;
  else
    return FALSE;
  lx->p = p;
  start_line(lx, p);
  return TRUE;
}

void
atx_toml_lexer_skip_comment(AtxTomlLexer *lx)
{
  if (lx->p >= lx->end || *lx->p != '#')
    return;
  const char *nl = memchr(lx->p, '\n', lx->end - lx->p);
  lx->p = nl ? nl : lx->end;
  /* Leave the CR of a CRLF for atx_toml_lexer_newline(). */
  if (nl && nl > lx->p && nl[-1] == '\r')
    lx->p = nl - 1;
}

void
atx_toml_lexer_skip_blank(AtxTomlLexer *lx)
{
  for (;;) {
    atx_toml_lexer_skip_ws(lx);
    atx_toml_lexer_skip_comment(lx);
    if (!atx_toml_lexer_newline(lx))
      return;
  }
}

void
atx_toml_lexer_start_line(AtxTomlLexer *lx, const char *next)
{
  start_line(lx, next);
}
