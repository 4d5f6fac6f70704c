/* JSON Schema draft 2020-12 validator.
 *
 * A schema is compiled once (atx_json_schema_compile) and then validates any
 * number of instances, from any number of threads. Compilation refuses every
 * keyword the validator does not implement, naming the keyword and its location,
 * so a schema can never be silently half-enforced; that includes "$schema"
 * naming any dialect but draft 2020-12 (custom meta-schemas and vocabularies are
 * not supported). Annotation keywords (title, description, $comment, default,
 * examples, deprecated, readOnly, writeOnly, $schema, $vocabulary, format,
 * content*) are accepted and have no effect on validity; "format" is an
 * annotation only, as the draft 2020-12 default says.
 *
 * Implemented: type, enum, const, the numeric, string, array and object
 * assertions, properties/patternProperties/additionalProperties, propertyNames,
 * dependentRequired/dependentSchemas, prefixItems/items, contains/minContains/
 * maxContains, allOf/anyOf/oneOf/not, if/then/else, unevaluatedProperties/
 * unevaluatedItems, $ref/$dynamicRef/$anchor/$dynamicAnchor/$id/$defs with
 * RFC 3986 base URIs, and references into other documents added with
 * atx_json_schema_add_resource.
 *
 * "pattern" and "patternProperties" follow ECMA-262 (\d and \w are ASCII, "$"
 * is the end of the string) on GRegex, with a match limit: a string a pattern
 * cannot decide within it is reported as an error. Simple patterns (anchored
 * runs of ASCII literals and classes with ?, *, +, {m,n}) skip GRegex and run
 * on an exact linear-time matcher instead.
 *
 * Validating a valid instance allocates nothing but the error array, unless it
 * needs unevaluated* annotations, uniqueItems over more than 16 items, a
 * pattern outside that simple subset, or nesting deeper than 32 levels.
 *
 * Validation collects every error: the instance pointer, the schema keyword
 * location and a message written for a human ("expected integer <= 65535",
 * "unknown key \"mtu\""). Validation is bounded: schemas nested more than 1500
 * deep for one value, or more than 2^22 steps for one value (exponential
 * schemas), make the value invalid with a "limit" error. A $ref that comes back
 * to the same schema for the same value is an error too.
 *
 * Instances are read through an AtxJsonInstanceClass (below): jansson trees
 * with atx_json_schema_validate, TOML documents in place with
 * atx_json_schema_validate_instance and atx_toml_instance_class().
 *
 * Opaque values (TOML dates and times, non-finite floats; see
 * core/base/instance.h) match no JSON "type", no object keyword applies to them,
 * they are unequal to every JSON value but an opaque value of the same type and
 * text (which is what uniqueItems sees), and messages name their type
 * ("expected string, got local date").
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "core/base/instance.h"

#define ATX_JSON_SCHEMA_ERROR (atx_json_schema_error_quark())
GQuark atx_json_schema_error_quark(void);

typedef enum {
  ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD, /* a keyword this validator does not implement */
  ATX_JSON_SCHEMA_ERROR_INVALID,             /* a keyword with a value the spec does not allow */
  ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE,       /* a $ref that resolves to nothing */
} AtxJsonSchemaErrorCode;

typedef struct _AtxJsonSchema AtxJsonSchema;

/* Compiles @schema (not modified; a reference is kept). @base_uri names the
 * document when it has no $id; may be NULL. */
AtxJsonSchema *atx_json_schema_compile(json_t *schema, const char *base_uri,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Adds another document that $ref may point to by its URI (for example the test
 * suite's remotes). Must be called before the first validation. The document is
 * compiled when a reference first needs it, so errors in it (an unsupported
 * keyword, a bad reference) are reported by the call that makes it needed.
 * After a failure the schema must only be freed. */
gboolean atx_json_schema_add_resource(AtxJsonSchema *schema, const char *uri, json_t *document,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Fails with ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE naming the first $ref whose
 * document was never added. Compilation cannot report those (the document may
 * still be added); validating through such a reference is an error. */
gboolean atx_json_schema_check_references(const AtxJsonSchema *schema,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_json_schema_free(AtxJsonSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxJsonSchema, atx_json_schema_free)

/* A schema compiled at build time, as C data: a program embeds a schema it
 * knows when it is built without parsing or compiling it at start-up.
 * atx_json_schema_emit_c writes the C source (a build tool runs it on a
 * schema compiled with atx_json_schema_compile); the source defines
 * `AtxJsonSchemaStatic SYMBOL`. The result validates exactly like the schema
 * it was written from. $dynamicRef is not supported in this form (refused
 * when writing). */
typedef struct _AtxJsonSchemaStatic AtxJsonSchemaStatic;
gboolean atx_json_schema_emit_c(const AtxJsonSchema *schema, const char *symbol, GString *out,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Makes the schema @data describes usable: compiles its patterns and reads its
 * enum/const/limit values. Fills in @data itself, so it may be called once per
 * @data (a second call fails) and the result must outlive every use; not
 * thread-safe, callers load it once (g_once). */
AtxJsonSchema *atx_json_schema_load_static(AtxJsonSchemaStatic *data, GError **error) G_GNUC_WARN_UNUSED_RESULT;

typedef struct {
  char *instance_pointer; /* JSON Pointer into the instance: "/network/firewall/inbound/wan/tcp/0" */
  char *keyword_location; /* JSON Pointer into the schema: "/properties/network/.../maximum" */
  char *keyword;          /* the failing keyword: "maximum", "additionalProperties", ...;
                           * "false" for a false schema, "limit" when validation gave up
                           * (nesting or work bound exceeded) */
  char *message;          /* "expected integer <= 65535" */
} AtxJsonSchemaError;

void atx_json_schema_error_free(AtxJsonSchemaError *error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxJsonSchemaError, atx_json_schema_error_free)

/* Returns TRUE when @instance is valid. When @errors_out is non-NULL it receives
 * a GPtrArray of AtxJsonSchemaError (owned by the caller, empty when valid). */
gboolean atx_json_schema_validate(const AtxJsonSchema *schema, const json_t *instance,
                                  GPtrArray **errors_out);

/* atx_json_schema_validate for an instance @root read through @klass. */
gboolean atx_json_schema_validate_instance(const AtxJsonSchema *schema, const AtxJsonInstanceClass *klass,
                                           gconstpointer root, GPtrArray **errors_out);
