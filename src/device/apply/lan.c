#include "device/apply/lan.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "device/apply/state_file.h"
#include "core/platform/lan_files.h"
#include "device/fs/fsutil.h"

#define RESTART_TIMEOUT_US (90 * G_USEC_PER_SEC)

static char *
read_mac(const char *sys_dir, const char *interface)
{
  g_autofree char *path = g_build_filename(sys_dir, "class", "net", interface, "address", NULL);
  char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return NULL;
  return g_strstrip(text);
}

static gboolean
same_content(const char *path, const char *content)
{
  g_autofree char *current = NULL;
  return g_file_get_contents(path, &current, NULL, NULL) && g_str_equal(current, content);
}

/* Writes @file when it differs; TRUE in *@changed when it did. */
static gboolean
write_if_changed(const char *etc_dir, const AtxLanFile *file, gboolean *changed, GError **error)
{
  g_autofree char *path = g_build_filename(etc_dir, file->path, NULL);
  *changed = FALSE;
  if (same_content(path, file->content))
    return TRUE;
  g_autofree char *dir = g_path_get_dirname(path);
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    int saved = errno;
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "mkdir %s: %s", dir, g_strerror(saved));
    return FALSE;
  }
  g_autoptr(GBytes) bytes = g_bytes_new_static(file->content, strlen(file->content));
  if (!atx_fs_write_file(path, bytes, 0644, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_NOW, error))
    return FALSE;
  *changed = TRUE;
  return TRUE;
}

static gboolean
planned(GPtrArray *files, const char *relative)
{
  for (guint i = 0; i < files->len; i++)
    if (g_str_equal(((AtxLanFile *) files->pdata[i])->path, relative))
      return TRUE;
  return FALSE;
}

/* Removes owned networkd files the plan no longer has (a drop-in or an extra
 * interface's unit from an earlier apply). */
static gboolean
remove_stale(const char *etc_dir, GPtrArray *files, GPtrArray *changed, GError **error)
{
  static const char *const dirs[] = { "systemd/network", "systemd/network/10-wan.network.d",
                                      "systemd/network/20-lan.network.d" };
  for (guint d = 0; d < G_N_ELEMENTS(dirs); d++) {
    g_autofree char *dir_path = g_build_filename(etc_dir, dirs[d], NULL);
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
      g_autofree char *relative = g_build_filename(dirs[d], name, NULL);
      if (!atx_lan_owns_networkd_file(relative) || planned(files, relative))
        continue;
      g_autofree char *path = g_build_filename(etc_dir, relative, NULL);
      if (unlink(path) != 0) {
        int saved = errno;
        g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "remove %s: %s", path, g_strerror(saved));
        return FALSE;
      }
      g_ptr_array_add(changed, g_steal_pointer(&relative));
    }
  }
  return TRUE;
}

static gboolean
restart(const AtxLanApply *options, const char *unit, GPtrArray *restarted, GError **error)
{
  gint64 deadline = g_get_monotonic_time() + RESTART_TIMEOUT_US;
  if (!atx_svcmgr_restart(options->svcmgr, unit, ATX_MODE_ROOTFUL, deadline, error)) {
    g_prefix_error(error, "restarting %s: ", unit);
    return FALSE;
  }
  g_ptr_array_add(restarted, g_strdup(unit));
  return TRUE;
}

static GPtrArray *
plan(const AtxLanApply *options, gboolean *absent, GError **error)
{
  g_autofree char *settings_path = g_build_filename(options->root, "config", "lan-settings.json", NULL);
  g_autofree char *network_path = g_build_filename(options->root, "config", "host-network.json", NULL);
  g_autofree char *hosts_path = g_build_filename(options->etc_dir, "hosts", NULL);
  g_autofree char *settings = NULL, *network = NULL, *hosts = NULL;
  if (!atx_apply_read_state_file(settings_path, &settings, NULL, error) ||
      !atx_apply_read_state_file(network_path, &network, NULL, error) ||
      !atx_apply_read_state_file(hosts_path, &hosts, NULL, error))
    return NULL;
  *absent = settings == NULL;
  if (!settings)
    return NULL;
  const char *lan_interface = options->lan_interface ? options->lan_interface : "eth1";
  g_autofree char *mac = read_mac(options->sys_dir ? options->sys_dir : "/sys", lan_interface);
  AtxLanInputs inputs = {
    .etc_dir = options->etc_dir,
    .wan_interface = options->wan_interface ? options->wan_interface : "eth0",
    .lan_interface = lan_interface,
    .lan_mac = mac,
    .lan_settings = settings,
    .host_network = network,
    .hosts = hosts,
  };
  return atx_lan_plan(&inputs, error);
}

gboolean
atx_apply_lan(const AtxLanApply *options, GPtrArray **changed_out, GPtrArray **restarted_out, GError **error)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) restarted = g_ptr_array_new_with_free_func(g_free);
  gboolean absent = FALSE;
  g_autoptr(GPtrArray) files = plan(options, &absent, error);
  if (!files && !absent)
    return FALSE;
  gboolean feeds[ATX_LAN_FEEDS_NETWORKD + 1] = { FALSE };
  for (guint i = 0; files && i < files->len; i++) {
    const AtxLanFile *file = files->pdata[i];
    gboolean written;
    if (!write_if_changed(options->etc_dir, file, &written, error))
      return FALSE;
    if (written)
      g_ptr_array_add(changed, g_strdup(file->path));
    feeds[file->feeds] |= written;
  }
  guint before = changed->len;
  if (files && !remove_stale(options->etc_dir, files, changed, error))
    return FALSE;
  feeds[ATX_LAN_FEEDS_NETWORKD] |= changed->len > before;
  if ((feeds[ATX_LAN_FEEDS_NETWORKD] && !restart(options, ATX_LAN_NETWORKD_UNIT, restarted, error)) ||
      (feeds[ATX_LAN_FEEDS_DNSMASQ] && !restart(options, ATX_LAN_DNSMASQ_UNIT, restarted, error)) ||
      (feeds[ATX_LAN_FEEDS_CHRONY] && !restart(options, ATX_LAN_CHRONY_UNIT, restarted, error)))
    return FALSE;
  if (changed_out)
    *changed_out = g_steal_pointer(&changed);
  if (restarted_out)
    *restarted_out = g_steal_pointer(&restarted);
  return TRUE;
}
