/* Applying a compiled schema to an instance: the walk over nodes, the
 * locations, the error records and the annotations for unevaluated*.
 *
 * Locations are kept as stacks of borrowed segments and only turned into
 * strings when an error is reported, so a valid instance costs no string work.
 * The keywords themselves are checked in jsonschema_keywords.c. */
#include "core/jsonschema_private.h"

#include "core/jsonpointer.h"

#include <string.h>

/* Deep enough for any real document, shallow enough for the C stack. */
#define MAX_DEPTH 1500

/* A schema may apply subschemas to the same value several times at every
 * level ({"anyOf": [{"items": {"$ref": "#"}}], "prefixItems": [{"$ref": "#"}]}),
 * which is exponential in the depth of the value. Real configurations need a
 * few thousand steps; past this budget the value is declared invalid. */
#define MAX_STEPS (1u << 22)

void
atx_js_annotations_clear(AtxJsAnnotations *a)
{
  g_clear_pointer(&a->properties, g_hash_table_unref);
  g_clear_pointer(&a->matched, g_free);
  memset(a, 0, sizeof *a);
}

void
atx_js_annotate_property(AtxJsAnnotations *a, const char *key)
{
  if (!a)
    return;
  if (!a->properties)
    a->properties = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_add(a->properties, (gpointer) key);
}

void
atx_js_annotate_item(AtxJsAnnotations *a, gsize index, gsize n_items)
{
  if (!a)
    return;
  if (!a->matched) {
    a->matched = g_malloc0(n_items ? n_items : 1);
    a->n_matched = n_items;
  }
  if (index < a->n_matched)
    a->matched[index] = 1;
}

void
atx_js_annotations_merge(AtxJsAnnotations *into, const AtxJsAnnotations *from)
{
  if (!into)
    return;
  if (from->properties) {
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init(&iter, from->properties);
    while (g_hash_table_iter_next(&iter, &key, NULL))
      atx_js_annotate_property(into, key);
  }
  into->items_prefix = MAX(into->items_prefix, from->items_prefix);
  into->all_items |= from->all_items;
  for (gsize i = 0; i < from->n_matched; i++)
    if (from->matched[i])
      atx_js_annotate_item(into, i, from->n_matched);
}

gboolean
atx_js_item_evaluated(const AtxJsAnnotations *a, gsize index)
{
  return a->all_items || index < a->items_prefix || (index < a->n_matched && a->matched[index]);
}

char *
atx_js_instance_pointer(const AtxJsCtx *ctx)
{
  GString *pointer = g_string_new(NULL);
  for (guint i = 0; i < ctx->instance_path->len; i++) {
    const AtxJsInstanceStep *step = &g_array_index(ctx->instance_path, AtxJsInstanceStep, i);
    if (step->key)
      atx_json_pointer_append(pointer, step->key);
    else
      atx_json_pointer_append_index(pointer, step->index);
  }
  return g_string_free(pointer, FALSE);
}

static void G_GNUC_PRINTF(4, 0)
report_va(AtxJsCtx *ctx, const char *keyword, const char *segment, const char *format, va_list args)
{
  /* Building the locations costs their length: charge it to the step budget
   * so a hostile schema cannot spend it on error strings instead. */
  ctx->steps += ctx->instance_path->len + ctx->schema_path->len;
  if (ctx->steps > MAX_STEPS && !ctx->gave_up)
    ctx->gave_up = "the schema needs too many steps for this value";
  if (ctx->gave_up)
    return;
  AtxJsonSchemaError *e = g_new0(AtxJsonSchemaError, 1);
  GString *where = g_string_new(NULL);
  for (guint i = 0; i < ctx->schema_path->len; i++)
    g_string_append(where, g_ptr_array_index(ctx->schema_path, i));
  if (segment)
    g_string_append(where, segment);
  else if (keyword)
    atx_json_pointer_append(where, keyword);
  e->message = g_strdup_vprintf(format, args);
  e->instance_pointer = atx_js_instance_pointer(ctx);
  e->keyword_location = g_string_free(where, FALSE);
  e->keyword = g_strdup(keyword ? keyword : "false");
  g_ptr_array_add(ctx->errors, e);
}

void
atx_js_report(AtxJsCtx *ctx, const char *keyword, const char *format, ...)
{
  if (!ctx->errors)
    return;
  va_list args;
  va_start(args, format);
  report_va(ctx, keyword, NULL, format, args);
  va_end(args);
}

void
atx_js_report_at(AtxJsCtx *ctx, const char *segment, const char *keyword, const char *format, ...)
{
  if (!ctx->errors)
    return;
  va_list args;
  va_start(args, format);
  report_va(ctx, keyword, segment, format, args);
  va_end(args);
}

