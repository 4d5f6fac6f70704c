/* [network.dnsmasq] and [network.ntp]: the LAN gateway contract (eth1 address,
 * DHCP range, local DNS names, NTP served to LAN clients). */
#include "core/config_private.h"

#include <string.h>

#include "core/net.h"

#define DEFAULT_GATEWAY_CIDR "172.20.30.1/24"
#define DEFAULT_DHCP_START "172.20.30.10"
#define DEFAULT_DHCP_END "172.20.30.254"
#define DEFAULT_DOMAIN "local"
#define DEFAULT_ALIAS "atomixos"
#define DEFAULT_NTP_SERVER "time.cloudflare.com"
#define MIN_PREFIX 16
#define MAX_PREFIX 30

typedef struct {
  gboolean gateway_valid;
} LanState;

/* eth1 is the LAN port: a static address given there is the gateway CIDR. */
static const char *
eth1_static_address(const AtxTomlValue *network)
{
  const AtxTomlValue *interfaces = atx_cfg_get(network, "interfaces", ATX_TOML_TABLE);
  const AtxTomlValue *eth1 = atx_cfg_get(interfaces, "eth1", ATX_TOML_TABLE);
  const char *mode = atx_cfg_string(eth1, "mode");
  return g_strcmp0(mode, "static") == 0 ? atx_cfg_string(eth1, "address") : NULL;
}

static void
check_dnsmasq_switches(AtxConfigBuild *build, const AtxTomlValue *dnsmasq)
{
  gboolean enable = TRUE;
  if (atx_cfg_boolean(dnsmasq, "enable", &enable) && !enable)
    atx_cfg_error(build, "lan.dhcp_disabled", "/network/dnsmasq/enable",
                  "network.dnsmasq.enable must remain true; disabling LAN DHCP/DNS is not supported");
  const char *iface = atx_cfg_string(dnsmasq, "interface");
  if (iface && !g_str_equal(iface, "eth1"))
    atx_cfg_error(build, "lan.interface_not_eth1", "/network/dnsmasq/interface",
                  "network.dnsmasq.interface must be eth1");
}

static void
load_gateway(AtxConfigBuild *build, const AtxTomlValue *network, const AtxTomlValue *dnsmasq,
             LanState *state)
{
  AtxLanSettings *lan = &build->config->lan;
  const char *cidr = atx_cfg_string(dnsmasq, "gateway_cidr");
  const char *pointer = "/network/dnsmasq/gateway_cidr";
  const char *eth1_address = eth1_static_address(network);
  guint32 ip = 0, eth1_ip = 0;
  guint prefix = 0, eth1_prefix = 0;
  if (eth1_address && atx_ipv4_cidr_parse(eth1_address, &eth1_ip, &eth1_prefix) && cidr &&
      atx_ipv4_cidr_parse(cidr, &ip, &prefix) && (ip != eth1_ip || prefix != eth1_prefix))
    atx_cfg_error(build, "lan.gateway_cidr_mismatch", "/network/interfaces/eth1/address",
                  "network.interfaces.eth1.address must match network.dnsmasq.gateway_cidr when both are set");
  if (eth1_address) {
    /* host-network reports an unparsable eth1 address; don't say it twice. */
    if (!atx_ipv4_cidr_parse(eth1_address, &ip, &prefix))
      return;
    cidr = eth1_address;
    pointer = "/network/interfaces/eth1/address";
  } else if (!cidr) {
    cidr = DEFAULT_GATEWAY_CIDR;
  } else if (!*cidr) {
    return; /* the schema reported the empty string */
  }
  if (!atx_ipv4_cidr_parse(cidr, &ip, &prefix)) {
    atx_cfg_error(build, "lan.invalid_gateway_cidr", pointer,
                  "invalid IPv4 CIDR at network.dnsmasq.gateway_cidr: %s", cidr);
    return;
  }
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    atx_cfg_error(build, "lan.gateway_prefix_out_of_range", pointer,
                  "network.dnsmasq.gateway_cidr prefix must be between /%d and /%d", MIN_PREFIX,
                  MAX_PREFIX);
    return;
  }
  if (ip == atx_ipv4_network(ip, prefix) || ip == atx_ipv4_broadcast(ip, prefix)) {
    atx_cfg_error(build, "lan.gateway_not_host_address", pointer,
                  "the LAN gateway address %s is the network or broadcast address of its subnet",
                  cidr);
    return;
  }
  lan->gateway_ip = ip;
  lan->prefix = prefix;
  state->gateway_valid = TRUE;
}

