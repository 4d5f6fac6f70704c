/* Keywords that apply subschemas to the same value: allOf, anyOf, oneOf, not,
 * if/then/else, $ref and $dynamicRef.
 *
 * anyOf and oneOf are decided for validity first. Only when that fails and
 * errors are wanted are the branches run again to explain: one error at the
 * combinator, plus the errors of the closest branch when one branch is clearly
 * closest (dropped when a branch fails on a type, const or enum: that branch
 * describes a different kind of value, so its details would mislead). */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

/* Combinators nested deeper than this are not explained branch by branch:
 * each level of explanation re-runs its branches. */
#define MAX_EXPLAINED_NESTING 3

static gboolean
is_discriminator(const AtxJsonSchemaError *e, const char *here)
{
  if (strcmp(e->keyword, "const") == 0 || strcmp(e->keyword, "enum") == 0)
    return TRUE;
  return strcmp(e->keyword, "type") == 0 && strcmp(e->instance_pointer, here) == 0;
}

static gboolean
any_discriminator(GPtrArray *errors, const char *here)
{
  for (guint i = 0; i < errors->len; i++)
    if (is_discriminator(g_ptr_array_index(errors, i), here))
      return TRUE;
  return FALSE;
}

static GPtrArray *
branch_errors(AtxJsCtx *ctx, const AtxJsChild *child, const AtxJsValue *instance)
{
  GPtrArray *outer = ctx->errors;
  GPtrArray *errors = g_ptr_array_new_with_free_func((GDestroyNotify) atx_json_schema_error_free);
  ctx->errors = errors;
  atx_js_validate_child(ctx, child, instance, NULL);
  ctx->errors = outer;
  return errors;
}

static void
explain_closest_branch(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  if (ctx->explaining >= MAX_EXPLAINED_NESTING)
    return;
  ctx->explaining++;
  g_autofree char *here = atx_js_instance_pointer(ctx);
  g_autoptr(GPtrArray) best = NULL;
  gboolean tie = FALSE;
  for (guint i = 0; i < keyword->u.list.n; i++) {
    g_autoptr(GPtrArray) errors = branch_errors(ctx, &keyword->u.list.children[i], instance);
    if (errors->len == 0 || any_discriminator(errors, here))
      continue;
    if (!best || errors->len < best->len) {
      g_clear_pointer(&best, g_ptr_array_unref);
      best = g_steal_pointer(&errors);
      tie = FALSE;
    } else if (errors->len == best->len) {
      tie = TRUE;
    }
  }
  ctx->explaining--;
  if (best && !tie)
    g_ptr_array_extend_and_steal(ctx->errors, g_steal_pointer(&best));
}

static gboolean
check_all_of(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance, AtxJsAnnotations *annotations)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < keyword->u.list.n && (ok || ctx->errors); i++)
    ok = atx_js_validate_child(ctx, &keyword->u.list.children[i], instance, annotations) && ok;
  return ok;
}

/* Runs branch @i for validity; a valid branch's annotations join @annotations. */
static gboolean
try_branch(AtxJsCtx *ctx, const AtxJsKeyword *keyword, guint i, const AtxJsValue *instance,
           AtxJsAnnotations *annotations)
{
  AtxJsAnnotations branch = { 0 };
  gboolean valid = atx_js_check_child(ctx, &keyword->u.list.children[i], instance, annotations ? &branch : NULL);
  if (valid)
    atx_js_annotations_merge(annotations, &branch);
  atx_js_annotations_clear(&branch);
  return valid;
}

static gboolean
check_any_of(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance, AtxJsAnnotations *annotations)
{
  gboolean any = FALSE;
  /* Every branch runs when annotations are wanted: each valid one adds some. */
  for (guint i = 0; i < keyword->u.list.n && (!any || annotations); i++)
    any = try_branch(ctx, keyword, i, instance, annotations) || any;
  if (any)
    return TRUE;
  if (ctx->errors) {
    atx_js_report(ctx, "anyOf", "value does not match any allowed schema");
    explain_closest_branch(ctx, keyword, instance);
  }
  return FALSE;
}

static char *
index_list(GArray *indexes)
{
  GString *text = g_string_new(NULL);
  for (guint i = 0; i < indexes->len; i++) {
    if (i > 0)
      g_string_append(text, i + 1 == indexes->len ? " and " : ", ");
    g_string_append_printf(text, "%u", g_array_index(indexes, guint, i));
  }
  return g_string_free(text, FALSE);
}