gboolean
atx_js_validate_child(AtxJsCtx *ctx, const AtxJsChild *child, const json_t *instance,
                      AtxJsAnnotations *annotations)
{
  atx_js_push_schema(ctx, child->segment);
  gboolean ok = atx_js_validate_node(ctx, child->node, instance, annotations);
  atx_js_pop_schema(ctx);
  return ok;
}

gboolean
atx_js_check_child(AtxJsCtx *ctx, const AtxJsChild *child, const json_t *instance,
                   AtxJsAnnotations *annotations)
{
  GPtrArray *saved = ctx->errors;
  ctx->errors = NULL;
  gboolean ok = atx_js_validate_child(ctx, child, instance, annotations);
  ctx->errors = saved;
  return ok;
}

/* The dynamic scope grows whenever evaluation crosses into another schema
 * resource; $dynamicRef searches it from the outermost end. */
static gboolean
enter_node(AtxJsCtx *ctx, const AtxJsNode *node, gboolean *pushed_scope)
{
  *pushed_scope = FALSE;
  if (++ctx->steps > MAX_STEPS && !ctx->gave_up)
    ctx->gave_up = "the schema needs too many steps for this value";
  if (ctx->depth >= MAX_DEPTH && !ctx->gave_up)
    ctx->gave_up = "schemas nest more than " G_STRINGIFY(MAX_DEPTH) " deep for this value";
  if (ctx->gave_up)
    return FALSE;
  ctx->depth++;
  guint n = ctx->scope->len;
  if (node->resource && (n == 0 || g_ptr_array_index(ctx->scope, n - 1) != node->resource)) {
    g_ptr_array_add(ctx->scope, node->resource);
    *pushed_scope = TRUE;
  }
  return TRUE;
}

static gboolean
validate_keywords(AtxJsCtx *ctx, const AtxJsNode *node, const json_t *instance, AtxJsAnnotations *annotations)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < node->n_keywords; i++) {
    if (!atx_js_validate_keyword(ctx, &node->keywords[i], node, instance, annotations)) {
      ok = FALSE;
      if (!ctx->errors)
        break;
    }
  }
  return ok;
}

gboolean
atx_js_validate_node(AtxJsCtx *ctx, const AtxJsNode *node, const json_t *instance,
                     AtxJsAnnotations *annotations)
{
  if (node->is_boolean) {
    if (!node->boolean_value)
      atx_js_report(ctx, NULL, "no value is allowed here");
    return node->boolean_value;
  }
  gboolean pushed_scope;
  if (!enter_node(ctx, node, &pushed_scope))
    return FALSE;
  gboolean ok;
  if (node->needs_annotations) {
    AtxJsAnnotations own = { 0 };
    ok = validate_keywords(ctx, node, instance, &own);
    /* Failed subschemas drop their annotations; when errors are collected the
     * whole validation has failed already and keeping them only spares the
     * user "unknown key" noise for keys declared in the failing part. */
    if (ok || ctx->errors)
      atx_js_annotations_merge(annotations, &own);
    atx_js_annotations_clear(&own);
  } else {
    ok = validate_keywords(ctx, node, instance, annotations);
  }
  if (pushed_scope)
    g_ptr_array_set_size(ctx->scope, ctx->scope->len - 1);
  ctx->depth--;
  return ok;
}

gboolean
atx_js_validate(const AtxJsonSchema *schema, const json_t *instance, GPtrArray *errors)
{
  AtxJsCtx ctx = {
    .errors = errors,
    .schema_path = g_ptr_array_new(),
    .instance_path = g_array_new(FALSE, FALSE, sizeof(AtxJsInstanceStep)),
    .scope = g_ptr_array_new(),
    .refs = g_array_new(FALSE, FALSE, sizeof(AtxJsRefFrame)),
  };
  /* The root counts as followed already: {"$ref": "#"} loops at its first step. */
  AtxJsRefFrame root = { schema->root, instance };
  g_array_append_val(ctx.refs, root);
  gboolean ok = atx_js_validate_node(&ctx, schema->root, instance, NULL);
  if (ctx.gave_up) {
    /* "not" and "if" may have read the abandoned parts as failures that make
     * the value pass: fail closed. */
    const char *why = ctx.gave_up;
    ok = FALSE;
    ctx.gave_up = NULL; /* lets the last word through */
    ctx.steps = 0;
    if (errors) {
      g_array_set_size(ctx.instance_path, 0);
      g_ptr_array_set_size(ctx.schema_path, 0);
      atx_js_report_at(&ctx, "", "limit", "validation gave up: %s", why);
    }
  }
  g_ptr_array_unref(ctx.schema_path);
  g_array_unref(ctx.instance_path);
  g_ptr_array_unref(ctx.scope);
  g_array_unref(ctx.refs);
  return ok;
}
