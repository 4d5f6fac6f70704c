/* Schema JSON -> AtxJsNode trees.
 *
 * Every schema object is checked against the full list of keywords this
 * validator implements before anything else, so an unknown keyword is refused
 * with its location instead of being ignored. $ref targets are looked up after
 * the whole document is compiled (a reference may point forward), and refs to
 * documents nobody has added yet stay pending until atx_json_schema_add_resource
 * supplies them. */
#include "core/jsonschema/jsonschema_private.h"

#include "core/base/jsonpointer.h"

#include <string.h>

#define DIALECT_URI "https://json-schema.org/draft/2020-12/schema"

typedef struct {
  AtxJsonSchema *schema;
  const char *document; /* URI named in messages; NULL for the main document */
  GString *pointer;     /* from the document root to the schema being compiled */
  const char *base_uri; /* absolute, no fragment */
  AtxJsResource *resource;
  /* The schema object being compiled and a signature of its keys
   * (keyword_bit): compilation asks each object for ~70 keywords it mostly
   * lacks, and one bit test answers most of those without a hash lookup. */
  const json_t *keys_of;
  guint64 key_bits;
} Compiler;

static gboolean compile_schema(Compiler *c, const json_t *json, AtxJsNode **out, GError **error);

/* Every keyword a schema object may hold. Anything else is refused. */
static const char *const known_keywords[] = {
  "$schema", "$id", "$anchor", "$dynamicAnchor", "$ref", "$dynamicRef", "$defs", "$comment",
  "$vocabulary", "prefixItems", "items", "contains", "additionalProperties", "properties",
  "patternProperties", "dependentSchemas", "propertyNames", "if", "then", "else", "allOf", "anyOf",
  "oneOf", "not", "unevaluatedItems", "unevaluatedProperties", "type", "enum", "const",
  "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength",
  "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
  "maxProperties", "minProperties", "required", "dependentRequired", "title", "description",
  "default", "deprecated", "readOnly", "writeOnly", "examples", "format", "contentEncoding",
  "contentMediaType", "contentSchema",
};

/* A bit chosen by the first byte and the length: for a literal @name the
 * compiler folds it to a constant. Two keywords may share a bit; that only
 * costs the hash lookup the bit would have saved. */
static inline guint64
keyword_bit(const char *name)
{
  return G_GUINT64_CONSTANT(1) << ((((guint) (guchar) name[0]) * 7u + (guint) strlen(name)) & 63u);
}

/* json_object_get() for a keyword of a schema object. */
static inline const json_t *
keyword_value(const Compiler *c, const json_t *json, const char *name)
{
  if (json == c->keys_of && !(c->key_bits & keyword_bit(name)))
    return NULL;
  return json_object_get(json, name);
}

static gboolean
is_known_keyword(const char *key)
{
  static GHashTable *known = NULL;
  if (g_once_init_enter(&known)) {
    GHashTable *table = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < G_N_ELEMENTS(known_keywords); i++)
      g_hash_table_add(table, (gpointer) known_keywords[i]);
    g_once_init_leave(&known, table);
  }
  return g_hash_table_contains(known, key);
}

static gpointer
atx_js_arena_alloc(AtxJsonSchema *schema, gsize size)
{
  gpointer memory = g_malloc0(size);
  g_ptr_array_add(schema->allocations, memory);
  return memory;
}

const char *
atx_js_arena_strdup(AtxJsonSchema *schema, const char *text)
{
  char *copy = g_strdup(text);
  g_ptr_array_add(schema->allocations, copy);
  return copy;
}

/* "/properties/port/maximum", or "URI#/..." inside an added document. */
static char *
location(const Compiler *c, const char *keyword)
{
  g_autofree char *pointer = keyword ? atx_json_pointer_join(c->pointer->str, keyword)
                                     : g_strdup(c->pointer->str);
  if (c->document)
    return g_strdup_printf("%s#%s", c->document, pointer);
  return g_strdup(*pointer ? pointer : "/");
}

static gboolean G_GNUC_PRINTF(4, 5)
invalid(const Compiler *c, GError **error, const char *keyword, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *detail = g_strdup_vprintf(format, args);
  va_end(args);
  g_autofree char *where = location(c, keyword);
  g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID, "invalid \"%s\" at %s: %s",
              keyword, where, detail);
  return FALSE;
}

