/* lan-settings.json: every field lan-gateway-apply needs, defaults filled in and
 * derived values (subnet, netmask) precomputed so consumers never re-derive. */
#include "core/render/render_private.h"

#include "core/base/net.h"

static void
write_address(AtxJsonWriter *writer, AtxJsonKey key, guint32 address)
{
  char text[ATX_IPV4_TEXT_SIZE];
  atx_ipv4_format_into(text, address);
  atx_json_writer_known_string(writer, key, text);
}

static void
write_cidr(AtxJsonWriter *writer, AtxJsonKey key, guint32 address, guint prefix)
{
  char text[ATX_IPV4_CIDR_TEXT_SIZE];
  atx_ipv4_cidr_format_into(text, address, prefix);
  atx_json_writer_known_string(writer, key, text);
}

void
atx_render_lan(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  const AtxLanSettings *lan = &config->lan;
  guint32 network = atx_ipv4_network(lan->gateway_ip, lan->prefix);
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  write_cidr(writer, ATX_JSON_KEY("gateway_cidr"), lan->gateway_ip, lan->prefix);
  write_address(writer, ATX_JSON_KEY("gateway_ip"), lan->gateway_ip);
  write_cidr(writer, ATX_JSON_KEY("subnet_cidr"), network, lan->prefix);
  write_address(writer, ATX_JSON_KEY("netmask"), atx_ipv4_netmask(lan->prefix));
  write_address(writer, ATX_JSON_KEY("dhcp_start"), lan->dhcp_start);
  write_address(writer, ATX_JSON_KEY("dhcp_end"), lan->dhcp_end);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("domain"), lan->domain);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("hostname_pattern"), lan->hostname_pattern);
  atx_json_writer_known_string_array(writer, ATX_JSON_KEY("gateway_aliases"), lan->gateway_aliases);
  atx_json_writer_known_string_array(writer, ATX_JSON_KEY("ntp_servers"), lan->ntp_servers);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "lan-settings.json");
}