static gboolean
load_dhcp_bound(AtxConfigBuild *build, const AtxTomlValue *dnsmasq, const char *key,
                const char *fallback, guint32 *out)
{
  const char *text = atx_cfg_string(dnsmasq, key);
  g_autofree char *trimmed = atx_cfg_trimmed(text ? text : fallback);
  if (atx_ipv4_parse(trimmed, out))
    return TRUE;
  g_autofree char *pointer = atx_cfg_ptr("/network/dnsmasq", key);
  atx_cfg_error(build, "lan.invalid_dhcp_address", pointer, "invalid IPv4 address in network.dnsmasq.%s: %s",
                key, trimmed);
  return FALSE;
}

static void
check_range_in_subnet(AtxConfigBuild *build, const AtxTomlValue *dnsmasq, const char *key,
                      guint32 bound)
{
  const AtxLanSettings *lan = &build->config->lan;
  if (atx_ipv4_network(bound, lan->prefix) == atx_ipv4_network(lan->gateway_ip, lan->prefix))
    return;
  g_autofree char *pointer = atx_cfg_ptr("/network/dnsmasq", key);
  g_autofree char *subnet = atx_ipv4_format(atx_ipv4_network(lan->gateway_ip, lan->prefix));
  AtxDiag *diag = atx_diag_list_add(build->diags, ATX_SEVERITY_ERROR, "lan.dhcp_range_outside_subnet",
                                    pointer,
                                    "network.dnsmasq.dhcp_start and network.dnsmasq.dhcp_end must be inside %s/%u",
                                    subnet, lan->prefix);
  if (!atx_cfg_string(dnsmasq, key))
    atx_diag_set_hint(diag, "the default %s is for 172.20.30.0/24; set dhcp_start and dhcp_end for the new subnet",
                      key);
}

static void
check_range_excludes(AtxConfigBuild *build, guint32 address, const char *code, const char *what)
{
  const AtxLanSettings *lan = &build->config->lan;
  if (address < lan->dhcp_start || address > lan->dhcp_end)
    return;
  atx_cfg_error(build, code, "/network/dnsmasq/dhcp_start",
                "network.dnsmasq.dhcp_start and network.dnsmasq.dhcp_end must not include %s", what);
}

static void
load_dhcp_range(AtxConfigBuild *build, const AtxTomlValue *dnsmasq, const LanState *state)
{
  AtxLanSettings *lan = &build->config->lan;
  gboolean ok = load_dhcp_bound(build, dnsmasq, "dhcp_start", DEFAULT_DHCP_START, &lan->dhcp_start);
  ok &= load_dhcp_bound(build, dnsmasq, "dhcp_end", DEFAULT_DHCP_END, &lan->dhcp_end);
  if (!ok || !state->gateway_valid)
    return;
  guint errors = atx_diag_list_count(build->diags, ATX_SEVERITY_ERROR);
  check_range_in_subnet(build, dnsmasq, "dhcp_start", lan->dhcp_start);
  check_range_in_subnet(build, dnsmasq, "dhcp_end", lan->dhcp_end);
  if (atx_diag_list_count(build->diags, ATX_SEVERITY_ERROR) > errors)
    return;
  if (lan->dhcp_start > lan->dhcp_end) {
    atx_cfg_error(build, "lan.dhcp_range_reversed", "/network/dnsmasq/dhcp_start",
                  "network.dnsmasq.dhcp_start must be less than or equal to network.dnsmasq.dhcp_end");
    return;
  }
  check_range_excludes(build, lan->gateway_ip, "lan.dhcp_range_includes_gateway", "the gateway IP");
  /* Handing out the network or broadcast address breaks the client that gets it. */
  check_range_excludes(build, atx_ipv4_network(lan->gateway_ip, lan->prefix),
                       "lan.dhcp_range_includes_network_address", "the subnet's network address");
  check_range_excludes(build, atx_ipv4_broadcast(lan->gateway_ip, lan->prefix),
                       "lan.dhcp_range_includes_broadcast_address", "the subnet's broadcast address");
}

static char *
load_dns_name(AtxConfigBuild *build, const char *text, const char *code, const char *pointer)
{
  g_autofree char *normalized = NULL, *why = NULL;
  if (atx_dns_name_normalize(text, &normalized, &why))
    return g_steal_pointer(&normalized);
  atx_cfg_error(build, code, pointer, "invalid DNS name: %s", why);
  return NULL;
}

