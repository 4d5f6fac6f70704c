/* [network.firewall.inbound]: which ports WAN and LAN accept. */
#include "core/config/config_private.h"

/* The bootstrap API listens here; opening it on WAN after provisioning would
 * expose re-provisioning to the internet. */
#include "core/base/defaults.h"

static gboolean
port_listed(const GArray *ports, guint port)
{
  for (guint i = 0; i < ports->len; i++)
    if (g_array_index(ports, guint, i) == port)
      return TRUE;
  return FALSE;
}

static GArray *
load_ports(AtxConfigBuild *build, const AtxTomlValue *list_value, const char *scope_name,
           const char *proto, const AtxCfgPath *scope_path)
{
  const AtxTomlValue *list = atx_cfg_as(list_value, ATX_TOML_ARRAY);
  guint length = list ? atx_toml_array_length(list) : 0;
  GArray *ports = g_array_sized_new(FALSE, FALSE, sizeof(guint), length);
  gboolean bootstrap_reserved = g_str_equal(scope_name, "wan") && g_str_equal(proto, "tcp");
  AtxCfgPath list_path = atx_cfg_at_key(scope_path, proto);
  for (guint i = 0; i < length; i++) {
    const AtxTomlValue *item = atx_toml_array_get(list, i);
    if (atx_toml_value_type(item) != ATX_TOML_INTEGER)
      continue;
    gint64 port = atx_toml_value_integer(item);
    if (port < 1 || port > 65535)
      continue; /* the schema reported the range */
    AtxCfgPath at = atx_cfg_at_index(&list_path, i);
    if (bootstrap_reserved && port == ATX_BOOTSTRAP_PORT)
      atx_cfg_error_at(build, "firewall.reserved_bootstrap_port", &at,
                       "network.firewall.inbound.wan.tcp must not include reserved bootstrap port %d",
                       ATX_BOOTSTRAP_PORT);
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
load_scope(AtxConfigBuild *build, const AtxTomlValue *scope_value, const char *scope_name)
{
  const AtxTomlValue *scope = atx_cfg_as(scope_value, ATX_TOML_TABLE);
  if (!scope)
    return NULL;
  enum { TCP, UDP };
  static const AtxCfgField names[] = { ATX_CFG_FIELD("tcp"), ATX_CFG_FIELD("udp") };
  const AtxTomlValue *lists[G_N_ELEMENTS(names)];
  atx_cfg_fields(scope, names, G_N_ELEMENTS(names), lists);
  AtxCfgPath inbound_path = atx_cfg_at("/network/firewall/inbound");
  AtxCfgPath path = atx_cfg_at_key(&inbound_path, scope_name);
  GArray *tcp = load_ports(build, lists[TCP], scope_name, "tcp", &path);
  GArray *udp = load_ports(build, lists[UDP], scope_name, "udp", &path);
  /* An empty scope opens nothing and, for LAN, must not switch to an allowlist. */
  if (tcp->len == 0 && udp->len == 0) {
    g_array_unref(tcp);
    g_array_unref(udp);
    return NULL;
  }
  AtxFirewallScope *result = atx_cfg_new0(build, AtxFirewallScope);
  result->tcp = tcp;
  result->udp = udp;
  return result;
}

void
atx_config_check_firewall(AtxConfigBuild *build)
{
  const AtxTomlValue *inbound = atx_cfg_get(build->network.firewall, "inbound", ATX_TOML_TABLE);
  enum { WAN, LAN };
  static const AtxCfgField names[] = { ATX_CFG_FIELD("wan"), ATX_CFG_FIELD("lan") };
  const AtxTomlValue *scopes[G_N_ELEMENTS(names)];
  atx_cfg_fields(inbound, names, G_N_ELEMENTS(names), scopes);
  build->config->firewall.wan = load_scope(build, scopes[WAN], "wan");
  build->config->firewall.lan = load_scope(build, scopes[LAN], "lan");
}
