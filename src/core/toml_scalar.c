/* TOML scalars: keys, the four string forms, integers, floats, booleans and
 * date/times. Every scanner starts at lx->p and leaves lx->p after what it read.
 * The input was checked for encoding first (see toml_lexer.h). */
#include "core/toml_lexer.h"

#include <math.h>

/* Longest excerpt of a token quoted in an error message. */
#define EXCERPT_MAX 40

static inline gboolean
is_bare_key_char(char c)
{
  return g_ascii_isalnum(c) || c == '_' || c == '-';
}

/* Characters that may continue a number, boolean or date/time. */
static inline gboolean
is_token_char(char c)
{
  return g_ascii_isalnum(c) || c == '_' || c == '-' || c == '+' || c == '.' || c == ':';
}

static int
excerpt_len(gsize len)
{
  return (int)MIN(len, EXCERPT_MAX);
}

/* ---- Strings ---- */

static void
append_utf8(GString *out, gunichar cp)
{
  char buf[6];
  gint n = g_unichar_to_utf8(cp, buf);
  g_string_append_len(out, buf, n);
}

static gboolean
fail_escape(AtxTomlLexer *lx, const char *at)
{
  char buf[32];
  const char *what = atx_toml_lexer_describe(lx, at + 1, buf);
  if (at + 1 < lx->end && at[1] > 0x20 && at[1] < 0x7f)
    return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_SYNTAX, "invalid escape sequence '\\%c'", at[1]);
  return atx_toml_lexer_fail(lx, at, ATX_TOML_ERROR_SYNTAX, "invalid escape sequence: '\\' followed by %s",
                             what);
}

static const char *
lex_unicode_escape(AtxTomlLexer *lx, const char *q, int digits, GString *out)
{
  gunichar cp = 0;
  for (int i = 0; i < digits; i++) {
    const char *d = q + 2 + i;
    if (d >= lx->end || !g_ascii_isxdigit(*d)) {
      atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "escape '\\%c' needs %d hexadecimal digits",
                          q[1], digits);
      return NULL;
    }
    cp = (cp << 4) | (gunichar)g_ascii_xdigit_value(*d);
  }
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "escape '\\%c%.*s' is not a Unicode scalar value",
                        q[1], digits, q + 2);
    return NULL;
  }
  append_utf8(out, cp);
  return q + 2 + digits;
}

/* Decodes the escape at @q (a backslash) into @out; returns the byte after it. */
static const char *
lex_escape(AtxTomlLexer *lx, const char *q, GString *out)
{
  char c = q + 1 < lx->end ? q[1] : '\0';
  char decoded;
  switch (c) {
  case 'b': decoded = '\b'; break;
  case 't': decoded = '\t'; break;
  case 'n': decoded = '\n'; break;
  case 'f': decoded = '\f'; break;
  case 'r': decoded = '\r'; break;
  case '"': decoded = '"'; break;
  case '\\': decoded = '\\'; break;
  case 'u': return lex_unicode_escape(lx, q, 4, out);
  case 'U': return lex_unicode_escape(lx, q, 8, out);
  default:
    fail_escape(lx, q);
    return NULL;
  }
  g_string_append_c(out, decoded);
  return q + 2;
}

/* Skips ordinary string content: stops at either stop byte, a line end or the end. */
static inline const char *
scan_plain(const char *q, const char *end, char stop1, char stop2)
{
  while (q < end && *q != stop1 && *q != stop2 && *q != '\n' && *q != '\r')
    q++;
  return q;
}

/* "..." : @out_str points into the input when there was no escape, else into
 * the arena (*in_arena set). */
