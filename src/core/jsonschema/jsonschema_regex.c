/* ECMA-262 patterns on GRegex (PCRE2).
 *
 * GRegex compiles in UTF-8 mode with Unicode properties on, where \d, \w and
 * \s match far more than ECMA-262 allows, "." stops only at \n and "$" also
 * matches before a final newline. The translation below spells out the ECMA
 * meaning of each of these. Known gaps: \D, \W and \S inside a character class
 * keep the Unicode meaning, and lookbehind must have a bounded length.
 *
 * A match limit is written into every pattern so a catastrophic pattern (or a
 * hostile schema) costs bounded time; a search that hits it reports -1. */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

#define MATCH_LIMIT "(*LIMIT_MATCH=1000000)"

#define ECMA_SPACE_CHARS                                                                           \
  "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}"    \
  "\\x{3000}\\x{FEFF}"
#define ECMA_WORD_CHARS "A-Za-z0-9_"
#define ECMA_WORD_BOUNDARY                                                                         \
  "(?:(?<=[" ECMA_WORD_CHARS "])(?![" ECMA_WORD_CHARS "])|(?<![" ECMA_WORD_CHARS "])(?=["       \
  ECMA_WORD_CHARS "]))"
#define ECMA_NOT_WORD_BOUNDARY                                                                     \
  "(?:(?<=[" ECMA_WORD_CHARS "])(?=[" ECMA_WORD_CHARS "])|(?<![" ECMA_WORD_CHARS "])(?!["       \
  ECMA_WORD_CHARS "]))"

typedef struct {
  const char *p; /* next input character */
  GString *out;
  gboolean in_class;
} Translator;

