/* The config schema compiled at build time (schema-to-c, loaded by
 * atx_config_schema) against the same schema compiled at run time from the
 * embedded text: the same graph, and the same errors for every config the
 * tree holds and for broken ones that trip each kind of keyword. */
#include <glib.h>
#include <string.h>

#include "core/config/config.h"
#include "core/jsonschema/jsonschema.h"
#include "core/toml/toml.h"

extern AtxJsonSchemaStatic atx_config_schema_static;
extern AtxJsonSchemaStatic atx_test_sample_schema; /* tests/unit/data/static-schema-sample.json */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

static AtxJsonSchema *
compile(const char *schema_text)
{
  g_autoptr(GError) error = NULL;
  json_error_t json_error;
  g_autoptr(json_t) document = json_loads(schema_text, 0, &json_error);
  g_assert_nonnull(document);
  AtxJsonSchema *schema = atx_json_schema_compile(document, NULL, &error);
  g_assert_no_error(error);
  return schema;
}

static char *
emit(const AtxJsonSchema *schema)
{
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new(NULL);
  g_assert_true(atx_json_schema_emit_c(schema, "symbol", out, &error));
  g_assert_no_error(error);
  return g_string_free(out, FALSE);
}

/* Written out again, the loaded static form is the text the run-time
 * compiler's graph gives: every node, keyword, edge, name and value. */
static void
test_same_graph(void)
{
  g_autoptr(AtxJsonSchema) runtime = compile(atx_config_schema_text());
  g_autofree char *from_static = emit(atx_config_schema());
  g_autofree char *from_runtime = emit(runtime);
  g_assert_cmpstr(from_static, ==, from_runtime);
  g_assert_nonnull(strstr(from_static, "KW_ENUM"));
}

static void
assert_same_errors(const char *what, GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    g_error("%s: %u errors through the static schema, %u through the run-time one", what, a->len, b->len);
  for (guint i = 0; i < a->len; i++) {
    const AtxJsonSchemaError *x = g_ptr_array_index(a, i);
    const AtxJsonSchemaError *y = g_ptr_array_index(b, i);
    g_assert_cmpstr(x->instance_pointer, ==, y->instance_pointer);
    g_assert_cmpstr(x->keyword_location, ==, y->keyword_location);
    g_assert_cmpstr(x->keyword, ==, y->keyword);
    g_assert_cmpstr(x->message, ==, y->message);
  }
}

/* Validates @toml through both schemas, read in place and as JSON; adds the
 * failing keywords to @keywords and returns the number of errors. */
static guint
compare_document(const AtxJsonSchema *runtime, const char *what, const char *toml, gsize len, GHashTable *keywords)
{
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(toml, len, NULL, NULL, NULL);
  if (!doc)
    return 0; /* not TOML: the schema never sees it */
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  g_autoptr(json_t) json = atx_toml_to_json(root);
  g_autoptr(GPtrArray) static_errors = NULL, runtime_errors = NULL, static_json = NULL, runtime_json = NULL;
  gboolean ok =
      atx_json_schema_validate_instance(atx_config_schema(), atx_toml_instance_class(), root, &static_errors);
  g_assert_cmpint(atx_json_schema_validate_instance(runtime, atx_toml_instance_class(), root, &runtime_errors), ==,
                  ok);
  g_assert_cmpint(atx_json_schema_validate(atx_config_schema(), json, &static_json), ==, ok);
  g_assert_cmpint(atx_json_schema_validate(runtime, json, &runtime_json), ==, ok);
  g_assert_cmpint(atx_json_schema_validate_instance(atx_config_schema(), atx_toml_instance_class(), root, NULL),
                  ==, ok);
  assert_same_errors(what, static_errors, runtime_errors);
  assert_same_errors(what, static_json, runtime_json);
  for (guint i = 0; i < static_errors->len; i++)
    g_hash_table_add(keywords, g_strdup(((AtxJsonSchemaError *) g_ptr_array_index(static_errors, i))->keyword));
  return static_errors->len;
}

static void
compare_tree(const AtxJsonSchema *runtime, const char *dir, guint *files, GHashTable *keywords)
{
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  if (!listing)
    return;
  const char *name;
  while ((name = g_dir_read_name(listing))) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
      compare_tree(runtime, path, files, keywords);
    } else if (g_str_has_suffix(name, ".toml")) {
      g_autofree char *text = NULL;
      gsize len = 0;
      g_assert_true(g_file_get_contents(path, &text, &len, NULL));
      compare_document(runtime, path, text, len, keywords);
      (*files)++;
    }
  }
}

