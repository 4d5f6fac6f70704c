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

#include "core/base/defaults.h"
#include "core/config/config.h"

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

/* Every derived file, in the order the device writes them (AtxRenderedFile*). */
GPtrArray *atx_render_config(const AtxConfig *config, const AtxRenderOptions *options);
