/* Canonical TOML writer: exact output for the shapes partial edits produce,
 * round trips of the hard cases, and refusals. */
#include "core/base/error.h"
#include "core/jsonschema/jsonschema.h"
#include "core/toml/toml.h"
#include "core/toml/toml_write.h"

static char *
write_json(const char *json_text)
{
  json_error_t json_error;
  json_t *document = json_loads(json_text, 0, &json_error);
  g_assert_nonnull(document);
  g_autoptr(GError) error = NULL;
  char *toml = atx_toml_write(document, &error);
  g_assert_no_error(error);
  json_decref(document);
  return toml;
}

static void
assert_round_trip(const char *toml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(toml, strlen(toml), NULL, NULL, &error);
  g_assert_no_error(error);
  json_t *plain = atx_toml_to_json(atx_toml_doc_root(doc));
  g_autofree char *written = atx_toml_write(plain, &error);
  g_assert_no_error(error);
  g_autoptr(AtxTomlDoc) again = atx_toml_parse(written, strlen(written), NULL, NULL, &error);
  g_assert_no_error(error);
  json_t *before = atx_toml_to_tagged_json(atx_toml_doc_root(doc));
  json_t *after = atx_toml_to_tagged_json(atx_toml_doc_root(again));
  g_assert_true(json_equal(before, after));
  /* Canonical: writing the re-parsed document gives the same text. */
  json_t *plain_again = atx_toml_to_json(atx_toml_doc_root(again));
  g_autofree char *rewritten = atx_toml_write(plain_again, &error);
  g_assert_cmpstr(rewritten, ==, written);
  json_decref(plain);
  json_decref(plain_again);
  json_decref(before);
  json_decref(after);
}

static void
test_canonical_layout(void)
{
  g_autofree char *toml = write_json(
    "{\"version\": 1, \"users\": {\"admin\": {\"isAdmin\": true, \"ssh_key\": \"k\"}},"
    " \"network\": {\"firewall\": {\"inbound\": {\"wan\": {\"tcp\": [443, 8443]}}}},"
    " \"activation\": {\"required\": [\"web\"]}, \"containers\": {\"container\": {\"web.api\": {\"privileged\": false,"
    " \"Container\": {\"Image\": \"nginx\"}, \"Unit\": {}}}}}");
  g_assert_cmpstr(toml, ==,
                  "version = 1\n"
                  "\n[users.admin]\nisAdmin = true\nssh_key = \"k\"\n"
                  "\n[network.firewall.inbound.wan]\ntcp = [443, 8443]\n"
                  "\n[activation]\nrequired = [\"web\"]\n"
                  "\n[containers.container.\"web.api\"]\nprivileged = false\n"
                  "\n[containers.container.\"web.api\".Container]\nImage = \"nginx\"\n"
                  "\n[containers.container.\"web.api\".Unit]\n");
}

static void
test_strings_and_keys(void)
{
  g_autofree char *toml = write_json("{\"quote\\\"d key\": \"tab\\there \\\"q\\\" back\\\\slash \\u0001 \\ud83c\\udf89\","
                                     " \"\": \"empty key\", \"bare-key_1\": \"caf\\u00e9\"}");
  g_assert_cmpstr(toml, ==,
                  "\"quote\\\"d key\" = \"tab\\there \\\"q\\\" back\\\\slash \\u0001 \xf0\x9f\x8e\x89\"\n"
                  "\"\" = \"empty key\"\n"
                  "bare-key_1 = \"caf\xc3\xa9\"\n");
  assert_round_trip(toml);
}

static void
test_round_trips(void)
{
  const char *cases[] = {
    "a = 1.0\nb = -0.0\nc = 1e300\nd = nan\ne = -inf\nf = 0.1\n",
    "when = 1979-05-27T07:32:00.999Z\nday = 1979-05-27\nat = 07:32:00\nlocal = 1979-05-27T07:32:00\n",
    ("[[fruit]]\nname = \"apple\"\n[fruit.physical]\ncolor = \"red\"\n[[fruit.variety]]\nname = \"red delicious\"\n"
     "[[fruit]]\nname = \"banana\"\n[[fruit.variety]]\nname = \"plantain\"\n"),
    "mixed = [1, \"two\", [3.0], {four = 4}]\nempty = []\ninline = {a = {b = {}}}\n",
    "[empty]\n[a.b.c]\n[a]\nx = 1\n",
    "emoji = \"\xf0\x9f\x8e\x89 \xf4\x8f\xbf\xbf\"\n\"\xf0\x9f\x8e\x89\" = \"key outside the BMP\"\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    assert_round_trip(cases[i]);
}

/* As deep as the parser allows: every parsed document must be writable. */
static void
test_deepest_document(void)
{
  g_autoptr(GString) toml = g_string_new("k");
  for (guint i = 1; i < ATX_TOML_DEFAULT_MAX_DEPTH - 1; i++)
    g_string_append(toml, ".k");
  g_string_append(toml, " = [[1]]\n");
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(toml->str, toml->len, NULL, NULL, NULL);
  g_assert_nonnull(doc);
  assert_round_trip(toml->str);
}

static void
test_refusals(void)
{
  const char *bad[] = { "[1, 2]", "{\"a\": null}", "{\"a\": [1, null]}", NULL };
  for (guint i = 0; bad[i]; i++) {
    json_t *document = json_loads(bad[i], JSON_DECODE_ANY, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *toml = atx_toml_write(document, &error);
    g_assert_null(toml);
    g_assert_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED);
    json_decref(document);
  }
  json_t *odd = json_object();
  json_object_set_new(odd, "x", atx_json_opaque_new("uuid", "1234"));
  g_autoptr(GError) error = NULL;
  g_autofree char *toml = atx_toml_write(odd, &error);
  g_assert_null(toml);
  g_assert_nonnull(strstr(error->message, "/x"));
  json_decref(odd);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/toml-write/canonical-layout", test_canonical_layout);
  g_test_add_func("/toml-write/strings-and-keys", test_strings_and_keys);
  g_test_add_func("/toml-write/round-trips", test_round_trips);
  g_test_add_func("/toml-write/deepest-document", test_deepest_document);
  g_test_add_func("/toml-write/refusals", test_refusals);
  return g_test_run();
}