/* Compiles the subschema reached through @token (and @token2, when not NULL). */
static gboolean
compile_child(Compiler *c, const json_t *json, const char *token, const char *token2, AtxJsChild *out,
              GError **error)
{
  gsize mark = c->pointer->len;
  atx_json_pointer_append(c->pointer, token);
  if (token2)
    atx_json_pointer_append(c->pointer, token2);
  out->segment = atx_js_arena_strdup(c->schema, c->pointer->str + mark);
  gboolean ok = compile_schema(c, json, &out->node, error);
  g_string_truncate(c->pointer, mark);
  return ok;
}

static gboolean
compile_child_index(Compiler *c, const json_t *json, const char *token, gsize index, AtxJsChild *out,
                    GError **error)
{
  char number[32];
  g_snprintf(number, sizeof number, "%" G_GSIZE_FORMAT, index);
  return compile_child(c, json, token, number, out, error);
}

static gboolean
check_known_keywords(Compiler *c, const json_t *json, GError **error)
{
  const char *key;
  const json_t *value;
  c->keys_of = NULL;
  c->key_bits = 0;
  json_object_foreach ((json_t *) json, key, value) {
    c->key_bits |= keyword_bit(key);
    if (!is_known_keyword(key)) {
      g_autofree char *where = location(c, key);
      g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD,
                  "unsupported keyword \"%s\" at %s", key, where);
      return FALSE;
    }
  }
  c->keys_of = json;
  return TRUE;
}

static gboolean
check_dialect(Compiler *c, const json_t *json, GError **error)
{
  const json_t *dialect = keyword_value(c, json, "$schema");
  if (!dialect)
    return TRUE;
  if (!json_is_string(dialect))
    return invalid(c, error, "$schema", "expected a URI string");
  const char *uri = json_string_value(dialect);
  if (strcmp(uri, DIALECT_URI) == 0 || strcmp(uri, DIALECT_URI "#") == 0)
    return TRUE;
  g_autofree char *where = location(c, "$schema");
  g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD,
              "unsupported keyword \"$schema\" at %s: only draft 2020-12 (\"" DIALECT_URI
              "\") is supported, not \"%s\"",
              where, uri);
  return FALSE;
}

static AtxJsResource *
new_resource(AtxJsonSchema *schema, const char *uri, const json_t *json)
{
  AtxJsResource *resource = atx_js_arena_alloc(schema, sizeof *resource);
  resource->uri = atx_js_arena_strdup(schema, uri);
  resource->json = json;
  resource->dynamic_anchors = g_hash_table_new(g_str_hash, g_str_equal);
  g_ptr_array_add(schema->tables, resource->dynamic_anchors);
  return resource;
}

/* $id starts a new schema resource; its URI becomes the base for everything
 * below it. */
static gboolean
enter_resource(Compiler *c, const json_t *json, GError **error)
{
  const json_t *id = keyword_value(c, json, "$id");
  if (!id)
    return TRUE;
  if (!json_is_string(id))
    return invalid(c, error, "$id", "expected a URI-reference string");
  g_autofree char *resolved = atx_js_uri_resolve(c->base_uri, json_string_value(id));
  g_autofree char *fragment = NULL;
  g_autofree char *uri = atx_js_uri_split_fragment(resolved, &fragment);
  if (fragment && *fragment)
    return invalid(c, error, "$id", "must not have a fragment (use $anchor): \"%s\"", json_string_value(id));
  AtxJsResource *existing = g_hash_table_lookup(c->schema->resources, uri);
  if (existing && existing->json != json)
    return invalid(c, error, "$id", "\"%s\" identifies two different schemas", uri);
  c->resource = existing ? existing : new_resource(c->schema, uri, json);
  c->base_uri = c->resource->uri;
  g_hash_table_insert(c->schema->resources, (gpointer) c->resource->uri, c->resource);
  return TRUE;
}

static gboolean
valid_anchor_name(const char *name)
{
  if (!g_ascii_isalpha(name[0]) && name[0] != '_')
    return FALSE;
  for (const char *p = name + 1; *p; p++)
    if (!g_ascii_isalnum(*p) && !strchr("-_.", *p))
      return FALSE;
  return TRUE;
}