static gboolean
lex_basic_string(AtxTomlLexer *lx, const char **out_str, gsize *out_len, gboolean *in_arena)
{
  const char *open = lx->p, *start = open + 1;
  const char *q = scan_plain(start, lx->end, '"', '\\');

  *in_arena = FALSE;
  if (q < lx->end && *q == '"') {
    *out_str = start;
    *out_len = q - start;
    lx->p = q + 1;
    return TRUE;
  }
  GString *buf = atx_toml_lexer_scratch(lx);
  g_string_append_len(buf, start, q - start);
  while (q < lx->end && *q == '\\') {
    if (!(q = lex_escape(lx, q, buf)))
      return FALSE;
    const char *run = q;
    q = scan_plain(q, lx->end, '"', '\\');
    g_string_append_len(buf, run, q - run);
  }
  if (q >= lx->end || *q != '"')
    return atx_toml_lexer_fail(lx, open, ATX_TOML_ERROR_SYNTAX,
                               "unterminated string: a basic string must end on the line it starts");
  *out_str = atx_toml_arena_strndup(lx->doc, buf->str, buf->len);
  *out_len = buf->len;
  *in_arena = TRUE;
  lx->p = q + 1;
  return TRUE;
}

/* '...' : always points into the input. */
static gboolean
lex_literal_string(AtxTomlLexer *lx, const char **out_str, gsize *out_len)
{
  const char *open = lx->p, *start = open + 1;
  const char *q = scan_plain(start, lx->end, '\'', '\'');
  if (q >= lx->end || *q != '\'')
    return atx_toml_lexer_fail(lx, open, ATX_TOML_ERROR_SYNTAX,
                               "unterminated string: a literal string must end on the line it starts");
  *out_str = start;
  *out_len = q - start;
  lx->p = q + 1;
  return TRUE;
}

/* A newline right after the opening delimiter is not part of the string. */
static const char *
skip_first_newline(AtxTomlLexer *lx, const char *q)
{
  if (q < lx->end && *q == '\n')
    q += 1;
  else if (q + 1 < lx->end && q[0] == '\r' && q[1] == '\n')
    q += 2;
  else
    return q;
  atx_toml_lexer_start_line(lx, q);
  return q;
}

/* At a newline (LF or CRLF) inside a multi-line string: records the new line,
 * appends LF (CRLF is normalised) and returns the byte after it. */
static const char *
multiline_newline(AtxTomlLexer *lx, const char *q, GString *out)
{
  q += *q == '\r' ? 2 : 1;
  atx_toml_lexer_start_line(lx, q);
  if (out)
    g_string_append_c(out, '\n');
  return q;
}

/* At a run of @quote characters inside a multi-line string. Three or more close
 * it, and up to two of them still belong to the content. Returns the byte after
 * the run, setting *closed when the string ended. */
static const char *
multiline_quotes(AtxTomlLexer *lx, const char *q, char quote, GString *out, gboolean *closed)
{
  gsize n = 0;
  while (q + n < lx->end && q[n] == quote)
    n++;
  *closed = n >= 3;
  if (n > 5) {
    atx_toml_lexer_fail(lx, q + 5, ATX_TOML_ERROR_SYNTAX,
                        "too many quotes: at most two may precede the closing delimiter");
    return NULL;
  }
  g_string_append_len(out, q, *closed ? n - 3 : n);
  return q + n;
}

/* A backslash followed by whitespace: must end the line, then trims every
 * whitespace and newline up to the next other character. */
static const char *
line_ending_backslash(AtxTomlLexer *lx, const char *q)
{
  const char *r = q + 1;
  while (r < lx->end && (*r == ' ' || *r == '\t'))
    r++;
  if (r >= lx->end || (*r != '\n' && *r != '\r')) {
    atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX,
                        "a '\\' followed by whitespace must be the last thing on its line");
    return NULL;
  }
  while (r < lx->end) {
    if (*r == ' ' || *r == '\t')
      r++;
    else if (*r == '\n' || *r == '\r')
      r = multiline_newline(lx, r, NULL);
    else
      break;
  }
  return r;
}

static const char *
multiline_basic_step(AtxTomlLexer *lx, const char *q, GString *out, gboolean *closed)
{
  switch (*q) {
  case '"':
    return multiline_quotes(lx, q, '"', out, closed);
  case '\n':
  case '\r':
    return multiline_newline(lx, q, out);
  case '\\':
    if (q + 1 < lx->end && (q[1] == ' ' || q[1] == '\t' || q[1] == '\n' || q[1] == '\r'))
      return line_ending_backslash(lx, q);
    return lex_escape(lx, q, out);
  default: {
    const char *run = q;
    q = scan_plain(q, lx->end, '"', '\\');
    g_string_append_len(out, run, q - run);
    return q;
  }
  }
}

