/* quadlet/<name>.<kind> units in the canonical format, and quadlet-runtime.json
 * telling quadlet-sync and activation which service runs in which mode. */
#include "core/render/render_private.h"

#include <string.h>

static void
append_substituted(GString *text, const char *value, const AtxRenderOptions *options)
{
  g_autoptr(GString) substituted = g_string_new(value);
  g_autofree char *files_dir = g_build_filename(options->config_dir, "files", NULL);
  /* ${FILES_DIR} first: it must not be seen after ${CONFIG_DIR} grew the string. */
  g_string_replace(substituted, "${FILES_DIR}", files_dir, 0);
  g_string_replace(substituted, "${CONFIG_DIR}", options->config_dir, 0);
  g_string_append_len(text, substituted->str, substituted->len);
}

static void
append_directive(GString *text, const AtxDirective *directive, const AtxRenderOptions *options)
{
  atx_string_append(text, directive->key);
  g_string_append_c(text, '=');
  /* Most values hold no token; only those pay for the substitution. */
  if (strchr(directive->value, '$'))
    append_substituted(text, directive->value, options);
  else
    atx_string_append(text, directive->value);
  g_string_append_c(text, '\n');
}

static void
add_unit(const AtxQuadletResource *resource, const AtxRenderOptions *options, AtxRenderOut *out)
{
  GString *text = atx_render_begin_text(out);
  for (guint i = 0; i < resource->n_sections; i++) {
    const AtxQuadletSection *section = &resource->sections[i];
    g_string_append_c(text, '[');
    atx_string_append(text, section->name);
    atx_string_append_len(text, "]\n", 2);
    for (guint j = 0; j < section->n_directives; j++)
      append_directive(text, &section->directives[j], options);
    g_string_append_c(text, '\n');
  }
  /* Canonical form: no trailing blank line, exactly one final newline. */
  gsize len = text->len;
  while (len > out->start && g_ascii_isspace(text->str[len - 1]))
    len--;
  g_string_truncate(text, len);
  g_string_append_c(text, '\n');
  atx_render_add_file(out, 0644, "quadlet/", resource->name, atx_quadlet_kind_suffix(resource->kind));
}

static void
write_runtime_unit(AtxRenderOut *out, const AtxQuadletResource *resource, AtxRunMode mode)
{
  AtxJsonWriter *writer = &out->json;
  atx_json_writer_begin_object(writer);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("name"), resource->name);
  atx_json_writer_known_string_pair(writer, ATX_JSON_KEY("filename"), resource->name,
                                    atx_quadlet_kind_suffix(resource->kind));
  atx_json_writer_known_string_pair(writer, ATX_JSON_KEY("service"), resource->name,
                                     atx_quadlet_service_suffix(resource->kind));
  atx_json_writer_known_string(writer, ATX_JSON_KEY("mode"), atx_run_mode_name(mode));
  atx_json_writer_end_object(writer);
}

static void
add_runtime(const AtxConfig *config, AtxRenderOut *out)
{
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("app_user"), ATX_APP_USER);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("rootless_network"), "pasta");
  atx_json_writer_known_key(writer, ATX_JSON_KEY("units"));
  atx_json_writer_begin_array(writer);
  for (guint i = 0; i < config->resources->len; i++) {
    const AtxQuadletResource *resource = g_ptr_array_index(config->resources, i);
    for (AtxRunMode mode = ATX_MODE_ROOTFUL; mode <= ATX_MODE_ROOTLESS; mode++)
      if (resource->modes & (1u << mode))
        write_runtime_unit(out, resource, mode);
  }
  atx_json_writer_end_array(writer);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "quadlet-runtime.json");
}

void
atx_render_quadlet(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  for (guint i = 0; i < config->resources->len; i++)
    add_unit(g_ptr_array_index(config->resources, i), options, out);
  add_runtime(config, out);
}