static gboolean
register_anchor(Compiler *c, const json_t *json, const char *keyword, AtxJsNode *node, GError **error)
{
  const json_t *anchor = keyword_value(c, json, keyword);
  if (!anchor)
    return TRUE;
  if (!json_is_string(anchor) || !valid_anchor_name(json_string_value(anchor)))
    return invalid(c, error, keyword, "expected a plain name (letters, digits, '-', '_', '.')");
  const char *name = json_string_value(anchor);
  g_autofree char *key = g_strdup_printf("%s#%s", c->resource->uri, name);
  AtxJsNode *existing = g_hash_table_lookup(c->schema->anchors, key);
  if (existing && existing != node)
    return invalid(c, error, keyword, "anchor \"%s\" is defined twice in %s", name, c->resource->uri);
  g_hash_table_insert(c->schema->anchors, (gpointer) atx_js_arena_strdup(c->schema, key), node);
  if (strcmp(keyword, "$dynamicAnchor") == 0) {
    node->dynamic_anchor = atx_js_arena_strdup(c->schema, name);
    g_hash_table_insert(c->resource->dynamic_anchors, (gpointer) node->dynamic_anchor, node);
  }
  return TRUE;
}

/* Non-negative integer keywords (maxLength, minItems, ...); 2.0 counts as 2. */
static gboolean
read_count(Compiler *c, const json_t *value, const char *keyword, gsize *out, GError **error)
{
  if (!atx_js_is_integer(value) || (json_is_integer(value) ? json_integer_value(value) < 0
                                                           : json_real_value(value) < 0))
    return invalid(c, error, keyword, "expected a non-negative integer");
  if (json_is_integer(value))
    *out = (gsize) json_integer_value(value);
  else
    *out = json_real_value(value) >= (double) G_MAXSIZE ? G_MAXSIZE : (gsize) json_real_value(value);
  return TRUE;
}

static AtxJsKeyword *
add_keyword(GArray *keywords, AtxJsKeywordKind kind, const char *name)
{
  AtxJsKeyword keyword = { .kind = kind, .name = name };
  g_array_append_val(keywords, keyword);
  return &g_array_index(keywords, AtxJsKeyword, keywords->len - 1);
}

static const char *const type_names[] = { "null", "boolean", "object", "array", "number", "string", "integer" };

static gboolean
read_type_name(Compiler *c, const json_t *name, guint *types, GError **error)
{
  for (guint i = 0; json_is_string(name) && i < G_N_ELEMENTS(type_names); i++) {
    if (strcmp(json_string_value(name), type_names[i]) == 0) {
      *types |= 1u << i;
      return TRUE;
    }
  }
  return invalid(c, error, "type", "expected one of null, boolean, object, array, number, string, integer");
}

static gboolean
compile_type(Compiler *c, const json_t *json, GArray *keywords, AtxJsNode *node, GError **error)
{
  const json_t *type = keyword_value(c, json, "type");
  node->number_noun = "number";
  if (!type)
    return TRUE;
  guint types = 0;
  if (json_is_array(type)) {
    gsize i;
    const json_t *name;
    json_array_foreach (type, i, name)
      if (!read_type_name(c, name, &types, error))
        return FALSE;
  } else if (!read_type_name(c, type, &types, error)) {
    return FALSE;
  }
  if (types == ATX_JS_KIND_INTEGER)
    node->number_noun = "integer";
  add_keyword(keywords, KW_TYPE, "type")->u.types = types;
  return TRUE;
}

static gboolean
compile_values(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *values = keyword_value(c, json, "enum");
  if (values) {
    if (!json_is_array(values))
      return invalid(c, error, "enum", "expected an array");
    add_keyword(keywords, KW_ENUM, "enum")->u.value = values;
  }
  const json_t *constant = keyword_value(c, json, "const");
  if (constant)
    add_keyword(keywords, KW_CONST, "const")->u.value = constant;
  return TRUE;
}

static gboolean
compile_numeric(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  static const struct {
    const char *name;
    AtxJsKeywordKind kind;
  } limits[] = {
    { "multipleOf", KW_MULTIPLE_OF },       { "maximum", KW_MAXIMUM }, { "exclusiveMaximum", KW_EXCLUSIVE_MAXIMUM },
    { "minimum", KW_MINIMUM }, { "exclusiveMinimum", KW_EXCLUSIVE_MINIMUM },
  };
  for (guint i = 0; i < G_N_ELEMENTS(limits); i++) {
    const json_t *value = keyword_value(c, json, limits[i].name);
    if (!value)
      continue;
    if (!json_is_number(value))
      return invalid(c, error, limits[i].name, "expected a number");
    if (limits[i].kind == KW_MULTIPLE_OF && json_number_value(value) <= 0)
      return invalid(c, error, limits[i].name, "expected a number greater than 0");
    AtxJsKeyword *keyword = add_keyword(keywords, limits[i].kind, limits[i].name);
    keyword->u.limit.json = value;
    keyword->u.limit.number = atx_js_json_number(value);
  }
  return TRUE;
}

