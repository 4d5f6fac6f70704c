/* The platform applier subcommands of atomixd. */
#include "atomixd/apply_cmds.h"

#include <stdio.h>

#include "atomixd/manager_options.h"
#include "device/apply/firewall.h"
#include "device/apply/lan.h"
#include "device/apply/quadlet_sync.h"
#include "device/apply/users.h"

#define PROGRAM "atomixd"

static char *opt_root;
static char *opt_wan;
static char *opt_lan;
static char *opt_vpn;
static gboolean opt_dry_run;
static char *opt_etc;
static char *opt_sys;
static char *opt_sysroot;
static char *opt_admin_shell;
static char *opt_user_shell;
static char *opt_rootful_dir;
static char *opt_rootless_dir;
static gboolean opt_no_restart;

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

static const GOptionEntry lan_entries[] = {
  { "etc", 0, 0, G_OPTION_ARG_FILENAME, &opt_etc, "Where the LAN gateway files go (default /etc)", "DIR" },
  { "sys", 0, 0, G_OPTION_ARG_FILENAME, &opt_sys, "sysfs, for the LAN MAC (default /sys)", "DIR" },
  { NULL },
};

static const GOptionEntry users_entries[] = {
  { "sysroot", 0, 0, G_OPTION_ARG_FILENAME, &opt_sysroot,
    "Manage the accounts of this root (useradd --root), not the running system's", "DIR" },
  { "admin-shell", 0, 0, G_OPTION_ARG_FILENAME, &opt_admin_shell, "Admins' shell without a shell key (default /bin/bash)", "PATH" },
  { "user-shell", 0, 0, G_OPTION_ARG_FILENAME, &opt_user_shell, "Other users' shell (default /bin/bash)", "PATH" },
  { NULL },
};

static const GOptionEntry quadlet_entries[] = {
  { "rootful-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_rootful_dir, "Rootful Quadlet directory (default /etc/containers/systemd)", "DIR" },
  { "rootless-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_rootless_dir,
    "Rootless Quadlet directory (default ~APP_USER/.config/containers/systemd)", "DIR" },
  { "no-restart", 0, 0, G_OPTION_ARG_NONE, &opt_no_restart,
    "Copy, stop stale units and reload, but leave changed units to the caller (activation restarts them)", NULL },
  { NULL },
};

static const char *
root_dir(void)
{
  return opt_root ? opt_root : "/data";
}

static void
print_lines(const char *prefix, GPtrArray *lines)
{
  for (guint i = 0; lines && i < lines->len; i++)
    g_print("%s%s%s\n", prefix, *prefix ? " " : "", (const char *) lines->pdata[i]);
}

int
atx_cmd_apply_lan(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, lan_entries, interface_entries, atx_manager_entries,
                     NULL))
    return ATX_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxSvcMgr) svcmgr = atx_manager_open(root_dir(), &error);
  if (!svcmgr) {
    g_printerr("atomixd apply-lan: %s\n", error->message);
    return ATX_EXIT_USAGE;
  }
  AtxLanApply options = {
    .root = root_dir(),
    .etc_dir = opt_etc ? opt_etc : "/etc",
    .sys_dir = opt_sys,
    .wan_interface = opt_wan,
    .lan_interface = opt_lan,
    .svcmgr = svcmgr,
  };
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GPtrArray) restarted = NULL;
  if (!atx_apply_lan(&options, &changed, &restarted, &error)) {
    g_printerr("atomixd apply-lan: %s\n", error->message);
    return ATX_EXIT_FAILED;
  }
  print_lines("changed", changed);
  print_lines("restarted", restarted);
  if (!changed || changed->len == 0)
    g_print("LAN gateway files unchanged\n");
  return ATX_EXIT_OK;
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

int
atx_cmd_apply_users(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, users_entries, NULL))
    return ATX_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;
  AtxUsersApply options = {
    .root = root_dir(), .sysroot = opt_sysroot, .admin_shell = opt_admin_shell, .user_shell = opt_user_shell,
  };
  gboolean ok = atx_apply_users(&options, &log, &error);
  print_lines("", log);
  if (!ok) {
    g_printerr("atomixd apply-users: %s\n", error->message);
    return ATX_EXIT_FAILED;
  }
  return ATX_EXIT_OK;
}

int
atx_cmd_sync_quadlet(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, quadlet_entries, atx_app_user_entries, atx_manager_entries, NULL))
    return ATX_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxSvcMgr) svcmgr = atx_manager_open(root_dir(), &error);
  if (!svcmgr) {
    g_printerr("atomixd sync-quadlet: %s\n", error->message);
    return ATX_EXIT_USAGE;
  }
  AtxQuadletSync options = {
    .root = root_dir(), .rootful_dir = opt_rootful_dir, .rootless_dir = opt_rootless_dir,
    .app_user = atx_manager_app_user(), .svcmgr = svcmgr, .no_restart = opt_no_restart,
  };
  g_autoptr(GPtrArray) log = NULL;
  gboolean ok = atx_sync_quadlet(&options, &log, &error);
  print_lines("", log);
  if (!ok) {
    g_printerr("atomixd sync-quadlet: %s\n", error->message);
    return ATX_EXIT_FAILED;
  }
  return ATX_EXIT_OK;
}
