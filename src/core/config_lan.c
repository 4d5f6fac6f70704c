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

/* The gateway CIDR in force, where it is written, and what it says. */
typedef struct {
  const char *cidr;
  const char *pointer;
  guint32 ip;
  guint prefix;
} Gateway;

/* A static eth1 address wins over network.dnsmasq.gateway_cidr, which has a
 * default. Each text is parsed once. Returns FALSE when there is nothing left
 * to check. */
static gboolean
resolve_gateway(AtxConfigBuild *build, const AtxTomlValue *network, const AtxTomlValue *dnsmasq,
                Gateway *gateway)
{
  const char *cidr = atx_cfg_string(dnsmasq, "gateway_cidr");
  const char *eth1_address = eth1_static_address(network);
  guint32 eth1_ip = 0;
  guint eth1_prefix = 0;
  gboolean eth1_valid = eth1_address && atx_ipv4_cidr_parse(eth1_address, &eth1_ip, &eth1_prefix);
  if (eth1_valid && cidr && atx_ipv4_cidr_parse(cidr, &gateway->ip, &gateway->prefix) &&
      (gateway->ip != eth1_ip || gateway->prefix != eth1_prefix))
    atx_cfg_error(build, "lan.gateway_cidr_mismatch", "/network/interfaces/eth1/address",
                  "network.interfaces.eth1.address must match network.dnsmasq.gateway_cidr when both are set");
  if (eth1_address) {
    /* host-network reports an unparsable eth1 address; don't say it twice. */
    *gateway = (Gateway) { eth1_address, "/network/interfaces/eth1/address", eth1_ip, eth1_prefix };
    return eth1_valid;
  }
  if (cidr && !*cidr)
    return FALSE; /* the schema reported the empty string */
  gateway->cidr = cidr ? cidr : DEFAULT_GATEWAY_CIDR;
  gateway->pointer = "/network/dnsmasq/gateway_cidr";
  if (atx_ipv4_cidr_parse(gateway->cidr, &gateway->ip, &gateway->prefix))
    return TRUE;
  atx_cfg_error(build, "lan.invalid_gateway_cidr", gateway->pointer,
                "invalid IPv4 CIDR at network.dnsmasq.gateway_cidr: %s", gateway->cidr);
  return FALSE;
}

static void
load_gateway(AtxConfigBuild *build, const AtxTomlValue *network, const AtxTomlValue *dnsmasq,
             LanState *state)
{
  AtxLanSettings *lan = &build->config->lan;
  Gateway gateway = { NULL, NULL, 0, 0 };
  if (!resolve_gateway(build, network, dnsmasq, &gateway))
    return;
  if (gateway.prefix < MIN_PREFIX || gateway.prefix > MAX_PREFIX) {
    atx_cfg_error(build, "lan.gateway_prefix_out_of_range", gateway.pointer,
                  "network.dnsmasq.gateway_cidr prefix must be between /%d and /%d", MIN_PREFIX,
                  MAX_PREFIX);
    return;
  }
  if (gateway.ip == atx_ipv4_network(gateway.ip, gateway.prefix) ||
      gateway.ip == atx_ipv4_broadcast(gateway.ip, gateway.prefix)) {
    atx_cfg_error(build, "lan.gateway_not_host_address", gateway.pointer,
                  "the LAN gateway address %s is the network or broadcast address of its subnet",
                  gateway.cidr);
    return;
  }
  lan->gateway_ip = gateway.ip;
  lan->prefix = gateway.prefix;
  state->gateway_valid = TRUE;
}