static const char *
multiline_literal_step(AtxTomlLexer *lx, const char *q, GString *out, gboolean *closed)
{
  if (*q == '\'')
    return multiline_quotes(lx, q, '\'', out, closed);
  if (*q == '\n' || *q == '\r')
    return multiline_newline(lx, q, out);
  const char *run = q;
  q = scan_plain(q, lx->end, '\'', '\'');
  g_string_append_len(out, run, q - run);
  return q;
}

/* """...""" or '''...''' : decoded into the arena. */
static gboolean
lex_multiline_string(AtxTomlLexer *lx, gboolean literal, const char **out_str, gsize *out_len)
{
  const char *open = lx->p;
  const char *q = skip_first_newline(lx, open + 3);
  GString *buf = atx_toml_lexer_scratch(lx);
  gboolean closed = FALSE;

  while (!closed) {
    if (q >= lx->end)
      return atx_toml_lexer_fail(lx, open, ATX_TOML_ERROR_SYNTAX, "unterminated multi-line string");
    q = literal ? multiline_literal_step(lx, q, buf, &closed) : multiline_basic_step(lx, q, buf, &closed);
    if (!q)
      return FALSE;
  }
  *out_str = atx_toml_arena_strndup(lx->doc, buf->str, buf->len);
  *out_len = buf->len;
  lx->p = q;
  return TRUE;
}

static gboolean
starts_multiline(const AtxTomlLexer *lx)
{
  const char *p = lx->p;
  return p + 2 < lx->end && p[1] == p[0] && p[2] == p[0];
}

static gboolean
lex_string_value(AtxTomlLexer *lx, guint line, guint column, AtxTomlValue **out)
{
  const char *str;
  gsize len;
  gboolean in_arena = FALSE;
  gboolean ok;

  if (starts_multiline(lx)) {
    ok = lex_multiline_string(lx, *lx->p == '\'', &str, &len);
    in_arena = TRUE;
  } else if (*lx->p == '"') {
    ok = lex_basic_string(lx, &str, &len, &in_arena);
  } else {
    ok = lex_literal_string(lx, &str, &len);
  }
  if (!ok)
    return FALSE;
  AtxTomlValue *value = atx_toml_value_new(lx->doc, ATX_TOML_STRING, line, column);
  value->as.string.str = in_arena ? str : atx_toml_arena_strndup(lx->doc, str, len);
  value->as.string.len = len;
  *out = value;
  return TRUE;
}

gboolean
atx_toml_lexer_key_part(AtxTomlLexer *lx, AtxTomlKeyPart *part)
{
  const char *p = lx->p;
  char c = atx_toml_lexer_peek(lx);
  gboolean in_arena;

  atx_toml_lexer_position(lx, p, &part->line, &part->column);
  if (is_bare_key_char(c)) {
    const char *q = p;
    while (q < lx->end && is_bare_key_char(*q))
      q++;
    part->str = p;
    part->len = q - p;
    lx->p = q;
    return TRUE;
  }
  if (c == '"' || c == '\'') {
    if (starts_multiline(lx))
      return atx_toml_lexer_fail(lx, p, ATX_TOML_ERROR_SYNTAX, "a multi-line string cannot be a key");
    if (c == '"')
      return lex_basic_string(lx, &part->str, &part->len, &in_arena);
    return lex_literal_string(lx, &part->str, &part->len);
  }
  char buf[32];
  return atx_toml_lexer_fail(lx, p, ATX_TOML_ERROR_SYNTAX, "expected a key, found %s",
                             atx_toml_lexer_describe(lx, p, buf));
}

/* ---- Numbers ---- */

static inline gboolean
is_digit_in_base(char c, int base)
{
  switch (base) {
  case 2: return c == '0' || c == '1';
  case 8: return c >= '0' && c <= '7';
  case 16: return g_ascii_isxdigit(c);
  default: return g_ascii_isdigit(c);
  }
}

