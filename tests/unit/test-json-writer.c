/* AtxJsonWriter against the jansson dump it replaces: every document is built
 * as a jansson tree, written once through the writer (by walking the tree) and
 * once through atx_json_text(), and the bytes must be identical. */
#include <string.h>

#include "core/base/json_writer.h"
#include "core/render/render.h"

static void
write_tree(AtxJsonWriter *writer, const json_t *json)
{
  switch (json_typeof(json)) {
  case JSON_OBJECT: {
    const char *key;
    json_t *value;
    atx_json_writer_begin_object(writer);
    json_object_foreach((json_t *) json, key, value) {
      atx_json_writer_key(writer, key);
      write_tree(writer, value);
    }
    atx_json_writer_end_object(writer);
    break;
  }
  case JSON_ARRAY: {
    size_t index;
    json_t *value;
    atx_json_writer_begin_array(writer);
    json_array_foreach(json, index, value)
      write_tree(writer, value);
    atx_json_writer_end_array(writer);
    break;
  }
  case JSON_STRING:
    atx_json_writer_string(writer, json_string_value(json));
    break;
  case JSON_INTEGER:
    atx_json_writer_integer(writer, json_integer_value(json));
    break;
  case JSON_TRUE:
  case JSON_FALSE:
    atx_json_writer_boolean(writer, json_is_true(json));
    break;
  default:
    g_assert_not_reached();
  }
}

static char *
writer_text(const json_t *json)
{
  GString *text = g_string_new(NULL);
  AtxJsonWriter writer;
  atx_json_writer_init(&writer, text);
  write_tree(&writer, json);
  g_string_append_c(text, '\n');
  return g_string_free(text, FALSE);
}

/* Takes @json. */
static void
assert_same_as_jansson(json_t *json)
{
  g_autofree char *want = atx_json_text(json);
  g_autofree char *have = writer_text(json);
  g_assert_cmpstr(have, ==, want);
  json_decref(json);
}

/* Each string as an array element and as an object key. */
static const char *const tricky_strings[] = {
  "",
  "plain text",
  "quote \" inside",
  "back\\slash and \\\\ two",
  "slash / is not escaped",
  "\b\f\n\r\t",
  "\x01\x02\x03\x04\x05\x06\x07\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
  "del \x7f stays",
  "caf\xc3\xa9",                      /* U+00E9, two bytes */
  "\xc2\x80 \xdf\xbf",                /* U+0080 and U+07FF */
  "\xe2\x82\xac and \xe0\xa0\x80",    /* U+20AC, U+0800 */
  "\xef\xbf\xbf \xef\xbb\xbf",        /* U+FFFF, U+FEFF */
  "\xed\x9f\xbf \xee\x80\x80",        /* U+D7FF, U+E000 around the surrogates */
  "\xf0\x90\x80\x80",                 /* U+10000, first pair */
  "smile \xf0\x9f\x98\x80!",          /* U+1F600 */
  "\xf4\x8f\xbf\xbf",                 /* U+10FFFF, last pair */
  "mixed \"\xc3\xa9\"\n\\\xf0\x9f\x98\x80\x1f/end",
  "${CONFIG_DIR}/files {mac} <tag> & 'single'",
};

static void
test_strings(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(tricky_strings); i++) {
    const char *text = tricky_strings[i];
    g_test_message("string %u", i);
    assert_same_as_jansson(json_pack("[s]", text));
    assert_same_as_jansson(json_pack("{s:s}", text, text));
    json_t *value = json_string(text);
    g_assert_nonnull(value);
    g_autofree char *want = json_dumps(value, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
    json_decref(value);
    g_autoptr(GString) have = g_string_new(NULL);
    atx_json_append_string(have, text);
    g_assert_cmpstr(have->str, ==, want);
  }
}

static void
test_scalars(void)
{
  static const gint64 integers[] = { 0, 1, -1, 9, 10, 443, 65535, -300,
                                     G_MAXINT32, G_MININT32, G_MAXINT64, G_MININT64 };
  for (guint i = 0; i < G_N_ELEMENTS(integers); i++) {
    assert_same_as_jansson(json_pack("[I]", (json_int_t) integers[i]));
    assert_same_as_jansson(json_pack("{sI}", "n", (json_int_t) integers[i]));
  }
  assert_same_as_jansson(json_pack("[bb]", TRUE, FALSE));
  assert_same_as_jansson(json_pack("{sb,sb}", "yes", TRUE, "no", FALSE));
}

