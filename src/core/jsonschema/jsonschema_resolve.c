/* Binding $ref and $dynamicRef to compiled nodes.
 *
 * A reference names a resource (its URI without fragment) and, through the
 * fragment, either a JSON Pointer from that resource's root or an anchor. A
 * pointer may land on JSON that was never compiled as a schema (inside an
 * unknown place of an added document); it is compiled on the spot. */
#include "core/jsonschema/jsonschema_private.h"

#include "core/base/jsonpointer.h"

#include <string.h>

typedef enum {
  RESOLVED,
  PENDING, /* the document is not known (yet) */
  FAILED,
} Resolution;

static Resolution G_GNUC_PRINTF(3, 4)
bad_reference(const AtxJsRef *ref, GError **error, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *detail = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE, "%s \"%s\" at %s: %s",
              ref->dynamic ? "$dynamicRef" : "$ref", ref->uri, ref->location, detail);
  return FAILED;
}

/* Finds the resource named @uri, compiling an added document on first use.
 * Returns NULL with *failed FALSE when nobody knows the URI. */
static AtxJsResource *
find_resource(AtxJsonSchema *schema, const char *uri, gboolean *failed, GError **error)
{
  *failed = FALSE;
  AtxJsResource *resource = g_hash_table_lookup(schema->resources, uri);
  if (resource)
    return resource;
  const json_t *document = g_hash_table_lookup(schema->documents, uri);
  if (!document)
    return NULL;
  AtxJsNode *root;
  if (!atx_js_compile_document(schema, document, uri, &root, error)) {
    *failed = TRUE;
    return NULL;
  }
  return g_hash_table_lookup(schema->resources, uri);
}

static const json_t *
walk_pointer(const json_t *at, char **tokens)
{
  for (guint i = 0; at && tokens[i]; i++) {
    gsize index;
    if (json_is_object(at))
      at = json_object_get(at, tokens[i]);
    else if (json_is_array(at) && atx_json_pointer_parse_index(tokens[i], &index))
      at = json_array_get(at, index);
    else
      at = NULL;
  }
  return at;
}

static Resolution
resolve_pointer(AtxJsonSchema *schema, AtxJsRef *ref, AtxJsResource *resource, const char *fragment,
                GError **error)
{
  g_auto(GStrv) tokens = atx_json_pointer_split(fragment, NULL);
  if (!tokens)
    return bad_reference(ref, error, "\"%s\" is not a valid JSON Pointer", fragment);
  const json_t *target = walk_pointer(resource->json, tokens);
  if (!target)
    return bad_reference(ref, error, "nothing at %s in %s", fragment, resource->uri);
  ref->target = g_hash_table_lookup(schema->nodes_by_json, target);
  if (!ref->target && !atx_js_compile_at(schema, target, resource, resource->uri, fragment, &ref->target, error))
    return FAILED;
  return RESOLVED;
}

static Resolution
resolve_anchor(AtxJsonSchema *schema, AtxJsRef *ref, AtxJsResource *resource, const char *name, GError **error)
{
  g_autofree char *key = g_strdup_printf("%s#%s", resource->uri, name);
  ref->target = g_hash_table_lookup(schema->anchors, key);
  if (!ref->target)
    return bad_reference(ref, error, "no anchor \"%s\" in %s", name, resource->uri);
  /* Only an anchor made by $dynamicAnchor makes a $dynamicRef dynamic. */
  if (ref->dynamic && g_strcmp0(ref->target->dynamic_anchor, name) == 0)
    ref->dynamic_name = atx_js_arena_strdup(schema, name);
  return RESOLVED;
}

static Resolution
resolve_one(AtxJsonSchema *schema, AtxJsRef *ref, GError **error)
{
  g_autofree char *fragment = NULL;
  g_autofree char *uri = atx_js_uri_split_fragment(ref->uri, &fragment);
  gboolean failed;
  AtxJsResource *resource = find_resource(schema, uri, &failed, error);
  if (failed)
    return FAILED;
  if (!resource)
    return PENDING;
  if (!fragment || !*fragment) {
    ref->target = resource->root;
    return RESOLVED;
  }
  if (fragment[0] == '/')
    return resolve_pointer(schema, ref, resource, fragment, error);
  return resolve_anchor(schema, ref, resource, fragment, error);
}

gboolean
atx_js_resolve_pending(AtxJsonSchema *schema, GError **error)
{
  gboolean progress = TRUE;
  while (progress) {
    progress = FALSE;
    for (guint i = 0; i < schema->pending_refs->len;) {
      Resolution result = resolve_one(schema, g_ptr_array_index(schema->pending_refs, i), error);
      if (result == FAILED)
        return FALSE;
      if (result == PENDING) {
        i++;
        continue;
      }
      g_ptr_array_remove_index_fast(schema->pending_refs, i);
      progress = TRUE;
    }
  }
  return TRUE;
}
