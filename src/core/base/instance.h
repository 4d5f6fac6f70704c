/* Documents as the validator reads them, in whatever representation they live.
 *
 * An AtxJsonInstanceClass answers questions about opaque value handles (what
 * kind, which members, which elements), so a TOML tree can be validated where
 * it is instead of being copied into jansson first. Every representation of
 * the same data must answer the same way.
 *
 * Opaque values: data with no JSON equivalent (TOML dates and times, non-finite
 * floats) travels inside a jansson tree as a one-key object built by
 * atx_json_opaque_new(), and is ATX_JSON_INSTANCE_OPAQUE to an instance class.
 *
 * Pure and thread-safe: nothing here keeps state. */
#pragma once

#include <glib.h>
#include <jansson.h>

/* Key of the single member of an opaque value; starts with U+0001 so no
 * configuration key can be mistaken for it by accident. */
#define ATX_JSON_OPAQUE_KEY "\001atomix-opaque"

/* {ATX_JSON_OPAQUE_KEY: [type_name, text]} */
json_t *atx_json_opaque_new(const char *type_name, const char *text);
/* Returns the type name when @value is an opaque value, else NULL. */
const char *atx_json_opaque_type(const json_t *value);
const char *atx_json_opaque_text(const json_t *value);

/* Instances in other representations.
 *
 * The validator reads an instance only through an AtxJsonInstanceClass, so a
 * document can be validated where it lives (a TOML tree, see
 * atx_toml_instance_class()) instead of being copied into jansson first. A
 * value is an opaque handle; the class says what it is. Handles must stay
 * valid and unchanged during the validation, and two different values must
 * have different handles (a $ref loop is recognised by its handle).
 *
 * Every representation of the same data must answer the same way: validating
 * it then gives the same validity and the same errors, messages and pointers
 * included. */
typedef enum {
  ATX_JSON_INSTANCE_NULL,
  ATX_JSON_INSTANCE_BOOLEAN,
  ATX_JSON_INSTANCE_INTEGER, /* a gint64 */
  ATX_JSON_INSTANCE_REAL,    /* a finite double; 1.0 is an integer to "type" */
  ATX_JSON_INSTANCE_STRING,
  ATX_JSON_INSTANCE_OBJECT,
  ATX_JSON_INSTANCE_ARRAY,
  ATX_JSON_INSTANCE_OPAQUE, /* no JSON equivalent; see "Opaque values" above */
} AtxJsonInstanceKind;

typedef struct {
  const char *key; /* NUL-terminated, but may hold U+0000 before key_len */
  gsize key_len;
  gconstpointer value;
} AtxJsonInstanceMember;

typedef struct {
  AtxJsonInstanceKind (*kind)(gconstpointer value);
  gboolean (*boolean)(gconstpointer value);
  gint64 (*integer)(gconstpointer value);
  double (*real)(gconstpointer value);
  /* UTF-8, NUL-terminated, may hold U+0000 before *len_out. */
  const char *(*string)(gconstpointer value, gsize *len_out);
  /* The type name messages use ("local date") and the value's text, which
   * decides equality between opaque values of the same type. */
  const char *(*opaque)(gconstpointer value, const char **text_out);
  gsize (*object_size)(gconstpointer object);
  /* Members in document order: *cursor is NULL before the first call and is
   * the class's own business after it. Returns FALSE after the last member. */
  gboolean (*object_next)(gconstpointer object, gconstpointer *cursor, AtxJsonInstanceMember *member_out);
  /* The member named by @key_len bytes of @key, or NULL. */
  gconstpointer (*object_get)(gconstpointer object, const char *key, gsize key_len);
  gsize (*array_length)(gconstpointer array);
  gconstpointer (*array_get)(gconstpointer array, gsize index);
} AtxJsonInstanceClass;

/* jansson values (json_t *) with opaque values as atx_json_opaque_new makes
 * them: what atx_json_schema_validate uses. */
const AtxJsonInstanceClass *atx_json_instance_class(void);
