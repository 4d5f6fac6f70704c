/* A compiled schema written out as C data (atx_json_schema_emit_c): the node
 * graph becomes static arrays and compound literals, so a program can embed a
 * schema compiled at build time and skip parsing and compiling it at start-up.
 * Values validation needs as json_t (enum, const, numeric limits) are built by
 * generated code, one array in walk order; patterns GRegex must run travel as
 * their source. Both are turned back into live objects by atx_json_schema_load_static
 * (jsonschema_static.c), which walks the nodes in the same order. */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

typedef struct {
  GHashTable *node_index;     /* AtxJsNode* -> index + 1 */
  GPtrArray *nodes;           /* AtxJsNode*, in index order */
  GHashTable *resource_index; /* AtxJsResource* -> index + 1 */
  GPtrArray *resources;
  GString *out;
} Emitter;

static void
emitter_clear(Emitter *e)
{
  g_clear_pointer(&e->node_index, g_hash_table_unref);
  g_clear_pointer(&e->nodes, g_ptr_array_unref);
  g_clear_pointer(&e->resource_index, g_hash_table_unref);
  g_clear_pointer(&e->resources, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Emitter, emitter_clear)

static guint
resource_number(Emitter *e, const AtxJsResource *resource)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(e->resource_index, resource)) - 1;
}

static guint
node_number(Emitter *e, const AtxJsNode *node)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(e->node_index, node)) - 1;
}

static void
visit_node(Emitter *e, GQueue *todo, AtxJsNode *node)
{
  if (!node || g_hash_table_contains(e->node_index, node))
    return;
  g_ptr_array_add(e->nodes, node);
  g_hash_table_insert(e->node_index, node, GUINT_TO_POINTER(e->nodes->len));
  g_queue_push_tail(todo, node);
}

static void
visit_children(Emitter *e, GQueue *todo, const AtxJsChild *children, guint n)
{
  for (guint i = 0; i < n; i++)
    visit_node(e, todo, children[i].node);
}

static void
visit_keyword(Emitter *e, GQueue *todo, const AtxJsKeyword *k)
{
  switch (k->kind) {
  case KW_PROPERTIES:
    for (guint i = 0; k->u.properties.named.slots && i <= k->u.properties.named.mask; i++)
      if (k->u.properties.named.slots[i])
        visit_node(e, todo, k->u.properties.named.slots[i]->child.node);
    for (guint i = 0; i < k->u.properties.n_patterns; i++)
      visit_node(e, todo, k->u.properties.patterns[i].child.node);
    if (k->u.properties.additional)
      visit_node(e, todo, k->u.properties.additional->node);
    break;
  case KW_PROPERTY_NAMES:
  case KW_NOT:
  case KW_UNEVALUATED_PROPERTIES:
  case KW_UNEVALUATED_ITEMS:
    visit_node(e, todo, k->u.child.node);
    break;
  case KW_DEPENDENT_SCHEMAS:
    for (guint i = 0; i < k->u.dependent_schemas.n; i++)
      visit_node(e, todo, k->u.dependent_schemas.entries[i].child.node);
    break;
  case KW_ITEMS:
    visit_children(e, todo, k->u.items.prefix, k->u.items.n_prefix);
    if (k->u.items.rest)
      visit_node(e, todo, k->u.items.rest->node);
    break;
  case KW_CONTAINS:
    visit_node(e, todo, k->u.contains.child.node);
    break;
  case KW_ALL_OF:
  case KW_ANY_OF:
  case KW_ONE_OF:
    visit_children(e, todo, k->u.list.children, k->u.list.n);
    break;
  case KW_IF:
    visit_node(e, todo, k->u.cond.cond.node);
    if (k->u.cond.then_branch)
      visit_node(e, todo, k->u.cond.then_branch->node);
    if (k->u.cond.else_branch)
      visit_node(e, todo, k->u.cond.else_branch->node);
    break;
  case KW_REF:
  case KW_DYNAMIC_REF:
    visit_node(e, todo, k->u.ref->target);
    break;
  default:
    break;
  }
}

/* Numbers every node reachable from the root, breadth first, and the
 * resources they belong to. Fails for what the static form cannot hold. */
