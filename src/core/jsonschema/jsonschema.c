/* The public face of the validator: opaque values, the schema object's life
 * cycle and the error records. Compilation lives in jsonschema_compile.c and
 * jsonschema_resolve.c, validation in jsonschema_validate.c and the keyword
 * files. */
#include "core/jsonschema/jsonschema.h"

#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

/* Base URI of a document that names none: relative references inside it
 * resolve against this, and it can never clash with a real location. */
#define DEFAULT_BASE_URI "urn:atomix:schema"

G_DEFINE_QUARK(atx-json-schema-error-quark, atx_json_schema_error)

AtxJsonSchema *
atx_js_schema_new(json_t *document)
{
  AtxJsonSchema *schema = g_new0(AtxJsonSchema, 1);
  schema->document = json_incref(document);
  schema->allocations = g_ptr_array_new_with_free_func(g_free);
  schema->regexes = g_ptr_array_new_with_free_func((GDestroyNotify) g_regex_unref);
  schema->tables = g_ptr_array_new_with_free_func((GDestroyNotify) g_hash_table_unref);
  schema->json_refs = g_ptr_array_new_with_free_func((GDestroyNotify) json_decref);
  schema->resources = g_hash_table_new(g_str_hash, g_str_equal);
  schema->anchors = g_hash_table_new(g_str_hash, g_str_equal);
  schema->nodes_by_json = g_hash_table_new(g_direct_hash, g_direct_equal);
  schema->documents = g_hash_table_new(g_str_hash, g_str_equal);
  schema->pending_refs = g_ptr_array_new();
  return schema;
}

void
atx_json_schema_free(AtxJsonSchema *schema)
{
  if (!schema)
    return;
  g_hash_table_unref(schema->resources);
  g_hash_table_unref(schema->anchors);
  g_hash_table_unref(schema->nodes_by_json);
  g_hash_table_unref(schema->documents);
  g_ptr_array_unref(schema->pending_refs);
  g_ptr_array_unref(schema->tables);
  g_ptr_array_unref(schema->regexes);
  g_ptr_array_unref(schema->allocations);
  g_ptr_array_unref(schema->json_refs);
  json_decref(schema->document);
  g_free(schema);
}

/* An absolute URI without fragment: the key documents are known by. */
static char *
document_uri(const char *uri)
{
  g_autofree char *resolved = atx_js_uri_resolve(DEFAULT_BASE_URI, uri ? uri : "");
  g_autofree char *fragment = NULL;
  return atx_js_uri_split_fragment(resolved, &fragment);
}

AtxJsonSchema *
atx_json_schema_compile(json_t *document, const char *base_uri, GError **error)
{
  g_return_val_if_fail(document != NULL, NULL);
  g_autoptr(AtxJsonSchema) schema = atx_js_schema_new(document);
  g_autofree char *uri = document_uri(base_uri);
  if (!atx_js_compile_document(schema, document, uri, &schema->root, error) ||
      !atx_js_resolve_pending(schema, error))
    return NULL;
  return g_steal_pointer(&schema);
}

gboolean
atx_json_schema_add_resource(AtxJsonSchema *schema, const char *uri, json_t *document, GError **error)
{
  g_autofree char *key = document_uri(uri);
  if (g_hash_table_contains(schema->documents, key) || g_hash_table_contains(schema->resources, key)) {
    g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID, "a schema named \"%s\" is already known",
                key);
    return FALSE;
  }
  g_ptr_array_add(schema->json_refs, json_incref(document));
  g_hash_table_insert(schema->documents, (gpointer) atx_js_arena_strdup(schema, key), document);
  return atx_js_resolve_pending(schema, error);
}

gboolean
atx_json_schema_check_references(const AtxJsonSchema *schema, GError **error)
{
  if (schema->pending_refs->len == 0)
    return TRUE;
  const AtxJsRef *ref = g_ptr_array_index(schema->pending_refs, 0);
  g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE,
              "%s \"%s\" at %s: no schema with this URI was added", ref->dynamic ? "$dynamicRef" : "$ref", ref->uri,
              ref->location);
  return FALSE;
}

void
atx_json_schema_error_free(AtxJsonSchemaError *error)
{
  if (!error)
    return;
  g_free(error->instance_pointer);
  g_free(error->keyword_location);
  g_free(error->keyword);
  g_free(error->message);
  g_free(error);
}

gboolean
atx_json_schema_validate_instance(const AtxJsonSchema *schema, const AtxJsonInstanceClass *klass, gconstpointer root,
                                  GPtrArray **errors_out)
{
  g_return_val_if_fail(schema != NULL && klass != NULL && root != NULL, FALSE);
  AtxJsValue instance;
  atx_js_value_init(&instance, klass, root);
  if (!errors_out)
    return atx_js_validate(schema, &instance, NULL);
  *errors_out = g_ptr_array_new_with_free_func((GDestroyNotify) atx_json_schema_error_free);
  return atx_js_validate(schema, &instance, *errors_out);
}

gboolean
atx_json_schema_validate(const AtxJsonSchema *schema, const json_t *instance, GPtrArray **errors_out)
{
  g_return_val_if_fail(schema != NULL && instance != NULL, FALSE);
  return atx_json_schema_validate_instance(schema, atx_json_instance_class(), instance, errors_out);
}