static gboolean
compile_counts(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  static const struct {
    const char *name;
    AtxJsKeywordKind kind;
  } counts[] = {
    { "maxLength", KW_MAX_LENGTH },   { "minLength", KW_MIN_LENGTH },
    { "maxItems", KW_MAX_ITEMS },     { "minItems", KW_MIN_ITEMS },
    { "maxProperties", KW_MAX_PROPERTIES }, { "minProperties", KW_MIN_PROPERTIES },
  };
  for (guint i = 0; i < G_N_ELEMENTS(counts); i++) {
    const json_t *value = keyword_value(c, json, counts[i].name);
    gsize count;
    if (!value)
      continue;
    if (!read_count(c, value, counts[i].name, &count, error))
      return FALSE;
    add_keyword(keywords, counts[i].kind, counts[i].name)->u.count = count;
  }
  return TRUE;
}

static gboolean
compile_pattern(Compiler *c, const json_t *source, const char *keyword, AtxJsPattern *out, GError **error)
{
  g_autoptr(GError) regex_error = NULL;
  if (!json_is_string(source))
    return invalid(c, error, keyword, "expected a regular expression string");
  out->source = atx_js_arena_strdup(c->schema, json_string_value(source));
  out->regex = atx_js_regex_compile(out->source, &regex_error);
  if (!out->regex)
    return invalid(c, error, keyword, "%s", regex_error->message);
  g_ptr_array_add(c->schema->regexes, out->regex);
  /* Only patterns GRegex accepts get here, so the fast matcher never decides
   * whether a pattern is valid; it only answers faster for the ones it knows. */
  AtxJsFastRegex *fast = atx_js_fast_regex_compile(out->source);
  if (fast)
    g_ptr_array_add(c->schema->allocations, fast);
  out->fast = fast;
  return TRUE;
}

static gboolean
compile_string(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *pattern = keyword_value(c, json, "pattern");
  if (!pattern)
    return TRUE;
  AtxJsPattern compiled;
  if (!compile_pattern(c, pattern, "pattern", &compiled, error))
    return FALSE;
  add_keyword(keywords, KW_PATTERN, "pattern")->u.pattern = compiled;
  return TRUE;
}

/* Returns a NULL-terminated arena copy of an array of unique strings. */
static const char *const *
read_names(Compiler *c, const json_t *array, const char *keyword, GError **error)
{
  if (!json_is_array(array)) {
    invalid(c, error, keyword, "expected an array of strings");
    return NULL;
  }
  const char **names = atx_js_arena_alloc(c->schema, (json_array_size(array) + 1) * sizeof *names);
  gsize i;
  const json_t *name;
  json_array_foreach (array, i, name) {
    if (!json_is_string(name)) {
      invalid(c, error, keyword, "expected an array of strings");
      return NULL;
    }
    names[i] = atx_js_arena_strdup(c->schema, json_string_value(name));
  }
  return names;
}

static gboolean
compile_required(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *required = keyword_value(c, json, "required");
  if (!required)
    return TRUE;
  const char *const *names = read_names(c, required, "required", error);
  if (!names)
    return FALSE;
  add_keyword(keywords, KW_REQUIRED, "required")->u.required.names = names;
  return TRUE;
}

static gboolean
compile_dependent_required(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *dependent = keyword_value(c, json, "dependentRequired");
  if (!dependent)
    return TRUE;
  if (!json_is_object(dependent))
    return invalid(c, error, "dependentRequired", "expected an object of string arrays");
  AtxJsDependentRequired *entries = atx_js_arena_alloc(c->schema, json_object_size(dependent) * sizeof *entries + 1);
  guint n = 0;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) dependent, key, value) {
    entries[n].key = atx_js_arena_strdup(c->schema, key);
    entries[n].names = read_names(c, value, "dependentRequired", error);
    if (!entries[n++].names)
      return FALSE;
  }
  AtxJsKeyword *keyword = add_keyword(keywords, KW_DEPENDENT_REQUIRED, "dependentRequired");
  keyword->u.dependent_required.entries = entries;
  keyword->u.dependent_required.n = n;
  return TRUE;
}

