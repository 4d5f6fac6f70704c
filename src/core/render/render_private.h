/* Renderer internals: the output buffer every render_*.c file appends to and
 * the helpers they share. Only src/core/render/ includes this. */
#pragma once

#include "core/base/json_writer.h"
#include "core/render/render.h"

/* A file written so far: where its content and path are in AtxRenderOut.text. */
typedef struct {
  gsize content;     /* offset of the content, @content_len bytes */
  gsize content_len;
  gsize path;        /* offset of the NUL-terminated path */
  guint mode;
  GBytes *bytes;     /* the content when it is not in the text (config.toml) */
} AtxRenderEntry;

/* A render needs few entries; more go to the heap. */
#define ATX_RENDER_ENTRIES_ON_STACK 32

/* Where the renderers write: every file's content and path go one after the
 * other into one text buffer, sized once, and the files returned share it. A
 * render allocates the buffer, one block for the files and a GBytes per file.
 * The GString is @text_buffer itself, not allocated: GLib only ever
 * g_realloc()s its buffer, which the files take over at the end. */
typedef struct _AtxRenderOut {
  GString *text;       /* every content and path so far: &text_buffer */
  GString text_buffer;
  gsize start;         /* where the content of the file being written starts */
  AtxJsonWriter json; /* on @text, for the JSON state files */
  AtxRenderEntry *entries;
  guint n_entries;
  guint capacity;
  AtxRenderEntry stack[ATX_RENDER_ENTRIES_ON_STACK];
} AtxRenderOut;

/* The individual renderers (rendered_files.h says which files each writes);
 * each appends its files to @out. */
void atx_render_admin_signers(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);
void atx_render_users(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);
void atx_render_firewall(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);
void atx_render_lan(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);
void atx_render_host_network(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);
void atx_render_os_upgrade(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);
void atx_render_activation(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);
void atx_render_quadlet(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);

/* Shared by the renderers. */
/* Starts the next file's content, at the end of out->text; the JSON variant
 * returns the writer on it. */
GString *atx_render_begin_text(AtxRenderOut *out);
AtxJsonWriter *atx_render_begin_json(AtxRenderOut *out);
/* Ends the file begun last: its content is what was written since, its path
 * @prefix @name @suffix (@name and @suffix may be NULL). */
void atx_render_add_file(AtxRenderOut *out, guint mode, const char *prefix, const char *name,
                         const char *suffix);
static inline void
atx_render_add_text(AtxRenderOut *out, const char *path, guint mode)
{
  atx_render_add_file(out, mode, path, NULL, NULL);
}
/* Ends the JSON document the way every state file ends (a newline) and adds
 * it with mode 0600. */
void atx_render_add_json(AtxRenderOut *out, const char *path);
