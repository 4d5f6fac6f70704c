/* [network] top level and [network.interfaces.*]: how the device itself reaches
 * the world (WAN addressing, DNS resolvers, extra ports). */
#include "core/config_private.h"

#include "core/net.h"

#define LAN_INTERFACE "eth1"

/* Returns the canonical form of @text, or NULL with a message in @why_out. */
typedef char *(*Normalizer)(const char *text, char **why_out);

static char *
normalize_ip(const char *text, char **why_out)
{
  g_autofree char *copy = NULL;
  const char *trimmed = atx_cfg_trim(text, &copy);
  guint32 v4;
  if (atx_ipv4_parse(trimmed, &v4))
    return atx_cfg_ipv4_text(v4);
  char *canonical = NULL;
  if (!atx_ip_literal_parse(trimmed, &canonical))
    *why_out = g_strdup_printf("invalid IP address: %s", trimmed);
  return canonical;
}

static char *
normalize_dns_name(const char *text, char **why_out)
{
  char *normalized = NULL;
  g_autofree char *why = NULL;
  if (!atx_dns_name_normalize(text, &normalized, &why))
    *why_out = g_strdup_printf("invalid DNS name: %s", why);
  return normalized;
}

/* A list of strings, each normalised; NULL when the key is absent. */
static GPtrArray *
load_list(AtxConfigBuild *build, const AtxTomlValue *table, const char *key, const AtxCfgPath *base,
          Normalizer normalize, const char *code)
{
  const AtxTomlValue *items = atx_cfg_get(table, key, ATX_TOML_ARRAY);
  if (!items)
    return NULL;
  guint length = atx_toml_array_length(items);
  GPtrArray *result = g_ptr_array_new_full(length, g_free);
  AtxCfgPath list_path = atx_cfg_at_key(base, key);
  for (guint i = 0; i < length; i++) {
    const char *text = atx_cfg_item_string(items, i);
    if (!text)
      continue;
    g_autofree char *why = NULL;
    char *value = normalize(text, &why);
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    if (value)
      g_ptr_array_add(result, value);
    else
      atx_cfg_error_at(build, code, &at, "%s", why);
  }
  return result;
}

static GPtrArray *
load_ip_list(AtxConfigBuild *build, const AtxTomlValue *table, const char *key, const AtxCfgPath *base)
{
  return load_list(build, table, key, base, normalize_ip, "network.invalid_dns_server");
}

static GPtrArray *
load_domain_list(AtxConfigBuild *build, const AtxTomlValue *table, const char *key,
                 const AtxCfgPath *base)
{
  return load_list(build, table, key, base, normalize_dns_name, "network.invalid_search_domain");
}

static char *
load_ipv4(AtxConfigBuild *build, const AtxTomlValue *table, const char *key, const AtxCfgPath *base,
          const char *code)
{
  const char *text = atx_cfg_string(table, key);
  if (!text || !*text)
    return NULL; /* absent, or the empty string the schema reported */
  g_autofree char *copy = NULL;
  const char *trimmed = atx_cfg_trim(text, &copy);
  guint32 addr;
  if (atx_ipv4_parse(trimmed, &addr))
    return atx_cfg_ipv4_text(addr);
  AtxCfgPath at = atx_cfg_at_key(base, key);
  atx_cfg_error_at(build, code, &at, "invalid IPv4 address: %s", trimmed);
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
  iface->address = atx_cfg_ipv4_cidr_text(ip, prefix);
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
check_mode(AtxConfigBuild *build, const char *name, const AtxTomlValue *table, const char *mode,
           const AtxCfgPath *iface_path)
{
  gboolean has_address = atx_toml_table_get(table, "address") != NULL;
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
  AtxCfgPath interfaces = atx_cfg_at("/network/interfaces"), path = atx_cfg_at_key(&interfaces, name);
  AtxInterface *iface = g_new0(AtxInterface, 1);
  iface->name = g_strdup(name);
  const char *mode = atx_cfg_string(table, "mode");
  const char *address = atx_cfg_string(table, "address");
  iface->is_static = g_strcmp0(mode, "static") == 0;
  check_mode(build, name, table, mode, &path);
  if (iface->is_static && address)
    check_static_address(build, iface, address, &path);
  iface->gateway = load_ipv4(build, table, "gateway", &path, "network.invalid_interface_gateway");
  iface->dns_servers = load_ip_list(build, table, "dns_servers", &path);
  iface->dns_search_domains = load_domain_list(build, table, "dns_search_domains", &path);
  return iface;
}

void
atx_config_check_host_network(AtxConfigBuild *build)
{
  AtxHostNetwork *host = &build->config->host;
  const AtxTomlValue *network = atx_cfg_get(build->root, "network", ATX_TOML_TABLE);
  AtxCfgPath network_path = atx_cfg_at("/network");
  host->dns_servers = load_ip_list(build, network, "dns_servers", &network_path);
  if (!host->dns_servers)
    host->dns_servers = g_ptr_array_new_with_free_func(g_free);
  host->dns_search_domains = load_domain_list(build, network, "dns_search_domains", &network_path);
  if (!host->dns_search_domains)
    host->dns_search_domains = g_ptr_array_new_with_free_func(g_free);
  host->default_gateway = load_ipv4(build, network, "default_gateway", &network_path,
                                    "network.invalid_default_gateway");
  host->interfaces = g_ptr_array_new_with_free_func(atx_interface_free);
  const AtxTomlValue *interfaces = atx_cfg_get(network, "interfaces", ATX_TOML_TABLE);
  for (guint i = 0; interfaces && i < atx_toml_table_size(interfaces); i++) {
    const AtxTomlValue *table = atx_toml_table_value(interfaces, i);
    if (atx_toml_value_type(table) == ATX_TOML_TABLE)
      g_ptr_array_add(host->interfaces, load_interface(build, atx_toml_table_key(interfaces, i), table));
  }
}
