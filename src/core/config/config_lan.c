/* [network.dnsmasq] and [network.ntp]: the LAN gateway contract (eth1 address,
 * DHCP range, local DNS names, NTP served to LAN clients). */
#include "core/config/config_private.h"

#include <string.h>

#include "core/base/net.h"

#define DEFAULT_GATEWAY_CIDR "172.20.30.1/24"
#define DEFAULT_DHCP_START "172.20.30.10"
#define DEFAULT_DHCP_END "172.20.30.254"
#define DEFAULT_DOMAIN "local"
#define DEFAULT_ALIAS "atomixos"
#define DEFAULT_NTP_SERVER "time.cloudflare.com"
#define MIN_PREFIX 16
#define MAX_PREFIX 30

/* [network.dnsmasq]'s values, looked up in one pass. */
enum {
  DNSMASQ_ENABLE,
  DNSMASQ_INTERFACE,
  DNSMASQ_GATEWAY_CIDR,
  DNSMASQ_DHCP_START,
  DNSMASQ_DHCP_END,
  DNSMASQ_DOMAIN,
  DNSMASQ_HOSTNAME_PATTERN,
  DNSMASQ_GATEWAY_ALIASES,
  DNSMASQ_FIELDS,
};

static const AtxCfgField dnsmasq_names[] = {
  [DNSMASQ_ENABLE] = ATX_CFG_FIELD("enable"),
  [DNSMASQ_INTERFACE] = ATX_CFG_FIELD("interface"),
  [DNSMASQ_GATEWAY_CIDR] = ATX_CFG_FIELD("gateway_cidr"),
  [DNSMASQ_DHCP_START] = ATX_CFG_FIELD("dhcp_start"),
  [DNSMASQ_DHCP_END] = ATX_CFG_FIELD("dhcp_end"),
  [DNSMASQ_DOMAIN] = ATX_CFG_FIELD("domain"),
  [DNSMASQ_HOSTNAME_PATTERN] = ATX_CFG_FIELD("hostname_pattern"),
  [DNSMASQ_GATEWAY_ALIASES] = ATX_CFG_FIELD("gateway_aliases"),
};

typedef const AtxTomlValue *DnsmasqFields[DNSMASQ_FIELDS];

typedef struct {
  gboolean gateway_valid;
} LanState;

/* eth1 is the LAN port: a static address given there is the gateway CIDR. */
static const char *
eth1_static_address(const AtxConfigBuild *build)
{
  const AtxTomlValue *eth1 = atx_cfg_get(build->network.interfaces, "eth1", ATX_TOML_TABLE);
  enum { MODE, ADDRESS };
  static const AtxCfgField names[] = { ATX_CFG_FIELD("mode"), ATX_CFG_FIELD("address") };
  const AtxTomlValue *fields[G_N_ELEMENTS(names)];
  atx_cfg_fields(eth1, names, G_N_ELEMENTS(names), fields);
  const char *mode = atx_cfg_as_string(build, fields[MODE]);
  return g_strcmp0(mode, "static") == 0 ? atx_cfg_as_string(build, fields[ADDRESS]) : NULL;
}

