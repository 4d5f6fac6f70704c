/* Renderers: pure functions from a validated AtxConfig to the bytes of every
 * derived file in /data/config. Nothing here touches the filesystem; the device
 * store (src/device/store.h) writes the list atomically, and `atomixctl render`
 * writes it to a directory, so both always produce the same tree.
 *
 * JSON files are 2-space indented, ASCII-only (non-ASCII escaped) and end with a
 * newline, as the platform's consumers expect. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "core/config.h"
#include "core/json_writer.h"

typedef struct {
  char *path;      /* relative to the config root: "quadlet/web.container"; freed with the file */
  guint mode;      /* permission bits */
  GBytes *content;
} AtxRenderedFile;

void atx_rendered_file_free(AtxRenderedFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxRenderedFile, atx_rendered_file_free)

typedef struct {
  /* Where the tree will be active on the device; ${CONFIG_DIR} in Quadlet values
   * becomes this path and ${FILES_DIR} becomes <config_dir>/files. */
  const char *config_dir;
} AtxRenderOptions;

#define ATX_DEFAULT_CONFIG_DIR "/data/config"
#define ATX_APP_USER "appsvc"

/* Every derived file, in the order the device writes them (AtxRenderedFile*). */
GPtrArray *atx_render_config(const AtxConfig *config, const AtxRenderOptions *options);

/* Where the renderers write: the file list, and one text buffer and one path
 * buffer reused for every file, so that a render allocates little beyond the
 * files it returns. */
typedef struct {
  GPtrArray *files;   /* AtxRenderedFile*, in render order */
  GString *text;      /* content of the file being written */
  GString *path;      /* scratch for paths built from parts */
  AtxJsonWriter json; /* on @text, for the JSON state files */
} AtxRenderOut;

/* The individual renderers; each appends its files to @out. */
void atx_render_users(const AtxConfig *config, AtxRenderOut *out);
void atx_render_firewall(const AtxConfig *config, AtxRenderOut *out);
void atx_render_lan(const AtxConfig *config, AtxRenderOut *out);
void atx_render_host_network(const AtxConfig *config, AtxRenderOut *out);
void atx_render_os_upgrade(const AtxConfig *config, AtxRenderOut *out);
void atx_render_activation(const AtxConfig *config, AtxRenderOut *out);
void atx_render_quadlet(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);

/* Shared by the renderers. */
AtxRenderedFile *atx_rendered_file_new(const char *path, guint mode, GBytes *content);
/* Empty out->text for the next file; the JSON variant returns the writer on it. */
GString *atx_render_begin_text(AtxRenderOut *out);
AtxJsonWriter *atx_render_begin_json(AtxRenderOut *out);
/* Sets out->path to @prefix @name @suffix and returns its text. */
const char *atx_render_path(AtxRenderOut *out, const char *prefix, const char *name,
                            const char *suffix);
/* Adds a file holding a copy of out->text. */
void atx_render_add_text(AtxRenderOut *out, const char *path, guint mode);
/* Ends the JSON document the way every state file ends (a newline) and adds
 * it with mode 0600. */
void atx_render_add_json(AtxRenderOut *out, const char *path);

/* The same text from a jansson tree, for the JSON that is not rendered from an
 * AtxConfig (API answers, job state): json_dumps(JSON_INDENT(2) |
 * JSON_ENSURE_ASCII) plus a newline, byte for byte what AtxJsonWriter writes. */
char *atx_render_json_text(const json_t *json);
json_t *atx_json_string_array(const GPtrArray *strings);
