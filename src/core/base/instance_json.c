/* jansson trees as instances, and opaque values inside them: the class behind
 * atx_json_schema_validate, the conformance suite and every schema value
 * (enum, const) an instance is compared with. */
#include "core/base/instance.h"

json_t *
atx_json_opaque_new(const char *type_name, const char *text)
{
  return json_pack("{s[ss]}", ATX_JSON_OPAQUE_KEY, type_name, text);
}

static const json_t *
opaque_pair(const json_t *value)
{
  if (!json_is_object(value) || json_object_size(value) != 1)
    return NULL;
  const json_t *pair = json_object_get(value, ATX_JSON_OPAQUE_KEY);
  if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_string(json_array_get(pair, 0)) ||
      !json_is_string(json_array_get(pair, 1)))
    return NULL;
  return pair;
}

const char *
atx_json_opaque_type(const json_t *value)
{
  const json_t *pair = opaque_pair(value);
  return pair ? json_string_value(json_array_get(pair, 0)) : NULL;
}

const char *
atx_json_opaque_text(const json_t *value)
{
  const json_t *pair = opaque_pair(value);
  return pair ? json_string_value(json_array_get(pair, 1)) : NULL;
}

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
