/* Internals shared by the jsonschema*.c files: the compiled form of a schema.
 *
 * Compilation turns every schema object into an AtxJsNode holding an ordered list
 * of AtxJsKeyword. Validation walks these structs only; it never looks up keywords
 * in the schema JSON again. Every allocation made while compiling is owned by
 * the AtxJsonSchema (its arena arrays), so nodes and keywords need no free
 * functions of their own. */
#pragma once

#include "core/jsonschema/jsonschema.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

typedef struct _AtxJsNode AtxJsNode;
typedef struct _AtxJsResource AtxJsResource;

/* Instance kinds; the first seven double as bits of the "type" keyword. */
typedef enum {
  ATX_JS_KIND_NULL = 1 << 0,
  ATX_JS_KIND_BOOLEAN = 1 << 1,
  ATX_JS_KIND_OBJECT = 1 << 2,
  ATX_JS_KIND_ARRAY = 1 << 3,
  ATX_JS_KIND_NUMBER = 1 << 4, /* as a "type" bit: any number */
  ATX_JS_KIND_STRING = 1 << 5,
  ATX_JS_KIND_INTEGER = 1 << 6,
  ATX_JS_KIND_OPAQUE = 1 << 7, /* never part of a "type" mask */
} AtxJsKind;

typedef enum {
  KW_TYPE,
  KW_ENUM,
  KW_CONST,
  KW_MULTIPLE_OF,
  KW_MAXIMUM,
  KW_EXCLUSIVE_MAXIMUM,
  KW_MINIMUM,
  KW_EXCLUSIVE_MINIMUM,
  KW_MAX_LENGTH,
  KW_MIN_LENGTH,
  KW_PATTERN,
  KW_MAX_ITEMS,
  KW_MIN_ITEMS,
  KW_UNIQUE_ITEMS,
  KW_MAX_PROPERTIES,
  KW_MIN_PROPERTIES,
  KW_REQUIRED,
  KW_DEPENDENT_REQUIRED,
  KW_PROPERTIES, /* properties + patternProperties + additionalProperties */
  KW_PROPERTY_NAMES,
  KW_DEPENDENT_SCHEMAS,
  KW_ITEMS, /* prefixItems + items */
  KW_CONTAINS, /* contains + minContains + maxContains */
  KW_ALL_OF,
  KW_ANY_OF,
  KW_ONE_OF,
  KW_NOT,
  KW_IF, /* if + then + else */
  KW_REF,
  KW_DYNAMIC_REF,
  KW_UNEVALUATED_PROPERTIES,
  KW_UNEVALUATED_ITEMS,
} AtxJsKeywordKind;

/* An edge to a subschema; @segment is the escaped JSON Pointer suffix the edge
 * adds to the keyword location ("/properties/mtu"). */
typedef struct {
  AtxJsNode *node;
  const char *segment;
} AtxJsChild;

typedef struct _AtxJsFastRegex AtxJsFastRegex;

/* jsonschema_fastregex.c's compiled pattern; here so that a schema compiled at
 * build time can hold it as static data. */
struct _AtxJsFastRegex {
  /* Bit i of masks[c]: the atom after state i accepts byte c. */
  guint64 masks[128];
  guint64 repeat;   /* states whose atom may repeat: consuming it stays put */
  guint64 optional; /* states whose atom may be skipped */
  guint64 start;    /* the closure of state 0 */
  guint64 accept;
  gboolean anchored_start;
  gboolean anchored_end;
};

typedef struct {
  GRegex *regex;
  const AtxJsFastRegex *fast; /* the same pattern without GRegex, when it is simple enough */
  const char *source;         /* the ECMA-262 text, for messages */
} AtxJsPattern;

/* A number from the instance or the schema, as its representation holds it. */
typedef struct {
  gboolean is_integer; /* else .real is set */
  gint64 integer;
  double real;
} AtxJsNumber;

/* One entry of a "properties" keyword; found through AtxJsPropertyTable. */
typedef struct {
  const char *name;
  gsize name_len;
  guint hash;
  AtxJsChild child;
} AtxJsNamedChild;

/* Open addressing over property names: a GHashTable lookup costs a few
 * indirect calls per key, this one a hash and one compare. */
typedef struct {
  AtxJsNamedChild **slots; /* NULL: empty */
  guint mask;
} AtxJsPropertyTable;