/* Digits with single underscores between them, starting at a digit; returns the
 * first byte after them or NULL after failing. */
static const char *
scan_digits(AtxTomlLexer *lx, const char *q, const char *end, int base)
{
  for (;;) {
    if (q < end && is_digit_in_base(*q, base)) {
      q++;
    } else if (q < end && *q == '_') {
      if (q + 1 >= end || !is_digit_in_base(q[1], base)) {
        atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "'_' must be between two digits");
        return NULL;
      }
      q++;
    } else {
      return q;
    }
  }
}

static gboolean
fail_overflow(AtxTomlLexer *lx, const char *token, gsize len)
{
  return atx_toml_lexer_fail(lx, token, ATX_TOML_ERROR_OVERFLOW, "integer %.*s overflows 64 bits",
                             excerpt_len(len), token);
}

/* Accumulates the digits of [s, e) (underscores skipped) up to @limit. */
static gboolean
accumulate(const char *s, const char *e, int base, guint64 limit, guint64 *out)
{
  guint64 acc = 0;
  for (const char *q = s; q < e; q++) {
    if (*q == '_')
      continue;
    guint64 d = (guint64)g_ascii_xdigit_value(*q);
    if (acc > (limit - d) / (guint64)base)
      return FALSE;
    acc = acc * (guint64)base + d;
  }
  *out = acc;
  return TRUE;
}

static AtxTomlValue *
new_integer(AtxTomlLexer *lx, guint line, guint column, gint64 value)
{
  AtxTomlValue *v = atx_toml_value_new(lx->doc, ATX_TOML_INTEGER, line, column);
  v->as.integer = value;
  return v;
}

/* 0x, 0o, 0b integers: no sign, leading zeros allowed, non-negative. */
static gboolean
lex_radix_integer(AtxTomlLexer *lx, const char *token, gsize len, guint line, guint column,
                  AtxTomlValue **out)
{
  const char *end = token + len;
  int base = token[1] == 'x' ? 16 : token[1] == 'o' ? 8 : 2;
  const char *name = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
  const char *digits = token + 2;

  if (digits >= end || !is_digit_in_base(*digits, base))
    return atx_toml_lexer_fail(lx, token, ATX_TOML_ERROR_SYNTAX, "expected %s digits after '0%c'", name,
                               token[1]);
  const char *q = scan_digits(lx, digits, end, base);
  if (!q)
    return FALSE;
  if (q != end)
    return atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "invalid %s digit '%c'", name, *q);
  guint64 value;
  if (!accumulate(digits, end, base, G_MAXINT64, &value))
    return fail_overflow(lx, token, len);
  *out = new_integer(lx, line, column, (gint64)value);
  return TRUE;
}

static gboolean
lex_decimal_integer(AtxTomlLexer *lx, const char *token, gsize len, const char *digits,
                    guint line, guint column, AtxTomlValue **out)
{
  gboolean negative = token[0] == '-';
  guint64 limit = negative ? (guint64)G_MAXINT64 + 1 : (guint64)G_MAXINT64;
  guint64 magnitude;
  if (!accumulate(digits, token + len, 10, limit, &magnitude))
    return fail_overflow(lx, token, len);
  gint64 value = negative ? (gint64)(0 - magnitude) : (gint64)magnitude;
  *out = new_integer(lx, line, column, value);
  return TRUE;
}

static gboolean
lex_float(AtxTomlLexer *lx, const char *token, gsize len, guint line, guint column, AtxTomlValue **out)
{
  /* strtod wants the digits without underscores; short ones stay on the stack. */
  char small[64];
  char *digits = small;
  if (len >= sizeof small) {
    GString *buf = atx_toml_lexer_scratch(lx);
    g_string_set_size(buf, len);
    digits = buf->str;
  }
  gsize n = 0;
  for (gsize i = 0; i < len; i++) {
    if (token[i] != '_')
      digits[n++] = token[i];
  }
  digits[n] = '\0';
  /* Out-of-range magnitudes round to ±inf or 0 as IEEE 754 does. */
  double d = g_ascii_strtod(digits, NULL);
  AtxTomlValue *v = atx_toml_value_new(lx->doc, ATX_TOML_FLOAT, line, column);
  v->as.floating = d;
  *out = v;
  return TRUE;
}

