/* The object keywords: property counts, required, dependentRequired,
 * properties/patternProperties/additionalProperties, propertyNames,
 * dependentSchemas and unevaluatedProperties.
 *
 * Members are visited in the instance's own order, so errors come out in
 * document order. Keys are compared with their full length (a key holding
 * U+0000 is not the name before it) but named in messages and pointers as C
 * strings, like every other pointer in the project. */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

static const char *
plural(gsize count)
{
  return count == 1 ? "" : "s";
}

static const AtxJsNamedChild *
atx_js_property_lookup(const AtxJsPropertyTable *table, const char *name, gsize len)
{
  if (!table->slots)
    return NULL;
  guint hash = atx_js_property_hash(name, len);
  for (guint slot = hash & table->mask;; slot = (slot + 1) & table->mask) {
    const AtxJsNamedChild *entry = table->slots[slot];
    if (!entry)
      return NULL;
    if (entry->hash == hash && entry->name_len == len && memcmp(entry->name, name, len) == 0)
      return entry;
  }
}

static gboolean
has_member(const AtxJsValue *object, const char *name)
{
  return object->klass->object_get(object->handle, name, strlen(name)) != NULL;
}

static gboolean
check_property_count(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  gsize count = instance->klass->object_size(instance->handle), limit = keyword->u.count;
  gboolean is_max = keyword->kind == KW_MAX_PROPERTIES;
  if (is_max ? count <= limit : count >= limit)
    return TRUE;
  atx_js_report(ctx, keyword->name, "expected at %s %" G_GSIZE_FORMAT " key%s", is_max ? "most" : "least", limit,
                plural(limit));
  return FALSE;
}

static gboolean
check_required(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  gboolean ok = TRUE;
  for (const char *const *name = keyword->u.required.names; *name && (ok || ctx->errors); name++) {
    if (has_member(instance, *name))
      continue;
    atx_js_report(ctx, "required", "missing required key \"%s\"", *name);
    ok = FALSE;
  }
  return ok;
}

