/* apply-lan: writes the LAN gateway's files (core/platform/lan_files.h) under
 * an etc directory and restarts the services whose files changed.
 *
 * Everything is planned (and so validated) before the first write: inconsistent
 * input changes nothing. Each file is written atomically and only when its
 * content differs; networkd files this applier owns but no longer produces are
 * removed. A second run with the same inputs writes and restarts nothing. */
#pragma once

#include <glib.h>

#include "device/svcmgr/svcmgr.h"

typedef struct {
  const char *root;          /* state root; reads ROOT/config/{lan-settings,host-network}.json */
  const char *etc_dir;       /* where the files go ("/etc") */
  const char *sys_dir;       /* where the LAN MAC is read ("/sys") */
  const char *wan_interface; /* NULL: eth0 */
  const char *lan_interface; /* NULL: eth1 */
  AtxSvcMgr *svcmgr;         /* restarts dnsmasq, chronyd and systemd-networkd */
} AtxLanApply;

#define ATX_LAN_DNSMASQ_UNIT "dnsmasq.service"
#define ATX_LAN_CHRONY_UNIT "chronyd.service"
#define ATX_LAN_NETWORKD_UNIT "systemd-networkd.service"

/* @changed_out (optional) receives the relative paths written or removed, and
 * @restarted_out (optional) the units restarted; both owned by the caller.
 * Without lan-settings.json nothing is done and TRUE returned. */
gboolean atx_apply_lan(const AtxLanApply *options, GPtrArray **changed_out, GPtrArray **restarted_out,
                       GError **error) G_GNUC_WARN_UNUSED_RESULT;
