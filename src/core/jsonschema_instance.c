/* jansson trees as validator instances: the class behind
 * atx_json_schema_validate, the conformance suite and every schema value
 * (enum, const) an instance is compared with. */
#include "core/jsonschema_private.h"

static AtxJsonInstanceKind
instance_kind(gconstpointer value)
{
  switch (json_typeof((const json_t *) value)) {
  case JSON_NULL:
    return ATX_JSON_INSTANCE_NULL;
  case JSON_TRUE:
  case JSON_FALSE:
    return ATX_JSON_INSTANCE_BOOLEAN;
  case JSON_INTEGER:
    return ATX_JSON_INSTANCE_INTEGER;
  case JSON_REAL:
    return ATX_JSON_INSTANCE_REAL; /* jansson has no nan or inf */
  case JSON_STRING:
    return ATX_JSON_INSTANCE_STRING;
  case JSON_ARRAY:
    return ATX_JSON_INSTANCE_ARRAY;
  case JSON_OBJECT:
    return atx_json_opaque_type(value) ? ATX_JSON_INSTANCE_OPAQUE : ATX_JSON_INSTANCE_OBJECT;
  }
  return ATX_JSON_INSTANCE_NULL;
}

static gboolean
instance_boolean(gconstpointer value)
{
  return json_is_true((const json_t *) value);
}

static gint64
instance_integer(gconstpointer value)
{
  return json_integer_value(value);
}

static double
instance_real(gconstpointer value)
{
  return json_real_value(value);
}

static const char *
instance_string(gconstpointer value, gsize *len_out)
{
  *len_out = json_string_length(value);
  return json_string_value(value);
}

static const char *
instance_opaque(gconstpointer value, const char **text_out)
{
  *text_out = atx_json_opaque_text(value);
  return atx_json_opaque_type(value);
}

static gsize
instance_object_size(gconstpointer object)
{
  return json_object_size(object);
}

static gboolean
instance_object_next(gconstpointer object, gconstpointer *cursor, AtxJsonInstanceMember *member_out)
{
  json_t *json = (json_t *) object;
  void *iter = *cursor ? json_object_iter_next(json, (void *) *cursor) : json_object_iter(json);
  if (!iter)
    return FALSE;
  *cursor = iter;
  member_out->key = json_object_iter_key(iter);
  member_out->key_len = json_object_iter_key_len(iter);
  member_out->value = json_object_iter_value(iter);
  return TRUE;
}

static gconstpointer
instance_object_get(gconstpointer object, const char *key, gsize key_len)
{
  return json_object_getn(object, key, key_len);
}

static gsize
instance_array_length(gconstpointer array)
{
  return json_array_size(array);
}

static gconstpointer
instance_array_get(gconstpointer array, gsize index)
{
  return json_array_get(array, index);
}

static const AtxJsonInstanceClass json_class = {
  .kind = instance_kind,
  .boolean = instance_boolean,
  .integer = instance_integer,
  .real = instance_real,
  .string = instance_string,
  .opaque = instance_opaque,
  .object_size = instance_object_size,
  .object_next = instance_object_next,
  .object_get = instance_object_get,
  .array_length = instance_array_length,
  .array_get = instance_array_get,
};

const AtxJsonInstanceClass *
atx_json_instance_class(void)
{
  return &json_class;
}