static gboolean
check_dependent_required(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < keyword->u.dependent_required.n && (ok || ctx->errors); i++) {
    const AtxJsDependentRequired *entry = &keyword->u.dependent_required.entries[i];
    if (!has_member(instance, entry->key))
      continue;
    for (const char *const *name = entry->names; *name; name++) {
      if (has_member(instance, *name))
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
apply_member(AtxJsCtx *ctx, const AtxJsChild *child, const char *keyword, const AtxJsValue *object,
             const AtxJsonInstanceMember *member)
{
  if (!atx_js_is_false_schema(child)) {
    AtxJsValue value;
    atx_js_value_init(&value, object->klass, member->value);
    return atx_js_validate_child(ctx, child, &value, NULL);
  }
  if (strcmp(keyword, "properties") == 0 || strcmp(keyword, "patternProperties") == 0)
    atx_js_report_at(ctx, child->segment, keyword, "key \"%s\" is not allowed", member->key);
  else
    atx_js_report_at(ctx, child->segment, keyword, "unknown key \"%s\"", member->key);
  return FALSE;
}

static gboolean
check_member(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *object,
             const AtxJsonInstanceMember *member, AtxJsAnnotations *annotations)
{
  gboolean matched = FALSE, ok = TRUE;
  const AtxJsNamedChild *named = atx_js_property_lookup(&keyword->u.properties.named, member->key, member->key_len);
  if (named) {
    matched = TRUE;
    ok = apply_member(ctx, &named->child, "properties", object, member);
  }
  for (guint i = 0; i < keyword->u.properties.n_patterns && (ok || ctx->errors); i++) {
    const AtxJsPatternChild *entry = &keyword->u.properties.patterns[i];
    int found = atx_js_pattern_search(&entry->pattern, member->key, member->key_len);
    if (found < 0) {
      atx_js_report_at(ctx, entry->child.segment, "patternProperties", "key \"%s\" is too complex to match "
                       "against pattern %s", member->key, entry->pattern.source);
      ok = FALSE;
    } else if (found) {
      matched = TRUE;
      ok = apply_member(ctx, &entry->child, "patternProperties", object, member) && ok;
    }
  }
  if (!matched && keyword->u.properties.additional) {
    matched = TRUE;
    ok = apply_member(ctx, keyword->u.properties.additional, "additionalProperties", object, member) && ok;
  }
  if (matched)
    atx_js_annotate_property(annotations, member->key);
  return ok;
}

static gboolean
check_properties(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                 AtxJsAnnotations *annotations)
{
  gboolean ok = TRUE;
  gconstpointer cursor = NULL;
  AtxJsonInstanceMember member;
  while (instance->klass->object_next(instance->handle, &cursor, &member)) {
    atx_js_push_key(ctx, member.key);
    ok = check_member(ctx, keyword, instance, &member, annotations) && ok;
    atx_js_pop_instance(ctx);
    if (!ok && !ctx->errors)
      break;
  }
  return ok;
}

/* A key as a string instance, for propertyNames: nothing to allocate. */
typedef struct {
  const char *text;
  gsize len;
} KeyString;

static AtxJsonInstanceKind
key_kind(gconstpointer value)
{
  return ATX_JSON_INSTANCE_STRING;
}

static const char *
key_text(gconstpointer value, gsize *len_out)
{
  const KeyString *key = value;
  *len_out = key->len;
  return key->text;
}

/* A string has nothing but its text: no other function is ever called. */
static const AtxJsonInstanceClass key_class = { .kind = key_kind, .string = key_text };

/* Errors about a key name say which key: "invalid key "Eth0": string does not
 * match pattern ^eth[0-9]+$", located at the key's member. */
static gboolean
check_property_name(AtxJsCtx *ctx, const AtxJsChild *child, const AtxJsonInstanceMember *member)
{
  KeyString key = { member->key, member->key_len };
  AtxJsValue name;
  atx_js_value_init(&name, &key_class, &key);
  if (!ctx->errors)
    return atx_js_check_child(ctx, child, &name, NULL);
  guint before = ctx->errors->len;
  gboolean ok = atx_js_validate_child(ctx, child, &name, NULL);
  for (guint i = before; i < ctx->errors->len; i++) {
    AtxJsonSchemaError *e = g_ptr_array_index(ctx->errors, i);
    char *message = g_strdup_printf("invalid key \"%s\": %s", member->key, e->message);
    g_free(e->message);
    e->message = message;
  }
  return ok;
}

static gboolean
check_property_names(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance)
{
  gboolean ok = TRUE;
  gconstpointer cursor = NULL;
  AtxJsonInstanceMember member;
  while (instance->klass->object_next(instance->handle, &cursor, &member)) {
    atx_js_push_key(ctx, member.key);
    ok = check_property_name(ctx, &keyword->u.child, &member) && ok;
    atx_js_pop_instance(ctx);
    if (!ok && !ctx->errors)
      break;
  }
  return ok;
}

static gboolean
check_dependent_schemas(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                        AtxJsAnnotations *annotations)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < keyword->u.dependent_schemas.n && (ok || ctx->errors); i++) {
    const AtxJsDependentSchema *entry = &keyword->u.dependent_schemas.entries[i];
    if (has_member(instance, entry->key))
      ok = atx_js_validate_child(ctx, &entry->child, instance, annotations) && ok;
  }
  return ok;
}

static gboolean
check_unevaluated_properties(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                             AtxJsAnnotations *annotations)
{
  gboolean ok = TRUE;
  gconstpointer cursor = NULL;
  AtxJsonInstanceMember member;
  while (instance->klass->object_next(instance->handle, &cursor, &member)) {
    if (annotations->properties && g_hash_table_contains(annotations->properties, member.key))
      continue;
    atx_js_push_key(ctx, member.key);
    ok = apply_member(ctx, &keyword->u.child, "unevaluatedProperties", instance, &member) && ok;
    atx_js_pop_instance(ctx);
    atx_js_annotate_property(annotations, member.key);
    if (!ok && !ctx->errors)
      break;
  }
  return ok;
}

gboolean
atx_js_check_object_keyword(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                            AtxJsAnnotations *annotations)
{
  /* Opaque values are a kind of their own, so this excludes them too. */
  if (instance->kind != ATX_JSON_INSTANCE_OBJECT)
    return TRUE;
  switch (keyword->kind) {
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
  case KW_UNEVALUATED_PROPERTIES:
    return check_unevaluated_properties(ctx, keyword, instance, annotations);
  default:
    g_assert_not_reached();
  }
}
