/* libFuzzer target for the JSON Schema validator.
 *
 * The input is read as JSON. A two-element array is taken as [schema, instance]:
 * the schema is compiled (with one remote document available) and, when the
 * validator accepts it, the instance is validated in both modes, which must
 * agree. Whatever the input is, it is also validated as an instance against a
 * fixed, realistic configuration schema. An object instance is also written as
 * TOML and parsed back, and that TOML tree is validated both directly
 * (atx_toml_instance_class) and through its atx_toml_to_json conversion: the
 * two must give the same validity and the same errors. Crashes, leaks,
 * sanitizer reports and any disagreement are findings. */
#include "core/jsonschema/jsonschema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/toml/toml.h"
#include "core/toml/toml_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_schema_text[] =
  "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
  " \"$id\":\"https://atomixos.invalid/fuzz.json\","
  " \"type\":\"object\", \"required\":[\"version\"], \"additionalProperties\":false,"
  " \"properties\":{"
  "  \"version\":{\"const\":1},"
  "  \"hostname\":{\"type\":\"string\",\"pattern\":\"^[a-z][a-z0-9-]{0,62}$\"},"
  "  \"interfaces\":{\"type\":\"object\",\"propertyNames\":{\"pattern\":\"^eth[0-9]+$\"},"
  "                  \"additionalProperties\":{\"$ref\":\"#/$defs/interface\"}},"
  "  \"ports\":{\"type\":\"array\",\"uniqueItems\":true,\"items\":{\"$ref\":\"#port\"},\"maxItems\":64},"
  "  \"tags\":{\"type\":\"array\",\"prefixItems\":[{\"enum\":[\"a\",\"b\"]}],\"unevaluatedItems\":{\"type\":\"string\"},"
  "           \"contains\":{\"minLength\":2},\"maxContains\":3},"
  "  \"tree\":{\"$ref\":\"#/$defs/tree\"},"
  "  \"ratio\":{\"type\":\"number\",\"multipleOf\":0.01,\"exclusiveMinimum\":0,\"maximum\":1e6}"
  " },"
  " \"dependentRequired\":{\"ports\":[\"hostname\"]},"
  " \"$defs\":{"
  "  \"port\":{\"$anchor\":\"port\",\"type\":\"integer\",\"minimum\":1,\"maximum\":65535},"
  "  \"interface\":{\"type\":\"object\",\"unevaluatedProperties\":false,"
  "   \"properties\":{\"mtu\":{\"type\":\"integer\",\"minimum\":576,\"maximum\":9000}},"
  "   \"oneOf\":["
  "    {\"properties\":{\"mode\":{\"const\":\"dhcp\"}},\"required\":[\"mode\"]},"
  "    {\"properties\":{\"mode\":{\"const\":\"static\"},\"address\":{\"type\":\"string\","
  "      \"pattern\":\"^([0-9]{1,3}\\\\.){3}[0-9]{1,3}/[0-9]{1,2}$\"}},\"required\":[\"mode\",\"address\"]}],"
  "   \"if\":{\"required\":[\"mtu\"]},\"then\":{\"properties\":{\"mtu\":{\"multipleOf\":2}}}},"
  "  \"tree\":{\"$dynamicAnchor\":\"node\",\"type\":\"object\",\"maxProperties\":4,"
  "   \"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":16},"
  "    \"children\":{\"type\":\"array\",\"items\":{\"$dynamicRef\":\"#node\"}}},"
  "   \"anyOf\":[{\"required\":[\"name\"]},{\"not\":{\"required\":[\"children\"]}}]}"
  " }}";

static const char remote_text[] = "{\"$defs\":{\"s\":{\"type\":\"string\",\"pattern\":\"\\\\w+\"}},\"type\":\"integer\"}";

static AtxJsonSchema *fixed_schema;

