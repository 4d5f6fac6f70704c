/* TOML scalars: keys, the four string forms, integers, floats, booleans and
 * date/times. Every scanner starts at lx->p and leaves lx->p after what it read.
 * The input was checked for encoding first (see toml_lexer.h). */
#include "core/toml/toml_lexer.h"

#include <float.h>
#include <math.h>

/* Longest excerpt of a token quoted in an error message. */
#define EXCERPT_MAX 40

static int
excerpt_len(gsize len)
{
  return (int)MIN(len, EXCERPT_MAX);
}

/* ---- Strings ----
 *
 * Decoded text is written at @w, a cursor into the document's copy of the
 * input that never passes the source byte being read (see toml_lexer.h). */

static inline guint
hex_value(char c)
{
  return c <= '9' ? (guint)(c - '0') : (guint)((c | 0x20) - 'a' + 10);
}

/* Appends the bytes [run, q) of the input at @w. */
static inline char *
put_run(char *w, const char *run, const char *q)
{
  memcpy(w, run, q - run);
  return w + (q - run);
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
lex_unicode_escape(AtxTomlLexer *lx, const char *q, int digits, char **w)
{
  gunichar cp = 0;
  for (int i = 0; i < digits; i++) {
    const char *d = q + 2 + i;
    if (d >= lx->end || !atx_toml_char_is(*d, ATX_TOML_CHAR_HEX)) {
      atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "escape '\\%c' needs %d hexadecimal digits",
                          q[1], digits);
      return NULL;
    }
    cp = (cp << 4) | hex_value(*d);
  }
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "escape '\\%c%.*s' is not a Unicode scalar value",
                        q[1], digits, q + 2);
    return NULL;
  }
  /* At most 4 bytes in place of the 6 or 10 of the escape. */
  *w += g_unichar_to_utf8(cp, *w);
  return q + 2 + digits;
}

/* Decodes the escape at @q (a backslash) at *@w; returns the byte after it. */
static const char *
lex_escape(AtxTomlLexer *lx, const char *q, char **w)
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
  case 'u': return lex_unicode_escape(lx, q, 4, w);
  case 'U': return lex_unicode_escape(lx, q, 8, w);
  default:
    fail_escape(lx, q);
    return NULL;
  }
  *(*w)++ = decoded;
  return q + 2;
}

/* Skips ordinary string content: stops at either stop byte, a line end or the end. */
static inline const char *
scan_plain(const char *q, const char *end, char stop1, char stop2)
{
  return atx_toml_scan_for(q, end, stop1, stop2, '\n', '\r');
}

/* "..." : decoded and NUL-terminated in the document's copy. */
static gboolean
lex_basic_string(AtxTomlLexer *lx, const char **out_str, gsize *out_len)
{
  const char *open = lx->p, *start = open + 1;
  const char *q = scan_plain(start, lx->end, '"', '\\');
  char *text = atx_toml_lexer_owned(lx, start);
  char *w = text + (q - start); /* the copy already holds the text up to q */

  while (q < lx->end && *q == '\\') {
    if (!(q = lex_escape(lx, q, &w)))
      return FALSE;
    const char *run = q;
    q = scan_plain(q, lx->end, '"', '\\');
    w = put_run(w, run, q);
  }
  if (q >= lx->end || *q != '"')
    return atx_toml_lexer_fail(lx, open, ATX_TOML_ERROR_SYNTAX,
                               "unterminated string: a basic string must end on the line it starts");
  *w = '\0';
  *out_str = text;
  *out_len = w - text;
  lx->p = q + 1;
  return TRUE;
}

