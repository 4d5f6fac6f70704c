/* One check per compiled keyword, with the messages an operator reads.
 *
 * Keywords that constrain one JSON type ignore values of other types, as the
 * spec says; an opaque value is of no JSON type, so only "type", "enum" and
 * "const" (and the applicators around them) ever fail on it. */
#include "core/jsonschema_private.h"

#include <string.h>

/* Enum values listed in a message before "..." */
#define MAX_LISTED_VALUES 10

static const char *
plural(gsize count)
{
  return count == 1 ? "" : "s";
}

static gboolean
is_object(const json_t *instance)
{
  return json_is_object(instance) && !atx_json_opaque_type(instance);
}

static gboolean
is_false_schema(const AtxJsChild *child)
{
  return child->node->is_boolean && !child->node->boolean_value;
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
check_type(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  guint kind = atx_js_kind_of(instance);
  if (kind == ATX_JS_KIND_INTEGER)
    kind |= ATX_JS_KIND_NUMBER;
  if (kind & keyword->u.types)
    return TRUE;
  g_autofree char *expected = type_list(keyword->u.types);
  atx_js_report(ctx, "type", "expected %s, got %s", expected, atx_js_kind_name(instance));
  return FALSE;
}

static gboolean
check_enum(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  gsize i;
  const json_t *value;
  json_array_foreach (keyword->u.value, i, value)
    if (atx_js_equal(instance, value))
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
check_const(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (atx_js_equal(instance, keyword->u.value))
    return TRUE;
  g_autofree char *expected = ctx->errors ? atx_js_format_value(keyword->u.value) : NULL;
  atx_js_report(ctx, "const", "value must be %s", expected);
  return FALSE;
}

/* ---- numbers and strings -------------------------------------------------- */

static gboolean
check_number(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsNode *node, const json_t *instance)
{
  if (!json_is_number(instance))
    return TRUE;
  const json_t *limit = keyword->u.value;
  int order = keyword->kind == KW_MULTIPLE_OF ? 0 : atx_js_number_compare(instance, limit);
  const char *relation = NULL;
  switch (keyword->kind) {
  case KW_MULTIPLE_OF:
    if (!atx_js_is_multiple_of(instance, limit))
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
  g_autofree char *text = ctx->errors ? atx_js_format_number(limit) : NULL;
  if (keyword->kind == KW_MULTIPLE_OF)
    atx_js_report(ctx, keyword->name, "expected a multiple of %s", text);
  else
    atx_js_report(ctx, keyword->name, "expected %s %s %s", node->number_noun, relation, text);
  return FALSE;
}

static gboolean
check_length(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (!json_is_string(instance))
    return TRUE;
  gsize length = atx_js_utf8_length(json_string_value(instance), json_string_length(instance));
  gsize limit = keyword->u.count;
  gboolean is_max = keyword->kind == KW_MAX_LENGTH;
  if (is_max ? length <= limit : length >= limit)
    return TRUE;
  atx_js_report(ctx, keyword->name, "expected at %s %" G_GSIZE_FORMAT " character%s", is_max ? "most" : "least",
                limit, plural(limit));
  return FALSE;
}

static gboolean
check_pattern(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (!json_is_string(instance))
    return TRUE;
  const AtxJsPattern *pattern = &keyword->u.pattern;
  int found = atx_js_regex_search(pattern->regex, json_string_value(instance), json_string_length(instance));
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
check_item_count(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (!json_is_array(instance))
    return TRUE;
  gsize count = json_array_size(instance), limit = keyword->u.count;
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

static gboolean
check_unique(AtxJsCtx *ctx, const json_t *instance)
{
  if (!json_is_array(instance) || json_array_size(instance) < 2)
    return TRUE;
  g_autoptr(GHashTable) seen = g_hash_table_new(hash_value, equal_values);
  gboolean ok = TRUE;
  gsize i;
  const json_t *item;
  json_array_foreach (instance, i, item) {
    gpointer first;
    if (!g_hash_table_lookup_extended(seen, item, NULL, &first)) {
      g_hash_table_insert(seen, (gpointer) item, GSIZE_TO_POINTER(i));
      continue;
    }
    ok = FALSE;
    if (!ctx->errors)
      break;
    atx_js_push_index(ctx, i);
    atx_js_report(ctx, "uniqueItems", "item %" G_GSIZE_FORMAT " is a duplicate of item %" G_GSIZE_FORMAT, i,
                  GPOINTER_TO_SIZE(first));
    atx_js_pop_instance(ctx);
  }
  return ok;
}

static gboolean
check_rest_item(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *item)
{
  const AtxJsChild *rest = keyword->u.items.rest;
  if (!is_false_schema(rest))
    return atx_js_validate_child(ctx, rest, item, NULL);
  guint allowed = keyword->u.items.n_prefix;
  if (allowed == 0)
    atx_js_report_at(ctx, rest->segment, "items", "no items are allowed here");
  else
    atx_js_report_at(ctx, rest->segment, "items", "unexpected item: at most %u item%s allowed", allowed,
                     plural(allowed));
  return FALSE;
}

static gboolean
check_items(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance, AtxJsAnnotations *annotations)
{
  if (!json_is_array(instance))
    return TRUE;
  gsize n = json_array_size(instance);
  gsize n_prefix = MIN(n, keyword->u.items.n_prefix);
  gboolean ok = TRUE;
  for (gsize i = 0; i < n && (ok || ctx->errors); i++) {
    if (i >= n_prefix && !keyword->u.items.rest)
      break;
    atx_js_push_index(ctx, i);
    const json_t *item = json_array_get(instance, i);
    if (i < n_prefix)
      ok = atx_js_validate_child(ctx, &keyword->u.items.prefix[i], item, NULL) && ok;
    else
      ok = check_rest_item(ctx, keyword, item) && ok;
    atx_js_pop_instance(ctx);
  }
  if (annotations) {
    annotations->items_prefix = MAX(annotations->items_prefix, n_prefix);
    annotations->all_items |= keyword->u.items.rest != NULL;
  }
  return ok;
}

static gboolean
check_contains(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance, AtxJsAnnotations *annotations)
{
  if (!json_is_array(instance))
    return TRUE;
  gsize n = json_array_size(instance), matches = 0;
  gsize min = keyword->u.contains.min, max = keyword->u.contains.max;
  for (gsize i = 0; i < n; i++) {
    atx_js_push_index(ctx, i);
    gboolean matched = atx_js_check_child(ctx, &keyword->u.contains.child, json_array_get(instance, i), NULL);
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
check_unevaluated_items(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance,
                        AtxJsAnnotations *annotations)
{
  if (!json_is_array(instance))
    return TRUE;
  const AtxJsChild *child = &keyword->u.child;
  gboolean ok = TRUE;
  for (gsize i = 0; i < json_array_size(instance) && (ok || ctx->errors); i++) {
    if (atx_js_item_evaluated(annotations, i))
      continue;
    atx_js_push_index(ctx, i);
    if (is_false_schema(child)) {
      atx_js_report_at(ctx, child->segment, "unevaluatedItems", "unexpected item");
      ok = FALSE;
    } else {
      ok = atx_js_validate_child(ctx, child, json_array_get(instance, i), NULL) && ok;
    }
    atx_js_pop_instance(ctx);
  }
  annotations->all_items = TRUE;
  return ok;
}

/* ---- objects -------------------------------------------------------------- */

static gboolean
check_property_count(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (!is_object(instance))
    return TRUE;
  gsize count = json_object_size(instance), limit = keyword->u.count;
  gboolean is_max = keyword->kind == KW_MAX_PROPERTIES;
  if (is_max ? count <= limit : count >= limit)
    return TRUE;
  atx_js_report(ctx, keyword->name, "expected at %s %" G_GSIZE_FORMAT " key%s", is_max ? "most" : "least", limit,
                plural(limit));
  return FALSE;
}

static gboolean
check_required(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (!is_object(instance))
    return TRUE;
  gboolean ok = TRUE;
  for (const char *const *name = keyword->u.required.names; *name && (ok || ctx->errors); name++) {
    if (json_object_get(instance, *name))
      continue;
    atx_js_report(ctx, "required", "missing required key \"%s\"", *name);
    ok = FALSE;
  }
  return ok;
}

static gboolean
check_dependent_required(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (!is_object(instance))
    return TRUE;
  gboolean ok = TRUE;
  for (guint i = 0; i < keyword->u.dependent_required.n && (ok || ctx->errors); i++) {
    const AtxJsDependentRequired *entry = &keyword->u.dependent_required.entries[i];
    if (!json_object_get(instance, entry->key))
      continue;
    for (const char *const *name = entry->names; *name; name++) {
      if (json_object_get(instance, *name))
        continue;
      atx_js_report(ctx, "dependentRequired", "key \"%s\" is required when \"%s\" is present", *name, entry->key);
      ok = FALSE;
    }
  }
  return ok;
}

/* Applies the schema of one member; a false schema gets a message that names
 * the key instead of "no value is allowed here". */
static gboolean
apply_member(AtxJsCtx *ctx, const AtxJsChild *child, const char *keyword, const char *key, const json_t *value)
{
  if (!is_false_schema(child))
    return atx_js_validate_child(ctx, child, value, NULL);
  if (strcmp(keyword, "properties") == 0 || strcmp(keyword, "patternProperties") == 0)
    atx_js_report_at(ctx, child->segment, keyword, "key \"%s\" is not allowed", key);
  else
    atx_js_report_at(ctx, child->segment, keyword, "unknown key \"%s\"", key);
  return FALSE;
}

static gboolean
check_member(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const char *key, const json_t *value,
             AtxJsAnnotations *annotations)
{
  gboolean matched = FALSE, ok = TRUE;
  GHashTable *named = keyword->u.properties.named;
  const AtxJsChild *child = named ? g_hash_table_lookup(named, key) : NULL;
  if (child) {
    matched = TRUE;
    ok = apply_member(ctx, child, "properties", key, value);
  }
  for (guint i = 0; i < keyword->u.properties.n_patterns && (ok || ctx->errors); i++) {
    const AtxJsPatternChild *entry = &keyword->u.properties.patterns[i];
    int found = atx_js_regex_search(entry->pattern.regex, key, strlen(key));
    if (found < 0) {
      atx_js_report_at(ctx, entry->child.segment, "patternProperties", "key \"%s\" is too complex to match "
                       "against pattern %s", key, entry->pattern.source);
      ok = FALSE;
    } else if (found) {
      matched = TRUE;
      ok = apply_member(ctx, &entry->child, "patternProperties", key, value) && ok;
    }
  }
  if (!matched && keyword->u.properties.additional) {
    matched = TRUE;
    ok = apply_member(ctx, keyword->u.properties.additional, "additionalProperties", key, value) && ok;
  }
  if (matched)
    atx_js_annotate_property(annotations, key);
  return ok;
}

static gboolean
check_properties(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance, AtxJsAnnotations *annotations)
{
  if (!is_object(instance))
    return TRUE;
  gboolean ok = TRUE;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) instance, key, value) {
    atx_js_push_key(ctx, key);
    ok = check_member(ctx, keyword, key, value, annotations) && ok;
    atx_js_pop_instance(ctx);
    if (!ok && !ctx->errors)
      break;
  }
  return ok;
}

/* Errors about a key name say which key: "invalid key "Eth0": string does not
 * match pattern ^eth[0-9]+$", located at the key's member. */
static gboolean
check_property_name(AtxJsCtx *ctx, const AtxJsChild *child, const char *key)
{
  g_autoptr(json_t) name = json_string(key);
  if (!ctx->errors)
    return atx_js_check_child(ctx, child, name, NULL);
  GPtrArray *outer = ctx->errors;
  g_autoptr(GPtrArray) inner = g_ptr_array_new();
  ctx->errors = inner;
  gboolean ok = atx_js_validate_child(ctx, child, name, NULL);
  ctx->errors = outer;
  for (guint i = 0; i < inner->len; i++) {
    AtxJsonSchemaError *e = g_ptr_array_index(inner, i);
    char *message = g_strdup_printf("invalid key \"%s\": %s", key, e->message);
    g_free(e->message);
    e->message = message;
    g_ptr_array_add(outer, e);
  }
  return ok;
}

static gboolean
check_property_names(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance)
{
  if (!is_object(instance))
    return TRUE;
  gboolean ok = TRUE;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) instance, key, value) {
    atx_js_push_key(ctx, key);
    ok = check_property_name(ctx, &keyword->u.child, key) && ok;
    atx_js_pop_instance(ctx);
    if (!ok && !ctx->errors)
      break;
  }
  return ok;
}

static gboolean
check_dependent_schemas(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance,
                        AtxJsAnnotations *annotations)
{
  if (!is_object(instance))
    return TRUE;
  gboolean ok = TRUE;
  for (guint i = 0; i < keyword->u.dependent_schemas.n && (ok || ctx->errors); i++) {
    const AtxJsDependentSchema *entry = &keyword->u.dependent_schemas.entries[i];
    if (json_object_get(instance, entry->key))
      ok = atx_js_validate_child(ctx, &entry->child, instance, annotations) && ok;
  }
  return ok;
}

static gboolean
check_unevaluated_properties(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const json_t *instance,
                             AtxJsAnnotations *annotations)
{
  if (!is_object(instance))
    return TRUE;
  gboolean ok = TRUE;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) instance, key, value) {
    if (annotations->properties && g_hash_table_contains(annotations->properties, key))
      continue;
    atx_js_push_key(ctx, key);
    ok = apply_member(ctx, &keyword->u.child, "unevaluatedProperties", key, value) && ok;
    atx_js_pop_instance(ctx);
    atx_js_annotate_property(annotations, key);
    if (!ok && !ctx->errors)
      break;
  }
  return ok;
}

gboolean
atx_js_validate_keyword(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsNode *node, const json_t *instance,
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
    return check_property_count(ctx, keyword, instance);
  case KW_REQUIRED:
    return check_required(ctx, keyword, instance);
  case KW_DEPENDENT_REQUIRED:
    return check_dependent_required(ctx, keyword, instance);
  case KW_PROPERTIES:
    return check_properties(ctx, keyword, instance, annotations);
  case KW_PROPERTY_NAMES:
    return check_property_names(ctx, keyword, instance);
  case KW_DEPENDENT_SCHEMAS:
    return check_dependent_schemas(ctx, keyword, instance, annotations);
  case KW_ITEMS:
    return check_items(ctx, keyword, instance, annotations);
  case KW_CONTAINS:
    return check_contains(ctx, keyword, instance, annotations);
  case KW_UNEVALUATED_ITEMS:
    return check_unevaluated_items(ctx, keyword, instance, annotations);
  case KW_UNEVALUATED_PROPERTIES:
    return check_unevaluated_properties(ctx, keyword, instance, annotations);
  default:
    return atx_js_apply_in_place(ctx, keyword, instance, annotations);
  }
}