static void
setup(void)
{
  json_t *document = json_loads(fixed_schema_text, 0, NULL);
  fixed_schema = atx_json_schema_compile(document, NULL, NULL);
  json_decref(document);
  if (!fixed_schema)
    abort();
}

/* Collecting errors does more work than deciding validity, so only it may run
 * out of steps; then it gives up (invalid) where the quick answer is valid. */
static gboolean
gave_up(GPtrArray *errors)
{
  for (guint i = 0; i < errors->len; i++)
    if (strcmp(((AtxJsonSchemaError *) g_ptr_array_index(errors, i))->keyword, "limit") == 0)
      return TRUE;
  return FALSE;
}

static void
validate_both_ways(const AtxJsonSchema *schema, const json_t *instance)
{
  GPtrArray *errors = NULL;
  gboolean full = atx_json_schema_validate(schema, instance, &errors);
  gboolean quick = atx_json_schema_validate(schema, instance, NULL);
  if (full != (errors->len == 0))
    abort();
  if (full != quick && !(quick && gave_up(errors)))
    abort();
  g_ptr_array_unref(errors);
}

static void
assert_same_errors(GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    abort();
  for (guint i = 0; i < a->len; i++) {
    const AtxJsonSchemaError *x = g_ptr_array_index(a, i), *y = g_ptr_array_index(b, i);
    if (strcmp(x->instance_pointer, y->instance_pointer) != 0 || strcmp(x->keyword_location, y->keyword_location) != 0 ||
        strcmp(x->keyword, y->keyword) != 0 || strcmp(x->message, y->message) != 0)
      abort();
  }
}

/* The instance as a TOML document, validated in place and as JSON. */
static void
validate_as_toml(const AtxJsonSchema *schema, const json_t *instance)
{
  if (!json_is_object(instance) || atx_json_opaque_type(instance))
    return;
  char *text = atx_toml_write(instance, NULL);
  if (!text)
    return; /* null, or an opaque value TOML cannot write */
  AtxTomlDoc *doc = atx_toml_parse(text, strlen(text), NULL, NULL, NULL);
  g_free(text);
  if (!doc)
    return; /* an opaque value whose text is no date */
  const AtxTomlValue *root = atx_toml_doc_root(doc);
  json_t *converted = atx_toml_to_json(root);
  GPtrArray *direct_errors = NULL, *converted_errors = NULL;
  gboolean direct = atx_json_schema_validate_instance(schema, atx_toml_instance_class(), root, &direct_errors);
  if (direct != atx_json_schema_validate(schema, converted, &converted_errors))
    abort();
  assert_same_errors(direct_errors, converted_errors);
  if (atx_json_schema_validate_instance(schema, atx_toml_instance_class(), root, NULL) !=
      atx_json_schema_validate(schema, converted, NULL))
    abort();
  g_ptr_array_unref(direct_errors);
  g_ptr_array_unref(converted_errors);
  json_decref(converted);
  atx_toml_doc_free(doc);
}

static void
fuzz_schema(json_t *schema_json, const json_t *instance)
{
  AtxJsonSchema *schema = atx_json_schema_compile(schema_json, "http://localhost:1234/fuzz/root.json", NULL);
  if (!schema)
    return;
  json_t *remote = json_loads(remote_text, 0, NULL);
  gboolean added = atx_json_schema_add_resource(schema, "http://localhost:1234/remote.json", remote, NULL);
  json_decref(remote);
  if (added) {
    validate_both_ways(schema, instance);
    validate_as_toml(schema, instance);
  }
  atx_json_schema_free(schema);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!fixed_schema)
    setup();
  json_t *input = json_loadb((const char *) data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
  if (!input)
    return 0;
  validate_both_ways(fixed_schema, input);
  validate_as_toml(fixed_schema, input);
  if (json_is_array(input) && json_array_size(input) == 2)
    fuzz_schema(json_array_get(input, 0), json_array_get(input, 1));
  json_decref(input);
  return 0;
}
