/* TOML lexical layer: the cursor over the input, line/column bookkeeping, error
 * reporting, and everything below the document structure (keys, strings,
 * numbers, booleans, date/times). Private to src/core/toml*.c.
 *
 * The whole input is checked for UTF-8 and control characters before any token
 * is read (atx_toml_lexer_check_encoding), so every scanner afterwards may assume
 * valid UTF-8, no control character but tab, and CR only before LF.
 *
 * Scanners read the caller's input only. The document holds a copy of it
 * (lx->text, same offsets as from lx->begin) in which keys, strings and
 * date/times are NUL-terminated (and unescaped or normalised) in place, so they
 * need no allocation of their own: a decoded string is never longer than its
 * source, and the byte after a token (a delimiter, or the NUL after the copy)
 * belongs to no later token. */
#pragma once

#include "core/toml/toml_private.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct {
  const char *begin; /* first byte after an optional BOM: line 1, column 1 */
  const char *p;     /* next unread byte */
  const char *end;
  guint line;             /* line of p */
  const char *line_start; /* first byte of that line */
  /* The first byte above 0x7f found by the last search, which started at or
   * before line_start (end when there is none): up to it, columns are byte
   * offsets from line_start. */
  const char *ascii_end;
  /* Last computed column, so positions along one long line cost linear time;
   * stale once line_start has moved past it. */
  const char *col_anchor;
  guint col_value;
  char *text; /* the document's copy of [begin, end), NUL-terminated */
  AtxTomlDoc *doc;
  GString *scratch; /* see atx_toml_lexer_scratch() */
  gboolean failed;
  AtxTomlPosition *where;
  GError **error;
} AtxTomlLexer;

/* A key component as written; @str is the document's NUL-terminated copy (it
 * may contain NUL itself, hence @len). */
typedef struct {
  const char *str;
  gsize len;
  guint line;
  guint column;
} AtxTomlKeyPart;

/* Also copies the input into @doc. */
void atx_toml_lexer_init(AtxTomlLexer *lx, const char *data, gsize len, AtxTomlDoc *doc,
                         AtxTomlPosition *where, GError **error);
void atx_toml_lexer_clear(AtxTomlLexer *lx);

/* Where the byte at @at of the input lives in the document's copy. */
static inline char *
atx_toml_lexer_owned(const AtxTomlLexer *lx, const char *at)
{
  return lx->text + (at - lx->begin);
}

/* An emptied buffer, created on first use: most documents never need one. Only
 * one user at a time. */
GString *atx_toml_lexer_scratch(AtxTomlLexer *lx);

/* Records the first error (message and position of @at); always returns FALSE. */
gboolean atx_toml_lexer_fail(AtxTomlLexer *lx, const char *at, AtxTomlErrorCode code,
                             const char *format, ...) G_GNUC_PRINTF(4, 5);
/* The same, for a place already turned into a position (key parts). */
gboolean atx_toml_lexer_fail_at(AtxTomlLexer *lx, guint line, guint column, AtxTomlErrorCode code,
                                const char *format, ...) G_GNUC_PRINTF(5, 6);
void atx_toml_lexer_here_slow(AtxTomlLexer *lx, guint *line, guint *column);

/* Position of lx->p, whose line has been started (atx_toml_lexer_start_line):
 * constant time unless non-ASCII text precedes it on its line. */
static inline void
atx_toml_lexer_here(AtxTomlLexer *lx, guint *line, guint *column)
{
  if (G_LIKELY(lx->p <= lx->ascii_end)) {
    *line = lx->line;
    *column = (guint)(lx->p - lx->line_start) + 1;
    return;
  }
  atx_toml_lexer_here_slow(lx, line, column);
}

/* "end of input", "end of line", "'x'" or "U+00E9" for the character at @at. */
const char *atx_toml_lexer_describe(const AtxTomlLexer *lx, const char *at, char buf[32]);

gboolean atx_toml_lexer_check_encoding(AtxTomlLexer *lx);

/* ---- Character classes ---- */

enum {
  ATX_TOML_CHAR_BARE = 1 << 0,  /* A-Z a-z 0-9 _ - : bare keys */
  ATX_TOML_CHAR_TOKEN = 1 << 1, /* bare key characters and + . : : unquoted values */
  ATX_TOML_CHAR_HEX = 1 << 2,   /* 0-9 A-F a-f */
};

/* Hidden: read directly, not through the global offset table. */
extern const guint8 atx_toml_char_class[256] G_GNUC_INTERNAL;

static inline gboolean
atx_toml_char_is(char c, guint8 classes)
{
  return (atx_toml_char_class[(guint8)c] & classes) != 0;
}

/* The first byte in [q, end) equal to @a, @b, @c or @d, or @end. Strings and
 * comments are long enough to be worth 16 bytes a step. */
