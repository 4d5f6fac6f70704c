#include <math.h>

#include "core/jsonschema/jsonschema.h"
#include "core/toml/toml.h"

static AtxTomlDoc *
parse_ok(const char *text)
{
  g_autoptr(GError) error = NULL;
  AtxTomlPosition where = { 0, 0 };
  AtxTomlDoc *doc = atx_toml_parse(text, strlen(text), NULL, &where, &error);
  if (!doc)
    g_error("unexpected failure at %u:%u: %s\n--- input ---\n%s", where.line, where.column, error->message, text);
  return doc;
}

/* Parses @len bytes expecting failure; returns the message. */
static char *
parse_fail_len(const char *text, gsize len, const AtxTomlLimits *limits, AtxTomlErrorCode code, guint line,
               guint column)
{
  g_autoptr(GError) error = NULL;
  AtxTomlPosition where = { 0, 0 };
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, len, limits, &where, &error);
  if (doc)
    g_error("accepted invalid input:\n%.*s", (int)len, text);
  g_assert_error(error, ATX_TOML_ERROR, (gint)code);
  if (where.line != line || where.column != column)
    g_error("%s: expected error at %u:%u, got %u:%u (%s)", text, line, column, where.line, where.column,
            error->message);
  return g_strdup(error->message);
}

/* Parses and frees: for inputs whose only point is to be accepted. */
static void
assert_accepted(const char *text, const AtxTomlLimits *limits)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, strlen(text), limits, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(doc);
}

/* Expects failure with @code at @line:@column and a message containing @part. */
static void
assert_rejected(const char *text, const AtxTomlLimits *limits, AtxTomlErrorCode code, guint line, guint column,
                const char *part)
{
  g_autofree char *message = parse_fail_len(text, strlen(text), limits, code, line, column);
  if (!strstr(message, part))
    g_error("%s: message \"%s\" lacks \"%s\"", text, message, part);
}

static const AtxTomlValue *
lookup(const AtxTomlDoc *doc, const char *pointer)
{
  const AtxTomlValue *v = atx_toml_doc_lookup(doc, pointer);
  if (!v)
    g_error("nothing at %s", pointer);
  return v;
}

#define assert_position(value, l, c)                                                               \
  G_STMT_START {                                                                                  \
    g_assert_cmpuint(atx_toml_value_line(value), ==, (l));                                         \
    g_assert_cmpuint(atx_toml_value_column(value), ==, (c));                                       \
  } G_STMT_END

#define assert_key_position(table, index, name, l, c)                                              \
  G_STMT_START {                                                                                  \
    g_assert_cmpstr(atx_toml_table_key((table), (index)), ==, (name));                             \
    g_assert_cmpuint(atx_toml_table_key_line((table), (index)), ==, (l));                          \
    g_assert_cmpuint(atx_toml_table_key_column((table), (index)), ==, (c));                        \
  } G_STMT_END

/* ---- Positions ---- */

static void
test_positions_multibyte(void)
{
  /* Columns count code points: "é" is 2 bytes, "😀" 4 bytes, each one column. */
  g_autoptr(AtxTomlDoc) doc = parse_ok("\"é😀\" = \"ü\"   # ö\n"
                                       "list = [ \"😀\", 2,\n"
                                       "         'ä', { x = 1 } ]\n"
                                       "\tk = \"\"\"\n"
                                       "é\"\"\"\n"
                                       "after = 1979-05-27 07:32:00Z\n");
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  assert_key_position(root, 0, "é😀", 1, 1);
  assert_position(lookup(doc, "/é😀"), 1, 8);
  assert_key_position(root, 1, "list", 2, 1);
  assert_position(lookup(doc, "/list"), 2, 8);
  assert_position(lookup(doc, "/list/0"), 2, 10);
  assert_position(lookup(doc, "/list/1"), 2, 15);
  assert_position(lookup(doc, "/list/2"), 3, 10);
  assert_position(lookup(doc, "/list/3"), 3, 15);
  assert_position(lookup(doc, "/list/3/x"), 3, 21);
  assert_key_position(root, 2, "k", 4, 2);
  assert_position(lookup(doc, "/k"), 4, 6);
  assert_key_position(root, 3, "after", 6, 1);
  assert_position(lookup(doc, "/after"), 6, 9);
  g_assert_cmpstr(atx_toml_value_datetime(lookup(doc, "/after")), ==, "1979-05-27T07:32:00Z");
}

