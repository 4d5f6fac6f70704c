/* One check per compiled keyword, with the messages an operator reads; the
 * object keywords are in jsonschema_objects.c.
 *
 * Keywords that constrain one JSON type ignore values of other types, as the
 * spec says; an opaque value is of no JSON type, so only "type", "enum" and
 * "const" (and the applicators around them) ever fail on it. Instances are
 * read through their class only (AtxJsValue). */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

/* Enum values listed in a message before "..." */
#define MAX_LISTED_VALUES 10

static const char *
plural(gsize count)
{
  return count == 1 ? "" : "s";
}

/* ---- type, enum, const ---------------------------------------------------- */

static char *
type_list(guint types)
{
  static const char *const names[] = { "null", "boolean", "object", "array", "number", "string", "integer" };
  g_autoptr(GPtrArray) chosen = g_ptr_array_new();
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (types & (1u << i))
      g_ptr_array_add(chosen, (gpointer) names[i]);
  GString *text = g_string_new(NULL);
  for (guint i = 0; i < chosen->len; i++) {
    if (i > 0)
      g_string_append(text, i + 1 == chosen->len ? " or " : ", ");
    g_string_append(text, g_ptr_array_index(chosen, i));
  }
  return g_string_free(text, FALSE);
}

static gboolean
check_type(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  guint kind = atx_js_kind_of(instance);
  if (kind == ATX_JS_KIND_INTEGER)
    kind |= ATX_JS_KIND_NUMBER;
  if (kind & keyword->u.types)
    return TRUE;
  if (!ctx->errors)
    return FALSE; /* an anyOf branch or the like: the message would go nowhere */
  g_autofree char *expected = type_list(keyword->u.types);
  atx_js_report(ctx, "type", "expected %s, got %s", expected, atx_js_kind_name(instance));
  return FALSE;
}

static gboolean
check_enum(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  gsize i;
  const json_t *value;
  json_array_foreach (keyword->u.value, i, value)
    if (atx_js_equal_json(instance, value))
      return TRUE;
  if (!ctx->errors)
    return FALSE;
  GString *list = g_string_new(NULL);
  json_array_foreach (keyword->u.value, i, value) {
    if (i == MAX_LISTED_VALUES) {
      g_string_append(list, ", ...");
      break;
    }
    g_autofree char *text = atx_js_format_value(value);
    g_string_append_printf(list, "%s%s", i ? ", " : "", text);
  }
  g_autofree char *listed = g_string_free(list, FALSE);
  if (json_array_size(keyword->u.value) == 1)
    atx_js_report(ctx, "enum", "value must be %s", listed);
  else
    atx_js_report(ctx, "enum", "value must be one of: %s", listed);
  return FALSE;
}

static gboolean
check_const(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  if (atx_js_equal_json(instance, keyword->u.value))
    return TRUE;
  g_autofree char *expected = ctx->errors ? atx_js_format_value(keyword->u.value) : NULL;
  atx_js_report(ctx, "const", "value must be %s", expected);
  return FALSE;
}

/* ---- numbers and strings -------------------------------------------------- */

static gboolean
check_number(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsNode *node, const AtxJsValue *instance)
{
  AtxJsNumber number;
  if (!atx_js_value_number(instance, &number))
    return TRUE;
  const AtxJsNumber *limit = &keyword->u.limit.number;
  int order = keyword->kind == KW_MULTIPLE_OF ? 0 : atx_js_number_compare(&number, limit);
  const char *relation = NULL;
  switch (keyword->kind) {
  case KW_MULTIPLE_OF:
    if (!atx_js_is_multiple_of(&number, limit))
      relation = "a multiple of";
    break;
  case KW_MAXIMUM:
    relation = order > 0 ? "<=" : NULL;
    break;
  case KW_EXCLUSIVE_MAXIMUM:
    relation = order >= 0 ? "<" : NULL;
    break;
  case KW_MINIMUM:
    relation = order < 0 ? ">=" : NULL;
    break;
  default:
    relation = order <= 0 ? ">" : NULL;
    break;
  }
  if (!relation)
    return TRUE;
  g_autofree char *text = ctx->errors ? atx_js_format_number(keyword->u.limit.json) : NULL;
  if (keyword->kind == KW_MULTIPLE_OF)
    atx_js_report(ctx, keyword->name, "expected a multiple of %s", text);
  else
    atx_js_report(ctx, keyword->name, "expected %s %s %s", node->number_noun, relation, text);
  return FALSE;
}

static gboolean
check_length(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  if (instance->kind != ATX_JSON_INSTANCE_STRING)
    return TRUE;
  gsize bytes;
  const char *text = instance->klass->string(instance->handle, &bytes);
  gsize limit = keyword->u.count;
  gboolean is_max = keyword->kind == KW_MAX_LENGTH;
  /* A code point takes 1 to 4 bytes: the byte count often decides alone. */
  if (is_max ? bytes <= limit : bytes / 4 >= limit)
    return TRUE;
  gsize length = atx_js_utf8_length(text, bytes);
  if (is_max ? length <= limit : length >= limit)
    return TRUE;
  atx_js_report(ctx, keyword->name, "expected at %s %" G_GSIZE_FORMAT " character%s", is_max ? "most" : "least",
                limit, plural(limit));
  return FALSE;
}

