/* JSON Schema draft 2020-12 validator.
 *
 * A schema is compiled once (atx_json_schema_compile) and then validates any
 * number of instances. Compilation refuses every keyword the validator does not
 * implement, naming the keyword and its location, so a schema can never be
 * silently half-enforced. Annotation keywords (title, description, $comment,
 * default, examples, deprecated, readOnly, writeOnly, $schema, format, content*)
 * are accepted and have no effect on validity.
 *
 * Validation collects every error: the instance pointer, the schema keyword
 * location and a message written for a human ("expected integer <= 65535",
 * "unknown key \"mtu\"").
 *
 * Opaque values: data with no JSON equivalent (TOML dates and times, non-finite
 * floats) travels inside an instance as a one-key object built by
 * atx_json_opaque_new(). The validator treats it as a type of its own: it matches
 * no JSON "type", is unequal to every other value, and messages name its type
 * ("expected string, got local date"). */
#pragma once

#include <glib.h>
#include <jansson.h>

#define ATX_JSON_SCHEMA_ERROR (atx_json_schema_error_quark())
GQuark atx_json_schema_error_quark(void);

typedef enum {
  ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD, /* a keyword this validator does not implement */
  ATX_JSON_SCHEMA_ERROR_INVALID,             /* a keyword with a value the spec does not allow */
  ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE,       /* a $ref that resolves to nothing */
} AtxJsonSchemaErrorCode;

/* Key of the single member of an opaque value; starts with U+0001 so no
 * configuration key can be mistaken for it by accident. */
#define ATX_JSON_OPAQUE_KEY "\001atomix-opaque"

/* {ATX_JSON_OPAQUE_KEY: [type_name, text]} */
json_t *atx_json_opaque_new(const char *type_name, const char *text);
/* Returns the type name when @value is an opaque value, else NULL. */
const char *atx_json_opaque_type(const json_t *value);
const char *atx_json_opaque_text(const json_t *value);

typedef struct _AtxJsonSchema AtxJsonSchema;

/* Compiles @schema (not modified; a reference is kept). @base_uri names the
 * document when it has no $id; may be NULL. */
AtxJsonSchema *atx_json_schema_compile(json_t *schema, const char *base_uri, GError **error);
/* Adds another document that $ref may point to by its URI (for example the test
 * suite's remotes). Must be called before the first validation. */
gboolean atx_json_schema_add_resource(AtxJsonSchema *schema, const char *uri, json_t *document,
                                      GError **error);
void atx_json_schema_free(AtxJsonSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxJsonSchema, atx_json_schema_free)

typedef struct {
  char *instance_pointer; /* JSON Pointer into the instance: "/network/firewall/inbound/wan/tcp/0" */
  char *keyword_location; /* JSON Pointer into the schema: "/properties/network/.../maximum" */
  char *keyword;          /* the failing keyword: "maximum", "additionalProperties", ... */
  char *message;          /* "expected integer <= 65535" */
} AtxJsonSchemaError;

void atx_json_schema_error_free(AtxJsonSchemaError *error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxJsonSchemaError, atx_json_schema_error_free)

/* Returns TRUE when @instance is valid. When @errors_out is non-NULL it receives
 * a GPtrArray of AtxJsonSchemaError (owned by the caller, empty when valid). */
gboolean atx_json_schema_validate(const AtxJsonSchema *schema, const json_t *instance,
                                  GPtrArray **errors_out);