static void
test_positions_tables(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("a.b.c = 1\n"          /* a, a.b created here */
                                       "[x.y]\n"              /* x implicit, x.y defined */
                                       "  z = true\n"
                                       "[x]\n"                /* x defined now */
                                       "[[arr]]\n"
                                       "[[arr]]\n"
                                       "  v = 2\n"
                                       "[arr.sub]\n");
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  assert_position(root, 1, 1);
  assert_key_position(root, 0, "a", 1, 1);
  assert_position(lookup(doc, "/a"), 1, 1);
  assert_position(lookup(doc, "/a/b"), 1, 3);
  assert_key_position(lookup(doc, "/a/b"), 0, "c", 1, 5);
  assert_position(lookup(doc, "/a/b/c"), 1, 9);
  /* x was first mentioned in [x.y]; its definition [x] moves the table. */
  assert_key_position(root, 1, "x", 2, 2);
  assert_position(lookup(doc, "/x"), 4, 1);
  assert_key_position(lookup(doc, "/x"), 0, "y", 2, 4);
  assert_position(lookup(doc, "/x/y"), 2, 1);
  assert_key_position(lookup(doc, "/x/y"), 0, "z", 3, 3);
  assert_position(lookup(doc, "/arr"), 5, 1);
  assert_position(lookup(doc, "/arr/0"), 5, 1);
  assert_position(lookup(doc, "/arr/1"), 6, 1);
  assert_position(lookup(doc, "/arr/1/v"), 7, 7);
  assert_position(lookup(doc, "/arr/1/sub"), 8, 1);
}

static void
test_positions_crlf_bom(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("\xEF\xBB\xBF" "a = 1\r\n"
                                       "b = '''\r\nx\r\n'''\r\n"
                                       "c = 3");
  assert_position(lookup(doc, "/a"), 1, 5);
  assert_position(lookup(doc, "/b"), 2, 5);
  assert_position(lookup(doc, "/c"), 5, 5);
  gsize len;
  g_assert_cmpstr(atx_toml_value_string(lookup(doc, "/b"), &len), ==, "x\n");
  g_assert_cmpuint(len, ==, 2);
}

/* ---- Errors ---- */

