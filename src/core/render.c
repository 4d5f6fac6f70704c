#include "core/render.h"

#include <string.h>

void
atx_rendered_file_free(AtxRenderedFile *file)
{
  if (!file)
    return;
  /* file->path lives in the same block (atx_rendered_file_new). */
  g_clear_pointer(&file->content, g_bytes_unref);
  g_free(file);
}

/* One allocation for the file and its path: a render makes a dozen of them. */
AtxRenderedFile *
atx_rendered_file_new(const char *path, guint mode, GBytes *content)
{
  gsize path_size = strlen(path) + 1;
  AtxRenderedFile *file = g_malloc(sizeof *file + path_size);
  file->path = memcpy(file + 1, path, path_size);
  file->mode = mode;
  file->content = content;
  return file;
}

GString *
atx_render_begin_text(AtxRenderOut *out)
{
  g_string_truncate(out->text, 0);
  return out->text;
}

AtxJsonWriter *
atx_render_begin_json(AtxRenderOut *out)
{
  atx_json_writer_init(&out->json, atx_render_begin_text(out));
  return &out->json;
}

const char *
atx_render_path(AtxRenderOut *out, const char *prefix, const char *name, const char *suffix)
{
  g_string_truncate(out->path, 0);
  atx_string_append(out->path, prefix);
  atx_string_append(out->path, name);
  atx_string_append(out->path, suffix);
  return out->path->str;
}

void
atx_render_add_text(AtxRenderOut *out, const char *path, guint mode)
{
  GBytes *content = g_bytes_new(out->text->str, out->text->len);
  g_ptr_array_add(out->files, atx_rendered_file_new(path, mode, content));
}

void
atx_render_add_json(AtxRenderOut *out, const char *path)
{
  g_string_append_c(out->text, '\n');
  atx_render_add_text(out, path, 0600);
}

char *
atx_render_json_text(const json_t *json)
{
  char *dumped = json_dumps(json, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  char *text = g_strconcat(dumped, "\n", NULL);
  free(dumped);
  return text;
}

json_t *
atx_json_string_array(const GPtrArray *strings)
{
  json_t *array = json_array();
  for (guint i = 0; strings && i < strings->len; i++)
    json_array_append_new(array, json_string(g_ptr_array_index(strings, i)));
  return array;
}

/* Small enough for malloc's per-thread cache (GString rounds up to the next
 * power of two, 512 and 128 here): larger first allocations cost more than
 * the one or two times the text buffer grows for a config with big files. */
#define TEXT_BUFFER_SIZE 500
#define PATH_BUFFER_SIZE 100
#define EXPECTED_FILES 32

GPtrArray *
atx_render_config(const AtxConfig *config, const AtxRenderOptions *options)
{
  AtxRenderOut out = {
    .files = g_ptr_array_new_full(EXPECTED_FILES, (GDestroyNotify) atx_rendered_file_free),
    .text = g_string_sized_new(TEXT_BUFFER_SIZE),
    .path = g_string_sized_new(PATH_BUFFER_SIZE),
  };
  g_ptr_array_add(out.files, atx_rendered_file_new("config.toml", 0600, g_bytes_ref(config->source)));
  atx_render_users(config, &out);
  atx_render_firewall(config, &out);
  atx_render_lan(config, &out);
  atx_render_host_network(config, &out);
  atx_render_os_upgrade(config, &out);
  atx_render_activation(config, &out);
  atx_render_quadlet(config, options, &out);
  g_string_free(out.text, TRUE);
  g_string_free(out.path, TRUE);
  return out.files;
}
