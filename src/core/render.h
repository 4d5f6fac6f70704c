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

typedef struct {
  char *path;      /* relative to the config root: "quadlet/web.container" */
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

/* The individual renderers; each appends its files to @out. */
void atx_render_users(const AtxConfig *config, GPtrArray *out);
void atx_render_firewall(const AtxConfig *config, GPtrArray *out);
void atx_render_lan(const AtxConfig *config, GPtrArray *out);
void atx_render_host_network(const AtxConfig *config, GPtrArray *out);
void atx_render_os_upgrade(const AtxConfig *config, GPtrArray *out);
void atx_render_activation(const AtxConfig *config, GPtrArray *out);
void atx_render_quadlet(const AtxConfig *config, const AtxRenderOptions *options, GPtrArray *out);

/* Shared by the renderers. */
AtxRenderedFile *atx_rendered_file_new(const char *path, guint mode, GBytes *content);
/* Takes @json; dumps it the way every JSON state file is written. */
AtxRenderedFile *atx_rendered_json_new(const char *path, json_t *json);
char *atx_render_json_text(const json_t *json);
json_t *atx_json_string_array(const GPtrArray *strings);