typedef struct {
  const char *input;
  AtxTomlErrorCode code;
  guint line;
  guint column;
  const char *message; /* substring */
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* syntax */
  { "a = 1\nb 2\n", ATX_TOML_ERROR_SYNTAX, 2, 3, "expected '=' after key" },
  { "a =\n", ATX_TOML_ERROR_SYNTAX, 1, 4, "expected a value, found end of line" },
  { "a = 1 b = 2", ATX_TOML_ERROR_SYNTAX, 1, 7, "expected a new line after the value" },
  { "é = 1", ATX_TOML_ERROR_SYNTAX, 1, 1, "expected a key, found U+00E9" },
  { "a = \"ü\" x", ATX_TOML_ERROR_SYNTAX, 1, 9, "found 'x'" },
  { "a = \"abc\n", ATX_TOML_ERROR_SYNTAX, 1, 5, "unterminated string" },
  { "a = 'abc", ATX_TOML_ERROR_SYNTAX, 1, 5, "unterminated string" },
  { "a = \"\"\"abc\n\n", ATX_TOML_ERROR_SYNTAX, 1, 5, "unterminated multi-line string" },
  { "a = \"x\\e\"", ATX_TOML_ERROR_SYNTAX, 1, 7, "invalid escape sequence '\\e'" },
  { "a = \"\\uD800\"", ATX_TOML_ERROR_SYNTAX, 1, 6, "not a Unicode scalar value" },
  { "a = \"\\U00110000\"", ATX_TOML_ERROR_SYNTAX, 1, 6, "not a Unicode scalar value" },
  { "a = \"\\u12\"", ATX_TOML_ERROR_SYNTAX, 1, 6, "4 hexadecimal digits" },
  { "a = \"\"\"x\\  y\"\"\"", ATX_TOML_ERROR_SYNTAX, 1, 9, "last thing on its line" },
  { "a = 01", ATX_TOML_ERROR_SYNTAX, 1, 5, "leading zeros" },
  { "a = -01.5", ATX_TOML_ERROR_SYNTAX, 1, 6, "leading zeros" },
  { "a = 1__0", ATX_TOML_ERROR_SYNTAX, 1, 6, "'_' must be between two digits" },
  { "a = 1_", ATX_TOML_ERROR_SYNTAX, 1, 6, "'_' must be between two digits" },
  { "a = 1.", ATX_TOML_ERROR_SYNTAX, 1, 6, "digit after the decimal point" },
  { "a = .5", ATX_TOML_ERROR_SYNTAX, 1, 5, "invalid value" },
  { "a = 1e", ATX_TOML_ERROR_SYNTAX, 1, 6, "exponent" },
  { "a = 0X10", ATX_TOML_ERROR_SYNTAX, 1, 6, "unexpected 'X'" },
  { "a = +0x10", ATX_TOML_ERROR_SYNTAX, 1, 5, "sign is not allowed" },
  { "a = 0b102", ATX_TOML_ERROR_SYNTAX, 1, 9, "invalid binary digit '2'" },
  { "a = True", ATX_TOML_ERROR_SYNTAX, 1, 5, "invalid value \"True\"" },
  { "a = 2021-02-29", ATX_TOML_ERROR_SYNTAX, 1, 13, "day 29" },
  { "a = 2024-13-01", ATX_TOML_ERROR_SYNTAX, 1, 10, "month 13" },
  { "a = 2024-02-29T24:00:00", ATX_TOML_ERROR_SYNTAX, 1, 16, "hour out of range" },
  { "a = 10:60:00", ATX_TOML_ERROR_SYNTAX, 1, 8, "minute out of range" },
  { "a = 10:00:61", ATX_TOML_ERROR_SYNTAX, 1, 11, "second out of range" },
  { "a = 10:00", ATX_TOML_ERROR_SYNTAX, 1, 5, "seconds are required" },
  { "a = 1979-05-27T07:32:00+1:00", ATX_TOML_ERROR_SYNTAX, 1, 24, "invalid time offset" },
  { "a = { b = 1, }", ATX_TOML_ERROR_SYNTAX, 1, 14, "trailing comma" },
  { "a = { b = 1,\n c = 2 }", ATX_TOML_ERROR_SYNTAX, 1, 13, "on one line" },
  { "a = [1 2]", ATX_TOML_ERROR_SYNTAX, 1, 8, "expected ',' or ']'" },
  { "a = [1,,2]", ATX_TOML_ERROR_SYNTAX, 1, 8, "expected a value" },
  { "[a", ATX_TOML_ERROR_SYNTAX, 1, 3, "expected ']' to close the header" },
  { "[[a]", ATX_TOML_ERROR_SYNTAX, 1, 4, "expected ']]'" },
  { "[a] b = 1", ATX_TOML_ERROR_SYNTAX, 1, 5, "after the table header" },
  { "\"\"\"k\"\"\" = 1", ATX_TOML_ERROR_SYNTAX, 1, 1, "multi-line string cannot be a key" },
  /* encoding */
  { "a = \"\xff\"", ATX_TOML_ERROR_ENCODING, 1, 6, "invalid UTF-8 byte 0xff" },
  { "# é\n\xc3\x28", ATX_TOML_ERROR_ENCODING, 2, 1, "incomplete UTF-8 sequence" },
  { "a = 'é\xc0\xaf'", ATX_TOML_ERROR_ENCODING, 1, 7, "overlong" },
  { "a = '\xe0\x80\xaf'", ATX_TOML_ERROR_ENCODING, 1, 6, "overlong UTF-8 encoding of U+002F" },
  { "a = '\xed\xa0\x80'", ATX_TOML_ERROR_ENCODING, 1, 6, "surrogate U+D800" },
  { "a = '\xf4\x90\x80\x80'", ATX_TOML_ERROR_ENCODING, 1, 6, "beyond U+10FFFF" },
  { "a = 1\r\nb = 2\r", ATX_TOML_ERROR_ENCODING, 2, 6, "carriage return" },
  { "a = \"\x01\"", ATX_TOML_ERROR_ENCODING, 1, 6, "control character U+0001" },
  { "# \x7f\n", ATX_TOML_ERROR_ENCODING, 1, 3, "control character U+007F" },
  { "a = 1\n\xEF\xBB\xBF", ATX_TOML_ERROR_SYNTAX, 2, 1, "expected a key, found U+FEFF" },
  /* duplicate keys and redefinitions */
  { "port = 1\nport = 2", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "duplicate key \"port\"" },
  { "a = {b = 1, b = 2}", ATX_TOML_ERROR_DUPLICATE_KEY, 1, 13, "duplicate key \"b\"" },
  { "\"a\" = 1\na = 2", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "duplicate key \"a\"" },
  { "[a]\n[a]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "table [a] is defined twice" },
  { "[a.b]\n[a]\n[a.b]", ATX_TOML_ERROR_DUPLICATE_KEY, 3, 1, "table [a.b] is defined twice" },
  { "a.b = 1\n[a]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "already defined with dotted keys" },
  { "[a]\nb.c = 1\n[a.b]", ATX_TOML_ERROR_DUPLICATE_KEY, 3, 1, "already defined with dotted keys" },
  { "[a.b.c]\n[a]\nb.c.d = 1", ATX_TOML_ERROR_DUPLICATE_KEY, 3, 3, "table \"c\" was already defined by a header" },
  { "[a]\nb.c = 1\n[x]\n[a.b.d]\n[a]", ATX_TOML_ERROR_DUPLICATE_KEY, 5, 1, "defined twice" },
  { "a = 1\na.b = 2", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "already holds an integer, not a table" },
  { "a = {}\na.b = 2", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "inline table \"a\" cannot be extended" },
  { "a = {}\n[a.b]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 2, "inline table \"a\" cannot be extended" },
  { "a = {}\n[a]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "already defined as an inline table" },
  { "a = [{}]\n[[a]]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "cannot append to a static array" },
  { "a = [{}]\n[a.b]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 2, "already holds an array" },
  { "[[a]]\n[a]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "[a] is already an array of tables" },
  { "[a]\n[[a]]", ATX_TOML_ERROR_DUPLICATE_KEY, 2, 1, "names a table, not an array of tables" },
  { "[[a.b]]\n[a]\nb.c = 1", ATX_TOML_ERROR_DUPLICATE_KEY, 3, 1, "already holds an array" },
  { "a = {b.c = 1, b = 2}", ATX_TOML_ERROR_DUPLICATE_KEY, 1, 15, "duplicate key \"b\"" },
  { "a = {b = {}, b.c = 2}", ATX_TOML_ERROR_DUPLICATE_KEY, 1, 14, "inline table \"b\" cannot be extended" },
  /* overflow */
  { "a = 9223372036854775808", ATX_TOML_ERROR_OVERFLOW, 1, 5, "integer 9223372036854775808 overflows 64 bits" },
  { "a = +9_223_372_036_854_775_808", ATX_TOML_ERROR_OVERFLOW, 1, 5, "overflows 64 bits" },
  { "a = -9223372036854775809", ATX_TOML_ERROR_OVERFLOW, 1, 5, "overflows 64 bits" },
  { "x = [\n  0x8000000000000000 ]", ATX_TOML_ERROR_OVERFLOW, 2, 3, "integer 0x8000000000000000 overflows" },
  { "a = 0o1777777777777777777777", ATX_TOML_ERROR_OVERFLOW, 1, 5, "overflows 64 bits" },
};

static void
test_errors(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(error_cases); i++) {
    const ErrorCase *c = &error_cases[i];
    assert_rejected(c->input, NULL, c->code, c->line, c->column, c->message);
  }
}

static void
test_error_nul_byte(void)
{
  static const char text[] = "a = 'x\0y'";
  g_autofree char *message = parse_fail_len(text, sizeof text - 1, NULL, ATX_TOML_ERROR_ENCODING, 1, 7);
  g_assert_nonnull(strstr(message, "NUL"));
}

static void
test_error_every_offset(void)
{
  /* The encoding scan reads 8 bytes at a time: a bad byte must be found at
   * every offset within a word, and tab/LF/CRLF accepted at every offset. */
  static const struct { const char *bytes; const char *message; } bad[] = {
    { "\x01", "U+0001" }, { "\x1f", "U+001F" }, { "\x7f", "U+007F" }, { "\x0b", "U+000B" },
    { "\r", "carriage return" }, { "\x80", "0x80" }, { "\xff", "0xff" }, { "\xc3", "incomplete" },
  };
  for (guint offset = 0; offset < 20; offset++) {
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
      g_autoptr(GString) text = g_string_new("#");
      for (guint k = 0; k < offset; k++)
        g_string_append_c(text, 'x');
      g_string_append(text, bad[i].bytes);
      g_string_append(text, "abcdefghijklmnop\n");
      assert_rejected(text->str, NULL, ATX_TOML_ERROR_ENCODING, 1, offset + 2, bad[i].message);
    }
    g_autoptr(GString) good = g_string_new("#");
    for (guint k = 0; k < offset; k++)
      g_string_append_c(good, 'x');
    g_string_append(good, "\t\xc3\xa9\r\n# \xf0\x9f\x98\x80\t\n");
    assert_accepted(good->str, NULL);
  }
  /* A NUL in the middle of a word. */
  static const char nul_text[] = "# abc\0defghijklmno";
  g_autofree char *m = parse_fail_len(nul_text, sizeof nul_text - 1, NULL, ATX_TOML_ERROR_ENCODING, 1, 6);
  g_assert_nonnull(strstr(m, "NUL"));
}

static void
test_error_without_position(void)
{
  g_autoptr(GError) error = NULL;
  g_assert_null(atx_toml_parse("a = ", 4, NULL, NULL, &error));
  g_assert_error(error, ATX_TOML_ERROR, ATX_TOML_ERROR_SYNTAX);
  /* Neither output is required. */
  g_assert_null(atx_toml_parse("a = ", 4, NULL, NULL, NULL));
}

/* ---- Limits ---- */

static char *
nested_arrays(guint depth)
{
  GString *s = g_string_new("a = ");
  for (guint i = 0; i < depth; i++)
    g_string_append_c(s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c(s, ']');
  return g_string_free(s, FALSE);
}

static char *
nested_key(guint depth, const char *prefix, const char *suffix)
{
  GString *s = g_string_new(prefix);
  for (guint i = 0; i < depth; i++)
    g_string_append_printf(s, "%sk%u", i ? "." : "", i);
  g_string_append(s, suffix);
  return g_string_free(s, FALSE);
}

static void
test_limits_depth(void)
{
  const char *too_deep = "nesting deeper than 64 levels";
  g_autofree char *ok_arrays = nested_arrays(64);
  assert_accepted(ok_arrays, NULL);
  g_autofree char *deep_arrays = nested_arrays(65);
  assert_rejected(deep_arrays, NULL, ATX_TOML_ERROR_TOO_DEEP, 1, 69, too_deep);
  assert_accepted("a = {b = {c = [{d = [[1]]}]}}", NULL);

  g_autofree char *header64 = nested_key(64, "[", "]\nx = 1");
  assert_accepted(header64, NULL);
  g_autofree char *header65 = nested_key(65, "[", "]");
  assert_rejected(header65, NULL, ATX_TOML_ERROR_TOO_DEEP, 1, 1, too_deep);
  /* An array of tables is two levels: the array and its table. */
  g_autofree char *aot64 = nested_key(64, "[[", "]]");
  assert_rejected(aot64, NULL, ATX_TOML_ERROR_TOO_DEEP, 1, 1, too_deep);
  g_autofree char *dotted = nested_key(64, "", " = 1");
  assert_accepted(dotted, NULL);
  g_autofree char *dotted_deep = nested_key(65, "", " = []");
  assert_rejected(dotted_deep, NULL, ATX_TOML_ERROR_TOO_DEEP, 1, 253, too_deep);
}

static void
test_limits_size(void)
{
  AtxTomlLimits limits = { .max_bytes = 8, .max_depth = 2 };
  /* The size is checked before anything is read, even a bad byte. */
  assert_rejected("a = \"12\xff\"", &limits, ATX_TOML_ERROR_TOO_LARGE, 1, 1, "9 bytes, more than the limit of 8");
  assert_accepted("a=[[1]]", &limits);
  assert_rejected("a = [[[1]]]", &limits, ATX_TOML_ERROR_TOO_LARGE, 1, 1, "limit");
  limits.max_bytes = 0; /* default */
  assert_accepted("a = [[1]]", &limits);
  assert_rejected("a = [[[1]]]", &limits, ATX_TOML_ERROR_TOO_DEEP, 1, 7, "deeper than 2 levels");
  assert_rejected("[a.b.c]", &limits, ATX_TOML_ERROR_TOO_DEEP, 1, 1, "deeper than 2 levels");
}

static char *
nested_inline(guint depth)
{
  GString *s = g_string_new("a = ");
  for (guint i = 0; i < depth; i++)
    g_string_append(s, i % 2 ? "[" : "{b = ");
  for (guint i = depth; i > 0; i--)
    g_string_append_c(s, (i - 1) % 2 ? ']' : '}');
  return g_string_free(s, FALSE);
}

static void
test_limits_depth_cap(void)
{
  /* However large the requested limit, recursion stops at the cap. */
  AtxTomlLimits limits = { .max_depth = G_MAXUINT };
  g_autofree char *at_cap = nested_inline(ATX_TOML_MAX_DEPTH_CAP);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(at_cap, strlen(at_cap), &limits, NULL, &error);
  g_assert_no_error(error);
  json_auto_t *json = atx_toml_to_json(atx_toml_doc_root(doc));
  g_assert_nonnull(json);

  g_autofree char *beyond = nested_inline(ATX_TOML_MAX_DEPTH_CAP + 1);
  g_autoptr(AtxTomlDoc) none = atx_toml_parse(beyond, strlen(beyond), &limits, NULL, &error);
  g_assert_null(none);
  g_assert_error(error, ATX_TOML_ERROR, ATX_TOML_ERROR_TOO_DEEP);
}

/* ---- Values ---- */

static void
test_scalars(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("min = -9223372036854775808\n"
                                       "max = +9_223_372_036_854_775_807\n"
                                       "hex = 0xDEAD_beef\n"
                                       "oct = 0o755\n"
                                       "bin = 0b1101\n"
                                       "zero = -0\n"
                                       "f = 6.626e-34\n"
                                       "g = -1_000.5E+2\n"
                                       "pinf = +inf\n"
                                       "ninf = -inf\n"
                                       "nan = nan\n"
                                       "t = true\n"
                                       "odt = 1979-05-27t07:32:00.999999-07:00\n"
                                       "odtz = 1979-05-27 07:32:00z\n"
                                       "ldt = 1979-05-27T00:32:00.5\n"
                                       "ld = 2024-02-29\n"
                                       "lt = 23:59:60.123\n");
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/min")), ==, G_MININT64);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/max")), ==, G_MAXINT64);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/hex")), ==, 0xdeadbeef);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/oct")), ==, 0755);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/bin")), ==, 13);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/zero")), ==, 0);
  g_assert_cmpfloat(atx_toml_value_float(lookup(doc, "/f")), ==, 6.626e-34);
  g_assert_cmpfloat(atx_toml_value_float(lookup(doc, "/g")), ==, -1000.5e2);
  g_assert_true(isinf(atx_toml_value_float(lookup(doc, "/pinf"))));
  g_assert_cmpfloat(atx_toml_value_float(lookup(doc, "/ninf")), <, 0);
  g_assert_true(isnan(atx_toml_value_float(lookup(doc, "/nan"))));
  g_assert_true(atx_toml_value_boolean(lookup(doc, "/t")));

  static const struct { const char *key; AtxTomlType type; const char *text; } dates[] = {
    { "/odt", ATX_TOML_OFFSET_DATETIME, "1979-05-27T07:32:00.999999-07:00" },
    { "/odtz", ATX_TOML_OFFSET_DATETIME, "1979-05-27T07:32:00Z" },
    { "/ldt", ATX_TOML_LOCAL_DATETIME, "1979-05-27T00:32:00.5" },
    { "/ld", ATX_TOML_LOCAL_DATE, "2024-02-29" },
    { "/lt", ATX_TOML_LOCAL_TIME, "23:59:60.123" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(dates); i++) {
    const AtxTomlValue *v = lookup(doc, dates[i].key);
    g_assert_cmpint(atx_toml_value_type(v), ==, dates[i].type);
    g_assert_cmpstr(atx_toml_value_datetime(v), ==, dates[i].text);
  }
}

