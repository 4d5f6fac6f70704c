/* The platform generators on hostile state files: firewall-inbound.json,
 * lan-settings.json + host-network.json + hosts, users.json + managed-users.json.
 * The first byte picks the generator; the rest is the text (split at the first
 * 0xff byte where a generator takes two files). Must never crash or leak, every
 * failure must set an error, and what is produced must not let a value smuggle
 * in a directive: each generated dnsmasq/chrony line is one the generator
 * writes, and no account command gets an argument that looks like an option
 * where a name belongs. */
#include <string.h>

#include "core/platform/firewall_ruleset.h"
#include "core/platform/lan_files.h"
#include "core/platform/users_plan.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
check_lines(const char *content, const char *const *prefixes)
{
  g_auto(GStrv) lines = g_strsplit(content, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    if (!*lines[i])
      continue;
    gboolean known = FALSE;
    for (guint p = 0; prefixes[p] && !known; p++)
      known = g_str_has_prefix(lines[i], prefixes[p]);
    if (!known)
      __builtin_trap();
  }
}

static void
fuzz_firewall(const char *text, gsize len)
{
  AtxFirewallInputs in = { .wan_interface = "eth0", .lan_interface = "eth1", .vpn_interface = "tun0" };
  g_autoptr(GError) error = NULL;
  g_autofree char *ruleset = atx_firewall_ruleset(&in, text, len, &error);
  if (!ruleset && !error)
    __builtin_trap();
}

static void
fuzz_lan(const char *first, const char *second)
{
  static const char *const dnsmasq[] = { "dhcp-range=", "dhcp-option=", "domain=",  "expand-hosts",
                                         "addn-hosts=", "local=/",      "log-dhcp", NULL };
  static const char *const chrony[] = { "# ", "server ", "allow ", NULL };
  AtxLanInputs in = { .etc_dir = "/etc",
                      .wan_interface = "eth0",
                      .lan_interface = "eth1",
                      .lan_mac = "00:11:22:33:44:55",
                      .lan_settings = first,
                      .host_network = second,
                      .hosts = "127.0.0.1 localhost\n" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = atx_lan_plan(&in, &error);
  if (!files && !error)
    __builtin_trap();
  for (guint i = 0; files && i < files->len; i++) {
    const AtxLanFile *file = files->pdata[i];
    if (g_str_equal(file->path, "dnsmasq.d/atomix-lan.conf"))
      check_lines(file->content, dnsmasq);
    else if (g_str_equal(file->path, "atomix/chrony-lan.conf"))
      check_lines(file->content, chrony);
  }
}

static void
fuzz_users(const char *first, const char *second)
{
  AtxUsersInputs in = { .users_json = first,
                        .managed_json = second,
                        .passwd = "root:x:0:0::/root:/bin/sh\nlegacy:x:1000:1000::/home/legacy:/bin/sh\n",
                        .group = "wheel:x:10:\npodman:x:11:legacy\n",
                        .sysroot = "/sys-root",
                        .admin_shell = "/bin/bash",
                        .user_shell = "/bin/sh" };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxUsersPlan) plan = atx_users_plan(&in, &error);
  if (!plan && !error)
    __builtin_trap();
  for (guint i = 0; plan && i < plan->commands->len; i++) {
    char **argv = plan->commands->pdata[i];
    guint n = g_strv_length(argv);
    if (n < 2 || argv[n - 1][0] == '-' || atx_users_is_protected(argv[n - 1]))
      __builtin_trap();
  }
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  if (size < 1)
    return 0;
  if (data[0] % 3 == 0) {
    fuzz_firewall((const char *) data + 1, size - 1);
    return 0;
  }
  g_autofree char *text = g_strndup((const char *) data + 1, size - 1);
  char *split = strchr(text, '\xff');
  char *second = NULL;
  if (split) {
    *split = '\0';
    second = split + 1;
  }
  switch (data[0] % 3) {
  case 1:
    fuzz_lan(text, second);
    break;
  default:
    fuzz_users(text, second);
    break;
  }
  return 0;
}
