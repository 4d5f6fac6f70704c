/* The device's whole nftables ruleset as one transaction that owns the table
 * `inet atomix`: the platform base (loopback, established, ICMP policy, SSH over
 * the VPN, forwarding dropped) plus the ports of firewall-inbound.json.
 *
 * The text first creates the table if missing, deletes it and creates it again,
 * so loading it with one `nft -f` (or one libnftables call) replaces whatever
 * the table held atomically and leaves every other table alone. Pure: the
 * caller reads the files and says what it found. */
#pragma once

#include <glib.h>

#define ATX_FIREWALL_TABLE "atomix"

typedef struct {
  const char *wan_interface; /* "eth0" */
  const char *lan_interface; /* "eth1" */
  const char *vpn_interface; /* "tun0" */
  gboolean provisioned;      /* FALSE: the bootstrap port is open on WAN */
  gboolean ssh_wan;          /* the operator's ssh-wan-enabled file exists */
} AtxFirewallInputs;

/* Platform ports a restrictive LAN scope always keeps open (SSH, DNS, the
 * bootstrap API; DNS, DHCP, NTP). */
extern const guint atx_firewall_lan_platform_tcp[];
extern const guint atx_firewall_lan_platform_udp[];

/* TRUE when @name is an interface name nft and the kernel accept (1..15 of
 * [A-Za-z0-9_.:-]). */
gboolean atx_firewall_interface_name_ok(const char *name);

/* Builds the ruleset. @inbound_json (@len bytes) is firewall-inbound.json, NULL
 * when the file does not exist (then only the platform base applies: WAN
 * closed, LAN open). Fails on malformed JSON or bad interface names, naming
 * the JSON path; the result is owned by the caller. */
char *atx_firewall_ruleset(const AtxFirewallInputs *inputs, const char *inbound_json, gsize len,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;