static void
test_containers(void)
{
  assert_same_as_jansson(json_object());
  assert_same_as_jansson(json_array());
  assert_same_as_jansson(json_pack("{s{}s[]}", "object", "array"));
  assert_same_as_jansson(json_pack("[{}[]{}]"));
  assert_same_as_jansson(json_pack("[[[]]]"));
  assert_same_as_jansson(json_pack("{s{s{s[i]}}}", "a", "b", "c", 1));
  assert_same_as_jansson(json_pack("{s:[{s:s,s:b},{s:[]}],s:{s:i}}", "units", "name", "web", "on",
                                   TRUE, "ports", "last", "port", 8080));
  assert_same_as_jansson(json_pack("[s,{s:[s,s]},i,[b]]", "x", "k", "a", "b", 3, FALSE));
}

static const char *
random_string(void)
{
  return tricky_strings[g_test_rand_int_range(0, G_N_ELEMENTS(tricky_strings))];
}

/* A random tree of every kind of value the writer knows, up to @depth deep. */
static json_t *
random_tree(guint depth)
{
  gint32 kind = g_test_rand_int_range(0, depth > 0 ? 6 : 4);
  switch (kind) {
  case 0:
    return json_string(random_string());
  case 1:
    return json_integer((json_int_t) (((guint64) (guint32) g_test_rand_int() << 32) |
                                      (guint32) g_test_rand_int()));
  case 2:
    return json_boolean(g_test_rand_bit());
  case 3:
    return json_integer(g_test_rand_int_range(-5, 70000));
  case 4: {
    json_t *array = json_array();
    for (gint32 n = g_test_rand_int_range(0, 5); n > 0; n--)
      json_array_append_new(array, random_tree(depth - 1));
    return array;
  }
  default: {
    json_t *object = json_object();
    for (gint32 n = g_test_rand_int_range(0, 5); n > 0; n--) {
      g_autofree char *key = g_strdup_printf("%s%d", random_string(), n);
      json_object_set_new(object, key, random_tree(depth - 1));
    }
    return object;
  }
  }
}

static void
test_random_trees(void)
{
  for (guint i = 0; i < 500; i++) {
    json_t *root = g_test_rand_bit() ? json_object() : json_array();
    for (gint32 n = g_test_rand_int_range(0, 6); n > 0; n--) {
      if (json_is_object(root)) {
        g_autofree char *key = g_strdup_printf("k%d", n);
        json_object_set_new(root, key, random_tree(4));
      } else {
        json_array_append_new(root, random_tree(4));
      }
    }
    assert_same_as_jansson(root);
  }
}

/* The helpers the renderers use, against the trees they replaced. */
static void
test_helpers(void)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new();
  g_ptr_array_add(strings, "one");
  g_ptr_array_add(strings, NULL); /* skipped, as json_array_append_new(NULL) was */
  g_ptr_array_add(strings, "caf\xc3\xa9");

  g_autoptr(GString) text = g_string_new(NULL);
  AtxJsonWriter writer;
  atx_json_writer_init(&writer, text);
  atx_json_writer_begin_object(&writer);
  atx_json_writer_member_string_array(&writer, "list", strings);
  atx_json_writer_member_string_array(&writer, "none", NULL);
  atx_json_writer_member_string(&writer, "absent", NULL);
  atx_json_writer_member_string(&writer, "present", "yes");
  atx_json_writer_member_integer(&writer, "count", 2);
  atx_json_writer_member_boolean(&writer, "flag", TRUE);
  atx_json_writer_end_object(&writer);
  g_string_append_c(text, '\n');

  json_t *want = json_object();
  json_object_set_new(want, "list", atx_json_string_array(strings));
  json_object_set_new(want, "none", atx_json_string_array(NULL));
  json_object_set_new(want, "absent", json_string(NULL));
  json_object_set_new(want, "present", json_string("yes"));
  json_object_set_new(want, "count", json_integer(2));
  json_object_set_new(want, "flag", json_true());
  g_autofree char *want_text = atx_json_text(want);
  json_decref(want);
  g_assert_cmpstr(text->str, ==, want_text);
}

/* Bytes that are not UTF-8 cannot come from a parsed document; the writer
 * still writes valid JSON for them rather than passing them through. */
static void
test_invalid_utf8(void)
{
  g_autoptr(GString) text = g_string_new(NULL);
  atx_json_append_string(text, "a\xff" "b\xc3" "c\xed\xa0\x80");
  g_assert_cmpstr(text->str, ==, "\"a\\uFFFDb\\uFFFDc\\uFFFD\\uFFFD\\uFFFD\"");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/json-writer/strings", test_strings);
  g_test_add_func("/json-writer/scalars", test_scalars);
  g_test_add_func("/json-writer/containers", test_containers);
  g_test_add_func("/json-writer/random-trees", test_random_trees);
  g_test_add_func("/json-writer/helpers", test_helpers);
  g_test_add_func("/json-writer/invalid-utf8", test_invalid_utf8);
  return g_test_run();
}
