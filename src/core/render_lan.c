/* lan-settings.json: every field lan-gateway-apply needs, defaults filled in and
 * derived values (subnet, netmask) precomputed so consumers never re-derive. */
#include "core/render.h"

#include "core/net.h"

static void
set_address(json_t *object, const char *key, guint32 address)
{
  g_autofree char *text = atx_ipv4_format(address);
  json_object_set_new(object, key, json_string(text));
}

void
atx_render_lan(const AtxConfig *config, GPtrArray *out)
{
  const AtxLanSettings *lan = &config->lan;
  g_autofree char *gateway = atx_ipv4_format(lan->gateway_ip);
  g_autofree char *network = atx_ipv4_format(atx_ipv4_network(lan->gateway_ip, lan->prefix));
  g_autofree char *gateway_cidr = g_strdup_printf("%s/%u", gateway, lan->prefix);
  g_autofree char *subnet_cidr = g_strdup_printf("%s/%u", network, lan->prefix);

  json_t *root = json_object();
  json_object_set_new(root, "gateway_cidr", json_string(gateway_cidr));
  json_object_set_new(root, "gateway_ip", json_string(gateway));
  json_object_set_new(root, "subnet_cidr", json_string(subnet_cidr));
  set_address(root, "netmask", atx_ipv4_netmask(lan->prefix));
  set_address(root, "dhcp_start", lan->dhcp_start);
  set_address(root, "dhcp_end", lan->dhcp_end);
  json_object_set_new(root, "domain", json_string(lan->domain));
  json_object_set_new(root, "hostname_pattern", json_string(lan->hostname_pattern));
  json_object_set_new(root, "gateway_aliases", atx_json_string_array(lan->gateway_aliases));
  json_object_set_new(root, "ntp_servers", atx_json_string_array(lan->ntp_servers));
  g_ptr_array_add(out, atx_rendered_json_new("lan-settings.json", root));
}
