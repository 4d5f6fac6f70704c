/* [network.firewall.inbound]: which ports WAN and LAN accept. */
#include "core/config_private.h"

/* The bootstrap API listens here; opening it on WAN after provisioning would
 * expose re-provisioning to the internet. */
#define BOOTSTRAP_PORT 8080

static gboolean
port_listed(const GArray *ports, guint port)
{
  for (guint i = 0; i < ports->len; i++)
    if (g_array_index(ports, guint, i) == port)
      return TRUE;
  return FALSE;
}

static GArray *
load_ports(AtxConfigBuild *build, const AtxTomlValue *scope, const char *scope_name,
           const char *proto, const AtxCfgPath *scope_path)
{
  GArray *ports = g_array_new(FALSE, FALSE, sizeof(guint));
  const AtxTomlValue *list = atx_cfg_get(scope, proto, ATX_TOML_ARRAY);
  if (!list)
    return ports;
  AtxCfgPath list_path = atx_cfg_at_key(scope_path, proto);
  for (guint i = 0; i < atx_toml_array_length(list); i++) {
    const AtxTomlValue *item = atx_toml_array_get(list, i);
    if (atx_toml_value_type(item) != ATX_TOML_INTEGER)
      continue;
    gint64 port = atx_toml_value_integer(item);
    if (port < 1 || port > 65535)
      continue; /* the schema reported the range */
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    if (g_str_equal(scope_name, "wan") && g_str_equal(proto, "tcp") && port == BOOTSTRAP_PORT)
      atx_cfg_error_at(build, "firewall.reserved_bootstrap_port", &at,
                       "network.firewall.inbound.wan.tcp must not include reserved bootstrap port %d",
                       BOOTSTRAP_PORT);
    if (port_listed(ports, (guint) port))
      atx_cfg_warning_at(build, "firewall.duplicate_port", &at,
                         "%s port %u is listed more than once for %s", proto, (guint) port,
                         scope_name);
    guint value = (guint) port;
    g_array_append_val(ports, value);
  }
  return ports;
}

static AtxFirewallScope *
load_scope(AtxConfigBuild *build, const AtxTomlValue *inbound, const char *scope_name)
{
  const AtxTomlValue *scope = atx_cfg_get(inbound, scope_name, ATX_TOML_TABLE);
  if (!scope)
    return NULL;
  AtxCfgPath inbound_path = atx_cfg_at("/network/firewall/inbound");
  AtxCfgPath path = atx_cfg_at_key(&inbound_path, scope_name);
  AtxFirewallScope *result = g_new0(AtxFirewallScope, 1);
  result->tcp = load_ports(build, scope, scope_name, "tcp", &path);
  result->udp = load_ports(build, scope, scope_name, "udp", &path);
  /* An empty scope opens nothing and, for LAN, must not switch to an allowlist. */
  if (result->tcp->len == 0 && result->udp->len == 0)
    g_clear_pointer(&result, atx_firewall_scope_free);
  return result;
}

void
atx_config_check_firewall(AtxConfigBuild *build)
{
  const AtxTomlValue *network = atx_cfg_get(build->root, "network", ATX_TOML_TABLE);
  const AtxTomlValue *firewall = atx_cfg_get(network, "firewall", ATX_TOML_TABLE);
  const AtxTomlValue *inbound = atx_cfg_get(firewall, "inbound", ATX_TOML_TABLE);
  build->config->firewall.wan = load_scope(build, inbound, "wan");
  build->config->firewall.lan = load_scope(build, inbound, "lan");
}