static void
test_strings(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("basic = \"tab\\there \\\"q\\\" \\u00e9\\U0001F600\"\n"
                                       "literal = 'C:\\path\\'\n"
                                       "ml = \"\"\"\n"
                                       "one \\\n"
                                       "    two\"\"\"\"\"\n"
                                       "mll = '''\n'x''''\n");
  gsize len;
  g_assert_cmpstr(atx_toml_value_string(lookup(doc, "/basic"), &len), ==, "tab\there \"q\" é😀");
  g_assert_cmpstr(atx_toml_value_string(lookup(doc, "/literal"), NULL), ==, "C:\\path\\");
  g_assert_cmpstr(atx_toml_value_string(lookup(doc, "/ml"), NULL), ==, "one two\"\"");
  g_assert_cmpstr(atx_toml_value_string(lookup(doc, "/mll"), NULL), ==, "'x'");
}

static void
test_embedded_nul(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("s = \"a\\u0000b\"\n"
                                       "\"k\\u0000\" = 1\n");
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  gsize len = 0;
  const char *s = atx_toml_value_string(lookup(doc, "/s"), &len);
  g_assert_cmpuint(len, ==, 3);
  g_assert_cmpmem(s, len, "a\0b", 3);
  g_assert_cmpuint(atx_toml_table_key_length(root, 1), ==, 2);
  g_assert_cmpmem(atx_toml_table_key(root, 1), 2, "k\0", 2);

  json_auto_t *json = atx_toml_to_json(root);
  g_assert_cmpuint(json_string_length(json_object_get(json, "s")), ==, 3);
  g_assert_nonnull(json_object_getn(json, "k\0", 2));
  g_assert_null(json_object_get(json, "k"));
}