static gboolean
check_pattern(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  if (instance->kind != ATX_JSON_INSTANCE_STRING)
    return TRUE;
  const AtxJsPattern *pattern = &keyword->u.pattern;
  gsize length;
  const char *text = instance->klass->string(instance->handle, &length);
  int found = atx_js_pattern_search(pattern, text, length);
  if (found == 1)
    return TRUE;
  if (found < 0)
    atx_js_report(ctx, "pattern", "string is too complex to match against pattern %s", pattern->source);
  else
    atx_js_report(ctx, "pattern", "string does not match pattern %s", pattern->source);
  return FALSE;
}

/* ---- arrays --------------------------------------------------------------- */

static gboolean
check_item_count(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  if (instance->kind != ATX_JSON_INSTANCE_ARRAY)
    return TRUE;
  gsize count = instance->klass->array_length(instance->handle), limit = keyword->u.count;
  gboolean is_max = keyword->kind == KW_MAX_ITEMS;
  if (is_max ? count <= limit : count >= limit)
    return TRUE;
  atx_js_report(ctx, keyword->name, "expected at %s %" G_GSIZE_FORMAT " item%s", is_max ? "most" : "least", limit,
                plural(limit));
  return FALSE;
}

static guint
hash_value(gconstpointer value)
{
  return atx_js_hash(value);
}

static gboolean
equal_values(gconstpointer a, gconstpointer b)
{
  return atx_js_equal(a, b);
}

/* Arrays up to this length are searched for duplicates pair by pair, which
 * costs less than building a hash table for them. */
#define SMALL_UNIQUE_ARRAY 16

/* Index of the first item before @i equal to item @i, or @i when none is. */
static gsize
first_equal(const AtxJsValue *items, gsize i, GHashTable *seen)
{
  if (!seen) {
    for (gsize j = 0; j < i; j++)
      if (atx_js_equal(&items[j], &items[i]))
        return j;
    return i;
  }
  gpointer first;
  if (g_hash_table_lookup_extended(seen, &items[i], NULL, &first))
    return GPOINTER_TO_SIZE(first);
  g_hash_table_insert(seen, (gpointer) &items[i], GSIZE_TO_POINTER(i));
  return i;
}

/* Not inlined: its item array must not weigh on every recursive frame. */
static G_GNUC_NO_INLINE gboolean
check_unique(AtxJsCtx *ctx, const AtxJsValue *instance)
{
  if (instance->kind != ATX_JSON_INSTANCE_ARRAY)
    return TRUE;
  gsize n = instance->klass->array_length(instance->handle);
  if (n < 2)
    return TRUE;
  AtxJsValue small[SMALL_UNIQUE_ARRAY];
  g_autofree AtxJsValue *large = n > SMALL_UNIQUE_ARRAY ? g_new(AtxJsValue, n) : NULL;
  AtxJsValue *items = large ? large : small;
  for (gsize i = 0; i < n; i++)
    atx_js_value_init(&items[i], instance->klass, instance->klass->array_get(instance->handle, i));
  g_autoptr(GHashTable) seen = large ? g_hash_table_new(hash_value, equal_values) : NULL;
  if (seen)
    g_hash_table_insert(seen, &items[0], GSIZE_TO_POINTER(0));
  gboolean ok = TRUE;
  for (gsize i = 1; i < n; i++) {
    gsize first = first_equal(items, i, seen);
    if (first == i)
      continue;
    ok = FALSE;
    if (!ctx->errors)
      break;
    atx_js_push_index(ctx, i);
    atx_js_report(ctx, "uniqueItems", "item %" G_GSIZE_FORMAT " is a duplicate of item %" G_GSIZE_FORMAT, i, first);
    atx_js_pop_instance(ctx);
  }
  return ok;
}

static gboolean
check_rest_item(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *item)
{
  const AtxJsChild *rest = keyword->u.items.rest;
  if (!atx_js_is_false_schema(rest))
    return atx_js_validate_child(ctx, rest, item, NULL);
  guint allowed = keyword->u.items.n_prefix;
  if (allowed == 0)
    atx_js_report_at(ctx, rest->segment, "items", "no items are allowed here");
  else
    atx_js_report_at(ctx, rest->segment, "items", "unexpected item: at most %u item%s allowed", allowed,
                     plural(allowed));
  return FALSE;
}

static void
array_item(const AtxJsValue *array, gsize index, AtxJsValue *item_out)
{
  atx_js_value_init(item_out, array->klass, array->klass->array_get(array->handle, index));
}