static gboolean
collect(Emitter *e, const AtxJsonSchema *schema, GError **error)
{
  g_autoptr(GQueue) todo = g_queue_new();
  visit_node(e, todo, schema->root);
  AtxJsNode *node;
  while ((node = g_queue_pop_head(todo))) {
    if (node->resource && !g_hash_table_contains(e->resource_index, node->resource)) {
      g_ptr_array_add(e->resources, node->resource);
      g_hash_table_insert(e->resource_index, node->resource, GUINT_TO_POINTER(e->resources->len));
      visit_node(e, todo, node->resource->root);
    }
    for (guint i = 0; i < node->n_keywords; i++) {
      const AtxJsKeyword *k = &node->keywords[i];
      /* $dynamicRef needs each resource's anchor table at run time; no
       * schema embedded so far uses it, so the static form leaves it out. */
      if (k->kind == KW_DYNAMIC_REF) {
        g_set_error(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD,
                    "$dynamicRef at %s: not supported in a schema compiled at build time", k->u.ref->location);
        return FALSE;
      }
      visit_keyword(e, todo, k);
    }
  }
  return TRUE;
}

/* A C string literal; octal escapes (never more than three digits, unlike
 * \x) for everything but printable ASCII. */
static void
emit_bytes(GString *out, const char *text, gsize len)
{
  g_string_append_c(out, '"');
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar) text[i];
    if (c == '"' || c == '\\' || c == '?')
      g_string_append_printf(out, "\\%c", c);
    else if (c >= 0x20 && c < 0x7f)
      g_string_append_c(out, (char) c);
    else
      g_string_append_printf(out, "\\%03o", c);
  }
  g_string_append_c(out, '"');
}

static void
emit_string(GString *out, const char *text)
{
  if (text)
    emit_bytes(out, text, strlen(text));
  else
    g_string_append(out, "NULL");
}

static void
emit_child(Emitter *e, const AtxJsChild *child)
{
  g_string_append_printf(e->out, "{ .node = &nodes[%u], .segment = ", node_number(e, child->node));
  emit_string(e->out, child->segment);
  g_string_append(e->out, " }");
}

static void
emit_child_pointer(Emitter *e, const AtxJsChild *child)
{
  if (!child) {
    g_string_append(e->out, "NULL");
    return;
  }
  g_string_append(e->out, "&(AtxJsChild) ");
  emit_child(e, child);
}

static void
emit_child_array(Emitter *e, const AtxJsChild *children, guint n)
{
  if (n == 0) {
    g_string_append(e->out, "NULL");
    return;
  }
  g_string_append(e->out, "(AtxJsChild[]) { ");
  for (guint i = 0; i < n; i++) {
    emit_child(e, &children[i]);
    g_string_append(e->out, ", ");
  }
  g_string_append(e->out, "}");
}

static void
emit_names(GString *out, const char *const *names)
{
  g_string_append(out, "(const char *const[]) { ");
  for (; *names; names++) {
    emit_string(out, *names);
    g_string_append(out, ", ");
  }
  g_string_append(out, "NULL }");
}

/* A simple pattern's matcher is data; GRegex, for the others, is made by
 * the loader. */
static void
emit_pattern(GString *out, const AtxJsPattern *pattern)
{
  g_string_append(out, "{ .source = ");
  emit_string(out, pattern->source);
  if (pattern->fast) {
    g_string_append(out, ", .fast = ");
    atx_js_fast_regex_emit_c(pattern->fast, out);
  }
  g_string_append(out, " }");
}

