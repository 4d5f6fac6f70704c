/* apply-firewall: makes ROOT/config's firewall the kernel's, as one nftables
 * transaction through libnftables that replaces the table `inet atomix` and
 * nothing else (core/platform/firewall_ruleset.h builds it).
 *
 * Inputs under ROOT/config: firewall-inbound.json (ports), config.toml
 * (provisioned: the bootstrap port leaves WAN), ssh-wan-enabled (the operator's
 * SSH-on-WAN switch). Running it twice with the same inputs gives the same
 * table. Needs CAP_NET_ADMIN in the network namespace it runs in, also for a
 * dry run (the kernel checks the batch and aborts it). */
#pragma once

#include <glib.h>

typedef struct {
  const char *root;          /* state root; files are read from ROOT/config */
  const char *wan_interface; /* NULL: eth0 */
  const char *lan_interface; /* NULL: eth1 */
  const char *vpn_interface; /* NULL: tun0 */
  gboolean dry_run;          /* check the transaction, change nothing */
} AtxFirewallApply;

/* Returns the ruleset text that was loaded (or checked). */
char *atx_apply_firewall(const AtxFirewallApply *options, GError **error) G_GNUC_WARN_UNUSED_RESULT;