static gboolean
compile_named_properties(Compiler *c, const json_t *properties, AtxJsKeyword *keyword, GError **error)
{
  if (!json_is_object(properties))
    return invalid(c, error, "properties", "expected an object of schemas");
  /* At most half full, so probes stay short and always end at an empty slot. */
  guint size = 2;
  while (size < 2 * json_object_size(properties))
    size *= 2;
  AtxJsPropertyTable *table = &keyword->u.properties.named;
  table->slots = atx_js_arena_alloc(c->schema, size * sizeof *table->slots);
  table->mask = size - 1;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) properties, key, value) {
    AtxJsNamedChild *entry = atx_js_arena_alloc(c->schema, sizeof *entry);
    if (!compile_child(c, value, "properties", key, &entry->child, error))
      return FALSE;
    /* The full length: a name holding U+0000 matches only that very key. */
    entry->name_len = json_object_iter_key_len(json_object_key_to_iter(key));
    char *name = atx_js_arena_alloc(c->schema, entry->name_len + 1);
    memcpy(name, key, entry->name_len);
    entry->name = name;
    entry->hash = atx_js_property_hash(entry->name, entry->name_len);
    guint slot = entry->hash & table->mask;
    while (table->slots[slot])
      slot = (slot + 1) & table->mask;
    table->slots[slot] = entry;
  }
  return TRUE;
}

static gboolean
compile_pattern_properties(Compiler *c, const json_t *patterns, AtxJsKeyword *keyword, GError **error)
{
  if (!json_is_object(patterns))
    return invalid(c, error, "patternProperties", "expected an object of schemas");
  AtxJsPatternChild *entries = atx_js_arena_alloc(c->schema, json_object_size(patterns) * sizeof *entries + 1);
  guint n = 0;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) patterns, key, value) {
    g_autoptr(json_t) source = json_string(key);
    if (!compile_pattern(c, source, "patternProperties", &entries[n].pattern, error) ||
        !compile_child(c, value, "patternProperties", key, &entries[n].child, error))
      return FALSE;
    n++;
  }
  keyword->u.properties.patterns = entries;
  keyword->u.properties.n_patterns = n;
  return TRUE;
}

static gboolean
compile_properties(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *named = keyword_value(c, json, "properties");
  const json_t *patterns = keyword_value(c, json, "patternProperties");
  const json_t *additional = keyword_value(c, json, "additionalProperties");
  if (!named && !patterns && !additional)
    return TRUE;
  AtxJsKeyword keyword = { .kind = KW_PROPERTIES, .name = "properties" };
  if (named && !compile_named_properties(c, named, &keyword, error))
    return FALSE;
  if (patterns && !compile_pattern_properties(c, patterns, &keyword, error))
    return FALSE;
  if (additional) {
    keyword.u.properties.additional = atx_js_arena_alloc(c->schema, sizeof(AtxJsChild));
    if (!compile_child(c, additional, "additionalProperties", NULL, keyword.u.properties.additional, error))
      return FALSE;
  }
  g_array_append_val(keywords, keyword);
  return TRUE;
}

/* A keyword whose value is one subschema: propertyNames, not, unevaluated*. */
static gboolean
compile_single(Compiler *c, const json_t *json, GArray *keywords, AtxJsKeywordKind kind, const char *name,
               GError **error)
{
  const json_t *value = keyword_value(c, json, name);
  if (!value)
    return TRUE;
  AtxJsChild child;
  if (!compile_child(c, value, name, NULL, &child, error))
    return FALSE;
  add_keyword(keywords, kind, name)->u.child = child;
  return TRUE;
}

static gboolean
compile_dependent_schemas(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *dependent = keyword_value(c, json, "dependentSchemas");
  if (!dependent)
    return TRUE;
  if (!json_is_object(dependent))
    return invalid(c, error, "dependentSchemas", "expected an object of schemas");
  AtxJsDependentSchema *entries = atx_js_arena_alloc(c->schema, json_object_size(dependent) * sizeof *entries + 1);
  guint n = 0;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) dependent, key, value) {
    entries[n].key = atx_js_arena_strdup(c->schema, key);
    if (!compile_child(c, value, "dependentSchemas", key, &entries[n++].child, error))
      return FALSE;
  }
  AtxJsKeyword *keyword = add_keyword(keywords, KW_DEPENDENT_SCHEMAS, "dependentSchemas");
  keyword->u.dependent_schemas.entries = entries;
  keyword->u.dependent_schemas.n = n;
  return TRUE;
}