static void
emit_properties(Emitter *e, const AtxJsKeyword *k)
{
  const AtxJsPropertyTable *table = &k->u.properties.named;
  g_string_append(e->out, ".u.properties = { .named = { .slots = ");
  if (!table->slots) {
    g_string_append(e->out, "NULL");
  } else {
    g_string_append(e->out, "(AtxJsNamedChild *[]) {\n");
    for (guint i = 0; i <= table->mask; i++) {
      const AtxJsNamedChild *entry = table->slots[i];
      if (!entry) {
        g_string_append(e->out, "      NULL,\n");
        continue;
      }
      g_string_append(e->out, "      &(AtxJsNamedChild) { .name = ");
      emit_bytes(e->out, entry->name, entry->name_len);
      g_string_append_printf(e->out, ", .name_len = %" G_GSIZE_FORMAT ", .hash = %uu, .child = ", entry->name_len,
                             entry->hash);
      emit_child(e, &entry->child);
      g_string_append(e->out, " },\n");
    }
    g_string_append(e->out, "    }");
  }
  g_string_append_printf(e->out, ", .mask = %u }, .patterns = ", table->mask);
  if (k->u.properties.n_patterns == 0) {
    g_string_append(e->out, "NULL");
  } else {
    g_string_append(e->out, "(AtxJsPatternChild[]) { ");
    for (guint i = 0; i < k->u.properties.n_patterns; i++) {
      g_string_append(e->out, "{ .pattern = ");
      emit_pattern(e->out, &k->u.properties.patterns[i].pattern);
      g_string_append(e->out, ", .child = ");
      emit_child(e, &k->u.properties.patterns[i].child);
      g_string_append(e->out, " }, ");
    }
    g_string_append(e->out, "}");
  }
  g_string_append_printf(e->out, ", .n_patterns = %u, .additional = ", k->u.properties.n_patterns);
  emit_child_pointer(e, k->u.properties.additional);
  g_string_append(e->out, " }");
}

static void
emit_number(GString *out, const AtxJsNumber *number)
{
  g_string_append_printf(out,
                         "{ .is_integer = %s, .integer = G_GINT64_CONSTANT(%" G_GINT64_FORMAT "), .real = %a }",
                         number->is_integer ? "TRUE" : "FALSE", number->integer, number->real);
}

static void
emit_ref(Emitter *e, const AtxJsRef *ref)
{
  g_string_append(e->out, ".u.ref = &(AtxJsRef) { .text = ");
  emit_string(e->out, ref->text);
  g_string_append(e->out, ", .uri = ");
  emit_string(e->out, ref->uri);
  g_string_append(e->out, ", .location = ");
  emit_string(e->out, ref->location);
  if (ref->target)
    g_string_append_printf(e->out, ", .target = &nodes[%u]", node_number(e, ref->target));
  g_string_append(e->out, " }");
}

static void
emit_list_keyword(Emitter *e, const AtxJsKeyword *k)
{
  switch (k->kind) {
  case KW_DEPENDENT_SCHEMAS:
    g_string_append(e->out, ".u.dependent_schemas = { .entries = (AtxJsDependentSchema[]) { ");
    for (guint i = 0; i < k->u.dependent_schemas.n; i++) {
      g_string_append(e->out, "{ .key = ");
      emit_string(e->out, k->u.dependent_schemas.entries[i].key);
      g_string_append(e->out, ", .child = ");
      emit_child(e, &k->u.dependent_schemas.entries[i].child);
      g_string_append(e->out, " }, ");
    }
    g_string_append_printf(e->out, "}, .n = %u }", k->u.dependent_schemas.n);
    break;
  case KW_DEPENDENT_REQUIRED:
    g_string_append(e->out, ".u.dependent_required = { .entries = (AtxJsDependentRequired[]) { ");
    for (guint i = 0; i < k->u.dependent_required.n; i++) {
      g_string_append(e->out, "{ .key = ");
      emit_string(e->out, k->u.dependent_required.entries[i].key);
      g_string_append(e->out, ", .names = ");
      emit_names(e->out, k->u.dependent_required.entries[i].names);
      g_string_append(e->out, " }, ");
    }
    g_string_append_printf(e->out, "}, .n = %u }", k->u.dependent_required.n);
    break;
  case KW_ITEMS:
    g_string_append(e->out, ".u.items = { .prefix = ");
    emit_child_array(e, k->u.items.prefix, k->u.items.n_prefix);
    g_string_append_printf(e->out, ", .n_prefix = %u, .rest = ", k->u.items.n_prefix);
    emit_child_pointer(e, k->u.items.rest);
    g_string_append(e->out, " }");
    break;
  case KW_IF:
    g_string_append(e->out, ".u.cond = { .cond = ");
    emit_child(e, &k->u.cond.cond);
    g_string_append(e->out, ", .then_branch = ");
    emit_child_pointer(e, k->u.cond.then_branch);
    g_string_append(e->out, ", .else_branch = ");
    emit_child_pointer(e, k->u.cond.else_branch);
    g_string_append(e->out, " }");
    break;
  default: /* allOf, anyOf, oneOf */
    g_string_append(e->out, ".u.list = { .children = ");
    emit_child_array(e, k->u.list.children, k->u.list.n);
    g_string_append_printf(e->out, ", .n = %u }", k->u.list.n);
    break;
  }
}