static gboolean
check_items(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance, AtxJsAnnotations *annotations)
{
  if (instance->kind != ATX_JSON_INSTANCE_ARRAY)
    return TRUE;
  gsize n = instance->klass->array_length(instance->handle);
  gsize n_prefix = MIN(n, keyword->u.items.n_prefix);
  gboolean ok = TRUE;
  for (gsize i = 0; i < n && (ok || ctx->errors); i++) {
    if (i >= n_prefix && !keyword->u.items.rest)
      break;
    atx_js_push_index(ctx, i);
    AtxJsValue item;
    array_item(instance, i, &item);
    if (i < n_prefix)
      ok = atx_js_validate_child(ctx, &keyword->u.items.prefix[i], &item, NULL) && ok;
    else
      ok = check_rest_item(ctx, keyword, &item) && ok;
    atx_js_pop_instance(ctx);
  }
  if (annotations) {
    annotations->items_prefix = MAX(annotations->items_prefix, n_prefix);
    annotations->all_items |= keyword->u.items.rest != NULL;
  }
  return ok;
}

static gboolean
check_contains(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance, AtxJsAnnotations *annotations)
{
  if (instance->kind != ATX_JSON_INSTANCE_ARRAY)
    return TRUE;
  gsize n = instance->klass->array_length(instance->handle), matches = 0;
  gsize min = keyword->u.contains.min, max = keyword->u.contains.max;
  for (gsize i = 0; i < n; i++) {
    AtxJsValue item;
    array_item(instance, i, &item);
    atx_js_push_index(ctx, i);
    gboolean matched = atx_js_check_child(ctx, &keyword->u.contains.child, &item, NULL);
    atx_js_pop_instance(ctx);
    if (matched) {
      matches++;
      atx_js_annotate_item(annotations, i, n);
    }
    if (!annotations && matches >= min && max == G_MAXSIZE)
      break;
  }
  if (matches < min) {
    if (min == 1)
      atx_js_report(ctx, "contains", "expected at least one item matching the \"contains\" schema");
    else
      atx_js_report(ctx, "minContains", "expected at least %" G_GSIZE_FORMAT " items matching the \"contains\" "
                    "schema, found %" G_GSIZE_FORMAT, min, matches);
    return FALSE;
  }
  if (matches > max) {
    atx_js_report(ctx, "maxContains", "expected at most %" G_GSIZE_FORMAT " item%s matching the \"contains\" "
                  "schema, found %" G_GSIZE_FORMAT, max, plural(max), matches);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_unevaluated_items(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                        AtxJsAnnotations *annotations)
{
  if (instance->kind != ATX_JSON_INSTANCE_ARRAY)
    return TRUE;
  const AtxJsChild *child = &keyword->u.child;
  gsize n = instance->klass->array_length(instance->handle);
  gboolean ok = TRUE;
  for (gsize i = 0; i < n && (ok || ctx->errors); i++) {
    if (atx_js_item_evaluated(annotations, i))
      continue;
    atx_js_push_index(ctx, i);
    if (atx_js_is_false_schema(child)) {
      atx_js_report_at(ctx, child->segment, "unevaluatedItems", "unexpected item");
      ok = FALSE;
    } else {
      AtxJsValue item;
      array_item(instance, i, &item);
      ok = atx_js_validate_child(ctx, child, &item, NULL) && ok;
    }
    atx_js_pop_instance(ctx);
  }
  annotations->all_items = TRUE;
  return ok;
}

gboolean
atx_js_validate_keyword(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsNode *node, const AtxJsValue *instance,
                        AtxJsAnnotations *annotations)
{
  switch (keyword->kind) {
  case KW_TYPE:
    return check_type(ctx, keyword, instance);
  case KW_ENUM:
    return check_enum(ctx, keyword, instance);
  case KW_CONST:
    return check_const(ctx, keyword, instance);
  case KW_MULTIPLE_OF:
  case KW_MAXIMUM:
  case KW_EXCLUSIVE_MAXIMUM:
  case KW_MINIMUM:
  case KW_EXCLUSIVE_MINIMUM:
    return check_number(ctx, keyword, node, instance);
  case KW_MAX_LENGTH:
  case KW_MIN_LENGTH:
    return check_length(ctx, keyword, instance);
  case KW_PATTERN:
    return check_pattern(ctx, keyword, instance);
  case KW_MAX_ITEMS:
  case KW_MIN_ITEMS:
    return check_item_count(ctx, keyword, instance);
  case KW_UNIQUE_ITEMS:
    return check_unique(ctx, instance);
  case KW_MAX_PROPERTIES:
  case KW_MIN_PROPERTIES:
  case KW_REQUIRED:
  case KW_DEPENDENT_REQUIRED:
  case KW_PROPERTIES:
  case KW_PROPERTY_NAMES:
  case KW_DEPENDENT_SCHEMAS:
  case KW_UNEVALUATED_PROPERTIES:
    return atx_js_check_object_keyword(ctx, keyword, instance, annotations);
  case KW_ITEMS:
    return check_items(ctx, keyword, instance, annotations);
  case KW_CONTAINS:
    return check_contains(ctx, keyword, instance, annotations);
  case KW_UNEVALUATED_ITEMS:
    return check_unevaluated_items(ctx, keyword, instance, annotations);
  case KW_REF:
  case KW_DYNAMIC_REF:
    return atx_js_check_reference(ctx, keyword, instance, annotations);
  default:
    return atx_js_apply_in_place(ctx, keyword, instance, annotations);
  }
}