/* '...' : the document's copy, terminated in place. */
static gboolean
lex_literal_string(AtxTomlLexer *lx, const char **out_str, gsize *out_len)
{
  const char *open = lx->p, *start = open + 1;
  const char *q = scan_plain(start, lx->end, '\'', '\'');
  if (q >= lx->end || *q != '\'')
    return atx_toml_lexer_fail(lx, open, ATX_TOML_ERROR_SYNTAX,
                               "unterminated string: a literal string must end on the line it starts");
  char *text = atx_toml_lexer_owned(lx, start);
  text[q - start] = '\0';
  *out_str = text;
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
 * appends LF (CRLF is normalised) unless @w is NULL, and returns the byte after
 * it. */
static const char *
multiline_newline(AtxTomlLexer *lx, const char *q, char **w)
{
  q += *q == '\r' ? 2 : 1;
  atx_toml_lexer_start_line(lx, q);
  if (w)
    *(*w)++ = '\n';
  return q;
}

/* At a run of @quote characters inside a multi-line string. Three or more close
 * it, and up to two of them still belong to the content. Returns the byte after
 * the run, setting *closed when the string ended. */
static const char *
multiline_quotes(AtxTomlLexer *lx, const char *q, char quote, char **w, gboolean *closed)
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
  *w = put_run(*w, q, q + (*closed ? n - 3 : n));
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
multiline_basic_step(AtxTomlLexer *lx, const char *q, char **w, gboolean *closed)
{
  switch (*q) {
  case '"':
    return multiline_quotes(lx, q, '"', w, closed);
  case '\n':
  case '\r':
    return multiline_newline(lx, q, w);
  case '\\':
    if (q + 1 < lx->end && (q[1] == ' ' || q[1] == '\t' || q[1] == '\n' || q[1] == '\r'))
      return line_ending_backslash(lx, q);
    return lex_escape(lx, q, w);
  default: {
    const char *run = q;
    q = scan_plain(q, lx->end, '"', '\\');
    *w = put_run(*w, run, q);
    return q;
  }
  }
}

static const char *
multiline_literal_step(AtxTomlLexer *lx, const char *q, char **w, gboolean *closed)
{
  if (*q == '\'')
    return multiline_quotes(lx, q, '\'', w, closed);
  if (*q == '\n' || *q == '\r')
    return multiline_newline(lx, q, w);
  const char *run = q;
  q = scan_plain(q, lx->end, '\'', '\'');
  *w = put_run(*w, run, q);
  return q;
}

/* """...""" or '''...''' : decoded in the document's copy. */
static gboolean
lex_multiline_string(AtxTomlLexer *lx, gboolean literal, const char **out_str, gsize *out_len)
{
  const char *open = lx->p;
  const char *q = skip_first_newline(lx, open + 3);
  char *text = atx_toml_lexer_owned(lx, q);
  char *w = text;
  gboolean closed = FALSE;

  while (!closed) {
    if (q >= lx->end)
      return atx_toml_lexer_fail(lx, open, ATX_TOML_ERROR_SYNTAX, "unterminated multi-line string");
    q = literal ? multiline_literal_step(lx, q, &w, &closed) : multiline_basic_step(lx, q, &w, &closed);
    if (!q)
      return FALSE;
  }
  *w = '\0';
  *out_str = text;
  *out_len = w - text;
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
  gboolean ok;

  if (starts_multiline(lx))
    ok = lex_multiline_string(lx, *lx->p == '\'', &str, &len);
  else if (*lx->p == '"')
    ok = lex_basic_string(lx, &str, &len);
  else
    ok = lex_literal_string(lx, &str, &len);
  if (!ok)
    return FALSE;
  AtxTomlValue *value = atx_toml_value_new(lx->doc, ATX_TOML_STRING, line, column);
  value->as.string.str = str;
  value->as.string.len = len;
  *out = value;
  return TRUE;
}

gboolean
atx_toml_lexer_quoted_key_part(AtxTomlLexer *lx, AtxTomlKeyPart *part)
{
  const char *p = lx->p;
  char c = atx_toml_lexer_peek(lx);

  atx_toml_lexer_here(lx, &part->line, &part->column);
  if (c == '"' || c == '\'') {
    if (starts_multiline(lx))
      return atx_toml_lexer_fail(lx, p, ATX_TOML_ERROR_SYNTAX, "a multi-line string cannot be a key");
    if (c == '"')
      return lex_basic_string(lx, &part->str, &part->len);
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
    if (!g_uint64_checked_mul(&acc, acc, (guint64)base) || !g_uint64_checked_add(&acc, acc, hex_value(*q)) ||
        acc > limit)
      return FALSE;
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

/* Magnitudes above this overflow even a negative integer. */
#define DECIMAL_CAP ((guint64)G_MAXINT64 + 1)

/* scan_digits() for base 10 that also accumulates the digits into *@value,
 * saturating at DECIMAL_CAP + 1: integers need no second pass. */
static const char *
scan_decimal(AtxTomlLexer *lx, const char *q, const char *end, guint64 *value)
{
  guint64 acc = 0;
  for (;;) {
    if (q < end && g_ascii_isdigit(*q)) {
      guint64 d = (guint64)(*q++ - '0');
      acc = acc <= DECIMAL_CAP / 10 ? MIN(acc * 10 + d, DECIMAL_CAP + 1) : DECIMAL_CAP + 1;
    } else if (q < end && *q == '_') {
      if (q + 1 >= end || !g_ascii_isdigit(q[1])) {
        atx_toml_lexer_fail(lx, q, ATX_TOML_ERROR_SYNTAX, "'_' must be between two digits");
        return NULL;
      }
      q++;
    } else {
      *value = acc;
      return q;
    }
  }
}

static gboolean
lex_decimal_integer(AtxTomlLexer *lx, const char *token, gsize len, guint64 magnitude, guint line,
                    guint column, AtxTomlValue **out)
{
  gboolean negative = token[0] == '-';
  if (magnitude > (negative ? DECIMAL_CAP : DECIMAL_CAP - 1))
    return fail_overflow(lx, token, len);
  gint64 value = negative ? (gint64)(0 - magnitude) : (gint64)magnitude;
  *out = new_integer(lx, line, column, value);
  return TRUE;
}

#if FLT_EVAL_METHOD == 0
/* Adds the exponent at @q (after the 'e') to *@exponent; FALSE when it is far
 * outside the fast path's range. */
static gboolean
float_exponent(const char *q, const char *end, int *exponent)
{
  gboolean negative = *q == '-';
  int e = 0;
  q += *q == '-' || *q == '+';
  for (; q < end; q++) {
    if (*q == '_')
      continue;
    e = e * 10 + (*q - '0');
    if (e > 1000)
      return FALSE;
  }
  *exponent += negative ? -e : e;
  return TRUE;
}

/* Clinger's fast path: when the significant digits fit in 53 bits and the
 * power of ten is at most 22, both are exact doubles and one IEEE operation
 * rounds their product or quotient correctly, as strtod would. @token is a
 * float with valid syntax. */
static gboolean
float_fast_path(const char *token, gsize len, double *out)
{
  static const double powers[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
  const char *q = token, *end = token + len;
  gboolean negative = *q == '-', fraction = FALSE;
  guint64 mantissa = 0;
  int digits = 0, exponent = 0;

  q += *q == '-' || *q == '+';
  for (; q < end && *q != 'e' && *q != 'E'; q++) {
    if (*q == '_')
      continue;
    if (*q == '.') {
      fraction = TRUE;
      continue;
    }
    exponent -= fraction;
    if (digits == 0 && *q == '0')
      continue; /* leading zeros add nothing */
    if (++digits > 19)
      return FALSE;
    mantissa = mantissa * 10 + (guint64)(*q - '0');
  }
  if (q < end && !float_exponent(q + 1, end, &exponent))
    return FALSE;
  if (mantissa > (G_GUINT64_CONSTANT(1) << 53) || exponent < -22 || exponent > 22)
    return FALSE;
  double d = exponent < 0 ? (double)mantissa / powers[-exponent] : (double)mantissa * powers[exponent];
  *out = negative ? -d : d;
  return TRUE;
}
#else
static gboolean
float_fast_path(const char *token, gsize len, double *out)
{
  return FALSE;
}
#endif

static gboolean
lex_float(AtxTomlLexer *lx, const char *token, gsize len, guint line, guint column, AtxTomlValue **out)
{
  double d;
  if (!float_fast_path(token, len, &d)) {
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
    d = g_ascii_strtod(digits, NULL);
  }
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
  guint64 magnitude;
  const char *int_end = scan_decimal(lx, s, end, &magnitude);
  if (!int_end)
    return FALSE;
  if (*s == '0' && int_end - s > 1)
    return atx_toml_lexer_fail(lx, s, ATX_TOML_ERROR_SYNTAX, "leading zeros are not allowed in \"%.*s\"",
                               excerpt_len(len), token);
  if (int_end == end)
    return lex_decimal_integer(lx, token, len, magnitude, line, column, out);
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
  char *text = atx_toml_lexer_owned(lx, token);
  text[len] = '\0';
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
  const char *q = atx_toml_scan_class(start, lx->end, ATX_TOML_CHAR_TOKEN);
  if (q - start == 10 && looks_like_date(start, 10) && lx->end - q > 3 && q[0] == ' ' &&
      g_ascii_isdigit(q[1]) && g_ascii_isdigit(q[2]) && q[3] == ':')
    q = atx_toml_scan_class(q + 1, lx->end, ATX_TOML_CHAR_TOKEN);
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
  atx_toml_lexer_here(lx, &line, &column);
  char c = atx_toml_lexer_peek(lx);
  if (c == '"' || c == '\'')
    return lex_string_value(lx, line, column, out);
  return lex_bare_value(lx, line, column, out);
}