static int
hex_value(char c)
{
  return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* Reads exactly @count hex digits at @p; -1 when they are not there. */
static gint64
read_hex(const char *p, int count)
{
  gint64 value = 0;
  for (int i = 0; i < count; i++) {
    int digit = hex_value(p[i]);
    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

static void
emit_code_point(Translator *t, gint64 code_point)
{
  if (code_point >= 0xD800 && code_point <= 0xDFFF)
    g_string_append(t->out, "(?!)"); /* a lone surrogate never occurs in UTF-8 text */
  else
    g_string_append_printf(t->out, "\\x{%" G_GINT64_MODIFIER "X}", code_point);
}

/* \uXXXX, \u{X...} and surrogate pairs; t->p is just past the 'u'. */
static void
translate_unicode_escape(Translator *t)
{
  if (t->p[0] == '{') {
    const char *close = strchr(t->p, '}');
    gint64 value = close && close - t->p > 1 && close - t->p <= 7 ? read_hex(t->p + 1, (int) (close - t->p - 1)) : -1;
    if (value >= 0 && value <= 0x10FFFF) {
      emit_code_point(t, value);
      t->p = close + 1;
      return;
    }
  }
  gint64 unit = read_hex(t->p, 4);
  if (unit < 0) {
    g_string_append_c(t->out, 'u'); /* identity escape */
    return;
  }
  t->p += 4;
  if (unit >= 0xD800 && unit <= 0xDBFF && t->p[0] == '\\' && t->p[1] == 'u') {
    gint64 low = read_hex(t->p + 2, 4);
    if (low >= 0xDC00 && low <= 0xDFFF) {
      t->p += 6;
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
  }
  emit_code_point(t, unit);
}

static const struct {
  const char *ecma;
  const char *pcre;
} property_names[] = {
  { "Letter", "L" },           { "Lowercase_Letter", "Ll" }, { "Uppercase_Letter", "Lu" },
  { "Number", "N" },           { "Decimal_Number", "Nd" },   { "digit", "Nd" },
  { "Punctuation", "P" },      { "Symbol", "S" },            { "Mark", "M" },
  { "Separator", "Z" },        { "Space_Separator", "Zs" },  { "Other", "C" },
  { "Control", "Cc" },         { "Format", "Cf" },           { "Titlecase_Letter", "Lt" },
  { "Modifier_Letter", "Lm" }, { "Other_Letter", "Lo" },
};

/* \p{...} / \P{...}: ECMA spells "Script=Greek" and long category names. */
static void
translate_property(Translator *t, char letter)
{
  const char *close = t->p[0] == '{' ? strchr(t->p, '}') : NULL;
  if (!close) {
    g_string_append_c(t->out, letter); /* identity escape */
    return;
  }
  g_autofree char *body = g_strndup(t->p + 1, (gsize) (close - t->p - 1));
  const char *name = body;
  const char *eq = strchr(body, '=');
  if (eq)
    name = eq + 1;
  for (guint i = 0; i < G_N_ELEMENTS(property_names); i++)
    if (strcmp(name, property_names[i].ecma) == 0)
      name = property_names[i].pcre;
  g_string_append_printf(t->out, "\\%c{%s}", letter, name);
  t->p = close + 1;
}

static void
translate_class_shorthand(Translator *t, char letter)
{
  static const char *const outside[] = { "d", "[0-9]", "D", "[^0-9]", "w", "[" ECMA_WORD_CHARS "]",
                                         "W", "[^" ECMA_WORD_CHARS "]", "s", "[" ECMA_SPACE_CHARS "]",
                                         "S", "[^" ECMA_SPACE_CHARS "]" };
  static const char *const inside[] = { "d", "0-9", "D", "\\D", "w", ECMA_WORD_CHARS, "W", "\\W",
                                        "s", ECMA_SPACE_CHARS, "S", "\\S" };
  const char *const *table = t->in_class ? inside : outside;
  for (guint i = 0; i < G_N_ELEMENTS(outside); i += 2)
    if (table[i][0] == letter)
      g_string_append(t->out, table[i + 1]);
}

static void
translate_control_escape(Translator *t)
{
  if (g_ascii_isalpha(t->p[0])) {
    emit_code_point(t, t->p[0] % 32);
    t->p++;
  } else {
    g_string_append(t->out, "\\\\c"); /* ECMA: a backslash followed by 'c' */
  }
}

static gboolean
translate_simple_escape(Translator *t, char c)
{
  switch (c) {
  case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
    translate_class_shorthand(t, c);
    return TRUE;
  case 'b':
    g_string_append(t->out, t->in_class ? "\\x{08}" : ECMA_WORD_BOUNDARY);
    return TRUE;
  case 'B':
    g_string_append(t->out, t->in_class ? "B" : ECMA_NOT_WORD_BOUNDARY);
    return TRUE;
  case 'v':
    g_string_append(t->out, "\\x{0B}");
    return TRUE;
  case 'f': case 'n': case 'r': case 't':
    g_string_append_c(t->out, '\\');
    g_string_append_c(t->out, c);
    return TRUE;
  default:
    return FALSE;
  }
}

static void
translate_escape(Translator *t)
{
  char c = *t->p++;
  if (c == '\0') {
    t->p--;
    g_string_append(t->out, "\\\\");
    return;
  }
  if (translate_simple_escape(t, c))
    return;
  if (c == 'c')
    translate_control_escape(t);
  else if (c == 'u')
    translate_unicode_escape(t);
  else if (c == 'x' && read_hex(t->p, 2) >= 0) {
    emit_code_point(t, read_hex(t->p, 2));
    t->p += 2;
  } else if (c == '0' && !g_ascii_isdigit(t->p[0]))
    g_string_append(t->out, "\\x{0}");
  else if (c == 'p' || c == 'P')
    translate_property(t, c);
  else if ((g_ascii_isdigit(c) && !t->in_class) || c == 'k') {
    g_string_append_c(t->out, '\\'); /* backreferences mean the same in PCRE */
    g_string_append_c(t->out, c);
  } else if (g_ascii_isalnum(c))
    g_string_append_c(t->out, c); /* identity escape: the letter itself */
  else {
    g_string_append_c(t->out, '\\');
    g_string_append_c(t->out, c);
  }
}

static void
translate_class_start(Translator *t)
{
  if (t->p[0] == ']') { /* [] matches nothing */
    g_string_append(t->out, "(?!)");
    t->p++;
  } else if (t->p[0] == '^' && t->p[1] == ']') { /* [^] matches anything */
    g_string_append(t->out, "(?s:.)");
    t->p += 2;
  } else {
    g_string_append_c(t->out, '[');
    if (t->p[0] == '^')
      g_string_append_c(t->out, *t->p++);
    t->in_class = TRUE;
  }
}

static char *
translate(const char *ecma)
{
  Translator t = { ecma, g_string_new(MATCH_LIMIT), FALSE };
  while (*t.p) {
    char c = *t.p++;
    if (c == '\\')
      translate_escape(&t);
    else if (t.in_class && c == ']') {
      g_string_append_c(t.out, c);
      t.in_class = FALSE;
    } else if (t.in_class && c == '[')
      g_string_append(t.out, "\\["); /* not a POSIX class opener in ECMA */
    else if (t.in_class)
      g_string_append_c(t.out, c);
    else if (c == '[')
      translate_class_start(&t);
    else if (c == '.')
      g_string_append(t.out, "[^\\n\\r\\x{2028}\\x{2029}]");
    else
      g_string_append_c(t.out, c);
  }
  return g_string_free(t.out, FALSE);
}

GRegex *
atx_js_regex_compile(const char *ecma_pattern, GError **error)
{
  g_autofree char *pcre = translate(ecma_pattern);
  /* No G_REGEX_OPTIMIZE: JIT compilation costs more than it saves on short
   * configuration strings, and JIT code trips valgrind's checks. */
  return g_regex_new(pcre, G_REGEX_DOLLAR_ENDONLY, 0, error);
}

int
atx_js_regex_search(const GRegex *regex, const char *text, gsize length)
{
  g_autoptr(GError) error = NULL;
  gboolean found = g_regex_match_full(regex, text, (gssize) length, 0, 0, NULL, &error);
  if (error)
    return -1;
  return found ? 1 : 0;
}
