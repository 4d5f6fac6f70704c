#include "core/jsonschema/jsonschema.h"

#include <string.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

static json_t *
parse(const char *text)
{
  json_error_t error;
  json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
  if (!value)
    g_error("bad JSON in test: %s: %s", text, error.text);
  return value;
}

static AtxJsonSchema *
compile(const char *schema_text)
{
  g_autoptr(GError) error = NULL;
  json_t *document = parse(schema_text);
  AtxJsonSchema *schema = atx_json_schema_compile(document, NULL, &error);
  json_decref(document);
  g_assert_no_error(error);
  g_assert_nonnull(schema);
  return schema;
}

/* Validates and returns the errors; also checks that the validity-only answer
 * agrees with the error list. */
static GPtrArray *
validate_value(const char *schema_text, json_t *instance)
{
  g_autoptr(AtxJsonSchema) schema = compile(schema_text);
  GPtrArray *errors = NULL;
  gboolean valid = atx_json_schema_validate(schema, instance, &errors);
  g_assert_cmpint(valid, ==, errors->len == 0);
  g_assert_cmpint(atx_json_schema_validate(schema, instance, NULL), ==, valid);
  return errors;
}

static GPtrArray *
validate(const char *schema_text, const char *instance_text)
{
  json_t *instance = parse(instance_text);
  GPtrArray *errors = validate_value(schema_text, instance);
  json_decref(instance);
  return errors;
}

static void
assert_error(GPtrArray *errors, guint index, const char *pointer, const char *location, const char *keyword,
             const char *message)
{
  if (index >= errors->len)
    g_error("expected error %u (%s), got only %u errors", index, message, errors->len);
  const AtxJsonSchemaError *e = g_ptr_array_index(errors, index);
  g_assert_cmpstr(e->message, ==, message);
  g_assert_cmpstr(e->instance_pointer, ==, pointer);
  if (location)
    g_assert_cmpstr(e->keyword_location, ==, location);
  if (keyword)
    g_assert_cmpstr(e->keyword, ==, keyword);
}

static void
assert_only_error(const char *schema_text, const char *instance_text, const char *pointer, const char *location,
                  const char *keyword, const char *message)
{
  g_autoptr(GPtrArray) errors = validate(schema_text, instance_text);
  assert_error(errors, 0, pointer, location, keyword, message);
  g_assert_cmpuint(errors->len, ==, 1);
}

static void
assert_valid(const char *schema_text, const char *instance_text)
{
  g_autoptr(GPtrArray) errors = validate(schema_text, instance_text);
  if (errors->len)
    g_error("unexpected error: %s", ((AtxJsonSchemaError *) g_ptr_array_index(errors, 0))->message);
}

static void
assert_compile_error(const char *schema_text, AtxJsonSchemaErrorCode code, const char *message)
{
  g_autoptr(GError) error = NULL;
  json_t *document = parse(schema_text);
  AtxJsonSchema *schema = atx_json_schema_compile(document, NULL, &error);
  json_decref(document);
  g_assert_null(schema);
  g_assert_error(error, ATX_JSON_SCHEMA_ERROR, (gint) code);
  if (message)
    g_assert_cmpstr(error->message, ==, message);
}

static void
test_type(void)
{
  assert_only_error("{\"type\":\"integer\"}", "\"x\"", "", "/type", "type", "expected integer, got string");
  assert_only_error("{\"type\":[\"string\",\"null\",\"array\"]}", "1.5", "", "/type", "type",
                    "expected null, array or string, got number");
  assert_valid("{\"type\":\"integer\"}", "1.0");
  assert_valid("{\"type\":\"number\"}", "7");
}