/* The fraction and exponent after a float's integer part at @q. */
static gboolean
check_float_tail(AtxTomlLexer *lx, const char *q, const char *end)
{
  if (*q == '.') {
    q++;
    if (q >= end || !g_ascii_isdigit(*q))
      return atx_toml_lexer_fail(lx, q - 1, ATX_TOML_ERROR_SYNTAX, "expected a digit after the decimal point");
    if (!(q = scan_digits(lx, q, end, 10)))
      return FALSE;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    const char *e = q++;
    if (q < end && (*q == '+' || *q == '-'))
      q++;
    if (q >= end || !g_ascii_isdigit(*q))
      return atx_toml_lexer_fail(lx, e, ATX_TOML_ERROR_SYNTAX, "expected digits in the exponent");
    if (!(q = scan_digits(lx, q, end, 10)))
      return FALSE;
  }
  if (q != end)
    return atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "unexpected '%c' in number", *q);
  return TRUE;
}

static gboolean
lex_number(AtxTomlLexer *lx, const char *token, gsize len, guint line, guint column, AtxTomlValue **out)
{
  const char *end = token + len;
  const char *s = token;
  gboolean signed_ = *s == '+' || *s == '-';

  s += signed_;
  if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
    if (signed_)
      return atx_toml_lexer_fail(lx, token, ATX_TOML_ERROR_SYNTAX,
                                 "a sign is not allowed on hexadecimal, octal or binary integers");
    return lex_radix_integer(lx, token, len, line, column, out);
  }
  if (s >= end || !g_ascii_isdigit(*s))
    return atx_toml_lexer_fail(lx, token, ATX_TOML_ERROR_SYNTAX,
                               "invalid value \"%.*s\" (strings must be quoted)", excerpt_len(len), token);
  const char *int_end = scan_digits(lx, s, end, 10);
  if (!int_end)
    return FALSE;
  if (*s == '0' && int_end - s > 1)
    return atx_toml_lexer_fail(lx, s, ATX_TOML_ERROR_SYNTAX, "leading zeros are not allowed in \"%.*s\"",
                               excerpt_len(len), token);
  if (int_end == end)
    return lex_decimal_integer(lx, token, len, s, line, column, out);
  if (!check_float_tail(lx, int_end, end))
    return FALSE;
  return lex_float(lx, token, len, line, column, out);
}

static gboolean
lex_special_float(const char *token, gsize len, double *out)
{
  const char *s = token;
  double sign = 1.0;
  if (len == 4 && (*s == '+' || *s == '-')) {
    sign = *s == '-' ? -1.0 : 1.0;
    s++, len--;
  }
  if (len != 3)
    return FALSE;
  if (memcmp(s, "inf", 3) == 0)
    *out = copysign(INFINITY, sign);
  else if (memcmp(s, "nan", 3) == 0)
    *out = copysign(NAN, sign);
  else
    return FALSE;
  return TRUE;
}

/* ---- Date/times ---- */

static gboolean
two_digits(const char *s, guint *out)
{
  if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]))
    return FALSE;
  *out = (guint)(s[0] - '0') * 10 + (guint)(s[1] - '0');
  return TRUE;
}

/* YYYY-MM-DD at the start of @s, without range checks. */
static gboolean
read_date(const char *s, gsize len, guint *year, guint *month, guint *day)
{
  guint hi, lo;
  if (len < 10 || !two_digits(s, &hi) || !two_digits(s + 2, &lo) || s[4] != '-' || !two_digits(s + 5, month) ||
      s[7] != '-' || !two_digits(s + 8, day))
    return FALSE;
  *year = hi * 100 + lo;
  return TRUE;
}