typedef struct {
  AtxJsPattern pattern;
  AtxJsChild child;
} AtxJsPatternChild;

typedef struct {
  const char *key;
  const char *const *names; /* NULL-terminated */
} AtxJsDependentRequired;

typedef struct {
  const char *key;
  AtxJsChild child;
} AtxJsDependentSchema;

typedef struct {
  const char *text;         /* as written in the schema */
  const char *uri;          /* absolute target, fragment included */
  const char *location;     /* where the reference is written, for messages */
  gboolean dynamic;         /* $dynamicRef */
  AtxJsNode *target;        /* NULL while the target document is unknown */
  const char *dynamic_name; /* set when the static target holds a matching $dynamicAnchor */
} AtxJsRef;

typedef struct {
  AtxJsKeywordKind kind;
  const char *name; /* keyword reported in errors */
  union {
    guint types;
    const json_t *value; /* enum array, const value */
    struct {
      const json_t *json;
      AtxJsNumber number;
    } limit; /* multipleOf, maximum, ... */
    gsize count;
    AtxJsPattern pattern;
    struct {
      const char *const *names;
    } required;
    struct {
      AtxJsDependentRequired *entries;
      guint n;
    } dependent_required;
    struct {
      AtxJsPropertyTable named; /* no slots when absent */
      AtxJsPatternChild *patterns;
      guint n_patterns;
      AtxJsChild *additional; /* NULL when absent */
    } properties;
    AtxJsChild child; /* propertyNames, not, unevaluated* */
    struct {
      AtxJsDependentSchema *entries;
      guint n;
    } dependent_schemas;
    struct {
      AtxJsChild *prefix;
      guint n_prefix;
      AtxJsChild *rest; /* "items"; NULL when absent */
    } items;
    struct {
      AtxJsChild child;
      gsize min;
      gsize max; /* G_MAXSIZE: no maximum */
    } contains;
    struct {
      AtxJsChild *children;
      guint n;
    } list; /* allOf, anyOf, oneOf */
    struct {
      AtxJsChild cond;
      AtxJsChild *then_branch;
      AtxJsChild *else_branch;
    } cond;
    AtxJsRef *ref;
  } u;
} AtxJsKeyword;

struct _AtxJsNode {
  AtxJsResource *resource; /* the schema resource ($id scope) the node belongs to */
  gboolean is_boolean;
  gboolean boolean_value;
  gboolean needs_annotations; /* has unevaluatedProperties or unevaluatedItems */
  const char *number_noun;    /* "integer" when "type" is integer, else "number" */
  const char *dynamic_anchor; /* $dynamicAnchor name, or NULL */
  AtxJsKeyword *keywords;
  guint n_keywords;
};

struct _AtxJsResource {
  const char *uri;            /* absolute, without fragment */
  const json_t *json;         /* the schema holding the $id, or the document */
  AtxJsNode *root;
  GHashTable *dynamic_anchors; /* name -> AtxJsNode* */
};

struct _AtxJsonSchema {
  json_t *document;
  AtxJsNode *root;
  /* Arena: everything below is freed with the schema. */
  GPtrArray *allocations;    /* g_free */
  GPtrArray *regexes;        /* g_regex_unref */
  GPtrArray *tables;         /* g_hash_table_unref */
  GPtrArray *json_refs;      /* json_decref: documents added as resources */
  GHashTable *resources;     /* uri -> AtxJsResource* */
  GHashTable *anchors;       /* "uri#name" -> AtxJsNode* */
  GHashTable *nodes_by_json; /* const json_t* -> AtxJsNode* */
  GHashTable *documents;     /* uri -> json_t*: added, compiled on first use */
  GPtrArray *pending_refs;   /* AtxJsKeyword* whose target is not resolved yet */
};

/* The build-time form of a schema (jsonschema_emit.c writes it, jsonschema_static.c
 * loads it): the node graph as static data, nodes[0] the root. @make_values
 * returns a new JSON array of the json_t values keywords point to (enum,
 * const, numeric limits), in node order and keyword order within a node. */
struct _AtxJsonSchemaStatic {
  AtxJsNode *nodes;
  guint n_nodes;
  json_t *(*make_values)(void);
  gboolean loaded; /* set by the loader: the data is filled in only once */
};

