/* The TOML document as a schema instance (atx_toml_instance_class): every TOML
 * type through the keywords that look at values, opaque values that never pass
 * as strings, document order, and above all the promise that validating the
 * tree directly gives exactly what validating its atx_toml_to_json conversion
 * gives: validity, and every error's pointer, location, keyword and message. */
#include <string.h>

#include "core/config/config.h"
#include "core/jsonschema/jsonschema.h"
#include "core/toml/toml.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

static AtxJsonSchema *
compile(const char *schema_text)
{
  g_autoptr(GError) error = NULL;
  json_error_t json_error;
  g_autoptr(json_t) document = json_loads(schema_text, 0, &json_error);
  if (!document)
    g_error("bad schema JSON in test: %s", json_error.text);
  AtxJsonSchema *schema = atx_json_schema_compile(document, NULL, &error);
  g_assert_no_error(error);
  return schema;
}

static AtxTomlDoc *
parse(const char *toml)
{
  g_autoptr(GError) error = NULL;
  AtxTomlDoc *doc = atx_toml_parse(toml, strlen(toml), NULL, NULL, &error);
  g_assert_no_error(error);
  return doc;
}

static void
assert_same_errors(GPtrArray *direct, GPtrArray *converted)
{
  g_assert_cmpuint(direct->len, ==, converted->len);
  for (guint i = 0; i < direct->len; i++) {
    const AtxJsonSchemaError *a = g_ptr_array_index(direct, i);
    const AtxJsonSchemaError *b = g_ptr_array_index(converted, i);
    g_assert_cmpstr(a->instance_pointer, ==, b->instance_pointer);
    g_assert_cmpstr(a->keyword_location, ==, b->keyword_location);
    g_assert_cmpstr(a->keyword, ==, b->keyword);
    g_assert_cmpstr(a->message, ==, b->message);
  }
}

/* Validates @toml both ways (and validity-only both ways), checks that all
 * four agree and returns the direct errors. */
static GPtrArray *
validate_schema(const AtxJsonSchema *schema, const char *toml)
{
  g_autoptr(AtxTomlDoc) doc = parse(toml);
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  g_autoptr(json_t) converted = atx_toml_to_json(root);
  GPtrArray *direct_errors = NULL;
  g_autoptr(GPtrArray) converted_errors = NULL;
  gboolean direct = atx_json_schema_validate_instance(schema, atx_toml_instance_class(), root, &direct_errors);
  gboolean via_json = atx_json_schema_validate(schema, converted, &converted_errors);
  g_assert_cmpint(direct, ==, via_json);
  g_assert_cmpint(direct, ==, direct_errors->len == 0);
  g_assert_cmpint(atx_json_schema_validate_instance(schema, atx_toml_instance_class(), root, NULL), ==, direct);
  g_assert_cmpint(atx_json_schema_validate(schema, converted, NULL), ==, direct);
  assert_same_errors(direct_errors, converted_errors);
  return direct_errors;
}

static GPtrArray *
validate(const char *schema_text, const char *toml)
{
  g_autoptr(AtxJsonSchema) schema = compile(schema_text);
  return validate_schema(schema, toml);
}

static void
assert_valid(const char *schema_text, const char *toml)
{
  g_autoptr(GPtrArray) errors = validate(schema_text, toml);
  if (errors->len)
    g_error("%s\non %s: unexpected error: %s", schema_text, toml,
            ((AtxJsonSchemaError *) g_ptr_array_index(errors, 0))->message);
}

static void
assert_error(GPtrArray *errors, guint index, const char *pointer, const char *message)
{
  if (index >= errors->len)
    g_error("expected error %u (%s), got only %u", index, message, errors->len);
  const AtxJsonSchemaError *e = g_ptr_array_index(errors, index);
  g_assert_cmpstr(e->instance_pointer, ==, pointer);
  g_assert_cmpstr(e->message, ==, message);
}

