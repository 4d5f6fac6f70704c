/* TOML lexical layer: encoding check, positions, errors, keys and the input
 * cursor. Strings and the other scalars are in toml_scalar.c. */
#include "core/toml/toml_lexer.h"

#include <stdarg.h>

static const char utf8_bom[] = "\xEF\xBB\xBF";

#define BARE_TOKEN (ATX_TOML_CHAR_BARE | ATX_TOML_CHAR_TOKEN)

const guint8 atx_toml_char_class[256] = {
  ['0' ... '9'] = BARE_TOKEN | ATX_TOML_CHAR_HEX,
  ['A' ... 'F'] = BARE_TOKEN | ATX_TOML_CHAR_HEX,
  ['G' ... 'Z'] = BARE_TOKEN,
  ['a' ... 'f'] = BARE_TOKEN | ATX_TOML_CHAR_HEX,
  ['g' ... 'z'] = BARE_TOKEN,
  ['_'] = BARE_TOKEN,
  ['-'] = BARE_TOKEN,
  ['+'] = ATX_TOML_CHAR_TOKEN,
  ['.'] = ATX_TOML_CHAR_TOKEN,
  [':'] = ATX_TOML_CHAR_TOKEN,
};

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
  lx->ascii_end = lx->begin; /* until the encoding check has looked */
  lx->col_anchor = lx->begin;
  lx->col_value = 1;
  lx->text = atx_toml_arena_strndup(doc, lx->begin, lx->end - lx->begin);
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

/* Position of any byte, even one behind newlines not counted yet. */
static void
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

/* The first byte above 0x7f in [s, end), or @end. */
static const char *
find_non_ascii(const char *s, const char *end)
{
#ifdef __SSE2__
  while (end - s >= 16) {
    guint mask = (guint)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)s));
    if (mask)
      return s + __builtin_ctz(mask);
    s += 16;
  }
#endif
  while (s < end && (guint8)*s < 0x80)
    s++;
  return s;
}

/* Code points in [s, end): the bytes that are not UTF-8 continuation bytes. */
static guint
count_code_points(const char *s, const char *end)
{
  guint n = 0;
#ifdef __SSE2__
  __m128i sums = _mm_setzero_si128();
  while (end - s >= 16) {
    /* Continuation bytes (0x80-0xbf) are the signed bytes below -64. */
    __m128i lead = _mm_cmpgt_epi8(_mm_loadu_si128((const __m128i *)s), _mm_set1_epi8(-65));
    sums = _mm_add_epi64(sums, _mm_sad_epu8(_mm_and_si128(lead, _mm_set1_epi8(1)), _mm_setzero_si128()));
    s += 16;
  }
  n = (guint)_mm_cvtsi128_si32(sums) + (guint)_mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums));
#endif
  for (; s < end; s++)
    n += ((guint8)*s & 0xC0) != 0x80;
  return n;
}

void
atx_toml_lexer_here_slow(AtxTomlLexer *lx, guint *line, guint *column)
{
  /* Past the non-ASCII byte the last search found: search again from this
   * line on. Searches never overlap, so they cost linear time in all. */
  if (lx->ascii_end < lx->line_start) {
    lx->ascii_end = find_non_ascii(lx->line_start, lx->end);
    if (lx->p <= lx->ascii_end) {
      atx_toml_lexer_here(lx, line, column);
      return;
    }
  }
  /* No newline lies between line_start and p, and the line is ASCII up to
   * ascii_end: count code points from there or from a later anchor. */
  const char *from = lx->ascii_end;
  guint c = (guint)(lx->ascii_end - lx->line_start) + 1;
  if (lx->col_anchor > from && lx->col_anchor <= lx->p) {
    from = lx->col_anchor;
    c = lx->col_value;
  }
  c += count_code_points(from, lx->p);
  lx->col_anchor = lx->p;
  lx->col_value = c;
  *line = lx->line;
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

#ifdef __SSE2__
/* 0xff in each byte of @v that is not printable ASCII, tab or LF. */
static inline __m128i
unusual_bytes(__m128i v)
{
  /* Adding 1 moves DEL and everything above it (as signed bytes) below 0x21
   * with the control characters; tab and LF become 10 and 11. */
  __m128i u = _mm_add_epi8(v, _mm_set1_epi8(1));
  __m128i below = _mm_cmpgt_epi8(_mm_set1_epi8(0x21), u);
  __m128i blank = _mm_cmpeq_epi8(_mm_and_si128(u, _mm_set1_epi8((char)0xfe)), _mm_set1_epi8(10));
  return _mm_andnot_si128(blank, below);
}
#endif

static inline gboolean
is_plain(guint8 c)
{
  return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t';
}

/* The first byte in [s, end) that is not printable ASCII, tab or LF, or @end:
 * the common case, checked 32 bytes at a time because this scan covers the
 * whole input before parsing. */
static inline const guint8 *
skip_plain(const guint8 *s, const guint8 *end)
{
#ifdef __SSE2__
  while (end - s >= 32) {
    __m128i a = unusual_bytes(_mm_loadu_si128((const __m128i *)s));
    __m128i b = unusual_bytes(_mm_loadu_si128((const __m128i *)(s + 16)));
    if (_mm_movemask_epi8(_mm_or_si128(a, b)))
      break;
    s += 32;
  }
  while (end - s >= 16) {
    guint mask = (guint)_mm_movemask_epi8(unusual_bytes(_mm_loadu_si128((const __m128i *)s)));
    if (mask)
      return s + __builtin_ctz(mask);
    s += 16;
  }
#endif
  while (s < end && is_plain(*s))
    s++;
  return s;
}

gboolean
atx_toml_lexer_check_encoding(AtxTomlLexer *lx)
{
  const guint8 *s = (const guint8 *)lx->begin;
  const guint8 *end = (const guint8 *)lx->end;
  const guint8 *first_non_ascii = NULL;

  for (;;) {
    s = skip_plain(s, end);
    if (s >= end)
      break;
    if (*s == '\r' && s + 1 < end && s[1] == '\n') {
      s += 2;
    } else if (*s < 0x80) {
      return fail_control(lx, s);
    } else {
      gsize n = check_utf8_sequence(lx, s, end);
      if (!n)
        return FALSE;
      if (!first_non_ascii)
        first_non_ascii = s;
      s += n;
    }
  }
  lx->ascii_end = first_non_ascii ? (const char *)first_non_ascii : lx->end;
  return TRUE;
}