static gboolean
looks_like_date(const char *s, gsize len)
{
  guint year, month, day;
  return read_date(s, len, &year, &month, &day);
}

static guint
days_in_month(guint year, guint month)
{
  static const guint8 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

static gboolean
check_date(AtxTomlLexer *lx, const char *s, gsize len)
{
  guint year, month, day;
  if (!read_date(s, len, &year, &month, &day))
    return atx_toml_lexer_fail(lx, s, ATX_TOML_ERROR_SYNTAX, "invalid date \"%.*s\": expected YYYY-MM-DD",
                               excerpt_len(len), s);
  if (month < 1 || month > 12)
    return atx_toml_lexer_fail(lx, s + 5, ATX_TOML_ERROR_SYNTAX, "invalid date %.10s: month %02u does not exist",
                               s, month);
  if (day < 1 || day > days_in_month(year, month))
    return atx_toml_lexer_fail(lx, s + 8, ATX_TOML_ERROR_SYNTAX,
                               "invalid date %.10s: day %02u does not exist in that month", s, day);
  return TRUE;
}

/* HH:MM:SS[.fraction] at @s; returns the byte after it or NULL after failing. */
static const char *
check_time(AtxTomlLexer *lx, const char *s, const char *end)
{
  guint hour, minute, second;
  if (end - s < 8 || !two_digits(s, &hour) || s[2] != ':' || !two_digits(s + 3, &minute) || s[5] != ':' ||
      !two_digits(s + 6, &second)) {
    atx_toml_lexer_fail(lx, s, ATX_TOML_ERROR_SYNTAX, "invalid time: expected HH:MM:SS (seconds are required)");
    return NULL;
  }
  const char *bad = hour > 23 ? s : minute > 59 ? s + 3 : second > 60 ? s + 6 : NULL;
  if (bad) {
    atx_toml_lexer_fail(lx, bad, ATX_TOML_ERROR_SYNTAX, "invalid time %.8s: %s out of range", s,
                        bad == s ? "hour" : bad == s + 3 ? "minute" : "second");
    return NULL;
  }
  const char *q = s + 8;
  if (q < end && *q == '.') {
    q++;
    if (q >= end || !g_ascii_isdigit(*q)) {
      atx_toml_lexer_fail(lx, q - 1, ATX_TOML_ERROR_SYNTAX, "expected digits after the decimal point in a time");
      return NULL;
    }
    while (q < end && g_ascii_isdigit(*q))
      q++;
  }
  return q;
}

/* "Z", "z" or "+HH:MM"/"-HH:MM", exactly filling [s, end). */
static gboolean
check_offset(AtxTomlLexer *lx, const char *s, const char *end)
{
  guint hour, minute;
  if (end - s == 1 && (*s == 'Z' || *s == 'z'))
    return TRUE;
  if (end - s != 6 || (*s != '+' && *s != '-') || !two_digits(s + 1, &hour) || s[3] != ':' ||
      !two_digits(s + 4, &minute))
    return atx_toml_lexer_fail(lx, s, ATX_TOML_ERROR_SYNTAX,
                               "invalid time offset \"%.*s\": expected Z or ±HH:MM", excerpt_len(end - s), s);
  if (hour > 23 || minute > 59)
    return atx_toml_lexer_fail(lx, s, ATX_TOML_ERROR_SYNTAX, "invalid time offset %.6s: out of range", s);
  return TRUE;
}

static AtxTomlValue *
new_datetime(AtxTomlLexer *lx, AtxTomlType type, const char *token, gsize len, guint line, guint column)
{
  AtxTomlValue *v = atx_toml_value_new(lx->doc, type, line, column);
  char *text = atx_toml_arena_strndup(lx->doc, token, len);
  /* RFC 3339 spelling: "T" between date and time, upper-case "Z". */
  if (len > 10 && type != ATX_TOML_LOCAL_TIME)
    text[10] = 'T';
  if (text[len - 1] == 'z')
    text[len - 1] = 'Z';
  v->as.string.str = text;
  v->as.string.len = len;
  return v;
}

static gboolean
lex_datetime(AtxTomlLexer *lx, const char *token, gsize len, guint line, guint column, AtxTomlValue **out)
{
  const char *end = token + len;
  if (!check_date(lx, token, len))
    return FALSE;
  if (len == 10) {
    *out = new_datetime(lx, ATX_TOML_LOCAL_DATE, token, len, line, column);
    return TRUE;
  }
  if (token[10] != 'T' && token[10] != 't' && token[10] != ' ')
    return atx_toml_lexer_fail(lx, token + 10, ATX_TOML_ERROR_SYNTAX,
                               "expected 'T' or a space between date and time");
  const char *q = check_time(lx, token + 11, end);
  if (!q)
    return FALSE;
  AtxTomlType type = ATX_TOML_LOCAL_DATETIME;
  if (q < end) {
    if (!check_offset(lx, q, end))
      return FALSE;
    type = ATX_TOML_OFFSET_DATETIME;
  }
  *out = new_datetime(lx, type, token, len, line, column);
  return TRUE;
}

static gboolean
lex_local_time(AtxTomlLexer *lx, const char *token, gsize len, guint line, guint column, AtxTomlValue **out)
{
  const char *end = token + len;
  const char *q = check_time(lx, token, end);
  if (!q)
    return FALSE;
  if (q != end)
    return atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "unexpected '%c' after a local time", *q);
  *out = new_datetime(lx, ATX_TOML_LOCAL_TIME, token, len, line, column);
  return TRUE;
}

