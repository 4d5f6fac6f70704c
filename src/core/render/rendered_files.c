#include "core/render/rendered_files.h"

#include <string.h>

#include "core/render/render_private.h"

const AtxRenderedKind atx_rendered_kinds[] = {
  { .path = "config.toml", .step = ATX_STEP_WRITE_CONFIG, .message = "writing config.toml" },
  { .path = "files/", .step = ATX_STEP_COPY_FILES, .message = "copying bundled files", .from_bundle = TRUE },
  { .path = "admin-signers", .render = atx_render_admin_signers, .step = ATX_STEP_WRITE_ADMIN_SIGNERS,
    .message = "writing admin signer keys" },
  { .path = "users.json", .render = atx_render_users, .step = ATX_STEP_WRITE_USERS,
    .message = "rendering user accounts", .applier = ATX_APPLIER_USERS },
  { .path = "ssh-authorized-keys/", .step = ATX_STEP_WRITE_USERS, .message = "rendering user accounts",
    .applier = ATX_APPLIER_USERS },
  { .path = "firewall-inbound.json", .render = atx_render_firewall, .step = ATX_STEP_WRITE_FIREWALL,
    .message = "rendering firewall rules", .applier = ATX_APPLIER_FIREWALL },
  { .path = "lan-settings.json", .render = atx_render_lan, .step = ATX_STEP_WRITE_LAN,
    .message = "rendering LAN settings", .applier = ATX_APPLIER_LAN },
  { .path = "host-network.json", .render = atx_render_host_network, .step = ATX_STEP_WRITE_NETWORK,
    .message = "rendering host network settings", .applier = ATX_APPLIER_LAN },
  { .path = "os-upgrade.json", .render = atx_render_os_upgrade, .step = ATX_STEP_WRITE_OS_UPGRADE,
    .message = "rendering OS upgrade settings" },
  { .path = "health-required.json", .render = atx_render_activation, .step = ATX_STEP_WRITE_HEALTH,
    .message = "rendering health checks" },
  { .path = "activation-policy.json", .step = ATX_STEP_WRITE_HEALTH, .message = "rendering health checks" },
  { .path = "quadlet/", .render = atx_render_quadlet, .step = ATX_STEP_WRITE_QUADLETS,
    .message = "writing container unit files", .applier = ATX_APPLIER_QUADLET },
  { .path = "quadlet-runtime.json", .step = ATX_STEP_WRITE_RUNTIME_METADATA,
    .message = "writing container runtime metadata", .applier = ATX_APPLIER_QUADLET },
};

const guint atx_n_rendered_kinds = G_N_ELEMENTS(atx_rendered_kinds);

static gboolean
kind_matches(const AtxRenderedKind *kind, const char *path)
{
  return g_str_has_suffix(kind->path, "/") ? g_str_has_prefix(path, kind->path) : g_str_equal(path, kind->path);
}

const AtxRenderedKind *
atx_rendered_kind_find(const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS(atx_rendered_kinds); i++)
    if (kind_matches(&atx_rendered_kinds[i], path))
      return &atx_rendered_kinds[i];
  return NULL;
}

gboolean
atx_rendered_kind_owns(const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(atx_rendered_kinds); i++) {
    const char *path = atx_rendered_kinds[i].path;
    gsize len = strcspn(path, "/");
    if (strlen(name) == len && strncmp(name, path, len) == 0)
      return TRUE;
  }
  return FALSE;
}

gboolean
atx_rendered_kind_feeds(const char *path, const char *applier)
{
  const AtxRenderedKind *kind = atx_rendered_kind_find(path);
  return kind && g_strcmp0(kind->applier, applier) == 0;
}
