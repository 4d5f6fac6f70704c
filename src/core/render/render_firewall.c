/* firewall-inbound.json: the ports provisioned on top of the image's
 * deny-by-default WAN and default-open LAN. */
#include "core/render/render_private.h"

static void
write_ports(AtxJsonWriter *writer, AtxJsonKey proto, const GArray *ports)
{
  if (ports->len == 0)
    return;
  atx_json_writer_known_key(writer, proto);
  atx_json_writer_begin_array(writer);
  for (guint i = 0; i < ports->len; i++)
    atx_json_writer_integer(writer, g_array_index(ports, guint, i));
  atx_json_writer_end_array(writer);
}

static void
write_scope(AtxJsonWriter *writer, AtxJsonKey name, const AtxFirewallScope *scope)
{
  if (!scope)
    return;
  atx_json_writer_known_key(writer, name);
  atx_json_writer_begin_object(writer);
  write_ports(writer, ATX_JSON_KEY("tcp"), scope->tcp);
  write_ports(writer, ATX_JSON_KEY("udp"), scope->udp);
  atx_json_writer_end_object(writer);
}

void
atx_render_firewall(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  write_scope(writer, ATX_JSON_KEY("wan"), config->firewall.wan);
  write_scope(writer, ATX_JSON_KEY("lan"), config->firewall.lan);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "firewall-inbound.json");
}