/* allOf, anyOf, oneOf, prefixItems: a non-empty array of subschemas. */
static gboolean
compile_schema_array(Compiler *c, const json_t *array, const char *name, AtxJsChild **out, guint *n_out,
                     GError **error)
{
  if (!json_is_array(array) || json_array_size(array) == 0)
    return invalid(c, error, name, "expected a non-empty array of schemas");
  AtxJsChild *children = atx_js_arena_alloc(c->schema, json_array_size(array) * sizeof *children);
  gsize i;
  const json_t *value;
  json_array_foreach (array, i, value)
    if (!compile_child_index(c, value, name, i, &children[i], error))
      return FALSE;
  *out = children;
  *n_out = (guint) json_array_size(array);
  return TRUE;
}

static gboolean
compile_items(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *prefix = keyword_value(c, json, "prefixItems");
  const json_t *rest = keyword_value(c, json, "items");
  if (!prefix && !rest)
    return TRUE;
  AtxJsKeyword keyword = { .kind = KW_ITEMS, .name = "items" };
  if (prefix && !compile_schema_array(c, prefix, "prefixItems", &keyword.u.items.prefix,
                                      &keyword.u.items.n_prefix, error))
    return FALSE;
  if (rest) {
    keyword.u.items.rest = atx_js_arena_alloc(c->schema, sizeof(AtxJsChild));
    if (!compile_child(c, rest, "items", NULL, keyword.u.items.rest, error))
      return FALSE;
  }
  g_array_append_val(keywords, keyword);
  return TRUE;
}

static gboolean
compile_contains(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  const json_t *min = keyword_value(c, json, "minContains");
  const json_t *max = keyword_value(c, json, "maxContains");
  gsize min_count = 1, max_count = G_MAXSIZE;
  if ((min && !read_count(c, min, "minContains", &min_count, error)) ||
      (max && !read_count(c, max, "maxContains", &max_count, error)))
    return FALSE;
  const json_t *contains = keyword_value(c, json, "contains");
  if (!contains)
    return TRUE; /* minContains and maxContains alone have no effect */
  AtxJsKeyword keyword = { .kind = KW_CONTAINS, .name = "contains" };
  if (!compile_child(c, contains, "contains", NULL, &keyword.u.contains.child, error))
    return FALSE;
  keyword.u.contains.min = min_count;
  keyword.u.contains.max = max_count;
  g_array_append_val(keywords, keyword);
  return TRUE;
}

static gboolean
compile_combinators(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  static const struct {
    const char *name;
    AtxJsKeywordKind kind;
  } combinators[] = { { "allOf", KW_ALL_OF }, { "anyOf", KW_ANY_OF }, { "oneOf", KW_ONE_OF } };
  for (guint i = 0; i < G_N_ELEMENTS(combinators); i++) {
    const json_t *value = keyword_value(c, json, combinators[i].name);
    AtxJsKeyword keyword = { .kind = combinators[i].kind, .name = combinators[i].name };
    if (!value)
      continue;
    if (!compile_schema_array(c, value, combinators[i].name, &keyword.u.list.children, &keyword.u.list.n, error))
      return FALSE;
    g_array_append_val(keywords, keyword);
  }
  return compile_single(c, json, keywords, KW_NOT, "not", error);
}

static gboolean
compile_optional_child(Compiler *c, const json_t *json, const char *name, AtxJsChild **out, GError **error)
{
  const json_t *value = keyword_value(c, json, name);
  *out = NULL;
  if (!value)
    return TRUE;
  *out = atx_js_arena_alloc(c->schema, sizeof(AtxJsChild));
  return compile_child(c, value, name, NULL, *out, error);
}