static inline const char *
atx_toml_scan_for(const char *q, const char *end, char a, char b, char c, char d)
{
#ifdef __SSE2__
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
  const __m128i vc = _mm_set1_epi8(c), vd = _mm_set1_epi8(d);
  while (end - q >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)q);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vd)));
    guint mask = (guint)_mm_movemask_epi8(hit);
    if (mask)
      return q + __builtin_ctz(mask);
    q += 16;
  }
#endif
  while (q < end && *q != a && *q != b && *q != c && *q != d)
    q++;
  return q;
}

/* The end of the run of characters of @klass (ATX_TOML_CHAR_BARE or
 * ATX_TOML_CHAR_TOKEN) starting at @q. Keys and numbers are often long
 * enough to be worth 16 bytes a step. */
static inline const char *
atx_toml_scan_class(const char *q, const char *end, guint8 klass)
{
#ifdef __SSE2__
  const gboolean token = klass == ATX_TOML_CHAR_TOKEN;
  while (end - q >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)q);
    /* Shifted so that a-z (either case) and 0-9 (0-: for tokens) become the
     * lowest signed bytes. */
    __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8((char)(0x80 - 'a'))),
                                    _mm_set1_epi8(-128 + 26));
    __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))),
                                   _mm_set1_epi8(token ? -128 + 11 : -128 + 10));
    __m128i mark = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
    if (token)
      mark = _mm_or_si128(mark, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
    guint other = ~(guint)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), mark)) & 0xffffu;
    if (other)
      return q + __builtin_ctz(other);
    q += 16;
  }
#endif
  while (q < end && atx_toml_char_is(*q, klass))
    q++;
  return q;
}

/* ---- Layout ---- */

static inline gboolean
atx_toml_lexer_at_end(const AtxTomlLexer *lx)
{
  return lx->p >= lx->end;
}

/* The next byte, or 0 at the end (a real NUL was refused by the encoding check). */
static inline char
atx_toml_lexer_peek(const AtxTomlLexer *lx)
{
  return lx->p < lx->end ? *lx->p : '\0';
}

static inline void
atx_toml_lexer_skip_ws(AtxTomlLexer *lx)
{
  const char *p = lx->p;
  while (p < lx->end && (*p == ' ' || *p == '\t'))
    p++;
  lx->p = p;
}

/* Notes that a line begins at @next (for newlines consumed by a scanner). */
static inline void
atx_toml_lexer_start_line(AtxTomlLexer *lx, const char *next)
{
  lx->line++;
  lx->line_start = next;
}

/* Consumes "\n" or "\r\n" when it is next. */
static inline gboolean
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
  atx_toml_lexer_start_line(lx, p);
  return TRUE;
}

/* Consumes a comment up to (not including) the end of its line, when one is next. */
static inline void
atx_toml_lexer_skip_comment(AtxTomlLexer *lx)
{
  if (lx->p >= lx->end || *lx->p != '#')
    return;
  const char *nl = atx_toml_scan_for(lx->p, lx->end, '\n', '\n', '\n', '\n');
  /* Leave the CR of a CRLF for atx_toml_lexer_newline(). */
  if (nl < lx->end && nl[-1] == '\r')
    nl--;
  lx->p = nl;
}

/* Whitespace, comments and newlines, as allowed between array elements. */
static inline void
atx_toml_lexer_skip_blank(AtxTomlLexer *lx)
{
  do {
    atx_toml_lexer_skip_ws(lx);
    atx_toml_lexer_skip_comment(lx);
  } while (atx_toml_lexer_newline(lx));
}

/* Implemented in toml_scalar.c. */

/* A quoted key component, or the error for something that is no key. */
gboolean atx_toml_lexer_quoted_key_part(AtxTomlLexer *lx, AtxTomlKeyPart *part);

/* A bare or quoted key component; bare ones, by far the most common, inline. */
static inline gboolean
atx_toml_lexer_key_part(AtxTomlLexer *lx, AtxTomlKeyPart *part)
{
  const char *p = lx->p;
  if (G_UNLIKELY(p >= lx->end || !atx_toml_char_is(*p, ATX_TOML_CHAR_BARE)))
    return atx_toml_lexer_quoted_key_part(lx, part);
  const char *q = atx_toml_scan_class(p + 1, lx->end, ATX_TOML_CHAR_BARE);
  atx_toml_lexer_here(lx, &part->line, &part->column);
  char *text = atx_toml_lexer_owned(lx, p);
  text[q - p] = '\0';
  part->str = text;
  part->len = q - p;
  lx->p = q;
  return TRUE;
}
/* A string, number, boolean or date/time value. */
gboolean atx_toml_lexer_scalar(AtxTomlLexer *lx, AtxTomlValue **out);
