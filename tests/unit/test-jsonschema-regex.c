/* The fast pattern matcher (jsonschema_fastregex.c) against the GRegex
 * translation it stands in for: every pattern it takes must give GRegex's
 * answer on every subject, and the patterns it cannot take must be left to
 * GRegex. White-box: this test reads the validator's private header. */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

typedef struct {
  const char *pattern;
  gboolean fast; /* expected to be taken by the fast matcher */
} Pattern;

static const Pattern patterns[] = {
  /* schemas/config.schema.json */
  { "^[a-z_][a-z0-9_-]{0,31}$", TRUE },
  { "^eth[0-9]+$", TRUE },
  { "^[A-Za-z0-9_][A-Za-z0-9_-]*$", TRUE },
  { "^[A-Za-z][A-Za-z0-9]*$", TRUE },
  /* needs more than a greedy left-to-right reading */
  { "^[a-z]*[a-z0-9]$", TRUE },
  { "^a?a?a?aaa$", TRUE },
  { "^[a-z]*a[a-z]{2}$", TRUE },
  /* quantifier forms and their boundaries */
  { "^a{2}$", TRUE },
  { "^a{2,}$", TRUE },
  { "^a{2,3}$", TRUE },
  { "^a{0,2}b?$", TRUE },
  { "^a{0}b$", TRUE },
  { "^[0-9a]{0,31}$", TRUE },
  { "^x*$", TRUE },
  { "^-+$", TRUE },
  /* anchors: none, one, both, empty */
  { "a+", TRUE },
  { "abc", TRUE },
  { "b$", TRUE },
  { "^a", TRUE },
  { "^$", TRUE },
  { "", TRUE },
  { "x*", TRUE },
  /* "-" and escapes inside and outside classes */
  { "^[-a]+$", TRUE },
  { "^[a-]+$", TRUE },
  { "^[a\\-z]+$", TRUE },
  { "^[\\d-]+$", TRUE },
  { "^[ -~]+$", TRUE },
  { "^[.$^*]+$", TRUE },
  { "^\\d+$", TRUE },
  { "^\\w+$", TRUE },
  { "^[\\w.]+$", TRUE },
  { "^\\d{1,3}\\.\\d{1,3}$", TRUE },
  { "^\\/a\\-b\\$$", TRUE },
  { "^a b$", TRUE },
  /* outside the subset: left to GRegex */
  { "^.*$", FALSE },
  { "^(a|b)$", FALSE },
  { "^a|b$", FALSE },
  { "^[^a]$", FALSE },
  { "\\s", FALSE },
  { "\\bab", FALSE },
  { "^a*?$", FALSE },
  { "^a+?b$", FALSE },
  { "^[a-z]{0,100}$", FALSE },
  { "^é$", FALSE },
  { "^\\x41$", FALSE },
  { "^\\u0041$", FALSE },
  { "^[\\d-a]$", FALSE },
  { "a^b", FALSE },
  { "a$b", FALSE },
  { "^[\\s]$", FALSE },
  { "^a{,3}$", FALSE },
  { "^\\D$", FALSE },
  { "^\\p{L}$", FALSE },
};

