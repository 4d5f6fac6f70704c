#include "core/render.h"

void
atx_rendered_file_free(AtxRenderedFile *file)
{
  if (!file)
    return;
  g_free(file->path);
  g_clear_pointer(&file->content, g_bytes_unref);
  g_free(file);
}

AtxRenderedFile *
atx_rendered_file_new(const char *path, guint mode, GBytes *content)
{
  AtxRenderedFile *file = g_new0(AtxRenderedFile, 1);
  file->path = g_strdup(path);
  file->mode = mode;
  file->content = content;
  return file;
}

char *
atx_render_json_text(const json_t *json)
{
  char *dumped = json_dumps(json, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  char *text = g_strconcat(dumped, "\n", NULL);
  free(dumped);
  return text;
}

AtxRenderedFile *
atx_rendered_json_new(const char *path, json_t *json)
{
  char *text = atx_render_json_text(json);
  json_decref(json);
  return atx_rendered_file_new(path, 0600, g_bytes_new_take(text, strlen(text)));
}

json_t *
atx_json_string_array(const GPtrArray *strings)
{
  json_t *array = json_array();
  for (guint i = 0; strings && i < strings->len; i++)
    json_array_append_new(array, json_string(g_ptr_array_index(strings, i)));
  return array;
}

GPtrArray *
atx_render_config(const AtxConfig *config, const AtxRenderOptions *options)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) atx_rendered_file_free);
  g_ptr_array_add(out, atx_rendered_file_new("config.toml", 0600, g_bytes_ref(config->source)));
  atx_render_users(config, out);
  atx_render_firewall(config, out);
  atx_render_lan(config, out);
  atx_render_host_network(config, out);
  atx_render_os_upgrade(config, out);
  atx_render_activation(config, out);
  atx_render_quadlet(config, options, out);
  return out;
}