/* The union member of @k; json_t values go to @values instead. */
static void
emit_keyword_value(Emitter *e, const AtxJsKeyword *k, json_t *values)
{
  switch (k->kind) {
  case KW_TYPE:
    g_string_append_printf(e->out, ".u.types = %uu", k->u.types);
    break;
  case KW_ENUM:
  case KW_CONST:
    json_array_append(values, (json_t *) k->u.value);
    break;
  case KW_MULTIPLE_OF:
  case KW_MAXIMUM:
  case KW_EXCLUSIVE_MAXIMUM:
  case KW_MINIMUM:
  case KW_EXCLUSIVE_MINIMUM:
    json_array_append(values, (json_t *) k->u.limit.json);
    g_string_append(e->out, ".u.limit = { .number = ");
    emit_number(e->out, &k->u.limit.number);
    g_string_append(e->out, " }");
    break;
  case KW_MAX_LENGTH:
  case KW_MIN_LENGTH:
  case KW_MAX_ITEMS:
  case KW_MIN_ITEMS:
  case KW_UNIQUE_ITEMS:
  case KW_MAX_PROPERTIES:
  case KW_MIN_PROPERTIES:
    g_string_append_printf(e->out, ".u.count = %" G_GSIZE_FORMAT "u", k->u.count);
    break;
  case KW_PATTERN:
    g_string_append(e->out, ".u.pattern = ");
    emit_pattern(e->out, &k->u.pattern);
    break;
  case KW_REQUIRED:
    g_string_append(e->out, ".u.required = { .names = ");
    emit_names(e->out, k->u.required.names);
    g_string_append(e->out, " }");
    break;
  case KW_PROPERTIES:
    emit_properties(e, k);
    break;
  case KW_PROPERTY_NAMES:
  case KW_NOT:
  case KW_UNEVALUATED_PROPERTIES:
  case KW_UNEVALUATED_ITEMS:
    g_string_append(e->out, ".u.child = ");
    emit_child(e, &k->u.child);
    break;
  case KW_CONTAINS:
    g_string_append(e->out, ".u.contains = { .child = ");
    emit_child(e, &k->u.contains.child);
    if (k->u.contains.max == G_MAXSIZE)
      g_string_append_printf(e->out, ", .min = %" G_GSIZE_FORMAT "u, .max = G_MAXSIZE }", k->u.contains.min);
    else
      g_string_append_printf(e->out, ", .min = %" G_GSIZE_FORMAT "u, .max = %" G_GSIZE_FORMAT "u }",
                             k->u.contains.min, k->u.contains.max);
    break;
  case KW_REF:
  case KW_DYNAMIC_REF:
    emit_ref(e, k->u.ref);
    break;
  default:
    emit_list_keyword(e, k);
    break;
  }
}

