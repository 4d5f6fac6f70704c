#include "core/render/quadlet_runtime.h"

#include <jansson.h>
#include <string.h>

#include "core/base/error.h"

void
atx_runtime_unit_free(AtxRuntimeUnit *unit)
{
  if (!unit)
    return;
  g_free(unit->name);
  g_free(unit->filename);
  g_free(unit->service);
  g_free(unit);
}

static gboolean
kind_from_filename(const char *filename, AtxQuadletKind *kind)
{
  if (strchr(filename, '/') || g_str_has_prefix(filename, "."))
    return FALSE;
  for (AtxQuadletKind k = ATX_QUADLET_CONTAINER; k <= ATX_QUADLET_BUILD; k++) {
    if (g_str_has_suffix(filename, atx_quadlet_kind_suffix(k))) {
      *kind = k;
      return TRUE;
    }
  }
  return FALSE;
}

static AtxRuntimeUnit *
parse_unit(json_t *entry)
{
  const char *name = json_string_value(json_object_get(entry, "name"));
  const char *filename = json_string_value(json_object_get(entry, "filename"));
  const char *service = json_string_value(json_object_get(entry, "service"));
  const char *mode = json_string_value(json_object_get(entry, "mode"));
  AtxQuadletKind kind;
  if (!name || !filename || !service || !mode || !kind_from_filename(filename, &kind) ||
      (!g_str_equal(mode, "rootful") && !g_str_equal(mode, "rootless")))
    return NULL;
  AtxRuntimeUnit *unit = g_new0(AtxRuntimeUnit, 1);
  unit->name = g_strdup(name);
  unit->filename = g_strdup(filename);
  unit->service = g_strdup(service);
  unit->mode = g_str_equal(mode, "rootful") ? ATX_MODE_ROOTFUL : ATX_MODE_ROOTLESS;
  unit->kind = kind;
  return unit;
}

GPtrArray *
atx_runtime_units_parse(GBytes *json_text, GError **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data(json_text, &len);
  json_error_t json_error;
  json_t *root = json_loadb(data ? data : "", len, 0, &json_error);
  json_t *list = json_object_get(root, "units");
  if (!json_is_array(list)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid quadlet-runtime.json: %s",
                root ? "\"units\" must be an array" : json_error.text);
    json_decref(root);
    return NULL;
  }
  GPtrArray *units = g_ptr_array_new_with_free_func((GDestroyNotify) atx_runtime_unit_free);
  for (gsize i = 0; i < json_array_size(list); i++) {
    AtxRuntimeUnit *unit = parse_unit(json_array_get(list, i));
    if (!unit) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                  "invalid unit entry %" G_GSIZE_FORMAT " in quadlet-runtime.json", i);
      g_ptr_array_unref(units);
      json_decref(root);
      return NULL;
    }
    g_ptr_array_add(units, unit);
  }
  json_decref(root);
  return units;
}

const AtxRuntimeUnit *
atx_runtime_units_find(GPtrArray *units, const char *service, AtxRunMode mode)
{
  for (guint i = 0; units && i < units->len; i++) {
    const AtxRuntimeUnit *unit = g_ptr_array_index(units, i);
    if (unit->mode == mode && g_str_equal(unit->service, service))
      return unit;
  }
  return NULL;
}

const AtxRuntimeUnit *
atx_runtime_units_find_service(GPtrArray *units, const char *service)
{
  for (guint i = 0; units && i < units->len; i++) {
    const AtxRuntimeUnit *unit = g_ptr_array_index(units, i);
    if (g_str_equal(unit->service, service))
      return unit;
  }
  return NULL;
}
