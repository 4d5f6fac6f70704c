/* firewall-inbound.json: the ports provisioned on top of the image's
 * deny-by-default WAN and default-open LAN. */
#include "core/render.h"

static void
add_ports(json_t *scope, const char *proto, const GArray *ports)
{
  if (ports->len == 0)
    return;
  json_t *array = json_array();
  for (guint i = 0; i < ports->len; i++)
    json_array_append_new(array, json_integer(g_array_index(ports, guint, i)));
  json_object_set_new(scope, proto, array);
}

static void
add_scope(json_t *root, const char *name, const AtxFirewallScope *scope)
{
  if (!scope)
    return;
  json_t *object = json_object();
  add_ports(object, "tcp", scope->tcp);
  add_ports(object, "udp", scope->udp);
  json_object_set_new(root, name, object);
}

void
atx_render_firewall(const AtxConfig *config, GPtrArray *out)
{
  json_t *root = json_object();
  add_scope(root, "wan", config->firewall.wan);
  add_scope(root, "lan", config->firewall.lan);
  g_ptr_array_add(out, atx_rendered_json_new("firewall-inbound.json", root));
}
