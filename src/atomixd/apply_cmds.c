/* The platform applier subcommands of atomixd. */
#include "atomixd/apply_cmds.h"

#include <stdio.h>

#include "device/apply/firewall.h"

#define PROGRAM "atomixd"

static char *opt_root;
static char *opt_wan;
static char *opt_lan;
static char *opt_vpn;
static gboolean opt_dry_run;

static const GOptionEntry root_entries[] = {
  { "root", 0, 0, G_OPTION_ARG_FILENAME, &opt_root, "State root holding config/ (default /data)", "DIR" },
  { NULL },
};

static const GOptionEntry interface_entries[] = {
  { "wan-interface", 0, 0, G_OPTION_ARG_STRING, &opt_wan, "WAN interface (default eth0)", "NAME" },
  { "lan-interface", 0, 0, G_OPTION_ARG_STRING, &opt_lan, "LAN interface (default eth1)", "NAME" },
  { NULL },
};

static const GOptionEntry firewall_entries[] = {
  { "vpn-interface", 0, 0, G_OPTION_ARG_STRING, &opt_vpn, "Recovery VPN interface (default tun0)", "NAME" },
  { "dry-run", 0, 0, G_OPTION_ARG_NONE, &opt_dry_run, "Print the ruleset and check it without applying", NULL },
  { NULL },
};

static const char *
root_dir(void)
{
  return opt_root ? opt_root : "/data";
}

int
atx_cmd_apply_firewall(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, interface_entries, firewall_entries, NULL))
    return ATX_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  AtxFirewallApply options = {
    .root = root_dir(),
    .wan_interface = opt_wan,
    .lan_interface = opt_lan,
    .vpn_interface = opt_vpn,
    .dry_run = opt_dry_run,
  };
  g_autofree char *ruleset = atx_apply_firewall(&options, &error);
  if (!ruleset) {
    g_printerr("atomixd apply-firewall: %s\n", error->message);
    return ATX_EXIT_FAILED;
  }
  if (opt_dry_run)
    fputs(ruleset, stdout);
  else
    g_print("firewall applied (table inet atomix)\n");
  return ATX_EXIT_OK;
}