static void
test_numbers(void)
{
  const char *port = "{\"properties\":{\"port\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":65535}}}";
  assert_only_error(port, "{\"port\":70000}", "/port", "/properties/port/maximum", "maximum",
                    "expected integer <= 65535");
  assert_only_error(port, "{\"port\":0}", "/port", "/properties/port/minimum", "minimum", "expected integer >= 1");
  assert_only_error("{\"exclusiveMaximum\":1.5}", "1.5", "", "/exclusiveMaximum", "exclusiveMaximum",
                    "expected number < 1.5");
  assert_only_error("{\"exclusiveMinimum\":0}", "0", "", "/exclusiveMinimum", "exclusiveMinimum",
                    "expected number > 0");
  assert_only_error("{\"multipleOf\":0.01}", "0.125", "", "/multipleOf", "multipleOf", "expected a multiple of 0.01");
  assert_valid("{\"multipleOf\":0.0001}", "0.0075");
  assert_valid("{\"multipleOf\":1e-8}", "12391239123");
  g_autoptr(GPtrArray) overflow = validate("{\"multipleOf\":0.123456789}", "1e308");
  g_assert_cmpuint(overflow->len, ==, 1);
  /* 2^53 + 1 is not representable as a double: the comparison must be exact. */
  assert_only_error("{\"maximum\":9007199254740992.0}", "9007199254740993", "", "/maximum", "maximum",
                    "expected number <= 9007199254740992");
  assert_valid("{\"minimum\":-9223372036854775808.0}", "-9223372036854775807");
}

static void
test_strings(void)
{
  const char *name = "{\"type\":\"string\",\"maxLength\":3,\"minLength\":1,\"pattern\":\"^[a-z]+$\"}";
  g_autoptr(GPtrArray) errors = validate(name, "\"abCD\"");
  assert_error(errors, 0, "", "/maxLength", "maxLength", "expected at most 3 characters");
  assert_error(errors, 1, "", "/pattern", "pattern", "string does not match pattern ^[a-z]+$");
  g_assert_cmpuint(errors->len, ==, 2);
  assert_only_error("{\"minLength\":1}", "\"\"", "", "/minLength", "minLength", "expected at least 1 character");
  /* Lengths count code points, not bytes. */
  assert_valid("{\"maxLength\":3}", "\"\xc3\xa9t\xc3\xa9\"");
  /* Patterns search anywhere unless anchored. */
  assert_valid("{\"pattern\":\"b+\"}", "\"abbc\"");
}

static void
test_regex_dialect(void)
{
  /* ECMA-262: \d is ASCII only, $ does not match before a final newline,
   * "." does not match line terminators. */
  assert_only_error("{\"pattern\":\"^\\\\d$\"}", "\"\xd9\xa3\"", "", "/pattern", "pattern",
                    "string does not match pattern ^\\d$");
  assert_only_error("{\"pattern\":\"^a$\"}", "\"a\\n\"", "", "/pattern", "pattern",
                    "string does not match pattern ^a$");
  assert_only_error("{\"pattern\":\"^.$\"}", "\"\\r\"", "", "/pattern", "pattern",
                    "string does not match pattern ^.$");
  assert_valid("{\"pattern\":\"^\\\\p{L}+$\"}", "\"\xc3\xa9t\xc3\xa9\"");
  assert_valid("{\"pattern\":\"^\\\\u00e9\\\\cJ$\"}", "\"\xc3\xa9\\n\"");
  assert_compile_error("{\"pattern\":\"(\"}", ATX_JSON_SCHEMA_ERROR_INVALID, NULL);
}

static void
test_catastrophic_pattern(void)
{
  /* Exponential backtracking hits the match limit: reported, not hung. */
  g_autoptr(GPtrArray) errors = validate("{\"pattern\":\"^(a+)+$\"}", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"");
  g_assert_cmpuint(errors->len, ==, 1);
}

static void
test_enum_const(void)
{
  assert_only_error("{\"enum\":[\"dhcp\",\"static\"]}", "\"auto\"", "", "/enum", "enum",
                    "value must be one of: \"dhcp\", \"static\"");
  assert_only_error("{\"const\":1}", "2", "", "/const", "const", "value must be 1");
  assert_valid("{\"const\":1}", "1.0");
  assert_valid("{\"enum\":[{\"a\":[1,2]}]}", "{\"a\":[1.0,2]}");
}

static void
test_arrays(void)
{
  assert_only_error("{\"minItems\":1}", "[]", "", "/minItems", "minItems", "expected at least 1 item");
  assert_only_error("{\"maxItems\":2}", "[1,2,3]", "", "/maxItems", "maxItems", "expected at most 2 items");
  assert_only_error("{\"uniqueItems\":true}", "[1,\"a\",1.0]", "/2", "/uniqueItems", "uniqueItems",
                    "item 2 is a duplicate of item 0");
  assert_only_error("{\"items\":{\"type\":\"string\"}}", "[\"a\",2]", "/1", "/items/type", "type",
                    "expected string, got integer");
  assert_only_error("{\"prefixItems\":[true],\"items\":false}", "[1,2]", "/1", "/items", "items",
                    "unexpected item: at most 1 item allowed");
  assert_only_error("{\"contains\":{\"const\":5}}", "[1,2]", "", "/contains", "contains",
                    "expected at least one item matching the \"contains\" schema");
  assert_only_error("{\"contains\":{\"const\":5},\"maxContains\":1}", "[5,5]", "", "/maxContains", "maxContains",
                    "expected at most 1 item matching the \"contains\" schema, found 2");
}

