/* [network] top level and [network.interfaces.*]: how the device itself reaches
 * the world (WAN addressing, DNS resolvers, extra ports). */
#include "core/config/config_private.h"

#include "core/base/net.h"

#define LAN_INTERFACE "eth1"

/* Puts the canonical form of @text in the model, or reports why there is none. */
typedef char *(*Normalizer)(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at);

static char *
normalize_ip(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at)
{
  const char *start, *end;
  atx_cfg_trimmed_span(text, &start, &end);
  gsize len = (gsize) (end - start);
  guint32 v4;
  if (atx_ipv4_parse_len(start, len, &v4))
    return atx_cfg_ipv4_text(build, v4);
  /* atx_ip_literal_canonical() wants a C string: only a padded value needs a copy. */
  g_autofree char *trimmed = *end ? g_strndup(start, len) : NULL;
  char canonical[ATX_IP_TEXT_SIZE];
  gsize canonical_len = atx_ip_literal_canonical(trimmed ? trimmed : start, canonical);
  if (canonical_len)
    return atx_cfg_strndup(build, canonical, canonical_len);
  atx_cfg_error_at(build, code, at, "invalid IP address: %.*s", (int) len, start);
  return NULL;
}


/* A list of strings, each normalised; NULL when the value is not a list. */
static GPtrArray *
load_list(AtxConfigBuild *build, const AtxTomlValue *value, const char *key, const AtxCfgPath *base,
          Normalizer normalize, const char *code)
{
  const AtxTomlValue *items = atx_cfg_as(value, ATX_TOML_ARRAY);
  if (!items)
    return NULL;
  guint length = atx_toml_array_length(items);
  GPtrArray *result = atx_cfg_list_new(length);
  AtxCfgPath list_path = atx_cfg_at_key(base, key);
  for (guint i = 0; i < length; i++) {
    const char *text = atx_cfg_item_string(build, items, i);
    if (!text)
      continue;
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    char *normalized = normalize(build, text, code, &at);
    if (normalized)
      g_ptr_array_add(result, normalized);
  }
  return result;
}

static GPtrArray *
load_ip_list(AtxConfigBuild *build, const AtxTomlValue *value, const char *key, const AtxCfgPath *base)
{
  return load_list(build, value, key, base, normalize_ip, "network.invalid_dns_server");
}

static GPtrArray *
load_domain_list(AtxConfigBuild *build, const AtxTomlValue *value, const char *key,
                 const AtxCfgPath *base)
{
  return load_list(build, value, key, base, atx_cfg_dns_name, "network.invalid_search_domain");
}

static char *
load_ipv4(AtxConfigBuild *build, const AtxTomlValue *value, const char *key, const AtxCfgPath *base,
          const char *code)
{
  const char *text = atx_cfg_as_string(build, value);
  if (!text || !*text)
    return NULL; /* absent, or the empty string the schema reported */
  const char *start, *end;
  atx_cfg_trimmed_span(text, &start, &end);
  guint32 addr;
  if (atx_ipv4_parse_len(start, (gsize) (end - start), &addr))
    return atx_cfg_ipv4_text(build, addr);
  AtxCfgPath at = atx_cfg_at_key(base, key);
  atx_cfg_error_at(build, code, &at, "invalid IPv4 address: %.*s", (int) (end - start), start);
  return NULL;
}

static void
check_static_address(AtxConfigBuild *build, AtxInterface *iface, const char *address,
                     const AtxCfgPath *iface_path)
{
  AtxCfgPath at = atx_cfg_at_key(iface_path, "address");
  guint32 ip;
  guint prefix;
  if (!atx_ipv4_cidr_parse(address, &ip, &prefix)) {
    atx_cfg_error_at(build, "network.invalid_interface_address", &at,
                     "invalid IPv4 CIDR at network.interfaces.%s.address: %s", iface->name, address);
    return;
  }
  iface->address = atx_cfg_ipv4_cidr_text(build, ip, prefix);
  const AtxLanSettings *lan = &build->config->lan;
  /* Two ports in one subnet make routing ambiguous and can hand LAN traffic to WAN. */
  if (!g_str_equal(iface->name, LAN_INTERFACE) && lan->prefix != 0 &&
      atx_ipv4_networks_overlap(ip, prefix, lan->gateway_ip, lan->prefix)) {
    g_autofree char *subnet = atx_ipv4_format(atx_ipv4_network(lan->gateway_ip, lan->prefix));
    atx_cfg_error_at(build, "network.address_overlaps_lan", &at,
                     "network.interfaces.%s.address %s overlaps the LAN subnet %s/%u", iface->name,
                     address, subnet, lan->prefix);
  }
}