/* jsonschema.c */
AtxJsonSchema *atx_js_schema_new(json_t *document);

/* jsonschema_compile.c */
const char *atx_js_arena_strdup(AtxJsonSchema *schema, const char *text);
gboolean atx_js_compile_document(AtxJsonSchema *schema, const json_t *document, const char *uri,
                             AtxJsNode **root_out, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Compiles @json, found at @pointer inside @resource, as a schema. @document
 * names the document in messages (NULL for the main one). */
gboolean atx_js_compile_at(AtxJsonSchema *schema, const json_t *json, AtxJsResource *resource,
                           const char *document, const char *pointer, AtxJsNode **out,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* jsonschema_resolve.c: binds every pending $ref whose document is known,
 * compiling added documents on first use. Refs into unknown documents stay
 * pending without error. */
gboolean atx_js_resolve_pending(AtxJsonSchema *schema, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* jsonschema_uri.c: RFC 3986 reference resolution. */
char *atx_js_uri_resolve(const char *base, const char *reference);
/* Splits @uri at '#': returns the part before it; *fragment_out receives the
 * percent-decoded fragment or NULL when there is none. */
char *atx_js_uri_split_fragment(const char *uri, char **fragment_out);

/* jsonschema_regex.c: ECMA-262 patterns run on GRegex. */
GRegex *atx_js_regex_compile(const char *ecma_pattern, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Returns 1 on a match, 0 on none, -1 when the match gave up (too complex). */
int atx_js_regex_search(const GRegex *regex, const char *text, gsize length);

/* jsonschema_fastregex.c: the patterns schemas mostly use (anchored runs of
 * ASCII literals and classes with simple quantifiers) matched without GRegex.
 * Returns NULL when @ecma_pattern is outside that subset; the result is a
 * single g_malloc block. */
AtxJsFastRegex *atx_js_fast_regex_compile(const char *ecma_pattern);
/* Writes @regex as a C expression (a pointer to a compound literal), for
 * jsonschema_emit.c. */
void atx_js_fast_regex_emit_c(const AtxJsFastRegex *regex, GString *out);
gboolean atx_js_fast_regex_search(const AtxJsFastRegex *regex, const char *text, gsize length);

/* Either matcher: 1 on a match, 0 on none, -1 when GRegex gave up. */
static inline int
atx_js_pattern_search(const AtxJsPattern *pattern, const char *text, gsize length)
{
  if (pattern->fast)
    return atx_js_fast_regex_search(pattern->fast, text, length) ? 1 : 0;
  return atx_js_regex_search(pattern->regex, text, length);
}

/* jsonschema_value.c: values as the spec compares them, whatever class reads
 * them. Numbers are mathematical values (1 and 1.0 are the same integer),
 * opaque values form a kind of their own. */

/* An instance value on its way through the validator: the handle, the class
 * that reads it and its kind, asked once. */
typedef struct {
  const AtxJsonInstanceClass *klass;
  gconstpointer handle;
  AtxJsonInstanceKind kind;
} AtxJsValue;

static inline void
atx_js_value_init(AtxJsValue *value, const AtxJsonInstanceClass *klass, gconstpointer handle)
{
  value->klass = klass;
  value->handle = handle;
  value->kind = klass->kind(handle);
}


AtxJsKind atx_js_real_kind(const AtxJsValue *value);

/* The kind as "type" sees it: a real with an integral value is an integer. */
static inline AtxJsKind
atx_js_kind_of(const AtxJsValue *value)
{
  static const AtxJsKind kinds[] = {
    [ATX_JSON_INSTANCE_NULL] = ATX_JS_KIND_NULL,       [ATX_JSON_INSTANCE_BOOLEAN] = ATX_JS_KIND_BOOLEAN,
    [ATX_JSON_INSTANCE_INTEGER] = ATX_JS_KIND_INTEGER, [ATX_JSON_INSTANCE_REAL] = ATX_JS_KIND_NUMBER,
    [ATX_JSON_INSTANCE_STRING] = ATX_JS_KIND_STRING,   [ATX_JSON_INSTANCE_OBJECT] = ATX_JS_KIND_OBJECT,
    [ATX_JSON_INSTANCE_ARRAY] = ATX_JS_KIND_ARRAY,     [ATX_JSON_INSTANCE_OPAQUE] = ATX_JS_KIND_OPAQUE,
  };
  if (G_UNLIKELY(value->kind == ATX_JSON_INSTANCE_REAL))
    return atx_js_real_kind(value);
  return kinds[value->kind];
}
/* "integer", "string", ..., or the opaque type's own name ("local date"). */
const char *atx_js_kind_name(const AtxJsValue *value);
gboolean atx_js_is_integer(const json_t *value);
/* FALSE when @value is no number. */
gboolean atx_js_value_number(const AtxJsValue *value, AtxJsNumber *out);
AtxJsNumber atx_js_json_number(const json_t *number);
int atx_js_number_compare(const AtxJsNumber *a, const AtxJsNumber *b);
/* TRUE when @value is an integer multiple of @divisor (> 0), decided exactly
 * on the decimal forms of both numbers. */
gboolean atx_js_is_multiple_of(const AtxJsNumber *value, const AtxJsNumber *divisor);
gboolean atx_js_equal(const AtxJsValue *a, const AtxJsValue *b);
gboolean atx_js_equal_json(const AtxJsValue *a, const json_t *b);
guint atx_js_hash(const AtxJsValue *value);
char *atx_js_format_number(const json_t *number);
char *atx_js_format_value(const json_t *value);
gsize atx_js_utf8_length(const char *text, gsize bytes);

/* The hash AtxJsPropertyTable uses: the length and three bytes tell property
 * names apart well enough, and it costs the same for any length. */
static inline guint
atx_js_property_hash(const char *name, gsize len)
{
  if (len == 0)
    return 0;
  return ((guint) len * 0x9E3779B1u) ^ ((guchar) name[0] * 0x85EBCA6Bu) ^ ((guchar) name[len / 2] * 0xC2B2AE35u) ^
         (guchar) name[len - 1];
}

/* jsonschema_validate.c: the walk the keyword checks share.
 *
 * With ctx->errors set every failure becomes an AtxJsonSchemaError and
 * evaluation goes on; with it NULL (inside not, if, anyOf/oneOf branches,
 * contains) only validity matters and evaluation stops at the first failure. */
typedef struct {
  const char *key; /* NULL: array index */
  gsize index;
} AtxJsInstanceStep;

/* A stack that starts in storage the caller provides (on its own stack) and
 * moves to the heap only when that is full: a valid instance of a sensible
 * depth is validated without one allocation. */
typedef struct {
  gpointer items;
  guint len;
  guint cap;
  gboolean on_heap;
} AtxJsStack;

void atx_js_stack_grow(AtxJsStack *stack, gsize item_size);

#define ATX_JS_STACK_PUSH(stack, type, value)                        \
  G_STMT_START {                                                     \
    if (G_UNLIKELY((stack)->len == (stack)->cap))                    \
      atx_js_stack_grow((stack), sizeof(type));                      \
    ((type *) (stack)->items)[(stack)->len++] = (value);             \
  } G_STMT_END
#define ATX_JS_STACK_AT(stack, type, i) (((type *) (stack)->items)[(i)])

typedef struct {
  GPtrArray *errors;         /* NULL: validity only */
  AtxJsStack schema_path;    /* const char * segments of the keyword location */
  AtxJsStack instance_path;  /* AtxJsInstanceStep */
  AtxJsStack scope;          /* const AtxJsResource *: the dynamic scope, outermost first */
  AtxJsStack refs;           /* AtxJsRefFrame: references being followed */
  guint depth;               /* nodes being applied, bounded against stack overflow */
  guint explaining;          /* anyOf/oneOf failures being explained, see jsonschema_applicators.c */
  guint64 steps;             /* nodes applied so far, bounded against exponential schemas */
  const char *gave_up;       /* why a bound was hit; the value is then invalid, whatever else says */
} AtxJsCtx;

typedef struct {
  const AtxJsNode *node;
  gconstpointer instance; /* the value's handle */
} AtxJsRefFrame;

/* What the keywords of one schema object evaluated in one instance, for
 * unevaluatedProperties/unevaluatedItems. NULL wherever nobody needs it. */
typedef struct {
  GHashTable *properties; /* evaluated members, by their key pointer (stable in one object) */
  gsize items_prefix;     /* items [0, items_prefix) were evaluated */
  gboolean all_items;
  guint8 *matched;        /* per item: matched by "contains" */
  gsize n_matched;
} AtxJsAnnotations;

gboolean atx_js_validate(const AtxJsonSchema *schema, const AtxJsValue *instance, GPtrArray *errors);
gboolean atx_js_validate_node(AtxJsCtx *ctx, const AtxJsNode *node, const AtxJsValue *instance,
                              AtxJsAnnotations *annotations);
/* The same for validity only: reports nothing. */
gboolean atx_js_check_child(AtxJsCtx *ctx, const AtxJsChild *child, const AtxJsValue *instance,
                            AtxJsAnnotations *annotations);
/* Reports an error at the current instance location; the keyword location is
 * the current schema path plus "/" @keyword. No-op in validity-only mode. */
void atx_js_report(AtxJsCtx *ctx, const char *keyword, const char *format, ...) G_GNUC_PRINTF(3, 4);
/* The same with the keyword location ending in @segment (a child's edge,
 * "/additionalProperties") instead of "/" @keyword. */
void atx_js_report_at(AtxJsCtx *ctx, const char *segment, const char *keyword, const char *format, ...)
  G_GNUC_PRINTF(4, 5);
char *atx_js_instance_pointer(const AtxJsCtx *ctx);
void atx_js_annotations_clear(AtxJsAnnotations *a);
void atx_js_annotations_merge(AtxJsAnnotations *into, const AtxJsAnnotations *from);
void atx_js_annotate_property_slow(AtxJsAnnotations *a, const char *key);
void atx_js_annotate_item(AtxJsAnnotations *a, gsize index, gsize n_items);
gboolean atx_js_item_evaluated(const AtxJsAnnotations *a, gsize index);

/* Instance locations name keys as C strings: a key holding U+0000 is cut
 * there, as everywhere else pointers are made. */
static inline void
atx_js_push_key(AtxJsCtx *ctx, const char *key)
{
  AtxJsInstanceStep step = { key, 0 };
  ATX_JS_STACK_PUSH(&ctx->instance_path, AtxJsInstanceStep, step);
}

static inline void
atx_js_push_index(AtxJsCtx *ctx, gsize index)
{
  AtxJsInstanceStep step = { NULL, index };
  ATX_JS_STACK_PUSH(&ctx->instance_path, AtxJsInstanceStep, step);
}

static inline void
atx_js_pop_instance(AtxJsCtx *ctx)
{
  ctx->instance_path.len--;
}

static inline void
atx_js_push_schema(AtxJsCtx *ctx, const char *segment)
{
  ATX_JS_STACK_PUSH(&ctx->schema_path, const char *, segment);
}

static inline void
atx_js_pop_schema(AtxJsCtx *ctx)
{
  ctx->schema_path.len--;
}

/* Validates @instance against the schema behind one edge. Inline: it is the
 * step between every keyword and its subschema. */
static inline gboolean
atx_js_validate_child(AtxJsCtx *ctx, const AtxJsChild *child, const AtxJsValue *instance,
                      AtxJsAnnotations *annotations)
{
  atx_js_push_schema(ctx, child->segment);
  gboolean ok = atx_js_validate_node(ctx, child->node, instance, annotations);
  atx_js_pop_schema(ctx);
  return ok;
}

static inline void
atx_js_annotate_property(AtxJsAnnotations *a, const char *key)
{
  if (a)
    atx_js_annotate_property_slow(a, key);
}

static inline gboolean
atx_js_is_false_schema(const AtxJsChild *child)
{
  return child->node->is_boolean && !child->node->boolean_value;
}

/* jsonschema_applicators.c: allOf, anyOf, oneOf, not, if, $ref, $dynamicRef. */
gboolean atx_js_apply_in_place(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                               AtxJsAnnotations *annotations);
/* $ref and $dynamicRef alone: the most frequent keyword of all, dispatched
 * without the detour through atx_js_apply_in_place. */
gboolean atx_js_check_reference(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                                AtxJsAnnotations *annotations);

/* jsonschema_keywords.c and jsonschema_objects.c */
gboolean atx_js_validate_keyword(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsNode *node,
                                 const AtxJsValue *instance, AtxJsAnnotations *annotations);
gboolean atx_js_check_object_keyword(AtxJsCtx *ctx, const AtxJsKeyword *keyword, const AtxJsValue *instance,
                                     AtxJsAnnotations *annotations);