static void
test_tables(void)
{
  /* Every definition TOML 1.0.0 allows in combination. */
  g_autoptr(AtxTomlDoc) doc = parse_ok("[fruit]\n"
                                       "apple.color = 'red'\n"
                                       "apple.taste.sweet = true\n"
                                       "[fruit.apple.texture]\n"
                                       "smooth = true\n"
                                       "[x.y.z]\n"
                                       "[x]\n"
                                       "y.w = 1\n"
                                       "[[a.b]]\n"
                                       "[a]\n"
                                       "c = 1\n"
                                       "[[a.b]]\n"
                                       "[a.b.d]\n"
                                       "e = {f.g = 1, f.h = 2}\n");
  g_assert_true(atx_toml_value_boolean(lookup(doc, "/fruit/apple/taste/sweet")));
  g_assert_true(atx_toml_value_boolean(lookup(doc, "/fruit/apple/texture/smooth")));
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/x/y/w")), ==, 1);
  g_assert_cmpuint(atx_toml_table_size(lookup(doc, "/x/y/z")), ==, 0);
  g_assert_cmpuint(atx_toml_array_length(lookup(doc, "/a/b")), ==, 2);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/a/b/1/d/e/f/h")), ==, 2);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/a/c")), ==, 1);
}

static void
test_many_keys(void)
{
  /* Enough keys for the hash index, found again by name. */
  g_autoptr(GString) s = g_string_new(NULL);
  for (guint i = 0; i < 500; i++)
    g_string_append_printf(s, "key%u = %u\n", i, i);
  g_autoptr(AtxTomlDoc) doc = parse_ok(s->str);
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  g_assert_cmpuint(atx_toml_table_size(root), ==, 500);
  for (guint i = 0; i < 500; i++) {
    g_autofree char *key = g_strdup_printf("key%u", i);
    g_assert_cmpstr(atx_toml_table_key(root, i), ==, key);
    g_assert_cmpint(atx_toml_value_integer(atx_toml_table_get(root, key)), ==, i);
  }
  g_assert_null(atx_toml_table_get(root, "key500"));
  g_string_append(s, "key250 = 1\n");
  assert_rejected(s->str, NULL, ATX_TOML_ERROR_DUPLICATE_KEY, 501, 1, "duplicate key \"key250\"");
}

