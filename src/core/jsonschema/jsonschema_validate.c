/* Applying a compiled schema to an instance: the walk over nodes, the
 * locations, the error records and the annotations for unevaluated*.
 *
 * Locations are kept as stacks of borrowed segments and only turned into
 * strings when an error is reported, so a valid instance costs no string work;
 * the stacks start on the C stack, so it costs no allocation either. The
 * keywords themselves are checked in jsonschema_keywords.c and
 * jsonschema_objects.c. */
#include "core/jsonschema/jsonschema_private.h"

#include "core/base/jsonpointer.h"

#include <string.h>

/* Deep enough for any real document, shallow enough for the C stack. */
#define MAX_DEPTH 1500

/* A schema may apply subschemas to the same value several times at every
 * level ({"anyOf": [{"items": {"$ref": "#"}}], "prefixItems": [{"$ref": "#"}]}),
 * which is exponential in the depth of the value. Real configurations need a
 * few thousand steps; past this budget the value is declared invalid. */
#define MAX_STEPS (1u << 22)

/* Initial stack sizes: deeper than any configuration needs. */
#define INLINE_SCHEMA_PATH 128
#define INLINE_INSTANCE_PATH 32
#define INLINE_SCOPE 16
#define INLINE_REFS 32

void
atx_js_stack_grow(AtxJsStack *stack, gsize item_size)
{
  guint cap = stack->cap * 2;
  if (stack->on_heap) {
    stack->items = g_realloc_n(stack->items, cap, item_size);
  } else {
    gpointer items = g_malloc_n(cap, item_size);
    memcpy(items, stack->items, stack->len * item_size);
    stack->items = items;
    stack->on_heap = TRUE;
  }
  stack->cap = cap;
}

static void
stack_clear(AtxJsStack *stack)
{
  if (stack->on_heap)
    g_free(stack->items);
}

void
atx_js_annotations_clear(AtxJsAnnotations *a)
{
  g_clear_pointer(&a->properties, g_hash_table_unref);
  g_clear_pointer(&a->matched, g_free);
  memset(a, 0, sizeof *a);
}

void
atx_js_annotate_property_slow(AtxJsAnnotations *a, const char *key)
{
  if (!a->properties)
    a->properties = g_hash_table_new(NULL, NULL);
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
  for (guint i = 0; i < ctx->instance_path.len; i++) {
    const AtxJsInstanceStep *step = &ATX_JS_STACK_AT(&ctx->instance_path, AtxJsInstanceStep, i);
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
  ctx->steps += ctx->instance_path.len + ctx->schema_path.len;
  if (ctx->steps > MAX_STEPS && !ctx->gave_up)
    ctx->gave_up = "the schema needs too many steps for this value";
  if (ctx->gave_up)
    return;
  AtxJsonSchemaError *e = g_new0(AtxJsonSchemaError, 1);
  GString *where = g_string_new(NULL);
  for (guint i = 0; i < ctx->schema_path.len; i++)
    g_string_append(where, ATX_JS_STACK_AT(&ctx->schema_path, const char *, i));
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
atx_js_check_child(AtxJsCtx *ctx, const AtxJsChild *child, const AtxJsValue *instance,
                   AtxJsAnnotations *annotations)
{
  GPtrArray *saved = ctx->errors;
  ctx->errors = NULL;
  gboolean ok = atx_js_validate_child(ctx, child, instance, annotations);
  ctx->errors = saved;
  return ok;
}

/* Out of line: only a hostile or broken schema gets here. */
static G_GNUC_NO_INLINE void
hit_bound(AtxJsCtx *ctx)
{
  if (ctx->gave_up)
    return;
  if (ctx->steps > MAX_STEPS)
    ctx->gave_up = "the schema needs too many steps for this value";
  else
    ctx->gave_up = "schemas nest more than " G_STRINGIFY(MAX_DEPTH) " deep for this value";
}

/* The dynamic scope grows whenever evaluation crosses into another schema
 * resource; $dynamicRef searches it from the outermost end. */
static inline gboolean
enter_node(AtxJsCtx *ctx, const AtxJsNode *node, gboolean *pushed_scope)
{
  *pushed_scope = FALSE;
  if (G_UNLIKELY(++ctx->steps > MAX_STEPS || ctx->depth >= MAX_DEPTH || ctx->gave_up)) {
    hit_bound(ctx);
    return FALSE;
  }
  ctx->depth++;
  guint n = ctx->scope.len;
  if (node->resource && (n == 0 || ATX_JS_STACK_AT(&ctx->scope, const AtxJsResource *, n - 1) != node->resource)) {
    ATX_JS_STACK_PUSH(&ctx->scope, const AtxJsResource *, node->resource);
    *pushed_scope = TRUE;
  }
  return TRUE;
}

static gboolean
validate_keywords(AtxJsCtx *ctx, const AtxJsNode *node, const AtxJsValue *instance, AtxJsAnnotations *annotations)
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
atx_js_validate_node(AtxJsCtx *ctx, const AtxJsNode *node, const AtxJsValue *instance,
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
    ctx->scope.len--;
  ctx->depth--;
  return ok;
}

gboolean
atx_js_validate(const AtxJsonSchema *schema, const AtxJsValue *instance, GPtrArray *errors)
{
  const char *schema_path[INLINE_SCHEMA_PATH];
  AtxJsInstanceStep instance_path[INLINE_INSTANCE_PATH];
  const AtxJsResource *scope[INLINE_SCOPE];
  AtxJsRefFrame refs[INLINE_REFS];
  AtxJsCtx ctx = {
    .errors = errors,
    .schema_path = { schema_path, 0, G_N_ELEMENTS(schema_path), FALSE },
    .instance_path = { instance_path, 0, G_N_ELEMENTS(instance_path), FALSE },
    .scope = { scope, 0, G_N_ELEMENTS(scope), FALSE },
    .refs = { refs, 0, G_N_ELEMENTS(refs), FALSE },
  };
  /* The root counts as followed already: {"$ref": "#"} loops at its first step. */
  AtxJsRefFrame root = { schema->root, instance->handle };
  ATX_JS_STACK_PUSH(&ctx.refs, AtxJsRefFrame, root);
  gboolean ok = atx_js_validate_node(&ctx, schema->root, instance, NULL);
  if (ctx.gave_up) {
    /* "not" and "if" may have read the abandoned parts as failures that make
     * the value pass: fail closed. */
    const char *why = ctx.gave_up;
    ok = FALSE;
    ctx.gave_up = NULL; /* lets the last word through */
    ctx.steps = 0;
    if (errors) {
      ctx.instance_path.len = 0;
      ctx.schema_path.len = 0;
      atx_js_report_at(&ctx, "", "limit", "validation gave up: %s", why);
    }
  }
  stack_clear(&ctx.schema_path);
  stack_clear(&ctx.instance_path);
  stack_clear(&ctx.scope);
  stack_clear(&ctx.refs);
  return ok;
}