static gboolean
load_dhcp_bound(AtxConfigBuild *build, const AtxTomlValue *dnsmasq, const char *key,
                const char *fallback, guint32 *out)
{
  const char *text = atx_cfg_string(dnsmasq, key);
  g_autofree char *copy = NULL;
  const char *trimmed = atx_cfg_trim(text ? text : fallback, &copy);
  if (atx_ipv4_parse(trimmed, out))
    return TRUE;
  AtxCfgPath dnsmasq_path = atx_cfg_at("/network/dnsmasq"), at = atx_cfg_at_key(&dnsmasq_path, key);
  atx_cfg_error_at(build, "lan.invalid_dhcp_address", &at, "invalid IPv4 address in network.dnsmasq.%s: %s",
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
  AtxCfgPath dnsmasq_path = atx_cfg_at("/network/dnsmasq"), at = atx_cfg_at_key(&dnsmasq_path, key);
  g_autofree char *subnet = atx_ipv4_format(atx_ipv4_network(lan->gateway_ip, lan->prefix));
  AtxDiag *diag = atx_cfg_error_at(build, "lan.dhcp_range_outside_subnet", &at,
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
load_dns_name(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at)
{
  g_autofree char *normalized = NULL, *why = NULL;
  if (atx_dns_name_normalize(text, &normalized, &why))
    return g_steal_pointer(&normalized);
  atx_cfg_error_at(build, code, at, "invalid DNS name: %s", why);
  return NULL;
}

/* A DNS name is at most 253 characters: a longer sample is invalid anyway. */
#define SAMPLE_BUFFER_SIZE 256
#define SAMPLE_MAC "001122334455"

/* @pattern with every {mac} filled in, as a client's name would read: in
 * @buffer (SAMPLE_BUFFER_SIZE bytes) when it fits, else in *@long_sample. */
static const char *
hostname_sample(const char *pattern, char *buffer, char **long_sample)
{
  static const char token[] = "{mac}";
  gsize token_len = sizeof token - 1, mac_len = sizeof SAMPLE_MAC - 1;
  gsize len = strlen(pattern);
  for (const char *p = strstr(pattern, token); p; p = strstr(p + token_len, token))
    len += mac_len - token_len;
  char *sample = len < SAMPLE_BUFFER_SIZE ? buffer : (*long_sample = g_malloc(len + 1));
  char *out = sample;
  const char *rest = pattern;
  for (const char *p = strstr(rest, token); p; p = strstr(rest, token)) {
    memcpy(out, rest, p - rest);
    out += p - rest;
    memcpy(out, SAMPLE_MAC, mac_len);
    out += mac_len;
    rest = p + token_len;
  }
  strcpy(out, rest);
  return sample;
}

static void
load_hostname_pattern(AtxConfigBuild *build, const AtxTomlValue *dnsmasq)
{
  AtxLanSettings *lan = &build->config->lan;
  const char *pattern = atx_cfg_string(dnsmasq, "hostname_pattern");
  lan->hostname_pattern = atx_cfg_trimmed(pattern ? pattern : "");
  if (!*lan->hostname_pattern)
    return;
  AtxCfgPath at = atx_cfg_at("/network/dnsmasq/hostname_pattern");
  if (!strstr(lan->hostname_pattern, "{mac}")) {
    atx_cfg_error_at(build, "lan.hostname_pattern_missing_mac", &at,
                     "network.dnsmasq.hostname_pattern must include {mac}");
    return;
  }
  /* Only validity matters: the pattern itself is what gets rendered. */
  char buffer[SAMPLE_BUFFER_SIZE];
  g_autofree char *long_sample = NULL;
  const char *sample = hostname_sample(lan->hostname_pattern, buffer, &long_sample);
  g_free(load_dns_name(build, sample, "lan.invalid_hostname_pattern", &at));
}

static void
load_aliases(AtxConfigBuild *build, const AtxTomlValue *dnsmasq)
{
  AtxLanSettings *lan = &build->config->lan;
  lan->gateway_aliases = g_ptr_array_new_with_free_func(g_free);
  const AtxTomlValue *aliases = atx_cfg_get(dnsmasq, "gateway_aliases", ATX_TOML_ARRAY);
  AtxCfgPath list_path = atx_cfg_at("/network/dnsmasq/gateway_aliases");
  for (guint i = 0; aliases && i < atx_toml_array_length(aliases); i++) {
    const char *alias = atx_cfg_item_string(aliases, i);
    if (!alias)
      continue;
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    g_autofree char *name = load_dns_name(build, alias, "lan.invalid_gateway_alias", &at);
    if (name && !g_ptr_array_find_with_equal_func(lan->gateway_aliases, name, g_str_equal, NULL))
      g_ptr_array_add(lan->gateway_aliases, g_steal_pointer(&name));
  }
  if (lan->gateway_aliases->len == 0)
    g_ptr_array_add(lan->gateway_aliases, g_strdup(DEFAULT_ALIAS));
}

static void
load_names(AtxConfigBuild *build, const AtxTomlValue *dnsmasq)
{
  const char *domain = atx_cfg_string(dnsmasq, "domain");
  AtxCfgPath domain_path = atx_cfg_at("/network/dnsmasq/domain");
  build->config->lan.domain = load_dns_name(build, domain ? domain : DEFAULT_DOMAIN,
                                            "lan.invalid_domain", &domain_path);
  load_hostname_pattern(build, dnsmasq);
  load_aliases(build, dnsmasq);
}

/* An IP address or a DNS name; the checks only look, so nothing is kept. */
static gboolean
is_ntp_server(const char *text)
{
  guint32 v4;
  if (atx_ipv4_parse(text, &v4) || atx_ipv6_literal_parse(text))
    return TRUE;
  g_autofree char *name = NULL, *why = NULL;
  return atx_dns_name_normalize(text, &name, &why);
}

static void
load_ntp(AtxConfigBuild *build, const AtxTomlValue *network)
{
  AtxLanSettings *lan = &build->config->lan;
  lan->ntp_servers = g_ptr_array_new_with_free_func(g_free);
  const AtxTomlValue *ntp = atx_cfg_get(network, "ntp", ATX_TOML_TABLE);
  const AtxTomlValue *servers = atx_cfg_get(ntp, "servers", ATX_TOML_ARRAY);
  AtxCfgPath list_path = atx_cfg_at("/network/ntp/servers");
  for (guint i = 0; servers && i < atx_toml_array_length(servers); i++) {
    const char *server = atx_cfg_item_string(servers, i);
    if (!server)
      continue;
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    char *trimmed = atx_cfg_trimmed(server);
    if (atx_text_has_space_or_control(trimmed))
      atx_cfg_error_at(build, "ntp.invalid_server", &at,
                       "invalid NTP server: whitespace and control characters are not allowed");
    else if (!is_ntp_server(trimmed))
      atx_cfg_error_at(build, "ntp.invalid_server", &at,
                       "invalid NTP server '%s': expected an IP address or a DNS name", trimmed);
    g_ptr_array_add(lan->ntp_servers, trimmed);
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
