/* quadlet/<name>.<kind> units in the canonical format, and quadlet-runtime.json
 * telling quadlet-sync and activation which service runs in which mode. */
#include "core/render.h"

static char *
substitute_tokens(const char *value, const AtxRenderOptions *options)
{
  g_autoptr(GString) text = g_string_new(value);
  g_autofree char *files_dir = g_build_filename(options->config_dir, "files", NULL);
  /* ${FILES_DIR} first: it must not be seen after ${CONFIG_DIR} grew the string. */
  g_string_replace(text, "${FILES_DIR}", files_dir, 0);
  g_string_replace(text, "${CONFIG_DIR}", options->config_dir, 0);
  return g_strdup(text->str);
}

static GBytes *
render_unit(const AtxQuadletResource *resource, const AtxRenderOptions *options)
{
  GString *text = g_string_new(NULL);
  for (guint i = 0; i < resource->sections->len; i++) {
    const AtxQuadletSection *section = g_ptr_array_index(resource->sections, i);
    g_string_append_printf(text, "[%s]\n", section->name);
    for (guint j = 0; j < section->directives->len; j++) {
      const AtxDirective *directive = g_ptr_array_index(section->directives, j);
      g_autofree char *value = substitute_tokens(directive->value, options);
      g_string_append_printf(text, "%s=%s\n", directive->key, value);
    }
    g_string_append_c(text, '\n');
  }
  /* Canonical form: no trailing blank line, exactly one final newline. */
  while (text->len > 0 && g_ascii_isspace(text->str[text->len - 1]))
    g_string_truncate(text, text->len - 1);
  g_string_append_c(text, '\n');
  gsize len = text->len;
  return g_bytes_new_take(g_string_free(text, FALSE), len);
}

static json_t *
runtime_unit(const AtxQuadletResource *resource, AtxRunMode mode)
{
  g_autofree char *filename = g_strconcat(resource->name, atx_quadlet_kind_suffix(resource->kind), NULL);
  g_autofree char *service = atx_quadlet_service_name(resource);
  json_t *unit = json_object();
  json_object_set_new(unit, "name", json_string(resource->name));
  json_object_set_new(unit, "filename", json_string(filename));
  json_object_set_new(unit, "service", json_string(service));
  json_object_set_new(unit, "mode", json_string(atx_run_mode_name(mode)));
  return unit;
}

void
atx_render_quadlet(const AtxConfig *config, const AtxRenderOptions *options, GPtrArray *out)
{
  json_t *units = json_array();
  for (guint i = 0; i < config->resources->len; i++) {
    const AtxQuadletResource *resource = g_ptr_array_index(config->resources, i);
    g_autofree char *path = g_strconcat("quadlet/", resource->name,
                                        atx_quadlet_kind_suffix(resource->kind), NULL);
    g_ptr_array_add(out, atx_rendered_file_new(path, 0644, render_unit(resource, options)));
    for (AtxRunMode mode = ATX_MODE_ROOTFUL; mode <= ATX_MODE_ROOTLESS; mode++)
      if (resource->modes & (1u << mode))
        json_array_append_new(units, runtime_unit(resource, mode));
  }
  json_t *root = json_object();
  json_object_set_new(root, "app_user", json_string(ATX_APP_USER));
  json_object_set_new(root, "rootless_network", json_string("pasta"));
  json_object_set_new(root, "units", units);
  g_ptr_array_add(out, atx_rendered_json_new("quadlet-runtime.json", root));
}
