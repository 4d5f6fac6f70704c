/* A matcher for the patterns schemas mostly use, without GRegex.
 *
 * Configuration schemas write patterns like ^[a-z_][a-z0-9_-]{0,31}$: an
 * optional "^", a run of atoms that are each an ASCII literal or a class of
 * ASCII characters, each with an optional quantifier (?, *, +, {m}, {m,n},
 * {m,}), and an optional final "$". GRegex answers those through a match
 * context allocated per call and a general backtracking engine; here they
 * become a bit-parallel NFA (shift-and with optional and repeated positions),
 * which decides a string in one pass with no allocation and no backtracking,
 * so no match limit is needed either.
 *
 * Quantifiers are unrolled: {0,31} becomes 31 optional positions. Positions
 * are the bits of a guint64, so a pattern that unrolls to more than
 * MAX_POSITIONS stays with GRegex, as does everything outside the subset
 * (groups, alternation, ".", negated classes, \s, \b, lazy quantifiers, any
 * non-ASCII or control character in the pattern). For the subset, ECMA-262
 * and this matcher agree exactly: no class holds a non-ASCII character, so a
 * non-ASCII character in the subject never matches an atom; "^" is only the
 * start and "$" only the end of the subject (no multiline mode), so a final
 * newline is an ordinary character that matches nothing; \d is [0-9] and \w
 * is [A-Za-z0-9_]. */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

/* State n_positions must fit in a bit, with room for the carry of the
 * closure below. */
#define MAX_POSITIONS 62

typedef struct {
  guint64 bits[2]; /* ASCII set */
} CharSet;

typedef struct {
  const char *p;
  AtxJsFastRegex *regex;
  guint n_positions;
} Parser;

static void
set_add(CharSet *set, guchar c)
{
  set->bits[c >> 6] |= G_GUINT64_CONSTANT(1) << (c & 63);
}

static gboolean
set_has(const CharSet *set, guchar c)
{
  return (set->bits[c >> 6] >> (c & 63)) & 1;
}

static void
set_add_range(CharSet *set, guchar low, guchar high)
{
  for (guint c = low; c <= high; c++)
    set_add(set, (guchar) c);
}

/* \d and \w as ECMA-262 defines them (ASCII only without the u flag's
 * case folding, which the schema dialect never turns on). */
static gboolean
add_class_escape(CharSet *set, char letter)
{
  if (letter == 'd') {
    set_add_range(set, '0', '9');
    return TRUE;
  }
  if (letter == 'w') {
    set_add_range(set, 'a', 'z');
    set_add_range(set, 'A', 'Z');
    set_add_range(set, '0', '9');
    set_add(set, '_');
    return TRUE;
  }
  return FALSE;
}

/* Punctuation stands for itself after a backslash in both dialects. */
static gboolean
is_escapable_punct(char c)
{
  return c > 0x20 && c < 0x7F && !g_ascii_isalnum(c);
}

/* One literal inside a class: a printable character or escaped punctuation.
 * "-" unescaped is refused here: where it may be a literal is decided by the
 * caller. */
static gboolean
read_class_literal(Parser *ps, guchar *out)
{
  char c = *ps->p;
  if (c == '\\' && is_escapable_punct(ps->p[1])) {
    *out = (guchar) ps->p[1];
    ps->p += 2;
    return TRUE;
  }
  if (c < 0x20 || c >= 0x7F || c == '\\' || c == ']' || c == '[' || c == '-')
    return FALSE;
  *out = (guchar) c;
  ps->p++;
  return TRUE;
}

/* One member of a class: \d, \w, a literal or a range of literals. */
static gboolean
read_class_member(Parser *ps, CharSet *set, gboolean first)
{
  if (ps->p[0] == '\\' && add_class_escape(set, ps->p[1])) {
    ps->p += 2;
    return ps->p[0] != '-' || ps->p[1] == ']'; /* [\d-x] means different things */
  }
  if (ps->p[0] == '-' && (first || ps->p[1] == ']')) {
    set_add(set, '-');
    ps->p++;
    return TRUE;
  }
  guchar low;
  if (!read_class_literal(ps, &low))
    return FALSE;
  if (ps->p[0] != '-' || ps->p[1] == ']') {
    set_add(set, low);
    return TRUE;
  }
  ps->p++;
  guchar high;
  if (!read_class_literal(ps, &high) || high < low)
    return FALSE;
  set_add_range(set, low, high);
  return TRUE;
}

/* After the "[": non-negated, non-empty classes only. */
static gboolean
read_class(Parser *ps, CharSet *set)
{
  if (ps->p[0] == '^' || ps->p[0] == ']')
    return FALSE;
  for (gboolean first = TRUE; ps->p[0] != ']'; first = FALSE)
    if (!read_class_member(ps, set, first))
      return FALSE;
  ps->p++;
  return TRUE;
}

static gboolean
read_atom(Parser *ps, CharSet *set)
{
  char c = *ps->p;
  if (c == '[') {
    ps->p++;
    return read_class(ps, set);
  }
  if (c == '\\') {
    char next = ps->p[1];
    ps->p += 2;
    if (add_class_escape(set, next))
      return TRUE;
    if (!is_escapable_punct(next))
      return FALSE;
    set_add(set, (guchar) next);
    return TRUE;
  }
  if (c < 0x20 || c >= 0x7F || strchr(".()|*+?{}[]^$", c))
    return FALSE;
  set_add(set, (guchar) c);
  ps->p++;
  return TRUE;
}

static gboolean
read_count(Parser *ps, guint *out)
{
  if (!g_ascii_isdigit(*ps->p))
    return FALSE;
  guint value = 0;
  while (g_ascii_isdigit(*ps->p)) {
    value = value * 10 + (guint) (*ps->p++ - '0');
    if (value > 1000)
      return FALSE;
  }
  *out = value;
  return TRUE;
}

