#include "core/render/render_private.h"
#include "core/render/rendered_files.h"

#include <string.h>

/* The files of one render share a block: their structs, and the text their
 * paths and contents live in. Each file and each content GBytes holds one
 * reference, so a content kept after its file is freed stays valid. */
typedef struct RenderBlock RenderBlock;

typedef struct {
  AtxRenderedFile file;
  RenderBlock *block;
} RenderedFile;

struct RenderBlock {
  gint refs;
  char *text;
  RenderedFile files[];
};

static void
render_block_release(gpointer data)
{
  RenderBlock *block = data;
  if (!g_atomic_int_dec_and_test(&block->refs))
    return;
  g_free(block->text);
  g_free(block);
}

void
atx_rendered_file_free(AtxRenderedFile *file)
{
  if (!file)
    return;
  RenderedFile *rendered = (RenderedFile *) file;
  g_clear_pointer(&file->content, g_bytes_unref);
  render_block_release(rendered->block);
}

GString *
atx_render_begin_text(AtxRenderOut *out)
{
  out->start = out->text->len;
  return out->text;
}

AtxJsonWriter *
atx_render_begin_json(AtxRenderOut *out)
{
  atx_json_writer_init(&out->json, atx_render_begin_text(out));
  return &out->json;
}

static AtxRenderEntry *
next_entry(AtxRenderOut *out)
{
  if (out->n_entries == out->capacity) {
    out->capacity *= 2;
    if (out->entries == out->stack)
      out->entries = g_memdup2(out->stack, sizeof out->stack);
    out->entries = g_renew(AtxRenderEntry, out->entries, out->capacity);
  }
  return &out->entries[out->n_entries++];
}

/* The path goes after the content, NUL-terminated. */
static void
append_path(AtxRenderOut *out, AtxRenderEntry *entry, const char *prefix, const char *name,
            const char *suffix)
{
  entry->path = out->text->len;
  atx_string_append(out->text, prefix);
  if (name)
    atx_string_append(out->text, name);
  if (suffix)
    atx_string_append(out->text, suffix);
  g_string_append_c(out->text, '\0');
}

void
atx_render_add_file(AtxRenderOut *out, guint mode, const char *prefix, const char *name,
                    const char *suffix)
{
  AtxRenderEntry *entry = next_entry(out);
  entry->content = out->start;
  entry->content_len = out->text->len - out->start;
  entry->mode = mode;
  entry->bytes = NULL;
  append_path(out, entry, prefix, name, suffix);
}

static void
add_bytes(AtxRenderOut *out, const char *path, guint mode, GBytes *bytes)
{
  AtxRenderEntry *entry = next_entry(out);
  entry->mode = mode;
  entry->bytes = bytes;
  append_path(out, entry, path, NULL, NULL);
}

void
atx_render_add_json(AtxRenderOut *out, const char *path)
{
  g_string_append_c(out->text, '\n');
  atx_render_add_file(out, 0600, path, NULL, NULL);
}

/* The rendered files are JSON and units about as long as the config they
 * come from: one buffer this size rarely has to grow. */
static gsize
text_size_estimate(const AtxConfig *config)
{
  gsize source_len = g_bytes_get_size(config->source);
  return source_len + source_len / 2 + 512;
}

/* The files of @out, sharing one block and the text buffer. */
static GPtrArray *
finish_files(AtxRenderOut *out)
{
  guint n = out->n_entries;
  RenderBlock *block = g_malloc(sizeof *block + n * sizeof(RenderedFile));
  block->text = out->text->str;
  block->refs = (gint) n;
  GPtrArray *files = g_ptr_array_new_full(n, (GDestroyNotify) atx_rendered_file_free);
  g_ptr_array_set_size(files, (gint) n);
  for (guint i = 0; i < n; i++) {
    const AtxRenderEntry *entry = &out->entries[i];
    RenderedFile *rendered = &block->files[i];
    rendered->block = block;
    rendered->file.path = block->text + entry->path;
    rendered->file.mode = entry->mode;
    if (entry->bytes) {
      rendered->file.content = entry->bytes;
    } else {
      block->refs++;
      rendered->file.content = g_bytes_new_with_free_func(block->text + entry->content, entry->content_len,
                                                          render_block_release, block);
    }
    files->pdata[i] = &rendered->file;
  }
  if (out->entries != out->stack)
    g_free(out->entries);
  return files;
}

GPtrArray *
atx_render_config(const AtxConfig *config, const AtxRenderOptions *options)
{
  gsize size = text_size_estimate(config);
  AtxRenderOut out = {
    .text_buffer = { g_malloc(size), 0, size },
    .capacity = ATX_RENDER_ENTRIES_ON_STACK,
  };
  out.text = &out.text_buffer;
  out.text->str[0] = '\0';
  out.entries = out.stack;
  add_bytes(&out, "config.toml", 0600, g_bytes_ref(config->source));
  for (guint i = 0; i < atx_n_rendered_kinds; i++)
    if (atx_rendered_kinds[i].render)
      atx_rendered_kinds[i].render(config, options, &out);
  return finish_files(&out);
}
