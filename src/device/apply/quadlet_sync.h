/* sync-quadlet: copies ROOT/config/quadlet/ into Podman's Quadlet search paths
 * as quadlet-runtime.json says (provisioning-service.md §5.4), and restarts what
 * changed.
 *
 * Each target directory (rootful, rootless) carries a manifest
 * (.atomix-managed-quadlets.json, the sorted list of files this applier put
 * there). Desired files are copied atomically when their content differs;
 * files in the old manifest that are no longer desired are removed and their
 * services stopped; files not in the manifest are never touched. Then each
 * manager is reloaded and only the services whose files changed are restarted
 * (.build units first). A failing restart does not stop the others; the run
 * then fails with an error naming every failed unit.
 *
 * no_restart leaves the changed services to the caller: activation restarts
 * atomix-sync-quadlet.service and then restarts what its change plan says and
 * judges their health, so the unit it restarts syncs with no_restart (one
 * change, one restart); boot and manual runs restart here. */
#pragma once

#include <glib.h>

#include "device/svcmgr/svcmgr.h"

#define ATX_QUADLET_MANIFEST ".atomix-managed-quadlets.json"

typedef struct {
  const char *root;         /* state root; ROOT/config/quadlet and quadlet-runtime.json */
  const char *rootful_dir;  /* NULL: /etc/containers/systemd */
  const char *rootless_dir; /* NULL: ~APP_USER/.config/containers/systemd */
  const char *app_user;     /* NULL: appsvc; owns the rootless directory */
  AtxSvcMgr *svcmgr;
  gboolean no_restart; /* copy, stop stale, reload; changed services are the caller's */
} AtxQuadletSync;

/* @log_out (optional): one line per file copied/removed and unit stopped/restarted. */
gboolean atx_sync_quadlet(const AtxQuadletSync *options, GPtrArray **log_out,
                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
