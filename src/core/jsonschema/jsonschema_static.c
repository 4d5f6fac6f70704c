/* Loading a schema compiled at build time (jsonschema_emit.c wrote it): the
 * node graph is already in place as static data; only what cannot be static
 * is made here, in the order the emitter wrote it: the json_t values of enum,
 * const and the numeric limits, and GRegex for patterns outside the simple
 * subset. */
#include "core/jsonschema/jsonschema_private.h"

static gboolean
load_pattern(AtxJsonSchema *schema, AtxJsPattern *pattern, GError **error)
{
  /* Patterns were checked with GRegex at build time; a simple one came with
   * its matcher and never needs GRegex. */
  if (pattern->fast)
    return TRUE;
  pattern->regex = atx_js_regex_compile(pattern->source, error);
  if (!pattern->regex) {
    g_prefix_error(error, "pattern \"%s\": ", pattern->source);
    return FALSE;
  }
  g_ptr_array_add(schema->regexes, pattern->regex);
  return TRUE;
}

static const json_t *
next_value(const json_t *values, gsize *next, GError **error)
{
  const json_t *value = json_array_get(values, (*next)++);
  if (!value)
    g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID,
                "static schema: fewer values than keywords that need one");
  return value;
}

static gboolean
load_keyword(AtxJsonSchema *schema, AtxJsKeyword *k, const json_t *values, gsize *next, GError **error)
{
  switch (k->kind) {
  case KW_ENUM:
  case KW_CONST:
    return (k->u.value = next_value(values, next, error)) != NULL;
  case KW_MULTIPLE_OF:
  case KW_MAXIMUM:
  case KW_EXCLUSIVE_MAXIMUM:
  case KW_MINIMUM:
  case KW_EXCLUSIVE_MINIMUM:
    return (k->u.limit.json = next_value(values, next, error)) != NULL;
  case KW_PATTERN:
    return load_pattern(schema, &k->u.pattern, error);
  case KW_PROPERTIES:
    for (guint i = 0; i < k->u.properties.n_patterns; i++)
      if (!load_pattern(schema, &k->u.properties.patterns[i].pattern, error))
        return FALSE;
    return TRUE;
  default:
    return TRUE;
  }
}

AtxJsonSchema *
atx_json_schema_load_static(AtxJsonSchemaStatic *data, GError **error)
{
  if (data->loaded || data->n_nodes == 0) {
    g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID, "static schema: %s",
                data->loaded ? "already loaded (load it once)" : "has no nodes");
    return NULL;
  }
  g_autoptr(AtxJsonSchema) schema = atx_js_schema_new(NULL);
  json_t *values = data->make_values();
  if (!json_is_array(values)) {
    json_decref(values);
    g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID,
                "static schema: values are no JSON array");
    return NULL;
  }
  g_ptr_array_add(schema->json_refs, values);
  data->loaded = TRUE;
  gsize next = 0;
  for (guint i = 0; i < data->n_nodes; i++)
    for (guint j = 0; j < data->nodes[i].n_keywords; j++)
      if (!load_keyword(schema, &data->nodes[i].keywords[j], values, &next, error))
        return NULL;
  if (next != json_array_size(values)) {
    g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID,
                "static schema: more values than keywords that need one");
    return NULL;
  }
  schema->root = &data->nodes[0];
  return g_steal_pointer(&schema);
}