static const char *const kind_names[] = {
  [KW_TYPE] = "KW_TYPE",
  [KW_ENUM] = "KW_ENUM",
  [KW_CONST] = "KW_CONST",
  [KW_MULTIPLE_OF] = "KW_MULTIPLE_OF",
  [KW_MAXIMUM] = "KW_MAXIMUM",
  [KW_EXCLUSIVE_MAXIMUM] = "KW_EXCLUSIVE_MAXIMUM",
  [KW_MINIMUM] = "KW_MINIMUM",
  [KW_EXCLUSIVE_MINIMUM] = "KW_EXCLUSIVE_MINIMUM",
  [KW_MAX_LENGTH] = "KW_MAX_LENGTH",
  [KW_MIN_LENGTH] = "KW_MIN_LENGTH",
  [KW_PATTERN] = "KW_PATTERN",
  [KW_MAX_ITEMS] = "KW_MAX_ITEMS",
  [KW_MIN_ITEMS] = "KW_MIN_ITEMS",
  [KW_UNIQUE_ITEMS] = "KW_UNIQUE_ITEMS",
  [KW_MAX_PROPERTIES] = "KW_MAX_PROPERTIES",
  [KW_MIN_PROPERTIES] = "KW_MIN_PROPERTIES",
  [KW_REQUIRED] = "KW_REQUIRED",
  [KW_DEPENDENT_REQUIRED] = "KW_DEPENDENT_REQUIRED",
  [KW_PROPERTIES] = "KW_PROPERTIES",
  [KW_PROPERTY_NAMES] = "KW_PROPERTY_NAMES",
  [KW_DEPENDENT_SCHEMAS] = "KW_DEPENDENT_SCHEMAS",
  [KW_ITEMS] = "KW_ITEMS",
  [KW_CONTAINS] = "KW_CONTAINS",
  [KW_ALL_OF] = "KW_ALL_OF",
  [KW_ANY_OF] = "KW_ANY_OF",
  [KW_ONE_OF] = "KW_ONE_OF",
  [KW_NOT] = "KW_NOT",
  [KW_IF] = "KW_IF",
  [KW_REF] = "KW_REF",
  [KW_DYNAMIC_REF] = "KW_DYNAMIC_REF",
  [KW_UNEVALUATED_PROPERTIES] = "KW_UNEVALUATED_PROPERTIES",
  [KW_UNEVALUATED_ITEMS] = "KW_UNEVALUATED_ITEMS",
};

static void
emit_node(Emitter *e, guint index, json_t *values)
{
  const AtxJsNode *node = g_ptr_array_index(e->nodes, index);
  g_string_append_printf(e->out, "  [%u] = {\n    .resource = ", index);
  if (node->resource)
    g_string_append_printf(e->out, "&resources[%u]", resource_number(e, node->resource));
  else
    g_string_append(e->out, "NULL");
  g_string_append_printf(e->out, ", .is_boolean = %s, .boolean_value = %s, .needs_annotations = %s,\n",
                         node->is_boolean ? "TRUE" : "FALSE", node->boolean_value ? "TRUE" : "FALSE",
                         node->needs_annotations ? "TRUE" : "FALSE");
  g_string_append(e->out, "    .number_noun = ");
  emit_string(e->out, node->number_noun);
  g_string_append(e->out, ", .dynamic_anchor = ");
  emit_string(e->out, node->dynamic_anchor);
  g_string_append_printf(e->out, ", .n_keywords = %u,\n    .keywords = (AtxJsKeyword[]) {\n", node->n_keywords);
  for (guint i = 0; i < node->n_keywords; i++) {
    const AtxJsKeyword *k = &node->keywords[i];
    g_assert((guint) k->kind < G_N_ELEMENTS(kind_names) && kind_names[k->kind]);
    g_string_append_printf(e->out, "      { .kind = %s, .name = ", kind_names[k->kind]);
    emit_string(e->out, k->name);
    gsize before = e->out->len;
    g_string_append(e->out, ", ");
    emit_keyword_value(e, k, values);
    if (e->out->len == before + 2)
      g_string_truncate(e->out, before);
    g_string_append(e->out, " },\n");
  }
  g_string_append(e->out, "    },\n  },\n");
}