static void
test_objects(void)
{
  const char *closed = "{\"type\":\"object\",\"required\":[\"version\"],\"additionalProperties\":false,"
                       "\"properties\":{\"version\":{\"const\":1}}}";
  g_autoptr(GPtrArray) errors = validate(closed, "{\"mtu\":1500,\"vlan\":2}");
  assert_error(errors, 0, "", "/required", "required", "missing required key \"version\"");
  assert_error(errors, 1, "/mtu", "/additionalProperties", "additionalProperties", "unknown key \"mtu\"");
  assert_error(errors, 2, "/vlan", "/additionalProperties", "additionalProperties", "unknown key \"vlan\"");
  g_assert_cmpuint(errors->len, ==, 3);

  assert_only_error("{\"propertyNames\":{\"pattern\":\"^eth[0-9]+$\"}}", "{\"eth0\":1,\"wlan0\":2}", "/wlan0",
                    "/propertyNames/pattern", "pattern", "invalid key \"wlan0\": string does not match pattern ^eth[0-9]+$");
  assert_only_error("{\"dependentRequired\":{\"address\":[\"prefix\"]}}", "{\"address\":\"x\"}", "",
                    "/dependentRequired", "dependentRequired", "key \"prefix\" is required when \"address\" is present");
  assert_only_error("{\"minProperties\":1}", "{}", "", "/minProperties", "minProperties", "expected at least 1 key");
  assert_only_error("{\"properties\":{\"a\":false}}", "{\"a\":1}", "/a", "/properties/a", "properties",
                    "key \"a\" is not allowed");
  assert_only_error("{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
                    "{\"x-a\":1}", "/x-a", "/patternProperties/^x-/type", "type", "expected string, got integer");
}

static void
test_pointer_escaping(void)
{
  assert_only_error("{\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}", "{\"a/b~c\":1}", "/a~1b~0c",
                    "/properties/a~1b~0c/type", "type", "expected string, got integer");
}

static void
test_collects_all_errors(void)
{
  const char *schema = "{\"type\":\"object\",\"properties\":{\"ports\":{\"type\":\"array\",\"items\":"
                       "{\"type\":\"integer\",\"maximum\":65535}},\"name\":{\"type\":\"string\"}}}";
  g_autoptr(GPtrArray) errors = validate(schema, "{\"ports\":[1,70000,\"x\",80000],\"name\":5}");
  g_assert_cmpuint(errors->len, ==, 4);
  assert_error(errors, 0, "/ports/1", "/properties/ports/items/maximum", "maximum", "expected integer <= 65535");
  assert_error(errors, 1, "/ports/2", "/properties/ports/items/type", "type", "expected integer, got string");
  assert_error(errors, 2, "/ports/3", NULL, NULL, "expected integer <= 65535");
  assert_error(errors, 3, "/name", "/properties/name/type", "type", "expected string, got integer");
}