static void
assert_only_error(const char *schema_text, const char *toml, const char *pointer, const char *message)
{
  g_autoptr(GPtrArray) errors = validate(schema_text, toml);
  assert_error(errors, 0, pointer, message);
  g_assert_cmpuint(errors->len, ==, 1);
}

/* One value of every TOML type, under the key the tests name. */
static const char every_type[] =
  "s = \"text\"\n"
  "i = 42\n"
  "f = 1.5\n"
  "whole = 2.0\n"
  "nan = nan\n"
  "inf = -inf\n"
  "b = true\n"
  "odt = 1979-05-27T07:32:00Z\n"
  "ldt = 1979-05-27T07:32:00\n"
  "ld = 1979-05-27\n"
  "lt = 07:32:00\n"
  "a = [1, \"x\"]\n"
  "t = { k = 1 }\n";

static void
test_types(void)
{
  static const struct {
    const char *key;
    const char *type; /* the "type" it matches */
    const char *got;  /* how a mismatch names it */
  } rows[] = {
    { "s", "string", "string" },         { "i", "integer", "integer" },
    { "f", "number", "number" },         { "whole", "integer", "integer" },
    { "nan", NULL, "float" },            { "inf", NULL, "float" },
    { "b", "boolean", "boolean" },       { "odt", NULL, "offset date-time" },
    { "ldt", NULL, "local date-time" },  { "ld", NULL, "local date" },
    { "lt", NULL, "local time" },        { "a", "array", "array" },
    { "t", "object", "object" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autofree char *pointer = g_strdup_printf("/%s", rows[i].key);
    g_autofree char *message = g_strdup_printf("expected null, got %s", rows[i].got);
    g_autofree char *schema = g_strdup_printf("{\"properties\": {\"%s\": {\"type\": \"null\"}}}", rows[i].key);
    g_autoptr(GPtrArray) errors = validate(schema, every_type);
    g_assert_cmpuint(errors->len, ==, 1);
    assert_error(errors, 0, pointer, message);
    if (rows[i].type) {
      g_autofree char *matching = g_strdup_printf("{\"properties\": {\"%s\": {\"type\": \"%s\"}}}", rows[i].key,
                                                  rows[i].type);
      assert_valid(matching, every_type);
    }
  }
  /* An integral float is an integer and a number; 42 is a number too. */
  assert_valid("{\"properties\": {\"whole\": {\"type\": \"number\"}, \"i\": {\"type\": \"number\"}}}", every_type);
}

/* Dates, times and non-finite floats are of no JSON type: never strings, never
 * numbers, and the keywords of those types pass over them. */
static void
test_opaque_never_string(void)
{
  const char *any_json_type =
    "{\"additionalProperties\": {\"type\": [\"null\", \"boolean\", \"object\", \"array\", \"number\", \"string\"]}}";
  g_autoptr(GPtrArray) errors = validate(any_json_type, every_type);
  g_assert_cmpuint(errors->len, ==, 6);
  assert_error(errors, 0, "/nan", "expected null, boolean, object, array, number or string, got float");
  assert_error(errors, 2, "/odt", "expected null, boolean, object, array, number or string, got offset date-time");
  assert_error(errors, 5, "/lt", "expected null, boolean, object, array, number or string, got local time");
  assert_valid("{\"additionalProperties\": {\"minLength\": 100, \"maxLength\": 0, \"pattern\": \"^x$\","
               " \"minimum\": 1e9, \"required\": [\"zzz\"], \"minItems\": 9}}",
               "ld = 1979-05-27\nodt = 1979-05-27T00:00:00+01:00\nn = nan\nlt = 00:00:00.5");
  assert_only_error("{\"properties\": {\"d\": {\"const\": \"1979-05-27\"}}}", "d = 1979-05-27", "/d",
                    "value must be \"1979-05-27\"");
  assert_only_error("{\"properties\": {\"d\": {\"enum\": [\"07:32:00\", \"x\"]}}}", "d = 07:32:00", "/d",
                    "value must be one of: \"07:32:00\", \"x\"");
  assert_only_error("{\"properties\": {\"n\": {\"const\": 1}}}", "n = inf", "/n", "value must be 1");
}

static void
test_enum_const(void)
{
  const char *schema =
    "{\"additionalProperties\": {\"enum\": [\"text\", 42, 1.5, true, [1, \"x\"], {\"k\": 1}]}}";
  assert_valid(schema, "a = \"text\"\nb = 42\nc = 1.5\nd = true\ne = [1, \"x\"]\nf = { k = 1 }\ng = 42.0\n"
                       "h = [1.0, \"x\"]\ni = { k = 1.0 }");
  g_autoptr(GPtrArray) errors = validate(schema, "a = \"Text\"\nb = 43\nc = false\nd = [\"x\", 1]\ne = { k = 2 }\n"
                                                 "f = { k = 1, j = 1 }\ng = [1, \"x\", 1]\nh = 1979-05-27");
  g_assert_cmpuint(errors->len, ==, 8);
  assert_error(errors, 0, "/a", "value must be one of: \"text\", 42, 1.5, true, [1,\"x\"], {\"k\":1}");
  assert_error(errors, 7, "/h", "value must be one of: \"text\", 42, 1.5, true, [1,\"x\"], {\"k\":1}");
  assert_valid("{\"properties\": {\"v\": {\"const\": 1}}}", "v = 1.0");
  assert_valid("{\"properties\": {\"v\": {\"const\": 9007199254740993}}}", "v = 9007199254740993");
  assert_only_error("{\"properties\": {\"v\": {\"const\": 9007199254740993}}}", "v = 9007199254740992.0", "/v",
                    "value must be 9007199254740993");
  assert_only_error("{\"properties\": {\"v\": {\"const\": null}}}", "v = \"null\"", "/v", "value must be null");
}

static void
test_unique_items(void)
{
  const char *schema = "{\"additionalProperties\": {\"uniqueItems\": true}}";
  assert_valid(schema, "a = [1, 1.5, \"1\", true, 1979-05-27, \"1979-05-27\", 1979-05-28, nan, inf, [1], { k = 1 }]");
  g_autoptr(GPtrArray) errors = validate(schema, "a = [1, 1.0]\nb = [1979-05-27, 1979-05-27]\nc = [nan, nan]\n"
                                                 "d = [{ k = 1, j = [2] }, { j = [2.0], k = 1 }]");
  g_assert_cmpuint(errors->len, ==, 4);
  assert_error(errors, 0, "/a/1", "item 1 is a duplicate of item 0");
  assert_error(errors, 1, "/b/1", "item 1 is a duplicate of item 0");
  assert_error(errors, 2, "/c/1", "item 1 is a duplicate of item 0");
  assert_error(errors, 3, "/d/1", "item 1 is a duplicate of item 0");
  /* Long arrays take the hash table: the same answers. */
  GString *toml = g_string_new("a = [");
  for (guint i = 0; i < 40; i++)
    g_string_append_printf(toml, "%s%u", i ? ", " : "", i % 30);
  g_string_append(toml, ", 1979-05-27, 1979-05-27]");
  g_autoptr(GPtrArray) long_errors = validate(schema, toml->str);
  g_string_free(toml, TRUE);
  g_assert_cmpuint(long_errors->len, ==, 11);
  assert_error(long_errors, 0, "/a/30", "item 30 is a duplicate of item 0");
  assert_error(long_errors, 10, "/a/41", "item 41 is a duplicate of item 40");
}

static void
test_strings_and_numbers(void)
{
  const char *schema = "{\"properties\": {"
                       "\"s\": {\"minLength\": 3, \"maxLength\": 3, \"pattern\": \"^[a-zé]+$\"},"
                       "\"p\": {\"pattern\": \"^[a-z_][a-z0-9_-]{0,31}$\"},"
                       "\"n\": {\"minimum\": 0, \"exclusiveMaximum\": 10, \"multipleOf\": 0.5}}}";
  assert_valid(schema, "s = \"éaé\"\np = \"_user-1\"\nn = 9.5");
  assert_valid(schema, "s = \"abc\"\np = \"u\"\nn = 0");
  g_autoptr(GPtrArray) errors = validate(schema, "s = \"éaéa\"\np = \"User\"\nn = 10");
  g_assert_cmpuint(errors->len, ==, 3);
  assert_error(errors, 0, "/s", "expected at most 3 characters");
  assert_error(errors, 1, "/p", "string does not match pattern ^[a-z_][a-z0-9_-]{0,31}$");
  assert_error(errors, 2, "/n", "expected number < 10");
  assert_only_error(schema, "n = 0.3", "/n", "expected a multiple of 0.5");
  assert_only_error(schema, "n = -1", "/n", "expected number >= 0");
  assert_only_error(schema, "s = \"ab\\n\"", "/s", "string does not match pattern ^[a-zé]+$");
}

/* Keys and errors come in document order, not in hash order. */
static void
test_document_order(void)
{
  g_autoptr(GPtrArray) errors = validate("{\"additionalProperties\": false, \"properties\": {\"a\": {}}}",
                                         "z = 1\na = 2\nm = 3\n[b]\nx = 1\n[y]\n");
  g_assert_cmpuint(errors->len, ==, 4);
  assert_error(errors, 0, "/z", "unknown key \"z\"");
  assert_error(errors, 1, "/m", "unknown key \"m\"");
  assert_error(errors, 2, "/b", "unknown key \"b\"");
  assert_error(errors, 3, "/y", "unknown key \"y\"");
}

static void
test_object_keywords(void)
{
  const char *schema = "{\"required\": [\"a\", \"b\"], \"dependentRequired\": {\"c\": [\"d\"]},"
                       " \"propertyNames\": {\"maxLength\": 2}, \"maxProperties\": 3,"
                       " \"patternProperties\": {\"^x\": {\"type\": \"integer\"}},"
                       " \"dependentSchemas\": {\"a\": {\"properties\": {\"a\": {\"minimum\": 5}}}}}";
  assert_valid(schema, "a = 5\nb = 1\nx1 = 2");
  g_autoptr(GPtrArray) errors = validate(schema, "a = 1\nc = 1\nx1 = \"no\"\nlong = 1");
  g_assert_cmpuint(errors->len, ==, 6);
  assert_error(errors, 0, "", "expected at most 3 keys");
  assert_error(errors, 1, "", "missing required key \"b\"");
  assert_error(errors, 2, "", "key \"d\" is required when \"c\" is present");
  assert_error(errors, 3, "/x1", "expected integer, got string");
  assert_error(errors, 4, "/long", "invalid key \"long\": expected at most 2 characters");
  assert_error(errors, 5, "/a", "expected number >= 5");
}

/* A quoted key may hold U+0000: it is compared whole ("a\0b" is not "a") but
 * named up to the NUL, as every pointer in the project names it. */
static void
test_key_with_nul(void)
{
  assert_valid("{\"properties\": {\"a\": false}}", "\"a\\u0000b\" = 1");
  assert_only_error("{\"propertyNames\": {\"maxLength\": 2}}", "\"a\\u0000b\" = 1", "/a",
                    "invalid key \"a\": expected at most 2 characters");
  assert_only_error("{\"additionalProperties\": false}", "\"a\\u0000b\" = 1", "/a", "unknown key \"a\"");
}

static void
test_combinators_and_refs(void)
{
  const char *schema =
    "{\"$defs\": {\"v\": {\"type\": [\"string\", \"integer\", \"boolean\"]}},"
    " \"additionalProperties\": {\"anyOf\": [{\"$ref\": \"#/$defs/v\"},"
    "   {\"type\": \"array\", \"minItems\": 1, \"items\": {\"$ref\": \"#/$defs/v\"}}]},"
    " \"properties\": {\"o\": {\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 0}]},"
    "                  \"i\": {\"if\": {\"type\": \"string\"}, \"then\": {\"minLength\": 2}, \"else\": {\"not\": {}}}}}";
  assert_valid(schema, "a = \"x\"\nb = [1, true]\no = 1.5\ni = \"ab\"");
  g_autoptr(GPtrArray) errors = validate(schema, "a = 1.5\nb = []\nc = [1979-05-27]\no = 1\ni = 1");
  g_assert_cmpuint(errors->len, ==, 7);
  assert_error(errors, 0, "/a", "value does not match any allowed schema");
  assert_error(errors, 1, "/b", "value does not match any allowed schema");
  assert_error(errors, 2, "/b", "expected at least 1 item");
  assert_error(errors, 3, "/c", "value does not match any allowed schema");
  assert_error(errors, 4, "/c/0", "expected boolean, string or integer, got local date");
  assert_error(errors, 5, "/o", "value matches more than one allowed schema (0 and 1), expected exactly one");
  assert_error(errors, 6, "/i", "value must not match the \"not\" schema");
}

/* The configuration schema on broken configurations: the errors the config
 * pipeline turns into diagnostics, whichever way the document is read. */
static void
test_config_schema(void)
{
  g_autoptr(AtxJsonSchema) schema = compile(atx_config_schema_text());
  static const char *const documents[] = {
    "version = 2\nmtu = 1\n[users.Admin]\nshell = \"fish\"\nisAdmin = 1979-05-27\n",
    "version = 1\n[network.firewall.inbound.wan]\ntcp = [0, 65536, \"x\"]\n[network.interfaces.wlan0]\nmode = \"x\"\n",
    "version = 1\n[network.interfaces.eth0]\nmode = \"dhcp\"\nmtu = 1400\n[activation]\ntimeout_seconds = 1\n",
    ("version = 1\n[containers.container.\"my.app\"]\nprivileged = 1\n[containers.container.x.Container]\n"
     "StopTimeout = 1.5\nLabel = []\nPublish-Port = [\"a\"]\nImage = [1979-05-27]\n"),
    "[users.\"a\\u0000b\"]\nshell = \"bash\"\n[network.dnsmasq]\ndomain = 1979-05-27T07:32:00Z\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS(documents); i++) {
    g_autoptr(GPtrArray) errors = validate_schema(schema, documents[i]);
    g_assert_cmpuint(errors->len, >, 0);
  }
  g_autoptr(GPtrArray) errors = validate_schema(schema, documents[0]);
  assert_error(errors, 0, "", "missing required key \"activation\"");
  g_autoptr(GPtrArray) ports = validate_schema(schema, documents[1]);
  gboolean found_max = FALSE;
  for (guint i = 0; i < ports->len; i++) {
    const AtxJsonSchemaError *e = g_ptr_array_index(ports, i);
    found_max |= strcmp(e->instance_pointer, "/network/firewall/inbound/wan/tcp/1") == 0 &&
                 strcmp(e->message, "expected integer <= 65535") == 0;
  }
  g_assert_true(found_max);
  g_autofree char *seed_path = g_build_filename(ATX_SOURCE_DIR, "examples", "full.toml", NULL);
  g_autofree char *seed = NULL;
  g_assert_true(g_file_get_contents(seed_path, &seed, NULL, NULL));
  g_autoptr(GPtrArray) none = validate_schema(schema, seed);
  g_assert_cmpuint(none->len, ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/toml-instance/types", test_types);
  g_test_add_func("/toml-instance/opaque-never-string", test_opaque_never_string);
  g_test_add_func("/toml-instance/enum-const", test_enum_const);
  g_test_add_func("/toml-instance/unique-items", test_unique_items);
  g_test_add_func("/toml-instance/strings-and-numbers", test_strings_and_numbers);
  g_test_add_func("/toml-instance/document-order", test_document_order);
  g_test_add_func("/toml-instance/object-keywords", test_object_keywords);
  g_test_add_func("/toml-instance/key-with-nul", test_key_with_nul);
  g_test_add_func("/toml-instance/combinators-and-refs", test_combinators_and_refs);
  g_test_add_func("/toml-instance/config-schema", test_config_schema);
  return g_test_run();
}