/* Statements that leave @value in slot[@depth]. */
static void
emit_json_build(GString *out, const json_t *value, guint depth, guint *max_depth)
{
  *max_depth = MAX(*max_depth, depth);
  g_string_append_printf(out, "  slot[%u] = ", depth);
  switch (json_typeof(value)) {
  case JSON_OBJECT: {
    g_string_append(out, "json_object();\n");
    const char *key;
    json_t *member;
    json_object_foreach ((json_t *) value, key, member) {
      emit_json_build(out, member, depth + 1, max_depth);
      g_string_append_printf(out, "  json_object_setn_new_nocheck(slot[%u], ", depth);
      gsize key_len = json_object_iter_key_len(json_object_key_to_iter(key));
      emit_bytes(out, key, key_len);
      g_string_append_printf(out, ", %" G_GSIZE_FORMAT ", slot[%u]);\n", key_len, depth + 1);
    }
    return;
  }
  case JSON_ARRAY: {
    g_string_append(out, "json_array();\n");
    gsize i;
    json_t *item;
    json_array_foreach (value, i, item) {
      emit_json_build(out, item, depth + 1, max_depth);
      g_string_append_printf(out, "  json_array_append_new(slot[%u], slot[%u]);\n", depth, depth + 1);
    }
    return;
  }
  case JSON_STRING:
    g_string_append(out, "json_stringn(");
    emit_bytes(out, json_string_value(value), json_string_length(value));
    g_string_append_printf(out, ", %" G_GSIZE_FORMAT ");\n", json_string_length(value));
    return;
  case JSON_INTEGER:
    if (json_integer_value(value) == G_MININT64)
      g_string_append(out, "json_integer(G_MININT64);\n");
    else
      g_string_append_printf(out, "json_integer(G_GINT64_CONSTANT(%" JSON_INTEGER_FORMAT "));\n",
                             json_integer_value(value));
    return;
  case JSON_REAL:
    g_string_append_printf(out, "json_real(%a);\n", json_real_value(value));
    return;
  case JSON_TRUE:
    g_string_append(out, "json_true();\n");
    return;
  case JSON_FALSE:
    g_string_append(out, "json_false();\n");
    return;
  default:
    g_string_append(out, "json_null();\n");
    return;
  }
}

/* The json_t values as code that builds them: cheaper at start-up than
 * parsing them from text. */
static void
emit_make_values(GString *out, const json_t *values)
{
  g_autoptr(GString) body = g_string_new(NULL);
  guint max_depth = 0;
  emit_json_build(body, values, 0, &max_depth);
  g_string_append_printf(out,
                         "static json_t *\nmake_values(void)\n{\n  json_t *slot[%u];\n%s  return slot[0];\n}\n\n",
                         max_depth + 1, body->str);
}

gboolean
atx_json_schema_emit_c(const AtxJsonSchema *schema, const char *symbol, GString *out, GError **error)
{
  g_auto(Emitter) e = {
    .node_index = g_hash_table_new(g_direct_hash, g_direct_equal),
    .nodes = g_ptr_array_new(),
    .resource_index = g_hash_table_new(g_direct_hash, g_direct_equal),
    .resources = g_ptr_array_new(),
    .out = out,
  };
  if (!collect(&e, schema, error))
    return FALSE;
  g_autoptr(json_t) values = json_array();
  g_string_append(out,
                  "/* Generated by atx_json_schema_emit_c (core/jsonschema/jsonschema_emit.c); do not edit. */\n"
                  "#include \"core/jsonschema/jsonschema_private.h\"\n\n");
  g_string_append_printf(out, "static AtxJsNode nodes[%u];\n\n", e.nodes->len);
  g_string_append_printf(out, "static AtxJsResource resources[%u] = {\n", MAX(e.resources->len, 1));
  for (guint i = 0; i < e.resources->len; i++) {
    const AtxJsResource *resource = g_ptr_array_index(e.resources, i);
    g_string_append(out, "  { .uri = ");
    emit_string(out, resource->uri);
    if (resource->root)
      g_string_append_printf(out, ", .root = &nodes[%u]", node_number(&e, resource->root));
    g_string_append(out, " },\n");
  }
  g_string_append_printf(out, "};\n\nstatic AtxJsNode nodes[%u] = {\n", e.nodes->len);
  for (guint i = 0; i < e.nodes->len; i++)
    emit_node(&e, i, values);
  g_string_append(out, "};\n\n");
  emit_make_values(out, values);
  g_string_append_printf(
      out, "AtxJsonSchemaStatic %s = {\n  .nodes = nodes,\n  .n_nodes = %u,\n  .make_values = make_values,\n};\n",
      symbol, e.nodes->len);
  return TRUE;
}
