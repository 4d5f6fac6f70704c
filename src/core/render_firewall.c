/* firewall-inbound.json: the ports provisioned on top of the image's
 * deny-by-default WAN and default-open LAN. */
#include "core/render.h"

static void
write_ports(AtxJsonWriter *writer, const char *proto, const GArray *ports)
{
  if (ports->len == 0)
    return;
  atx_json_writer_key(writer, proto);
  atx_json_writer_begin_array(writer);
  for (guint i = 0; i < ports->len; i++)
    atx_json_writer_integer(writer, g_array_index(ports, guint, i));
  atx_json_writer_end_array(writer);
}

static void
write_scope(AtxJsonWriter *writer, const char *name, const AtxFirewallScope *scope)
{
  if (!scope)
    return;
  atx_json_writer_key(writer, name);
  atx_json_writer_begin_object(writer);
  write_ports(writer, "tcp", scope->tcp);
  write_ports(writer, "udp", scope->udp);
  atx_json_writer_end_object(writer);
}

void
atx_render_firewall(const AtxConfig *config, AtxRenderOut *out)
{
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  write_scope(writer, "wan", config->firewall.wan);
  write_scope(writer, "lan", config->firewall.lan);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "firewall-inbound.json");
}