static void
check_dnsmasq_switches(AtxConfigBuild *build, const DnsmasqFields dnsmasq)
{
  const AtxTomlValue *enable = atx_cfg_as(dnsmasq[DNSMASQ_ENABLE], ATX_TOML_BOOLEAN);
  if (enable && !atx_toml_value_boolean(enable))
    atx_cfg_error(build, "lan.dhcp_disabled", "/network/dnsmasq/enable",
                  "network.dnsmasq.enable must remain true; disabling LAN DHCP/DNS is not supported");
  const char *iface = atx_cfg_as_string(build, dnsmasq[DNSMASQ_INTERFACE]);
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
resolve_gateway(AtxConfigBuild *build, const DnsmasqFields dnsmasq, Gateway *gateway)
{
  const char *cidr = atx_cfg_as_string(build, dnsmasq[DNSMASQ_GATEWAY_CIDR]);
  const char *eth1_address = eth1_static_address(build);
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
load_gateway(AtxConfigBuild *build, const DnsmasqFields dnsmasq, LanState *state)
{
  AtxLanSettings *lan = &build->config->lan;
  Gateway gateway = { NULL, NULL, 0, 0 };
  if (!resolve_gateway(build, dnsmasq, &gateway))
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
load_dhcp_bound(AtxConfigBuild *build, const AtxTomlValue *value, const char *key,
                const char *fallback, guint32 *out)
{
  const char *text = atx_cfg_as_string(build, value);
  const char *start, *end;
  atx_cfg_trimmed_span(text ? text : fallback, &start, &end);
  if (atx_ipv4_parse_len(start, (gsize) (end - start), out))
    return TRUE;
  AtxCfgPath dnsmasq_path = atx_cfg_at("/network/dnsmasq"), at = atx_cfg_at_key(&dnsmasq_path, key);
  atx_cfg_error_at(build, "lan.invalid_dhcp_address", &at, "invalid IPv4 address in network.dnsmasq.%s: %.*s",
                   key, (int) (end - start), start);
  return FALSE;
}

static void
check_range_in_subnet(AtxConfigBuild *build, const AtxTomlValue *value, const char *key,
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
  if (!atx_cfg_as_string(build, value))
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
load_dhcp_range(AtxConfigBuild *build, const DnsmasqFields dnsmasq, const LanState *state)
{
  AtxLanSettings *lan = &build->config->lan;
  const AtxTomlValue *start = dnsmasq[DNSMASQ_DHCP_START], *end = dnsmasq[DNSMASQ_DHCP_END];
  gboolean ok = load_dhcp_bound(build, start, "dhcp_start", DEFAULT_DHCP_START, &lan->dhcp_start);
  ok &= load_dhcp_bound(build, end, "dhcp_end", DEFAULT_DHCP_END, &lan->dhcp_end);
  if (!ok || !state->gateway_valid)
    return;
  guint errors = atx_diag_list_count(build->diags, ATX_SEVERITY_ERROR);
  check_range_in_subnet(build, start, "dhcp_start", lan->dhcp_start);
  check_range_in_subnet(build, end, "dhcp_end", lan->dhcp_end);
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

/* A name that is only checked, not kept. */
static void
check_dns_name(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at)
{
  const char *name;
  gsize len;
  if (!atx_dns_name_check(text, strlen(text), &name, &len))
    atx_cfg_report_dns_name(build, text, code, at);
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
load_hostname_pattern(AtxConfigBuild *build, const DnsmasqFields dnsmasq)
{
  AtxLanSettings *lan = &build->config->lan;
  const char *pattern = atx_cfg_as_string(build, dnsmasq[DNSMASQ_HOSTNAME_PATTERN]);
  lan->hostname_pattern = atx_cfg_strdup_trimmed(build, pattern ? pattern : "");
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
  check_dns_name(build, sample, "lan.invalid_hostname_pattern", &at);
}


static void
load_aliases(AtxConfigBuild *build, const DnsmasqFields dnsmasq)
{
  AtxLanSettings *lan = &build->config->lan;
  const AtxTomlValue *aliases = atx_cfg_as(dnsmasq[DNSMASQ_GATEWAY_ALIASES], ATX_TOML_ARRAY);
  guint length = aliases ? atx_toml_array_length(aliases) : 0;
  lan->gateway_aliases = g_ptr_array_sized_new(MAX(length, 1));
  AtxCfgPath list_path = atx_cfg_at("/network/dnsmasq/gateway_aliases");
  for (guint i = 0; i < length; i++) {
    const char *alias = atx_cfg_item_string(build, aliases, i);
    if (!alias)
      continue;
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    char *name = atx_cfg_dns_name(build, alias, "lan.invalid_gateway_alias", &at);
    /* A duplicate stays in the arena, unused: it is rare and small. */
    if (name && !atx_cfg_list_contains(lan->gateway_aliases, name))
      g_ptr_array_add(lan->gateway_aliases, name);
  }
  if (lan->gateway_aliases->len == 0)
    g_ptr_array_add(lan->gateway_aliases, atx_cfg_strdup(build, DEFAULT_ALIAS));
}

static void
load_names(AtxConfigBuild *build, const DnsmasqFields dnsmasq)
{
  const char *domain = atx_cfg_as_string(build, dnsmasq[DNSMASQ_DOMAIN]);
  AtxCfgPath domain_path = atx_cfg_at("/network/dnsmasq/domain");
  build->config->lan.domain = atx_cfg_dns_name(build, domain ? domain : DEFAULT_DOMAIN,
                                            "lan.invalid_domain", &domain_path);
  load_hostname_pattern(build, dnsmasq);
  load_aliases(build, dnsmasq);
}

/* An IP address or a DNS name; the checks only look, so nothing is kept. */
static gboolean
is_ntp_server(const char *text, gsize len)
{
  guint32 v4;
  const char *name;
  gsize name_len;
  return atx_ipv4_parse_len(text, len, &v4) || atx_ipv6_literal_parse_len(text, len) ||
         atx_dns_name_check(text, len, &name, &name_len);
}

static void
load_ntp(AtxConfigBuild *build)
{
  AtxLanSettings *lan = &build->config->lan;
  const AtxTomlValue *servers = atx_cfg_get(build->network.ntp, "servers", ATX_TOML_ARRAY);
  guint length = servers ? atx_toml_array_length(servers) : 0;
  lan->ntp_servers = g_ptr_array_sized_new(MAX(length, 1));
  AtxCfgPath list_path = atx_cfg_at("/network/ntp/servers");
  for (guint i = 0; i < length; i++) {
    const char *server = atx_cfg_item_string(build, servers, i);
    if (!server)
      continue;
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    char *trimmed = atx_cfg_strdup_trimmed(build, server);
    if (atx_text_has_space_or_control(trimmed))
      atx_cfg_error_at(build, "ntp.invalid_server", &at,
                       "invalid NTP server: whitespace and control characters are not allowed");
    else if (!is_ntp_server(trimmed, strlen(trimmed)))
      atx_cfg_error_at(build, "ntp.invalid_server", &at,
                       "invalid NTP server '%s': expected an IP address or a DNS name", trimmed);
    g_ptr_array_add(lan->ntp_servers, trimmed);
  }
  if (lan->ntp_servers->len == 0)
    g_ptr_array_add(lan->ntp_servers, atx_cfg_strdup(build, DEFAULT_NTP_SERVER));
}

void
atx_config_check_lan(AtxConfigBuild *build)
{
  DnsmasqFields dnsmasq;
  atx_cfg_fields(build->network.dnsmasq, dnsmasq_names, DNSMASQ_FIELDS, dnsmasq);
  LanState state = { FALSE };
  check_dnsmasq_switches(build, dnsmasq);
  load_gateway(build, dnsmasq, &state);
  load_dhcp_range(build, dnsmasq, &state);
  load_names(build, dnsmasq);
  load_ntp(build);
}