/* ---- Pointers ---- */

static void
test_lookup_and_locate(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("\"a/b\" = 1\n"
                                       "\"m~n\" = { \"~1\" = 2 }\n"
                                       "list = [10, [20, 30]]\n"
                                       "[[srv]]\n"
                                       "name = 'x'\n"
                                       "[[srv]]\n"
                                       "  name = 'y'\n");
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/a~1b")), ==, 1);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/m~0n/~01")), ==, 2);
  g_assert_cmpint(atx_toml_value_integer(lookup(doc, "/list/1/0")), ==, 20);
  g_assert_cmpstr(atx_toml_value_string(lookup(doc, "/srv/1/name"), NULL), ==, "y");
  g_assert_true(lookup(doc, "") == atx_toml_doc_root(doc));
  g_assert_null(atx_toml_doc_lookup(doc, "/a/b"));
  g_assert_null(atx_toml_doc_lookup(doc, "/list/01"));
  g_assert_null(atx_toml_doc_lookup(doc, "/list/2"));
  g_assert_null(atx_toml_doc_lookup(doc, "/list/-"));
  g_assert_null(atx_toml_doc_lookup(doc, "/a~1b/x"));
  g_assert_null(atx_toml_doc_lookup(doc, "no-slash"));
  g_assert_null(atx_toml_doc_lookup(doc, "/~2"));

  guint line = 0, column = 0;
  g_assert_true(atx_toml_doc_locate("/srv/1/name", &line, &column, doc));
  g_assert_cmpuint(line, ==, 7);
  g_assert_cmpuint(column, ==, 10);
  /* Missing members resolve to their nearest existing ancestor. */
  g_assert_true(atx_toml_doc_locate("/srv/1/port", &line, &column, doc));
  g_assert_cmpuint(line, ==, 6);
  g_assert_cmpuint(column, ==, 1);
  g_assert_true(atx_toml_doc_locate("/list/1/5", &line, &column, doc));
  g_assert_cmpuint(line, ==, 3);
  g_assert_cmpuint(column, ==, 13);
  g_assert_true(atx_toml_doc_locate("/nothing/here", &line, &column, doc));
  g_assert_cmpuint(line, ==, 1);
  g_assert_cmpuint(column, ==, 1);
  g_assert_false(atx_toml_doc_locate("bad", &line, &column, doc));
}