static gboolean
compile_conditional(Compiler *c, const json_t *json, GArray *keywords, GError **error)
{
  AtxJsChild *cond, *then_branch, *else_branch;
  /* then and else are compiled even without if, so their keywords are checked. */
  if (!compile_optional_child(c, json, "if", &cond, error) ||
      !compile_optional_child(c, json, "then", &then_branch, error) ||
      !compile_optional_child(c, json, "else", &else_branch, error))
    return FALSE;
  if (!cond)
    return TRUE;
  AtxJsKeyword *keyword = add_keyword(keywords, KW_IF, "if");
  keyword->u.cond.cond = *cond;
  keyword->u.cond.then_branch = then_branch;
  keyword->u.cond.else_branch = else_branch;
  return TRUE;
}

static gboolean
compile_reference(Compiler *c, const json_t *json, GArray *keywords, AtxJsKeywordKind kind, const char *name,
                  GError **error)
{
  const json_t *value = keyword_value(c, json, name);
  if (!value)
    return TRUE;
  if (!json_is_string(value))
    return invalid(c, error, name, "expected a URI-reference string");
  AtxJsRef *ref = atx_js_arena_alloc(c->schema, sizeof *ref);
  g_autofree char *uri = atx_js_uri_resolve(c->base_uri, json_string_value(value));
  g_autofree char *where = location(c, name);
  ref->text = atx_js_arena_strdup(c->schema, json_string_value(value));
  ref->uri = atx_js_arena_strdup(c->schema, uri);
  ref->location = atx_js_arena_strdup(c->schema, where);
  ref->dynamic = kind == KW_DYNAMIC_REF;
  add_keyword(keywords, kind, name)->u.ref = ref;
  g_ptr_array_add(c->schema->pending_refs, ref);
  return TRUE;
}

/* Subschemas that are never applied to the instance but may be $ref targets. */
static gboolean
compile_unapplied(Compiler *c, const json_t *json, GError **error)
{
  const json_t *defs = keyword_value(c, json, "$defs");
  if (defs) {
    if (!json_is_object(defs))
      return invalid(c, error, "$defs", "expected an object of schemas");
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *) defs, key, value) {
      AtxJsChild child;
      if (!compile_child(c, value, "$defs", key, &child, error))
        return FALSE;
    }
  }
  AtxJsChild *content;
  return compile_optional_child(c, json, "contentSchema", &content, error);
}

/* Keywords with a plain value and no compiled form still get their value
 * checked: "deprecated": "yes" is a mistake worth reporting. */
static gboolean
check_plain_values(Compiler *c, const json_t *json, GError **error)
{
  static const char *const strings[] = { "title", "description", "$comment", "format", "contentEncoding",
                                         "contentMediaType" };
  static const char *const booleans[] = { "deprecated", "readOnly", "writeOnly", "uniqueItems" };
  for (guint i = 0; i < G_N_ELEMENTS(strings); i++) {
    const json_t *value = keyword_value(c, json, strings[i]);
    if (value && !json_is_string(value))
      return invalid(c, error, strings[i], "expected a string");
  }
  for (guint i = 0; i < G_N_ELEMENTS(booleans); i++) {
    const json_t *value = keyword_value(c, json, booleans[i]);
    if (value && !json_is_boolean(value))
      return invalid(c, error, booleans[i], "expected true or false");
  }
  const json_t *examples = keyword_value(c, json, "examples");
  if (examples && !json_is_array(examples))
    return invalid(c, error, "examples", "expected an array");
  const json_t *vocabulary = keyword_value(c, json, "$vocabulary");
  if (vocabulary && !json_is_object(vocabulary))
    return invalid(c, error, "$vocabulary", "expected an object");
  return TRUE;
}

static gboolean
compile_keywords(Compiler *c, const json_t *json, AtxJsNode *node, GArray *keywords, GError **error)
{
  if (!compile_type(c, json, keywords, node, error) || !compile_values(c, json, keywords, error) ||
      !compile_numeric(c, json, keywords, error) || !compile_counts(c, json, keywords, error) ||
      !compile_string(c, json, keywords, error) || !compile_items(c, json, keywords, error) ||
      !compile_contains(c, json, keywords, error) || !compile_required(c, json, keywords, error) ||
      !compile_dependent_required(c, json, keywords, error) || !compile_properties(c, json, keywords, error) ||
      !compile_single(c, json, keywords, KW_PROPERTY_NAMES, "propertyNames", error) ||
      !compile_dependent_schemas(c, json, keywords, error) ||
      !compile_reference(c, json, keywords, KW_REF, "$ref", error) ||
      !compile_reference(c, json, keywords, KW_DYNAMIC_REF, "$dynamicRef", error) ||
      !compile_combinators(c, json, keywords, error) || !compile_conditional(c, json, keywords, error))
    return FALSE;
  if (json_is_true(keyword_value(c, json, "uniqueItems")))
    add_keyword(keywords, KW_UNIQUE_ITEMS, "uniqueItems");
  /* unevaluated* read the annotations of every keyword above, so they run last. */
  guint before = keywords->len;
  if (!compile_single(c, json, keywords, KW_UNEVALUATED_ITEMS, "unevaluatedItems", error) ||
      !compile_single(c, json, keywords, KW_UNEVALUATED_PROPERTIES, "unevaluatedProperties", error))
    return FALSE;
  node->needs_annotations = keywords->len > before;
  return compile_unapplied(c, json, error) && check_plain_values(c, json, error);
}

