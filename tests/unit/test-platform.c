/* core/platform: the generated nftables ruleset and LAN gateway files, exact
 * text where the contract fixes it, and `nft -c` / `dnsmasq --test` on what is
 * generated when those tools (and the privileges nft needs) are there. */
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/platform/firewall_ruleset.h"
#include "core/platform/lan_files.h"
#include "core/platform/users_plan.h"

static char *
ruleset(gboolean provisioned, gboolean ssh_wan, const char *json)
{
  AtxFirewallInputs in = {
    .wan_interface = "eth0",
    .lan_interface = "eth1",
    .vpn_interface = "tun0",
    .provisioned = provisioned,
    .ssh_wan = ssh_wan,
  };
  g_autoptr(GError) error = NULL;
  char *text = atx_firewall_ruleset(&in, json, json ? strlen(json) : 0, &error);
  g_assert_no_error(error);
  return text;
}

static void
nft_check(const char *text)
{
  if (geteuid() != 0 || !g_file_test("/usr/sbin/nft", G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_message("nft -c skipped: needs root and nft");
    return;
  }
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("fw-XXXXXX.nft", &path, NULL);
  g_assert_cmpint(fd, >=, 0);
  close(fd);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  const char *argv[] = { "unshare", "-n", "/usr/sbin/nft", "-c", "-f", path, NULL };
  g_autofree char *err = NULL;
  int status = 0;
  g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                             NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("nft -c refused the ruleset: %s\n%s", err, text);
  unlink(path);
}

static void
test_firewall_unprovisioned_defaults(void)
{
  g_autofree char *text = ruleset(FALSE, FALSE, NULL);
  g_assert_true(g_str_has_prefix(text, "table inet atomix\ndelete table inet atomix\ntable inet atomix {\n"));
  g_assert_nonnull(strstr(text, "iifname \"eth1\" accept comment \"LAN default open\""));
  g_assert_nonnull(strstr(text, "iifname \"eth0\" tcp dport 8080 accept"));
  g_assert_null(strstr(text, "iifname \"eth0\" tcp dport 22"));
  g_assert_nonnull(strstr(text, "iifname \"tun0\" tcp dport 22 accept"));
  g_assert_nonnull(strstr(text, "type filter hook forward priority filter; policy drop;\n  }"));
  g_assert_nonnull(strstr(text, "packet-too-big"));
  g_assert_nonnull(strstr(text, "iifname \"eth1\" icmp type echo-request accept"));
  nft_check(text);
}

static void
test_firewall_provisioned_ports(void)
{
  g_autofree char *text =
      ruleset(TRUE, TRUE, "{\"wan\": {\"tcp\": [443, 80, 443], \"udp\": [1194]}, \"lan\": {}}");
  g_assert_null(strstr(text, "dport 8080"));
  g_assert_nonnull(strstr(text, "iifname \"eth0\" tcp dport { 80, 443 } accept"));
  g_assert_nonnull(strstr(text, "iifname \"eth0\" udp dport 1194 accept"));
  g_assert_nonnull(strstr(text, "iifname \"eth0\" tcp dport 22 accept"));
  g_assert_nonnull(strstr(text, "LAN default open")); /* an empty lan scope is not restrictive */
  nft_check(text);
}

static void
test_firewall_lan_allowlist_merges_platform_ports(void)
{
  g_autofree char *text = ruleset(TRUE, FALSE, "{\"lan\": {\"tcp\": [443]}}");
  g_assert_null(strstr(text, "LAN default open"));
  g_assert_nonnull(strstr(text, "iifname \"eth1\" tcp dport { 22, 53, 443, 8080 } accept"));
  g_assert_nonnull(strstr(text, "iifname \"eth1\" udp dport { 53, 67, 68, 123 } accept"));
  g_assert_nonnull(strstr(text, "iifname \"eth1\" icmp type echo-request accept"));
  nft_check(text);
}

static void
test_firewall_refuses_bad_input(void)
{
  static const struct {
    const char *json;
    const char *message;
  } cases[] = {
    { "{\"wan\": {\"tcp\": [0]}}", "expected port integer in range 1..65535 at firewall-inbound.wan.tcp[0]" },
    { "{\"wan\": {\"tcp\": [true]}}", "expected port integer in range 1..65535 at firewall-inbound.wan.tcp[0]" },
    { "{\"wan\": {\"udp\": 53}}", "expected array at firewall-inbound.wan.udp" },
    { "{\"dmz\": {}}", "unsupported key at firewall-inbound: 'dmz'" },
    { "[]", "firewall-inbound must contain a JSON object" },
    { "{", "invalid JSON" },
  };
  AtxFirewallInputs in = { .wan_interface = "eth0", .lan_interface = "eth1", .vpn_interface = "tun0" };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = atx_firewall_ruleset(&in, cases[i].json, strlen(cases[i].json), &error);
    g_assert_null(text);
    g_assert_nonnull(error);
    if (!strstr(error->message, cases[i].message))
      g_error("%s: got '%s'", cases[i].json, error->message);
  }
  AtxFirewallInputs bad = { .wan_interface = "eth0\" accept", .lan_interface = "eth1", .vpn_interface = "tun0" };
  g_autoptr(GError) error = NULL;
  g_assert_null(atx_firewall_ruleset(&bad, NULL, 0, &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
}

static void
test_firewall_interface_names_from_inputs(void)
{
  AtxFirewallInputs in = { .wan_interface = "wan0", .lan_interface = "br-lan", .vpn_interface = "tun7" };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = atx_firewall_ruleset(&in, NULL, 0, &error);
  g_assert_no_error(error);
  g_assert_null(strstr(text, "eth0"));
  g_assert_nonnull(strstr(text, "iifname \"wan0\" tcp dport 8080"));
  g_assert_nonnull(strstr(text, "iifname \"br-lan\" accept"));
  g_assert_nonnull(strstr(text, "iifname \"tun7\" tcp dport 22"));
}

/* --- LAN --- */

#define LAN_SETTINGS                                                                                              \
  "{\"gateway_cidr\": \"10.44.0.1/24\", \"gateway_ip\": \"10.44.0.1\", \"subnet_cidr\": \"10.44.0.0/24\", "       \
  "\"netmask\": \"255.255.255.0\", \"dhcp_start\": \"10.44.0.10\", \"dhcp_end\": \"10.44.0.200\", "               \
  "\"domain\": \"lab\", \"hostname_pattern\": \"gateway-{mac}\", "                                                \
  "\"gateway_aliases\": [\"atomixos\", \"gateway.lab\"], \"ntp_servers\": [\"time.example.org\", \"192.0.2.5\"]}"

static GPtrArray *
lan_plan(const char *settings, const char *host_network, GError **error)
{
  AtxLanInputs in = {
    .etc_dir = "/etc",
    .wan_interface = "eth0",
    .lan_interface = "eth1",
    .lan_mac = "00:11:22:33:44:55",
    .lan_settings = settings,
    .host_network = host_network,
    .hosts = "127.0.0.1 localhost\n10.0.0.1 old # ATOMIX_LAN_GATEWAY\n\n",
  };
  return atx_lan_plan(&in, error);
}

static const char *
lan_file(GPtrArray *files, const char *path)
{
  for (guint i = 0; i < files->len; i++) {
    AtxLanFile *file = files->pdata[i];
    if (g_str_equal(file->path, path))
      return file->content;
  }
  return NULL;
}

static void
test_lan_gateway_files(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = lan_plan(LAN_SETTINGS, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(lan_file(files, "dnsmasq.d/atomix-lan.conf"), ==,
                  "dhcp-range=10.44.0.10,10.44.0.200,255.255.255.0,24h\n"
                  "dhcp-option=3,10.44.0.1\ndhcp-option=6,10.44.0.1\ndhcp-option=42,10.44.0.1\n"
                  "domain=lab\nexpand-hosts\naddn-hosts=/etc/atomix/dnsmasq-hosts\nlocal=/lab/\nlog-dhcp\n");
  g_assert_cmpstr(lan_file(files, "atomix/dnsmasq-hosts"), ==,
                  "10.44.0.1 gateway-001122334455 gateway-001122334455.lab\n"
                  "10.44.0.1 atomixos atomixos.lab\n10.44.0.1 gateway.lab\n");
  g_assert_cmpstr(lan_file(files, "hosts"), ==,
                  "127.0.0.1 localhost\n"
                  "10.44.0.1 gateway-001122334455 gateway-001122334455.lab # ATOMIX_LAN_GATEWAY\n"
                  "10.44.0.1 atomixos atomixos.lab # ATOMIX_LAN_GATEWAY\n"
                  "10.44.0.1 gateway.lab # ATOMIX_LAN_GATEWAY\n");
  const char *chrony = lan_file(files, "atomix/chrony-lan.conf");
  g_assert_true(
      g_str_has_suffix(chrony, "server time.example.org iburst\nserver 192.0.2.5 iburst\nallow 10.44.0.0/24\n"));
  g_assert_null(strstr(chrony, "\ndeny"));
  g_assert_cmpstr(lan_file(files, "systemd/network/20-lan.network.d/50-atomix.conf"), ==,
                  "[Network]\nAddress=10.44.0.1/24\n");
  g_assert_null(lan_file(files, "systemd/network/10-wan.network.d/50-atomix.conf"));
}

static void
test_lan_networkd_files(void)
{
  const char *host_network =
      "{\"dns_servers\": [\"1.1.1.1\"], \"dns_search_domains\": [\"lan.example\"], \"default_gateway\": "
      "\"192.0.2.1\","
      " \"interfaces\": {\"eth0\": {\"mode\": \"dhcp\"}, \"eth1\": {\"mode\": \"static\", \"address\": "
      "\"10.44.0.1/24\","
      " \"dns_servers\": [\"10.44.0.1\"]}, \"eth2\": {\"mode\": \"static\", \"address\": \"192.0.2.10/24\"}}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = lan_plan(LAN_SETTINGS, host_network, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(lan_file(files, "systemd/network/10-wan.network.d/50-atomix.conf"), ==,
                  "[Network]\nDHCP=ipv4\nIPv6AcceptRA=false\nGateway=192.0.2.1\nDNS=1.1.1.1\nDomains=lan.example\n"
                  "\n[DHCPv4]\nUseRoutes=false\nUseDNS=false\n");
  g_assert_cmpstr(lan_file(files, "systemd/network/20-lan.network.d/50-atomix.conf"), ==,
                  "[Network]\nAddress=10.44.0.1/24\nDHCP=no\nIPv6AcceptRA=false\nDNS=10.44.0.1\n");
  g_assert_cmpstr(lan_file(files, "systemd/network/30-atomix-eth2.network"), ==,
                  "[Match]\nName=eth2\n\n[Network]\nAddress=192.0.2.10/24\nDHCP=no\nIPv6AcceptRA=false\n");
  g_assert_true(atx_lan_owns_networkd_file("systemd/network/30-atomix-eth7.network"));
  g_assert_false(atx_lan_owns_networkd_file("systemd/network/20-lan.network"));
}

static void
test_lan_preflight_refuses(void)
{
  static const struct {
    const char *settings;
    const char *host_network;
    const char *message;
  } cases[] = {
    { "{\"gateway_cidr\": \"10.44.0.1/33\"}", NULL, "gateway_cidr must be a valid IPv4 interface" },
    { "{}", NULL, "missing required key 'gateway_cidr'" },
    { "{\"gateway_cidr\": \"10.44.0.1/24\", \"gateway_ip\": \"10.44.0.1\", \"subnet_cidr\": \"10.44.0.0/24\", "
      "\"netmask\": \"255.255.255.0\", \"dhcp_start\": \"10.44.0.1\", \"dhcp_end\": \"10.44.0.20\", \"domain\": "
      "\"lab\"}",
      NULL, "must not include gateway_ip" },
    { "{\"gateway_cidr\": \"10.44.0.1/24\", \"gateway_ip\": \"10.44.0.1\", \"subnet_cidr\": \"10.44.0.0/24\", "
      "\"netmask\": \"255.255.0.0\", \"dhcp_start\": \"10.44.0.10\", \"dhcp_end\": \"10.44.0.20\", \"domain\": "
      "\"lab\"}",
      NULL, "netmask does not match" },
    { "{\"gateway_cidr\": \"10.44.0.1/24\", \"gateway_ip\": \"10.44.0.1\", \"subnet_cidr\": \"10.44.0.0/24\", "
      "\"netmask\": \"255.255.255.0\", \"dhcp_start\": \"10.44.1.10\", \"dhcp_end\": \"10.44.0.20\", \"domain\": "
      "\"lab\"}",
      NULL, "inside subnet_cidr" },
    { "{\"gateway_cidr\": \"10.44.0.1/24\", \"gateway_ip\": \"10.44.0.1\", \"subnet_cidr\": \"10.44.0.0/24\", "
      "\"netmask\": \"255.255.255.0\", \"dhcp_start\": \"10.44.0.10\", \"dhcp_end\": \"10.44.0.20\", \"domain\": "
      "\"b/d\"}",
      NULL, "domain must be a valid DNS name" },
    { LAN_SETTINGS, "{\"interfaces\": {\"eth1\": {\"mode\": \"dhcp\"}}}", "eth1 is the LAN gateway" },
    { LAN_SETTINGS, "{\"interfaces\": {\"eth1\": {\"mode\": \"static\", \"address\": \"10.44.0.2/24\"}}}",
      "interfaces.eth1.address must match gateway_cidr" },
    { LAN_SETTINGS, "{\"mtu\": 1}", "unsupported keys at host-network" },
    { LAN_SETTINGS, "{\"default_gateway\": \"2001:db8::1\"}", "default_gateway must be a valid IPv4 address" },
    { LAN_SETTINGS, "{\"interfaces\": {\"eth0\": {\"mode\": \"dhcp\", \"mtu\": 1}}}",
      "unsupported keys at interfaces.eth0" },
    { LAN_SETTINGS, "{\"interfaces\": {\"eth2\": {\"mode\": \"static\", \"address\": \"bad\"}}}",
      "interfaces.eth2.address must be a valid IPv4 interface" },
    { LAN_SETTINGS, "{\"interfaces\": {\"eth0\": {\"mode\": \"dhcp\", \"dns_servers\": [\"dns.example\"]}}}",
      "dns_servers must be IP addresses" },
    { LAN_SETTINGS, "{\"dns_search_domains\": [\"bad/domain\"]}", "dns_search_domains must be a valid DNS name" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) files = lan_plan(cases[i].settings, cases[i].host_network, &error);
    g_assert_null(files);
    g_assert_nonnull(error);
    if (!strstr(error->message, cases[i].message))
      g_error("case %u: expected '%s', got '%s'", i, cases[i].message, error->message);
  }
}

static void
test_lan_dnsmasq_accepts_generated_config(void)
{
  if (!g_file_test("/usr/sbin/dnsmasq", G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_skip("dnsmasq not installed");
    return;
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = lan_plan(LAN_SETTINGS, NULL, &error);
  g_assert_no_error(error);
  g_autofree char *dir = g_dir_make_tmp("lan-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename(dir, "atomix-lan.conf", NULL);
  g_assert_true(g_file_set_contents(conf, lan_file(files, "dnsmasq.d/atomix-lan.conf"), -1, NULL));
  const char *argv[] = { "/usr/sbin/dnsmasq", "--test", "-C", conf, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("dnsmasq --test: %s", err);
  unlink(conf);
  rmdir(dir);
}

/* --- users --- */

static AtxUsersPlan *
users_plan(const char *users, const char *managed, GError **error)
{
  AtxUsersInputs in = {
    .users_json = users,
    .managed_json = managed,
    .passwd = "root:x:0:0::/root:/bin/sh\nappsvc:x:999:999::/home/appsvc:/bin/sh\n"
              "legacy:x:1000:1000::/home/legacy:/bin/sh\nold:x:1001:1001::/home/old:/bin/sh\n"
              "kept:x:1002:1002::/home/kept:/bin/sh\n",
    .group = "wheel:x:10:kept\npodman:x:11:\n",
    .sysroot = "/srv/root",
    .admin_shell = "/usr/bin/zsh",
    .user_shell = "/bin/bash",
  };
  return atx_users_plan(&in, error);
}

static char *
commands_text(AtxUsersPlan *plan)
{
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < plan->commands->len; i++) {
    g_autofree char *line = g_strjoinv(" ", plan->commands->pdata[i]);
    g_string_append_printf(out, "%s\n", line);
  }
  return g_string_free(out, FALSE);
}

static void
test_users_plan_commands(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxUsersPlan) plan =
      users_plan("{\"new\": {\"isAdmin\": true, \"ssh_key\": \"ssh-ed25519 AAAA x\"}, \"kept\": {\"isAdmin\": "
                 "false, \"ssh_key\": \"\","
                 " \"shell\": \"sh\"}, \"root\": {\"isAdmin\": true}, \"appsvc\": {}, \"Bad Name\": {}}",
                 "[\"kept\", \"old\", \"gone\"]", &error);
  g_assert_no_error(error);
  g_autofree char *text = commands_text(plan);
  g_assert_cmpstr(text, ==,
                  "useradd --root /srv/root --create-home --shell /usr/bin/zsh new\n"
                  "usermod --root /srv/root --lock new\n"
                  "usermod --root /srv/root --append --groups wheel new\n"
                  "usermod --root /srv/root --append --groups podman new\n"
                  "usermod --root /srv/root --expiredate  --shell /bin/sh kept\n"
                  "usermod --root /srv/root --lock kept\n"
                  "gpasswd -Q /srv/root -d kept wheel\n"
                  "usermod --root /srv/root --lock --expiredate 1 --shell /usr/sbin/nologin old\n");
  g_assert_cmpuint(plan->managed->len, ==, 3);
  g_assert_cmpstr(plan->managed->pdata[0], ==, "kept");
  g_assert_cmpstr(plan->managed->pdata[1], ==, "new");
  g_assert_cmpstr(plan->managed->pdata[2], ==, "old");
  g_assert_cmpuint(plan->keys->len, ==, 1);
  g_assert_cmpuint(plan->warnings->len, ==, 1);
  g_autofree char *json = atx_users_managed_json(plan->managed);
  g_assert_cmpstr(json, ==, "[\n  \"kept\",\n  \"new\",\n  \"old\"\n]\n");
}

static void
test_users_plan_refuses_unmanaged_account(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxUsersPlan) plan =
      users_plan("{\"new\": {\"isAdmin\": true}, \"legacy\": {\"isAdmin\": false}}", NULL, &error);
  g_assert_null(plan);
  g_assert_nonnull(strstr(error->message, "refusing to manage existing account 'legacy'"));
  g_clear_error(&error);
  g_assert_null(users_plan("[]", NULL, &error));
  g_assert_nonnull(strstr(error->message, "users.json must contain a JSON object"));
  g_clear_error(&error);
  g_assert_null(users_plan("{}", "{\"x\": 1}", &error));
  g_assert_nonnull(strstr(error->message, "managed-users.json"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/platform/firewall/unprovisioned-defaults", test_firewall_unprovisioned_defaults);
  g_test_add_func("/platform/firewall/provisioned-ports", test_firewall_provisioned_ports);
  g_test_add_func("/platform/firewall/lan-allowlist", test_firewall_lan_allowlist_merges_platform_ports);
  g_test_add_func("/platform/firewall/bad-input", test_firewall_refuses_bad_input);
  g_test_add_func("/platform/firewall/interface-names", test_firewall_interface_names_from_inputs);
  g_test_add_func("/platform/lan/gateway-files", test_lan_gateway_files);
  g_test_add_func("/platform/lan/networkd-files", test_lan_networkd_files);
  g_test_add_func("/platform/lan/preflight", test_lan_preflight_refuses);
  g_test_add_func("/platform/lan/dnsmasq-test", test_lan_dnsmasq_accepts_generated_config);
  g_test_add_func("/platform/users/commands", test_users_plan_commands);
  g_test_add_func("/platform/users/refusals", test_users_plan_refuses_unmanaged_account);
  return g_test_run();
}