/* ---- JSON ---- */

static void
assert_opaque(const json_t *value, const char *type, const char *text)
{
  g_assert_cmpstr(atx_json_opaque_type(value), ==, type);
  g_assert_cmpstr(atx_json_opaque_text(value), ==, text);
}

static void
test_to_json(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("zeta = 1\n"
                                       "alpha = 'a'\n"
                                       "mid = [1.5, true, -inf, nan]\n"
                                       "when = 1979-05-27T07:32:00Z\n"
                                       "[t]\n"
                                       "ld = 1979-05-27\n"
                                       "ldt = 1979-05-27T07:32:00\n"
                                       "lt = 07:32:00\n"
                                       "big = +inf\n");
  json_auto_t *json = atx_toml_to_json(atx_toml_doc_root(doc));
  g_autofree char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
  /* Keys keep document order. */
  g_assert_true(g_str_has_prefix(text, "{\"zeta\":1,\"alpha\":\"a\",\"mid\":[1.5,true,"));
  json_t *mid = json_object_get(json, "mid");
  g_assert_cmpfloat(json_real_value(json_array_get(mid, 0)), ==, 1.5);
  g_assert_true(json_is_true(json_array_get(mid, 1)));
  assert_opaque(json_array_get(mid, 2), "float", "-inf");
  assert_opaque(json_array_get(mid, 3), "float", "nan");
  assert_opaque(json_object_get(json, "when"), "offset date-time", "1979-05-27T07:32:00Z");
  json_t *t = json_object_get(json, "t");
  assert_opaque(json_object_get(t, "ld"), "local date", "1979-05-27");
  assert_opaque(json_object_get(t, "ldt"), "local date-time", "1979-05-27T07:32:00");
  assert_opaque(json_object_get(t, "lt"), "local time", "07:32:00");
  assert_opaque(json_object_get(t, "big"), "float", "inf");
  g_assert_true(json_is_integer(json_object_get(json, "zeta")));
}

