/* host-network.json: WAN and extra-port addressing for lan-gateway-apply to turn
 * into systemd-networkd files. */
#include "core/render/render_private.h"

static void
write_interface(AtxJsonWriter *writer, const AtxInterface *iface)
{
  atx_json_writer_key(writer, iface->name);
  atx_json_writer_begin_object(writer);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("mode"), iface->is_static ? "static" : "dhcp");
  atx_json_writer_known_string(writer, ATX_JSON_KEY("address"), iface->address);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("gateway"), iface->gateway);
  if (iface->dns_servers)
    atx_json_writer_known_string_array(writer, ATX_JSON_KEY("dns_servers"), iface->dns_servers);
  if (iface->dns_search_domains)
    atx_json_writer_known_string_array(writer, ATX_JSON_KEY("dns_search_domains"), iface->dns_search_domains);
  atx_json_writer_end_object(writer);
}

void
atx_render_host_network(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  const AtxHostNetwork *host = &config->host;
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  atx_json_writer_known_string_array(writer, ATX_JSON_KEY("dns_servers"), host->dns_servers);
  atx_json_writer_known_string_array(writer, ATX_JSON_KEY("dns_search_domains"), host->dns_search_domains);
  atx_json_writer_known_key(writer, ATX_JSON_KEY("interfaces"));
  atx_json_writer_begin_object(writer);
  for (guint i = 0; i < host->interfaces->len; i++)
    write_interface(writer, g_ptr_array_index(host->interfaces, i));
  atx_json_writer_end_object(writer);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("default_gateway"), host->default_gateway);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "host-network.json");
}