static const char *const subjects[] = {
  "", "a", "b", "aa", "aaa", "aaaa", "ab", "ba", "abc", "xabc", "abcx", "x", "xx", "-", "--", "a-", "-a",
  "_", "_a", "eth", "eth0", "eth12", "eth1x", "Eth0", "eth0\n", "a\n", "\na", "a b", "a.b", "1.22",
  "123.4", "1234.5", "/a-b$", "z", "z9", "9", "a9", "é", "aé", "éa", "a\xc3\xa9", " ", "~", ".$^*",
  "A", "Az", "A0", "0A", "a_b-c", "ab\r", "a\tb", "\x7f", "0123456789012345678901234567890",
  "01234567890123456789012345678901",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

static void
assert_same_answer(const Pattern *p, const AtxJsFastRegex *fast, const GRegex *regex, const char *subject,
                   gsize length)
{
  int expected = atx_js_regex_search(regex, subject, length);
  g_assert_cmpint(expected, >=, 0);
  gboolean got = atx_js_fast_regex_search(fast, subject, length);
  if (got != (expected == 1)) {
    g_autofree char *shown = g_strescape(subject, NULL);
    g_error("pattern %s on \"%s\" (%" G_GSIZE_FORMAT " bytes): fast says %d, GRegex %d", p->pattern, shown,
            length, got, expected);
  }
}

/* Every string of up to three symbols from a small alphabet, NUL included. */
static void
check_all_short_strings(const Pattern *p, const AtxJsFastRegex *fast, const GRegex *regex)
{
  static const char alphabet[] = { 'a', 'b', 'z', '0', '-', '_', '.', ' ', '\n', '\0' };
  const guint n = G_N_ELEMENTS(alphabet);
  char buffer[4];
  for (guint length = 0; length <= 3; length++) {
    guint total = 1;
    for (guint i = 0; i < length; i++)
      total *= n;
    for (guint code = 0; code < total; code++) {
      guint rest = code;
      for (guint i = 0; i < length; i++, rest /= n)
        buffer[i] = alphabet[rest % n];
      assert_same_answer(p, fast, regex, buffer, length);
    }
  }
}

static void
test_against_gregex(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(patterns); i++) {
    const Pattern *p = &patterns[i];
    g_autoptr(GError) error = NULL;
    g_autoptr(GRegex) regex = atx_js_regex_compile(p->pattern, &error);
    g_assert_no_error(error);
    g_autofree AtxJsFastRegex *fast = atx_js_fast_regex_compile(p->pattern);
    if (!p->fast) {
      if (fast)
        g_error("pattern %s should be left to GRegex", p->pattern);
      continue;
    }
    if (!fast)
      g_error("pattern %s should take the fast path", p->pattern);
    for (guint j = 0; j < G_N_ELEMENTS(subjects); j++)
      assert_same_answer(p, fast, regex, subjects[j], strlen(subjects[j]));
    assert_same_answer(p, fast, regex, "a\0b", 3);
    assert_same_answer(p, fast, regex, "eth0\0", 5);
    check_all_short_strings(p, fast, regex);
  }
}

/* The {0,31} bound of the user name pattern, at every length around it. */
static void
test_counted_boundaries(void)
{
  g_autofree AtxJsFastRegex *fast = atx_js_fast_regex_compile("^[a-z_][a-z0-9_-]{0,31}$");
  g_assert_nonnull(fast);
  char name[40];
  for (guint length = 0; length < sizeof name; length++) {
    memset(name, 'u', length);
    g_assert_cmpint(atx_js_fast_regex_search(fast, name, length), ==, length >= 1 && length <= 32);
  }
  g_assert_false(atx_js_fast_regex_search(fast, "-user", 5));
  g_assert_true(atx_js_fast_regex_search(fast, "_user-1", 7));
  g_assert_false(atx_js_fast_regex_search(fast, "User", 4));
}

/* Through the validator: a schema pattern on the fast path reports as before. */
static void
test_schema_messages(void)
{
  json_t *document = json_loads("{\"pattern\": \"^eth[0-9]+$\"}", 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJsonSchema) schema = atx_json_schema_compile(document, NULL, &error);
  json_decref(document);
  g_assert_no_error(error);
  json_t *bad = json_string("eth0\n");
  g_autoptr(GPtrArray) errors = NULL;
  g_assert_false(atx_json_schema_validate(schema, bad, &errors));
  json_decref(bad);
  g_assert_cmpuint(errors->len, ==, 1);
  const AtxJsonSchemaError *e = g_ptr_array_index(errors, 0);
  g_assert_cmpstr(e->message, ==, "string does not match pattern ^eth[0-9]+$");
  g_assert_cmpstr(e->keyword_location, ==, "/pattern");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/jsonschema-regex/against-gregex", test_against_gregex);
  g_test_add_func("/jsonschema-regex/counted-boundaries", test_counted_boundaries);
  g_test_add_func("/jsonschema-regex/schema-messages", test_schema_messages);
  return g_test_run();
}