static void
test_opaque_values(void)
{
  g_autoptr(json_t) date = atx_json_opaque_new("local date", "1979-05-27");
  g_assert_cmpstr(atx_json_opaque_type(date), ==, "local date");
  g_assert_cmpstr(atx_json_opaque_text(date), ==, "1979-05-27");
  g_autoptr(json_t) plain = parse("{\"a\":1}");
  g_assert_null(atx_json_opaque_type(plain));

  g_autoptr(GPtrArray) type = validate_value("{\"type\":\"string\"}", date);
  assert_error(type, 0, "", "/type", "type", "expected string, got local date");
  g_autoptr(GPtrArray) object = validate_value("{\"type\":\"object\"}", date);
  assert_error(object, 0, "", "/type", "type", "expected object, got local date");
  /* Not an object: object keywords ignore it, as they ignore strings. */
  g_autoptr(GPtrArray) props = validate_value("{\"required\":[\"x\"],\"additionalProperties\":false}", date);
  g_assert_cmpuint(props->len, ==, 0);
  /* Equal to nothing in the schema, even the text it carries. */
  g_autoptr(GPtrArray) in_enum = validate_value("{\"enum\":[\"1979-05-27\"]}", date);
  assert_error(in_enum, 0, "", "/enum", "enum", "value must be \"1979-05-27\"");
  g_autoptr(GPtrArray) in_const = validate_value("{\"const\":\"1979-05-27\"}", date);
  g_assert_cmpuint(in_const->len, ==, 1);

  g_autoptr(json_t) dates = json_pack("[OO]", date, date);
  json_array_append_new(dates, atx_json_opaque_new("local date", "1980-01-01"));
  g_autoptr(GPtrArray) unique = validate_value("{\"uniqueItems\":true}", dates);
  assert_error(unique, 0, "/1", "/uniqueItems", "uniqueItems", "item 1 is a duplicate of item 0");
  g_assert_cmpuint(unique->len, ==, 1);
}

static void
test_unsupported_keywords(void)
{
  assert_compile_error("{\"properties\":{\"a\":{\"typo\":1}}}", ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD,
                       "unsupported keyword \"typo\" at /properties/a/typo");
  assert_compile_error("{\"$defs\":{\"x\":{\"items\":[{\"definitions\":{}}]}}}", ATX_JSON_SCHEMA_ERROR_INVALID,
                       "invalid schema at /$defs/x/items: expected an object or a boolean");
  assert_compile_error("{\"allOf\":[{\"dependencies\":{}}]}", ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD,
                       "unsupported keyword \"dependencies\" at /allOf/0/dependencies");
  assert_compile_error("{\"$schema\":\"http://json-schema.org/draft-07/schema#\"}",
                       ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD,
                       "unsupported keyword \"$schema\" at /$schema: only draft 2020-12 "
                       "(\"https://json-schema.org/draft/2020-12/schema\") is supported, not "
                       "\"http://json-schema.org/draft-07/schema#\"");
  /* Keys under properties/$defs are names, values under enum/const are data. */
  g_autoptr(AtxJsonSchema) names = compile("{\"properties\":{\"typo\":true},\"$defs\":{\"items\":{}},"
                                           "\"enum\":[{\"typo\":1}],\"const\":{\"x\":1},\"default\":{\"y\":2},"
                                           "\"examples\":[{\"z\":3}],\"title\":\"t\",\"format\":\"ipv4\"}");
  g_assert_nonnull(names);
}

static void
test_invalid_keyword_values(void)
{
  assert_compile_error("{\"maximum\":\"10\"}", ATX_JSON_SCHEMA_ERROR_INVALID,
                       "invalid \"maximum\" at /maximum: expected a number");
  assert_compile_error("{\"type\":\"int\"}", ATX_JSON_SCHEMA_ERROR_INVALID,
                       "invalid \"type\" at /type: expected one of null, boolean, object, array, number, string, "
                       "integer");
  assert_compile_error("{\"minLength\":-1}", ATX_JSON_SCHEMA_ERROR_INVALID,
                       "invalid \"minLength\" at /minLength: expected a non-negative integer");
  assert_compile_error("{\"multipleOf\":0}", ATX_JSON_SCHEMA_ERROR_INVALID,
                       "invalid \"multipleOf\" at /multipleOf: expected a number greater than 0");
}

static void
test_refs(void)
{
  const char *schema = "{\"$id\":\"https://example.invalid/root.json\","
                       "\"properties\":{\"a\":{\"$ref\":\"#/$defs/port\"},\"b\":{\"$ref\":\"#name\"},"
                       "\"c\":{\"$ref\":\"other.json\"},\"d\":{\"$ref\":\"other.json#/$defs/x\"}},"
                       "\"$defs\":{\"port\":{\"type\":\"integer\",\"maximum\":10},"
                       "\"named\":{\"$anchor\":\"name\",\"type\":\"string\"},"
                       "\"other\":{\"$id\":\"other.json\",\"type\":\"boolean\",\"$defs\":{\"x\":{\"const\":1}}}}}";
  g_autoptr(GPtrArray) errors = validate(schema, "{\"a\":11,\"b\":1,\"c\":1,\"d\":2}");
  g_assert_cmpuint(errors->len, ==, 4);
  assert_error(errors, 0, "/a", "/properties/a/$ref/maximum", "maximum", "expected integer <= 10");
  assert_error(errors, 1, "/b", "/properties/b/$ref/type", "type", "expected string, got integer");
  assert_error(errors, 2, "/c", "/properties/c/$ref/type", "type", "expected boolean, got integer");
  assert_error(errors, 3, "/d", "/properties/d/$ref/const", "const", "value must be 1");
}