/* Each trips at least one keyword of the schema. */
static const char *const broken[] = {
  "version = 2\nmtu = 1\n[users.Admin]\nshell = \"fish\"\nisAdmin = 1979-05-27\n",
  "version = 1\n[network.firewall.inbound.wan]\ntcp = [0, 65536, \"x\"]\n[network.interfaces.wlan0]\nmode = "
  "\"x\"\n",
  "version = 1\n[network.interfaces.eth0]\nmode = \"dhcp\"\nmtu = 1400\n[activation]\ntimeout_seconds = 0\n",
  "version = 1\n[activation]\ntimeout_seconds = 3601\nsettle_seconds = -1\nrestart = \"x\"\n",
  ("version = 1\n[containers.container.\"my.app\"]\nprivileged = 1\n[containers.container.x.Container]\n"
   "StopTimeout = 1.5\nLabel = []\nPublish-Port = [\"a\"]\nImage = [1979-05-27]\n"),
  "[users.\"a\\u0000b\"]\nshell = \"bash\"\n[network.dnsmasq]\ndomain = 1979-05-27T07:32:00Z\n",
  "version = 1\nusers = {}\ncontainers = {}\nactivation = {}\n[network.dnsmasq]\ndomain = \"\"\ndns_servers = "
  "[]\n",
  "version = 1\n[users.root]\nssh_key = 7\n[users.\"Bad-Name\"]\n[users.x]\nshell = 1\nisAdmin = \"yes\"\n",
  "version = 1\n[os_upgrade]\nserver_url = \"\"\nx = 1\n[network]\nntp = { servers = [1] }\n",
  "version = \"1\"\n[containers.volume.v.Volume]\nA = { b = 1 }\n[containers.build.b]\nBuild = 3\n",
};

static void
test_same_errors(void)
{
  g_autoptr(AtxJsonSchema) runtime = compile(atx_config_schema_text());
  g_autoptr(GHashTable) keywords = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  guint files = 0, errors = 0;
  for (guint i = 0; i < G_N_ELEMENTS(broken); i++) {
    g_autofree char *what = g_strdup_printf("broken[%u]", i);
    guint n = compare_document(runtime, what, broken[i], strlen(broken[i]), keywords);
    if (n == 0)
      g_error("%s is valid; it should break the schema", what);
    errors += n;
  }
  static const char *const trees[] = { "examples", "tests/fuzz/seeds", "tests/golden" };
  for (guint i = 0; i < G_N_ELEMENTS(trees); i++) {
    g_autofree char *dir = g_build_filename(ATX_SOURCE_DIR, trees[i], NULL);
    compare_tree(runtime, dir, &files, keywords);
  }
  g_assert_cmpuint(files, >=, 10);
  /* Every kind of keyword the schema holds failed at least once above. */
  static const char *const expected[] = { "type",
                                          "enum",
                                          "const",
                                          "pattern",
                                          "minimum",
                                          "maximum",
                                          "minLength",
                                          "minItems",
                                          "minProperties",
                                          "required",
                                          "additionalProperties",
                                          "anyOf" };
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
    if (!g_hash_table_contains(keywords, expected[i]))
      g_error("no document above fails \"%s\"", expected[i]);
  g_test_message("%u files, %u errors in the broken documents", files, errors);
}

/* Instances of tests/unit/data/static-schema-sample.json, valid and not. */
static const char *const sample_instances[] = {
  "{\"kind\": \"a\"}",
  "{}",
  "{\"kind\": \"c\", \"extra\": 1}",
  "{\"kind\": {\"key\": [\"a\\u0000b\", -9223372036854775808]}, \"fixed\": {\"x\": [false, 0.1, \"\u00e9\"]}}",
  "{\"kind\": 2.5, \"fixed\": {\"x\": [false, 0.2, \"e\"]}}",
  "{\"kind\": null, \"n\": 1000, \"i\": 3, \"s\": \"abc\", \"simple\": \"abcd\"}",
  "{\"kind\": true, \"n\": -3.5, \"i\": -6, \"s\": \"x\", \"simple\": \"ab\"}",
  "{\"kind\": 1, \"n\": 2.5, \"i\": 8, \"s\": \"abcd\"}",
  "{\"kind\": \"b\", \"list\": [\"a\", 1, true, 2, 3]}",
  "{\"kind\": \"b\", \"list\": [1, \"a\"], \"tail\": [1, 2]}",
  "{\"kind\": \"b\", \"list\": [], \"tail\": [1]}",
  "{\"kind\": \"a\", \"cond\": {\"t\": 1}}",
  "{\"kind\": \"a\", \"cond\": {\"t\": 2, \"u\": 0}}",
  "{\"kind\": \"a\", \"cond\": {\"t\": 1, \"u\": 0}}",
  "{\"kind\": \"a\", \"deps\": {\"a\": 1, \"d\": 2, \"x-12\": \"s\", \"yz\": 1, \"long\": 1, \"q\": 3}}",
  "{\"kind\": \"a\", \"deps\": {\"a\": \"1\", \"b\": \"2\", \"c\": \"3\", \"x-1\": 4}}",
  "{\"kind\": \"a\", \"choice\": -1}",
  "{\"kind\": \"a\", \"choice\": {\"a\": 1, \"b\": 2}}",
  "{\"kind\": \"a\", \"choice\": \"s\"}",
  "{\"kind\": \"a\", \"choice\": 3}",
  "{\"kind\": \"a\", \"nested\": {\"value\": 1, \"children\": [{\"value\": \"x\"}, {\"children\": [{\"v\": "
  "1}]}]}}",
  "{\"kind\": \"b\", \"list\": [\"a\", 1, true, true]}",
  "[1, 2]",
};