static gboolean
compile_object(Compiler *c, const json_t *json, AtxJsNode *node, GError **error)
{
  if (!check_known_keywords(c, json, error) || !check_dialect(c, json, error))
    return FALSE;
  if (!register_anchor(c, json, "$anchor", node, error) ||
      !register_anchor(c, json, "$dynamicAnchor", node, error))
    return FALSE;
  g_autoptr(GArray) keywords = g_array_new(FALSE, TRUE, sizeof(AtxJsKeyword));
  if (!compile_keywords(c, json, node, keywords, error))
    return FALSE;
  node->n_keywords = keywords->len;
  node->keywords = atx_js_arena_alloc(c->schema, keywords->len * sizeof(AtxJsKeyword) + 1);
  if (keywords->len)
    memcpy(node->keywords, keywords->data, keywords->len * sizeof(AtxJsKeyword));
  return TRUE;
}

static gboolean
compile_schema(Compiler *c, const json_t *json, AtxJsNode **out, GError **error)
{
  AtxJsNode *existing = g_hash_table_lookup(c->schema->nodes_by_json, json);
  if (existing) {
    *out = existing;
    return TRUE;
  }
  if (!json_is_object(json) && !json_is_boolean(json)) {
    g_autofree char *where = location(c, NULL);
    g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_INVALID,
                "invalid schema at %s: expected an object or a boolean", where);
    return FALSE;
  }
  Compiler saved = *c;
  AtxJsNode *node = atx_js_arena_alloc(c->schema, sizeof *node);
  *out = node;
  node->number_noun = "number";
  gboolean ok = TRUE;
  if (json_is_boolean(json)) {
    node->is_boolean = TRUE;
    node->boolean_value = json_is_true(json);
  } else {
    ok = enter_resource(c, json, error);
  }
  node->resource = c->resource;
  if (c->resource->json == json && !c->resource->root)
    c->resource->root = node;
  g_hash_table_insert(c->schema->nodes_by_json, (gpointer) json, node);
  if (ok && json_is_object(json))
    ok = compile_object(c, json, node, error);
  c->base_uri = saved.base_uri;
  c->resource = saved.resource;
  c->keys_of = saved.keys_of;
  c->key_bits = saved.key_bits;
  return ok;
}

gboolean
atx_js_compile_at(AtxJsonSchema *schema, const json_t *json, AtxJsResource *resource, const char *document,
           const char *pointer, AtxJsNode **out, GError **error)
{
  g_autoptr(GString) path = g_string_new(pointer);
  Compiler c = { schema, document, path, resource->uri, resource };
  if (!compile_schema(&c, json, out, error))
    return FALSE;
  if (!resource->root && json == resource->json)
    resource->root = *out;
  return TRUE;
}

gboolean
atx_js_compile_document(AtxJsonSchema *schema, const json_t *document, const char *uri, AtxJsNode **root_out,
                        GError **error)
{
  AtxJsResource *resource = g_hash_table_lookup(schema->resources, uri);
  if (!resource) {
    resource = new_resource(schema, uri, document);
    g_hash_table_insert(schema->resources, (gpointer) resource->uri, resource);
  }
  const char *label = document == schema->document ? NULL : uri;
  if (!atx_js_compile_at(schema, document, resource, label, "", root_out, error))
    return FALSE;
  resource->root = *root_out;
  /* A root $id names the same resource as the retrieval URI: both keys work. */
  AtxJsResource *own = (*root_out)->resource;
  if (own != resource) {
    own->root = *root_out;
    g_hash_table_insert(schema->resources, (gpointer) resource->uri, own);
  }
  return TRUE;
}