/* A missing or mistyped mode or address is the schema's error: the rules here
 * only judge a known mode against an address that is there or not. */
static void
check_mode(AtxConfigBuild *build, const char *name, gboolean has_address, const char *mode,
           const AtxCfgPath *iface_path)
{
  gboolean is_dhcp = g_strcmp0(mode, "dhcp") == 0;
  if (g_str_equal(name, LAN_INTERFACE) && is_dhcp) {
    AtxCfgPath at = atx_cfg_at_key(iface_path, "mode");
    atx_cfg_error_at(build, "network.eth1_must_be_static", &at,
                     "network.interfaces.eth1.mode must be static because eth1 is the LAN gateway");
  }
  if (g_strcmp0(mode, "static") == 0 && !has_address) {
    atx_cfg_error_at(build, "network.static_requires_address", iface_path,
                     "network.interfaces.%s: mode static requires an address", name);
  } else if (is_dhcp && has_address) {
    AtxCfgPath at = atx_cfg_at_key(iface_path, "address");
    atx_cfg_error_at(build, "network.address_requires_static", &at,
                     "network.interfaces.%s.address is only supported when mode is static", name);
  }
}

static AtxInterface *
load_interface(AtxConfigBuild *build, const char *name, const AtxTomlValue *table)
{
  enum { MODE, ADDRESS, GATEWAY, DNS_SERVERS, DNS_SEARCH_DOMAINS };
  static const AtxCfgField names[] = {
    ATX_CFG_FIELD("mode"), ATX_CFG_FIELD("address"), ATX_CFG_FIELD("gateway"), ATX_CFG_FIELD("dns_servers"),
    ATX_CFG_FIELD("dns_search_domains"),
  };
  const AtxTomlValue *fields[G_N_ELEMENTS(names)];
  atx_cfg_fields(table, names, G_N_ELEMENTS(names), fields);
  AtxCfgPath interfaces = atx_cfg_at("/network/interfaces"), path = atx_cfg_at_key(&interfaces, name);
  AtxInterface *iface = atx_cfg_new0(build, AtxInterface);
  iface->name = atx_cfg_strdup(build, name);
  const char *mode = atx_cfg_as_string(build, fields[MODE]);
  const char *address = atx_cfg_as_string(build, fields[ADDRESS]);
  iface->is_static = g_strcmp0(mode, "static") == 0;
  check_mode(build, name, fields[ADDRESS] != NULL, mode, &path);
  if (iface->is_static && address)
    check_static_address(build, iface, address, &path);
  iface->gateway = load_ipv4(build, fields[GATEWAY], "gateway", &path, "network.invalid_interface_gateway");
  iface->dns_servers = load_ip_list(build, fields[DNS_SERVERS], "dns_servers", &path);
  iface->dns_search_domains = load_domain_list(build, fields[DNS_SEARCH_DOMAINS], "dns_search_domains", &path);
  return iface;
}

void
atx_config_check_host_network(AtxConfigBuild *build)
{
  AtxHostNetwork *host = &build->config->host;
  const AtxCfgNetwork *network = &build->network;
  AtxCfgPath network_path = atx_cfg_at("/network");
  host->dns_servers = load_ip_list(build, network->dns_servers, "dns_servers", &network_path);
  if (!host->dns_servers)
    host->dns_servers = atx_cfg_empty_list();
  host->dns_search_domains = load_domain_list(build, network->dns_search_domains, "dns_search_domains",
                                              &network_path);
  if (!host->dns_search_domains)
    host->dns_search_domains = atx_cfg_empty_list();
  host->default_gateway = load_ipv4(build, network->default_gateway, "default_gateway", &network_path,
                                    "network.invalid_default_gateway");
  const AtxTomlValue *interfaces = network->interfaces;
  guint size = interfaces ? atx_toml_table_size(interfaces) : 0;
  host->interfaces = atx_cfg_list_new(size);
  for (guint i = 0; i < size; i++) {
    const AtxTomlValue *table = atx_toml_table_value(interfaces, i);
    if (atx_toml_value_type(table) == ATX_TOML_TABLE)
      g_ptr_array_add(host->interfaces, load_interface(build, atx_toml_table_key(interfaces, i), table));
  }
}