/* ---- Scalar dispatch ---- */

/* Extent of an unquoted value. A date followed by a space and a time is one
 * date-time ("1979-05-27 07:32:00"). */
static const char *
scan_token(const AtxTomlLexer *lx, const char *start)
{
  const char *q = start;
  while (q < lx->end && is_token_char(*q))
    q++;
  if (q - start == 10 && looks_like_date(start, 10) && lx->end - q > 3 && q[0] == ' ' &&
      g_ascii_isdigit(q[1]) && g_ascii_isdigit(q[2]) && q[3] == ':') {
    q++;
    while (q < lx->end && is_token_char(*q))
      q++;
  }
  return q;
}

static gboolean
lex_bare_value(AtxTomlLexer *lx, guint line, guint column, AtxTomlValue **out)
{
  const char *token = lx->p;
  gsize len = scan_token(lx, token) - token;
  char buf[32];
  double special;

  if (len == 0)
    return atx_toml_lexer_fail(lx, token, ATX_TOML_ERROR_SYNTAX, "expected a value, found %s",
                               atx_toml_lexer_describe(lx, token, buf));
  lx->p = token + len;
  if ((len == 4 && memcmp(token, "true", 4) == 0) || (len == 5 && memcmp(token, "false", 5) == 0)) {
    *out = atx_toml_value_new(lx->doc, ATX_TOML_BOOLEAN, line, column);
    (*out)->as.boolean = len == 4;
    return TRUE;
  }
  if (lex_special_float(token, len, &special)) {
    *out = atx_toml_value_new(lx->doc, ATX_TOML_FLOAT, line, column);
    (*out)->as.floating = special;
    return TRUE;
  }
  if (len >= 5 && g_ascii_isdigit(token[0]) && g_ascii_isdigit(token[1]) && g_ascii_isdigit(token[2]) &&
      g_ascii_isdigit(token[3]) && token[4] == '-')
    return lex_datetime(lx, token, len, line, column, out);
  if (len >= 3 && g_ascii_isdigit(token[0]) && g_ascii_isdigit(token[1]) && token[2] == ':')
    return lex_local_time(lx, token, len, line, column, out);
  return lex_number(lx, token, len, line, column, out);
}

gboolean
atx_toml_lexer_scalar(AtxTomlLexer *lx, AtxTomlValue **out)
{
  guint line, column;
  atx_toml_lexer_position(lx, lx->p, &line, &column);
  char c = atx_toml_lexer_peek(lx);
  if (c == '"' || c == '\'')
    return lex_string_value(lx, line, column, out);
  return lex_bare_value(lx, line, column, out);
}