static gboolean
check_one_of(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance, AtxJsAnnotations *annotations)
{
  /* The indexes of the valid branches are kept only from the second one on:
   * then the value is invalid and the message lists them. */
  g_autoptr(GArray) valid = NULL;
  guint n_valid = 0, first_valid = 0;
  AtxJsAnnotations first = { 0 };
  for (guint i = 0; i < keyword->u.list.n && (n_valid < 2 || ctx->errors); i++) {
    AtxJsAnnotations branch = { 0 };
    if (atx_js_check_child(ctx, &keyword->u.list.children[i], instance, annotations ? &branch : NULL)) {
      if (n_valid == 0) {
        atx_js_annotations_merge(&first, &branch);
        first_valid = i;
      } else if (n_valid == 1) {
        valid = g_array_new(FALSE, FALSE, sizeof(guint));
        g_array_append_val(valid, first_valid);
      }
      if (valid)
        g_array_append_val(valid, i);
      n_valid++;
    }
    atx_js_annotations_clear(&branch);
  }
  if (n_valid == 1)
    atx_js_annotations_merge(annotations, &first);
  atx_js_annotations_clear(&first);
  if (n_valid == 1)
    return TRUE;
  if (n_valid > 1 && ctx->errors) {
    g_autofree char *list = index_list(valid);
    atx_js_report(ctx, "oneOf", "value matches more than one allowed schema (%s), expected exactly one", list);
  } else if (ctx->errors) {
    atx_js_report(ctx, "oneOf", "value does not match any allowed schema");
    explain_closest_branch(ctx, keyword, instance);
  }
  return FALSE;
}

static gboolean
check_not(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  if (!atx_js_check_child(ctx, &keyword->u.child, instance, NULL))
    return TRUE;
  atx_js_report(ctx, "not", "value must not match the \"not\" schema");
  return FALSE;
}

static gboolean
check_if(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance, AtxJsAnnotations *annotations)
{
  AtxJsAnnotations cond = { 0 };
  gboolean holds = atx_js_check_child(ctx, &keyword->u.cond.cond, instance, annotations ? &cond : NULL);
  if (holds)
    atx_js_annotations_merge(annotations, &cond);
  atx_js_annotations_clear(&cond);
  const AtxJsChild *branch = holds ? keyword->u.cond.then_branch : keyword->u.cond.else_branch;
  return !branch || atx_js_validate_child(ctx, branch, instance, annotations);
}

/* The outermost resource of the dynamic scope that defines the anchor wins. */
static const AtxJsNode *
dynamic_target(const AtxJsCtx *ctx, const char *name, const AtxJsNode *fallback)
{
  for (guint i = 0; i < ctx->scope.len; i++) {
    const AtxJsResource *resource = ATX_JS_STACK_AT(&ctx->scope, const AtxJsResource *, i);
    const AtxJsNode *node = g_hash_table_lookup(resource->dynamic_anchors, name);
    if (node)
      return node;
  }
  return fallback;
}

/* Following a reference to a node already being applied to this very value
 * would recurse forever ({"$ref": "#"}). Frames for the current value are the
 * top of the stack: evaluation only ever moves deeper into the instance. */
static gboolean
reference_loops(const AtxJsCtx *ctx, const AtxJsNode *target, const AtxJsValue *instance)
{
  for (guint i = ctx->refs.len; i > 0; i--) {
    const AtxJsRefFrame *frame = &ATX_JS_STACK_AT(&ctx->refs, AtxJsRefFrame, i - 1);
    if (frame->instance != instance->handle)
      return FALSE;
    if (frame->node == target)
      return TRUE;
  }
  return FALSE;
}

gboolean
atx_js_check_reference(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                       AtxJsAnnotations *annotations)
{
  const AtxJsRef *ref = keyword->u.ref;
  const AtxJsNode *target = ref->target;
  if (!target) {
    atx_js_report(ctx, keyword->name, "unresolved reference \"%s\" (no schema \"%s\" was added)", ref->text,
                  ref->uri);
    return FALSE;
  }
  if (ref->dynamic_name)
    target = dynamic_target(ctx, ref->dynamic_name, target);
  if (reference_loops(ctx, target, instance)) {
    atx_js_report(ctx, keyword->name, "reference \"%s\" loops back to itself without descending into the value",
                  ref->text);
    return FALSE;
  }
  AtxJsRefFrame frame = { target, instance->handle };
  ATX_JS_STACK_PUSH(&ctx->refs, AtxJsRefFrame, frame);
  atx_js_push_schema(ctx, ref->dynamic ? "/$dynamicRef" : "/$ref");
  gboolean ok = atx_js_validate_node(ctx, target, instance, annotations);
  atx_js_pop_schema(ctx);
  ctx->refs.len--;
  return ok;
}

gboolean
atx_js_apply_in_place(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                      AtxJsAnnotations *annotations)
{
  switch (keyword->kind) {
  case KW_ALL_OF:
    return check_all_of(ctx, keyword, instance, annotations);
  case KW_ANY_OF:
    return check_any_of(ctx, keyword, instance, annotations);
  case KW_ONE_OF:
    return check_one_of(ctx, keyword, instance, annotations);
  case KW_NOT:
    return check_not(ctx, keyword, instance);
  case KW_IF:
    return check_if(ctx, keyword, instance, annotations);
  case KW_REF:
  case KW_DYNAMIC_REF:
    return atx_js_check_reference(ctx, keyword, instance, annotations);
  default:
    g_assert_not_reached();
  }
}