/* A schema holding every keyword kind the build-time form stores, loaded
 * from C data schema-to-c wrote when the test was built, against the same
 * file compiled now. */
static void
test_sample_schema(void)
{
  g_autofree char *path =
      g_build_filename(ATX_SOURCE_DIR, "tests", "unit", "data", "static-schema-sample.json", NULL);
  json_error_t json_error;
  g_autoptr(json_t) document = json_load_file(path, JSON_ALLOW_NUL, &json_error);
  g_assert_nonnull(document);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJsonSchema) runtime = atx_json_schema_compile(document, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(AtxJsonSchema) loaded = atx_json_schema_load_static(&atx_test_sample_schema, &error);
  g_assert_no_error(error);
  g_autofree char *from_static = emit(loaded);
  g_autofree char *from_runtime = emit(runtime);
  g_assert_cmpstr(from_static, ==, from_runtime);
  g_autoptr(GHashTable) keywords = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  guint valid = 0;
  for (guint i = 0; i < G_N_ELEMENTS(sample_instances); i++) {
    g_autoptr(json_t) instance = json_loads(sample_instances[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &json_error);
    if (!instance)
      g_error("sample_instances[%u] is not JSON: %s", i, json_error.text);
    g_autoptr(GPtrArray) a = NULL, b = NULL;
    gboolean ok = atx_json_schema_validate(loaded, instance, &a);
    g_assert_cmpint(atx_json_schema_validate(runtime, instance, &b), ==, ok);
    assert_same_errors(sample_instances[i], a, b);
    valid += ok;
    for (guint j = 0; j < a->len; j++)
      g_hash_table_add(keywords, g_strdup(((AtxJsonSchemaError *) g_ptr_array_index(a, j))->keyword));
  }
  g_assert_cmpuint(valid, >=, 3);
  static const char *const expected[] = {
    "enum",        "const",       "type",      "multipleOf",        "exclusiveMaximum", "minimum",
    "maximum",     "minLength",   "maxLength", "pattern",           "maxItems",         "minItems",
    "uniqueItems", "maxContains", "required",  "dependentRequired", "unevaluatedItems", "unevaluatedProperties",
    "anyOf",       "oneOf",       "not",       "maxProperties",     "minProperties",    "additionalProperties",
  };
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
    if (!g_hash_table_contains(keywords, expected[i]))
      g_error("no sample instance fails \"%s\"", expected[i]);
}

static void
test_loads_once(void)
{
  (void) atx_config_schema();
  g_autoptr(GError) error = NULL;
  g_assert_null(atx_json_schema_load_static(&atx_config_schema_static, &error));
  g_assert_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID);
}

static void
test_dynamic_ref_refused(void)
{
  g_autoptr(AtxJsonSchema) schema = compile("{\"$dynamicAnchor\": \"a\", \"items\": {\"$dynamicRef\": \"#a\"}}");
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_json_schema_emit_c(schema, "symbol", out, &error));
  g_assert_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/config-schema/static/same-graph", test_same_graph);
  g_test_add_func("/config-schema/static/same-errors", test_same_errors);
  g_test_add_func("/config-schema/static/sample-schema", test_sample_schema);
  g_test_add_func("/config-schema/static/loads-once", test_loads_once);
  g_test_add_func("/config-schema/static/dynamic-ref-refused", test_dynamic_ref_refused);
  return g_test_run();
}