static void
test_recursive_ref(void)
{
  const char *tree = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                     "\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}}}";
  assert_only_error(tree, "{\"children\":[{\"children\":[{\"name\":3}]}]}", "/children/0/children/0/name",
                    "/properties/children/items/$ref/properties/children/items/$ref/properties/name/type", "type",
                    "expected string, got integer");
}

static void
test_ref_loop(void)
{
  assert_only_error("{\"$ref\":\"#\"}", "1", "", "/$ref", "$ref",
                    "reference \"#\" loops back to itself without descending into the value");
  g_autoptr(GPtrArray) errors =
    validate("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}", "1");
  g_assert_cmpuint(errors->len, ==, 1);
}

static char *
repeat(const char *open, const char *middle, const char *close, guint times)
{
  GString *text = g_string_new(NULL);
  for (guint i = 0; i < times; i++)
    g_string_append(text, open);
  g_string_append(text, middle);
  for (guint i = 0; i < times; i++)
    g_string_append(text, close);
  return g_string_free(text, FALSE);
}

static void
test_limits(void)
{
  /* An even number of "not" around true accepts everything, but nesting past
   * the bound must not flip the answer to valid: it fails closed. */
  g_autofree char *nots = repeat("{\"not\":", "true", "}", 1600);
  assert_only_error(nots, "1", "", "", "limit", "validation gave up: schemas nest more than 1500 deep for this value");
  /* Each level applies the schema twice to the next one: 2^40 steps. */
  g_autofree char *deep = repeat("[", "", "]", 40);
  g_autoptr(GPtrArray) errors = validate("{\"anyOf\":[{\"items\":{\"$ref\":\"#\"}}],\"prefixItems\":[{\"$ref\":\"#\"}],"
                                         "\"not\":{\"const\":[]}}", deep);
  const AtxJsonSchemaError *last = g_ptr_array_index(errors, errors->len - 1);
  g_assert_cmpstr(last->keyword, ==, "limit");
  g_assert_cmpstr(last->message, ==, "validation gave up: the schema needs too many steps for this value");
}

static void
test_bad_references(void)
{
  assert_compile_error("{\"$ref\":\"#/$defs/missing\"}", ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE,
                       "$ref \"urn:atomix:schema#/$defs/missing\" at /$ref: nothing at /$defs/missing in "
                       "urn:atomix:schema");
  assert_compile_error("{\"$ref\":\"#nowhere\"}", ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE,
                       "$ref \"urn:atomix:schema#nowhere\" at /$ref: no anchor \"nowhere\" in urn:atomix:schema");
}

static void
test_remote_resource(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) document = parse("{\"$ref\":\"http://localhost:1234/int.json\"}");
  g_autoptr(AtxJsonSchema) schema = atx_json_schema_compile(document, NULL, &error);
  g_assert_no_error(error);
  g_assert_false(atx_json_schema_check_references(schema, &error));
  g_assert_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE);
  g_clear_error(&error);

  g_autoptr(json_t) remote = parse("{\"type\":\"integer\"}");
  g_assert_true(atx_json_schema_add_resource(schema, "http://localhost:1234/int.json", remote, &error));
  g_assert_no_error(error);
  g_assert_true(atx_json_schema_check_references(schema, &error));
  g_autoptr(json_t) good = parse("3");
  g_autoptr(json_t) bad = parse("\"x\"");
  g_assert_true(atx_json_schema_validate(schema, good, NULL));
  g_assert_false(atx_json_schema_validate(schema, bad, NULL));
}