static void
test_to_tagged_json(void)
{
  g_autoptr(AtxTomlDoc) doc = parse_ok("i = 42\nf = 0.1\nb = false\nd = 07:32:00\n[[a]]\nx = 'y'\n");
  json_auto_t *json = atx_toml_to_tagged_json(atx_toml_doc_root(doc));
  g_autofree char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
  g_assert_cmpstr(text, ==,
                  "{\"i\":{\"type\":\"integer\",\"value\":\"42\"},"
                  "\"f\":{\"type\":\"float\",\"value\":\"0.1\"},"
                  "\"b\":{\"type\":\"bool\",\"value\":\"false\"},"
                  "\"d\":{\"type\":\"time-local\",\"value\":\"07:32:00\"},"
                  "\"a\":[{\"x\":{\"type\":\"string\",\"value\":\"y\"}}]}");
}

static void
test_type_names(void)
{
  g_assert_cmpstr(atx_toml_type_name(ATX_TOML_TABLE), ==, "table");
  g_assert_cmpstr(atx_toml_type_name(ATX_TOML_OFFSET_DATETIME), ==, "offset date-time");
  g_assert_cmpstr(atx_toml_type_name(ATX_TOML_LOCAL_TIME), ==, "local time");
}

static void
test_empty_documents(void)
{
  static const char *const inputs[] = { "", "\n", "# only a comment", "\xEF\xBB\xBF", " \t\r\n" };
  for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
    g_autoptr(AtxTomlDoc) doc = parse_ok(inputs[i]);
    g_assert_cmpuint(atx_toml_table_size(atx_toml_doc_root(doc)), ==, 0);
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(NULL, 0, NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(doc);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/toml/positions/multibyte", test_positions_multibyte);
  g_test_add_func("/toml/positions/tables", test_positions_tables);
  g_test_add_func("/toml/positions/crlf-bom", test_positions_crlf_bom);
  g_test_add_func("/toml/errors/all-codes", test_errors);
  g_test_add_func("/toml/errors/nul-byte", test_error_nul_byte);
  g_test_add_func("/toml/errors/every-offset", test_error_every_offset);
  g_test_add_func("/toml/errors/without-position", test_error_without_position);
  g_test_add_func("/toml/limits/depth", test_limits_depth);
  g_test_add_func("/toml/limits/size", test_limits_size);
  g_test_add_func("/toml/limits/depth-cap", test_limits_depth_cap);
  g_test_add_func("/toml/values/scalars", test_scalars);
  g_test_add_func("/toml/values/strings", test_strings);
  g_test_add_func("/toml/values/embedded-nul", test_embedded_nul);
  g_test_add_func("/toml/values/tables", test_tables);
  g_test_add_func("/toml/values/many-keys", test_many_keys);
  g_test_add_func("/toml/pointer/lookup-and-locate", test_lookup_and_locate);
  g_test_add_func("/toml/json/plain", test_to_json);
  g_test_add_func("/toml/json/tagged", test_to_tagged_json);
  g_test_add_func("/toml/type-names", test_type_names);
  g_test_add_func("/toml/empty-documents", test_empty_documents);
  return g_test_run();
}
