/* The LAN gateway's running-state files, generated from lan-settings.json and
 * host-network.json (provisioning-service.md §4.2, platform.md §2.3):
 *
 *   dnsmasq.d/atomix-lan.conf                     DHCP range, options 3/6/42, local domain
 *   atomix/dnsmasq-hosts                          gateway names ({mac} pattern, aliases)
 *   atomix/chrony-lan.conf                        upstream servers, NTP served to the LAN
 *   hosts                                         the same names, marked lines replaced
 *   systemd/network/10-wan.network.d/50-atomix.conf, 20-lan.network.d/50-atomix.conf,
 *   30-atomix-ethN.network                        addressing per interface
 *
 * Paths are relative to the etc directory the caller writes into. Everything is
 * validated before anything is produced: a plan either exists whole or not at
 * all, so the applier can refuse to write on inconsistent input. Pure. */
#pragma once

#include <glib.h>

typedef enum {
  ATX_LAN_FEEDS_NOTHING,
  ATX_LAN_FEEDS_DNSMASQ,
  ATX_LAN_FEEDS_CHRONY,
  ATX_LAN_FEEDS_NETWORKD,
} AtxLanFeeds;

typedef struct {
  char *path; /* relative to the etc directory */
  char *content;
  AtxLanFeeds feeds;
} AtxLanFile;

typedef struct {
  const char *etc_dir;       /* absolute; dnsmasq's addn-hosts names a file in it */
  const char *wan_interface; /* "eth0" */
  const char *lan_interface; /* "eth1" */
  const char *lan_mac;       /* "00:11:22:33:44:55", NULL when unreadable */
  const char *lan_settings;  /* lan-settings.json text (required) */
  const char *host_network;  /* host-network.json text, NULL when absent */
  const char *hosts;         /* current etc/hosts text, NULL when absent */
} AtxLanInputs;

/* The files to write, in write order (AtxLanFile*, owning). Errors name the
 * file and key ("lan-settings.json: dhcp_start ..."). */
GPtrArray *atx_lan_plan(const AtxLanInputs *inputs, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE for a networkd file name this plan owns in systemd/network/ (so the
 * applier removes those it did not produce this time). */
gboolean atx_lan_owns_networkd_file(const char *relative_path);