static void
test_combinators(void)
{
  assert_only_error("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "true", "", "/anyOf", "anyOf",
                    "value does not match any allowed schema");
  /* The closest branch is explained; branches failing on a discriminator are not. */
  const char *modes = "{\"oneOf\":[{\"properties\":{\"mode\":{\"const\":\"dhcp\"}}},"
                      "{\"properties\":{\"mode\":{\"const\":\"static\"}},\"required\":[\"address\"]}]}";
  g_autoptr(GPtrArray) errors = validate(modes, "{\"mode\":\"static\"}");
  g_assert_cmpuint(errors->len, ==, 2);
  assert_error(errors, 0, "", "/oneOf", "oneOf", "value does not match any allowed schema");
  assert_error(errors, 1, "", "/oneOf/1/required", "required", "missing required key \"address\"");
  assert_only_error("{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":0}]}", "3", "", "/oneOf", "oneOf",
                    "value matches more than one allowed schema (0 and 1), expected exactly one");
  assert_only_error("{\"not\":{\"type\":\"string\"}}", "\"a\"", "", "/not", "not",
                    "value must not match the \"not\" schema");
  assert_only_error("{\"if\":{\"properties\":{\"mode\":{\"const\":\"static\"}}},\"then\":{\"required\":[\"address\"]}}",
                    "{\"mode\":\"static\"}", "", "/then/required", "required", "missing required key \"address\"");
}

static void
test_unevaluated(void)
{
  const char *schema = "{\"allOf\":[{\"properties\":{\"a\":true}}],\"unevaluatedProperties\":false}";
  assert_valid(schema, "{\"a\":1}");
  assert_only_error(schema, "{\"a\":1,\"b\":2}", "/b", "/unevaluatedProperties", "unevaluatedProperties",
                    "unknown key \"b\"");
  assert_only_error("{\"prefixItems\":[true],\"unevaluatedItems\":false}", "[1,2]", "/1", "/unevaluatedItems",
                    "unevaluatedItems", "unexpected item");
}

static void
test_dynamic_ref(void)
{
  const char *schema = "{\"$id\":\"https://example.invalid/strict\",\"$dynamicAnchor\":\"node\","
                       "\"$ref\":\"tree\",\"unevaluatedProperties\":false,"
                       "\"$defs\":{\"tree\":{\"$id\":\"tree\",\"$dynamicAnchor\":\"node\",\"type\":\"object\","
                       "\"properties\":{\"data\":true,\"children\":{\"items\":{\"$dynamicRef\":\"#node\"}}}}}}";
  assert_valid(schema, "{\"children\":[{\"data\":1}]}");
  assert_only_error(schema, "{\"children\":[{\"daat\":1}]}", "/children/0/daat",
                    "/$ref/properties/children/items/$dynamicRef/unevaluatedProperties", "unevaluatedProperties",
                    "unknown key \"daat\"");
}

static void
test_boolean_schemas(void)
{
  assert_valid("true", "{\"anything\":[1]}");
  assert_only_error("false", "1", "", "", "false", "no value is allowed here");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/jsonschema/type", test_type);
  g_test_add_func("/jsonschema/numbers", test_numbers);
  g_test_add_func("/jsonschema/strings", test_strings);
  g_test_add_func("/jsonschema/regex-dialect", test_regex_dialect);
  g_test_add_func("/jsonschema/catastrophic-pattern", test_catastrophic_pattern);
  g_test_add_func("/jsonschema/enum-const", test_enum_const);
  g_test_add_func("/jsonschema/arrays", test_arrays);
  g_test_add_func("/jsonschema/objects", test_objects);
  g_test_add_func("/jsonschema/pointer-escaping", test_pointer_escaping);
  g_test_add_func("/jsonschema/collects-all-errors", test_collects_all_errors);
  g_test_add_func("/jsonschema/opaque-values", test_opaque_values);
  g_test_add_func("/jsonschema/unsupported-keywords", test_unsupported_keywords);
  g_test_add_func("/jsonschema/invalid-keyword-values", test_invalid_keyword_values);
  g_test_add_func("/jsonschema/refs", test_refs);
  g_test_add_func("/jsonschema/recursive-ref", test_recursive_ref);
  g_test_add_func("/jsonschema/ref-loop", test_ref_loop);
  g_test_add_func("/jsonschema/limits", test_limits);
  g_test_add_func("/jsonschema/bad-references", test_bad_references);
  g_test_add_func("/jsonschema/remote-resource", test_remote_resource);
  g_test_add_func("/jsonschema/combinators", test_combinators);
  g_test_add_func("/jsonschema/unevaluated", test_unevaluated);
  g_test_add_func("/jsonschema/dynamic-ref", test_dynamic_ref);
  g_test_add_func("/jsonschema/boolean-schemas", test_boolean_schemas);
  return g_test_run();
}