static void
load_names(AtxConfigBuild *build, const AtxTomlValue *dnsmasq)
{
  AtxLanSettings *lan = &build->config->lan;
  const char *domain = atx_cfg_string(dnsmasq, "domain");
  lan->domain = load_dns_name(build, domain ? domain : DEFAULT_DOMAIN, "lan.invalid_domain",
                              "/network/dnsmasq/domain");

  const char *pattern = atx_cfg_string(dnsmasq, "hostname_pattern");
  lan->hostname_pattern = atx_cfg_trimmed(pattern ? pattern : "");
  if (*lan->hostname_pattern && !strstr(lan->hostname_pattern, "{mac}")) {
    atx_cfg_error(build, "lan.hostname_pattern_missing_mac", "/network/dnsmasq/hostname_pattern",
                  "network.dnsmasq.hostname_pattern must include {mac}");
  } else if (*lan->hostname_pattern) {
    g_autoptr(GString) sample = g_string_new(lan->hostname_pattern);
    g_string_replace(sample, "{mac}", "001122334455", 0);
    /* Only validity matters: the pattern itself is what gets rendered. */
    g_free(load_dns_name(build, sample->str, "lan.invalid_hostname_pattern", "/network/dnsmasq/hostname_pattern"));
  }

  lan->gateway_aliases = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) aliases = atx_cfg_string_list(dnsmasq, "gateway_aliases");
  for (guint i = 0; aliases && i < aliases->len; i++) {
    const char *alias = g_ptr_array_index(aliases, i);
    if (!alias)
      continue;
    g_autofree char *pointer = atx_cfg_ptr_index("/network/dnsmasq/gateway_aliases", i);
    g_autofree char *name = load_dns_name(build, alias, "lan.invalid_gateway_alias", pointer);
    if (name && !g_ptr_array_find_with_equal_func(lan->gateway_aliases, name, g_str_equal, NULL))
      g_ptr_array_add(lan->gateway_aliases, g_steal_pointer(&name));
  }
  if (lan->gateway_aliases->len == 0)
    g_ptr_array_add(lan->gateway_aliases, g_strdup(DEFAULT_ALIAS));
}

static void
load_ntp(AtxConfigBuild *build, const AtxTomlValue *network)
{
  AtxLanSettings *lan = &build->config->lan;
  lan->ntp_servers = g_ptr_array_new_with_free_func(g_free);
  const AtxTomlValue *ntp = atx_cfg_get(network, "ntp", ATX_TOML_TABLE);
  g_autoptr(GPtrArray) servers = atx_cfg_string_list(ntp, "servers");
  for (guint i = 0; servers && i < servers->len; i++) {
    const char *server = g_ptr_array_index(servers, i);
    if (!server)
      continue;
    g_autofree char *pointer = atx_cfg_ptr_index("/network/ntp/servers", i);
    g_autofree char *trimmed = atx_cfg_trimmed(server);
    g_autofree char *canonical = NULL, *name = NULL, *why = NULL;
    if (atx_text_has_space_or_control(trimmed))
      atx_cfg_error(build, "ntp.invalid_server", pointer,
                    "invalid NTP server: whitespace and control characters are not allowed");
    else if (!atx_ip_literal_parse(trimmed, &canonical) && !atx_dns_name_normalize(trimmed, &name, &why))
      atx_cfg_error(build, "ntp.invalid_server", pointer,
                    "invalid NTP server '%s': expected an IP address or a DNS name", trimmed);
    g_ptr_array_add(lan->ntp_servers, g_steal_pointer(&trimmed));
  }
  if (lan->ntp_servers->len == 0)
    g_ptr_array_add(lan->ntp_servers, g_strdup(DEFAULT_NTP_SERVER));
}

void
atx_config_check_lan(AtxConfigBuild *build)
{
  const AtxTomlValue *network = atx_cfg_get(build->root, "network", ATX_TOML_TABLE);
  const AtxTomlValue *dnsmasq = atx_cfg_get(network, "dnsmasq", ATX_TOML_TABLE);
  LanState state = { FALSE };
  check_dnsmasq_switches(build, dnsmasq);
  load_gateway(build, network, dnsmasq, &state);
  load_dhcp_range(build, dnsmasq, &state);
  load_names(build, dnsmasq);
  load_ntp(build, network);
}
