#include "core/base/jsonpointer.h"

static void
test_append_escapes(void)
{
  g_autoptr(GString) p = g_string_new(NULL);
  atx_json_pointer_append(p, "a/b");
  atx_json_pointer_append(p, "m~n");
  atx_json_pointer_append_index(p, 3);
  g_assert_cmpstr(p->str, ==, "/a~1b/m~0n/3");
}

static void
test_split_roundtrip(void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tokens = atx_json_pointer_split("/a~1b/m~0n//3", &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_strv_length(tokens), ==, 4);
  g_assert_cmpstr(tokens[0], ==, "a/b");
  g_assert_cmpstr(tokens[1], ==, "m~n");
  g_assert_cmpstr(tokens[2], ==, "");
  g_assert_cmpstr(tokens[3], ==, "3");

  g_auto(GStrv) whole = atx_json_pointer_split("", &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_strv_length(whole), ==, 0);
}

static void
test_split_rejects(void)
{
  const char *bad[] = { "a", "/~2", "/x~", NULL };
  for (guint i = 0; bad[i]; i++) {
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) tokens = atx_json_pointer_split(bad[i], &error);
    g_assert_null(tokens);
    g_assert_nonnull(error);
  }
}

static void
test_parse_index(void)
{
  gsize index = 99;
  g_assert_true(atx_json_pointer_parse_index("0", &index));
  g_assert_cmpuint(index, ==, 0);
  g_assert_true(atx_json_pointer_parse_index("42", &index));
  g_assert_cmpuint(index, ==, 42);
  g_assert_false(atx_json_pointer_parse_index("042", &index));
  g_assert_false(atx_json_pointer_parse_index("", &index));
  g_assert_false(atx_json_pointer_parse_index("-1", &index));
  g_assert_false(atx_json_pointer_parse_index("99999999999999999999999", &index));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/jsonpointer/append-escapes", test_append_escapes);
  g_test_add_func("/jsonpointer/split-roundtrip", test_split_roundtrip);
  g_test_add_func("/jsonpointer/split-rejects", test_split_rejects);
  g_test_add_func("/jsonpointer/parse-index", test_parse_index);
  return g_test_run();
}
