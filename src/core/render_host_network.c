/* host-network.json: WAN and extra-port addressing for lan-gateway-apply to turn
 * into systemd-networkd files. */
#include "core/render.h"

static json_t *
render_interface(const AtxInterface *iface)
{
  json_t *object = json_object();
  json_object_set_new(object, "mode", json_string(iface->is_static ? "static" : "dhcp"));
  if (iface->address)
    json_object_set_new(object, "address", json_string(iface->address));
  if (iface->gateway)
    json_object_set_new(object, "gateway", json_string(iface->gateway));
  if (iface->dns_servers)
    json_object_set_new(object, "dns_servers", atx_json_string_array(iface->dns_servers));
  if (iface->dns_search_domains)
    json_object_set_new(object, "dns_search_domains", atx_json_string_array(iface->dns_search_domains));
  return object;
}

void
atx_render_host_network(const AtxConfig *config, GPtrArray *out)
{
  const AtxHostNetwork *host = &config->host;
  json_t *root = json_object();
  json_object_set_new(root, "dns_servers", atx_json_string_array(host->dns_servers));
  json_object_set_new(root, "dns_search_domains", atx_json_string_array(host->dns_search_domains));
  json_t *interfaces = json_object();
  for (guint i = 0; i < host->interfaces->len; i++) {
    const AtxInterface *iface = g_ptr_array_index(host->interfaces, i);
    json_object_set_new(interfaces, iface->name, render_interface(iface));
  }
  json_object_set_new(root, "interfaces", interfaces);
  if (host->default_gateway)
    json_object_set_new(root, "default_gateway", json_string(host->default_gateway));
  g_ptr_array_add(out, atx_rendered_json_new("host-network.json", root));
}
