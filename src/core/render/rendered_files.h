/* The one table of what the config root holds: every rendered file (or
 * directory of them) with the renderer that writes it, the job step and
 * message announcing it, and the platform applier it feeds. The renderer,
 * the store (which names it owns), the pipeline (step events) and the change
 * plan (which applier to restart) all read this table, so adding a rendered
 * file means adding a row here and its render function.
 *
 * Rows are in the order the device writes them; a render function can write
 * several rows' files (users.json and ssh-authorized-keys/), so only the
 * first row of such a group names it. */
#pragma once

#include "core/base/steps.h"
#include "core/render/render.h"

/* Platform appliers, in the order activation runs them: accounts first (units
 * may run as them), then Quadlet files, then addressing, then the firewall
 * that opens the new ports. */
#define ATX_APPLIER_USERS "atomix-apply-users.service"
#define ATX_APPLIER_QUADLET "atomix-sync-quadlet.service"
#define ATX_APPLIER_LAN "atomix-apply-lan.service"
#define ATX_APPLIER_FIREWALL "atomix-apply-firewall.service"

typedef struct _AtxRenderOut AtxRenderOut;
typedef void (*AtxRenderFunc)(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out);

typedef struct {
  const char *path;      /* exact file name, or a directory prefix ending in '/' */
  AtxRenderFunc render;  /* NULL: written by an earlier row's function, or not rendered (see source) */
  AtxStep step;          /* the event announcing it */
  const char *message;
  const char *applier;   /* the unit to restart when it changes; NULL = none */
  gboolean from_bundle;  /* copied from a bundle's files/, not rendered */
} AtxRenderedKind;

extern const AtxRenderedKind atx_rendered_kinds[];
extern const guint atx_n_rendered_kinds;

/* The row @path (relative to the config root) belongs to, or NULL. */
const AtxRenderedKind *atx_rendered_kind_find(const char *path);
/* TRUE when the top-level entry @name of a config root is one the table
 * describes (the store replaces those and carries everything else over). */
gboolean atx_rendered_kind_owns(const char *name);
/* TRUE when a changed @path is an input of @applier. */
gboolean atx_rendered_kind_feeds(const char *path, const char *applier);
