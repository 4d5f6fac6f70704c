/* TOML lexical layer: the cursor over the input, line/column bookkeeping, error
 * reporting, and everything below the document structure (keys, strings,
 * numbers, booleans, date/times). Private to src/core/toml*.c.
 *
 * The whole input is checked for UTF-8 and control characters before any token
 * is read (atx_toml_lexer_check_encoding), so every scanner afterwards may assume
 * valid UTF-8, no control character but tab, and CR only before LF. */
#pragma once

#include "core/toml_private.h"

typedef struct {
  const char *begin; /* first byte after an optional BOM: line 1, column 1 */
  const char *p;     /* next unread byte */
  const char *end;
  guint line;             /* line of p */
  const char *line_start; /* first byte of that line */
  /* Last computed column, so positions along one long line cost linear time. */
  const char *col_anchor;
  guint col_value;
  AtxTomlDoc *doc;
  GString *scratch; /* see atx_toml_lexer_scratch() */
  gboolean failed;
  AtxTomlPosition *where;
  GError **error;
} AtxTomlLexer;

/* A key component as written; @str points into the input or the arena and is
 * not NUL-terminated. */
typedef struct {
  const char *str;
  gsize len;
  guint line;
  guint column;
} AtxTomlKeyPart;

void atx_toml_lexer_init(AtxTomlLexer *lx, const char *data, gsize len, AtxTomlDoc *doc,
                         AtxTomlPosition *where, GError **error);
void atx_toml_lexer_clear(AtxTomlLexer *lx);

/* An emptied buffer for decoded strings, created on first use: most documents
 * never need one. Only one user at a time. */
GString *atx_toml_lexer_scratch(AtxTomlLexer *lx);

/* Records the first error (message and position of @at); always returns FALSE. */
gboolean atx_toml_lexer_fail(AtxTomlLexer *lx, const char *at, AtxTomlErrorCode code,
                             const char *format, ...) G_GNUC_PRINTF(4, 5);
/* The same, for a place already turned into a position (key parts). */
gboolean atx_toml_lexer_fail_at(AtxTomlLexer *lx, guint line, guint column, AtxTomlErrorCode code,
                                const char *format, ...) G_GNUC_PRINTF(5, 6);
void atx_toml_lexer_position(AtxTomlLexer *lx, const char *at, guint *line, guint *column);
/* "end of input", "end of line", "'x'" or "U+00E9" for the character at @at. */
const char *atx_toml_lexer_describe(const AtxTomlLexer *lx, const char *at, char buf[32]);

gboolean atx_toml_lexer_check_encoding(AtxTomlLexer *lx);

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
  while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
    lx->p++;
}

/* Notes that a line begins at @next (for newlines consumed by a scanner). */
void atx_toml_lexer_start_line(AtxTomlLexer *lx, const char *next);
/* Consumes "\n" or "\r\n" when it is next. */
gboolean atx_toml_lexer_newline(AtxTomlLexer *lx);
/* Consumes a comment up to (not including) the end of its line, when one is next. */
void atx_toml_lexer_skip_comment(AtxTomlLexer *lx);
/* Whitespace, comments and newlines, as allowed between array elements. */
void atx_toml_lexer_skip_blank(AtxTomlLexer *lx);

/* Implemented in toml_scalar.c. */

/* A bare or quoted key component. */
gboolean atx_toml_lexer_key_part(AtxTomlLexer *lx, AtxTomlKeyPart *part);
/* A string, number, boolean or date/time value. */
gboolean atx_toml_lexer_scalar(AtxTomlLexer *lx, AtxTomlValue **out);