/* Reads an optional quantifier; *max is G_MAXUINT for no upper bound. */
static gboolean
read_quantifier(Parser *ps, guint *min, guint *max)
{
  *min = *max = 1;
  switch (*ps->p) {
  case '?':
    *min = 0;
    break;
  case '*':
    *min = 0;
    *max = G_MAXUINT;
    break;
  case '+':
    *max = G_MAXUINT;
    break;
  case '{':
    ps->p++;
    if (!read_count(ps, min))
      return FALSE;
    *max = *min;
    if (*ps->p == ',') {
      ps->p++;
      *max = G_MAXUINT;
      if (*ps->p != '}' && (!read_count(ps, max) || *max < *min))
        return FALSE;
    }
    if (*ps->p != '}')
      return FALSE;
    break;
  default:
    return TRUE;
  }
  ps->p++;
  /* A lazy or stacked quantifier stays with GRegex. */
  return !strchr("?*+{", *ps->p) || *ps->p == '\0';
}

/* Appends one position: the transition out of state n_positions. */
static gboolean
add_position(Parser *ps, const CharSet *set, gboolean optional, gboolean repeat)
{
  if (ps->n_positions >= MAX_POSITIONS)
    return FALSE;
  guint64 bit = G_GUINT64_CONSTANT(1) << ps->n_positions++;
  for (guint c = 0; c < 128; c++)
    if (set_has(set, (guchar) c))
      ps->regex->masks[c] |= bit;
  if (optional)
    ps->regex->optional |= bit;
  if (repeat)
    ps->regex->repeat |= bit;
  return TRUE;
}

/* x{m,n}: m required positions, then n - m optional ones, or one optional
 * repeating position when there is no upper bound. */
static gboolean
add_quantified(Parser *ps, const CharSet *set, guint min, guint max)
{
  for (guint i = 0; i < min; i++)
    if (!add_position(ps, set, FALSE, FALSE))
      return FALSE;
  if (max == G_MAXUINT)
    return add_position(ps, set, TRUE, TRUE);
  if (max - min > MAX_POSITIONS)
    return FALSE;
  for (guint i = min; i < max; i++)
    if (!add_position(ps, set, TRUE, FALSE))
      return FALSE;
  return TRUE;
}

/* Every state reachable from @states by skipping optional atoms. Within a run
 * of optional states, adding the lowest state of @states to the run carries
 * through the rest of it and one past its end; the xor recovers the bits the
 * carry went through. */
static inline guint64
closure(const AtxJsFastRegex *regex, guint64 states)
{
  guint64 d = regex->optional;
  return states | ((d + (states & d)) ^ d);
}

static gboolean
parse(Parser *ps)
{
  if (*ps->p == '^') {
    ps->regex->anchored_start = TRUE;
    ps->p++;
  }
  while (*ps->p) {
    if (ps->p[0] == '$' && ps->p[1] == '\0') {
      ps->regex->anchored_end = TRUE;
      break;
    }
    CharSet set = { { 0, 0 } };
    guint min, max;
    if (!read_atom(ps, &set) || !read_quantifier(ps, &min, &max) || !add_quantified(ps, &set, min, max))
      return FALSE;
  }
  ps->regex->accept = G_GUINT64_CONSTANT(1) << ps->n_positions;
  ps->regex->start = closure(ps->regex, 1);
  return TRUE;
}

AtxJsFastRegex *
atx_js_fast_regex_compile(const char *ecma_pattern)
{
  Parser ps = { ecma_pattern, g_new0(AtxJsFastRegex, 1), 0 };
  if (!parse(&ps)) {
    g_free(ps.regex);
    return NULL;
  }
  return ps.regex;
}

gboolean
atx_js_fast_regex_search(const AtxJsFastRegex *regex, const char *text, gsize length)
{
  guint64 states = regex->start;
  if (!regex->anchored_end && (states & regex->accept))
    return TRUE;
  for (gsize i = 0; i < length; i++) {
    guchar c = (guchar) text[i];
    guint64 live = c < 128 ? states & regex->masks[c] : 0;
    states = closure(regex, ((live & ~regex->repeat) << 1) | (live & regex->repeat));
    if (!regex->anchored_start)
      states |= regex->start; /* a match may begin at the next character */
    else if (!states)
      return FALSE;
    if (!regex->anchored_end && (states & regex->accept))
      return TRUE;
  }
  return (states & regex->accept) != 0;
}

void
atx_js_fast_regex_emit_c(const AtxJsFastRegex *regex, GString *out)
{
  g_string_append(out, "&(const AtxJsFastRegex) { .masks = {");
  for (guint c = 0; c < G_N_ELEMENTS(regex->masks); c++)
    if (regex->masks[c])
      g_string_append_printf(out, " [%u] = G_GUINT64_CONSTANT(0x%" G_GINT64_MODIFIER "x),", c, regex->masks[c]);
  g_string_append_printf(out,
                         " }, .repeat = G_GUINT64_CONSTANT(0x%" G_GINT64_MODIFIER
                         "x), .optional = G_GUINT64_CONSTANT(0x%" G_GINT64_MODIFIER
                         "x), .start = G_GUINT64_CONSTANT(0x%" G_GINT64_MODIFIER
                         "x), .accept = G_GUINT64_CONSTANT(0x%" G_GINT64_MODIFIER "x), .anchored_start = %s, "
                         ".anchored_end = %s }",
                         regex->repeat, regex->optional, regex->start, regex->accept,
                         regex->anchored_start ? "TRUE" : "FALSE", regex->anchored_end ? "TRUE" : "FALSE");
}
