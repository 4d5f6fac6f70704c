#include "core/platform/firewall_ruleset.h"

#include <jansson.h>
#include <string.h>

#include "core/base/defaults.h"
#include "core/base/error.h"

const guint atx_firewall_lan_platform_tcp[] = { 22, 53, ATX_BOOTSTRAP_PORT, 0 };
const guint atx_firewall_lan_platform_udp[] = { 53, 67, 68, 123, 0 };

typedef struct {
  GArray *tcp; /* guint, sorted, unique */
  GArray *udp;
} Scope;

gboolean
atx_firewall_interface_name_ok(const char *name)
{
  gsize len = name ? strlen(name) : 0;
  if (len == 0 || len > 15)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum(*p) && !strchr("_.:-", *p))
      return FALSE;
  return TRUE;
}

static int
compare_ports(gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return (x > y) - (x < y);
}

static void
add_port(GArray *ports, guint port)
{
  for (guint i = 0; i < ports->len; i++)
    if (g_array_index(ports, guint, i) == port)
      return;
  g_array_append_val(ports, port);
  g_array_sort(ports, compare_ports);
}

static gboolean
parse_ports(json_t *list, const char *where, GArray *ports, GError **error)
{
  if (!list)
    return TRUE;
  if (!json_is_array(list)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "expected array at firewall-inbound.%s", where);
    return FALSE;
  }
  for (gsize i = 0; i < json_array_size(list); i++) {
    json_t *item = json_array_get(list, i);
    json_int_t port = json_is_integer(item) ? json_integer_value(item) : 0;
    if (port < 1 || port > 65535) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                  "expected port integer in range 1..65535 at firewall-inbound.%s[%zu]", where, i);
      return FALSE;
    }
    add_port(ports, (guint) port);
  }
  return TRUE;
}

static gboolean
parse_scope(json_t *root, const char *name, Scope *scope, gboolean *present, GError **error)
{
  json_t *object = json_object_get(root, name);
  *present = object != NULL;
  if (!object)
    return TRUE;
  if (!json_is_object(object)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "expected object at firewall-inbound.%s", name);
    return FALSE;
  }
  const char *key;
  json_t *value;
  json_object_foreach (object, key, value) {
    if (!g_str_equal(key, "tcp") && !g_str_equal(key, "udp")) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "unsupported key at firewall-inbound.%s: '%s'", name, key);
      return FALSE;
    }
  }
  g_autofree char *tcp_where = g_strconcat(name, ".tcp", NULL);
  g_autofree char *udp_where = g_strconcat(name, ".udp", NULL);
  return parse_ports(json_object_get(object, "tcp"), tcp_where, scope->tcp, error) &&
         parse_ports(json_object_get(object, "udp"), udp_where, scope->udp, error);
}

static gboolean
parse_inbound(const char *text, gsize len, Scope *wan, Scope *lan, GError **error)
{
  json_error_t json_error;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &json_error);
  if (!root) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid JSON: %s (line %d)", json_error.text,
                json_error.line);
    return FALSE;
  }
  gboolean ok = json_is_object(root);
  if (!ok)
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "firewall-inbound must contain a JSON object");
  const char *key;
  json_t *value;
  if (ok) {
    json_object_foreach (root, key, value) {
      if (!g_str_equal(key, "wan") && !g_str_equal(key, "lan")) {
        g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "unsupported key at firewall-inbound: '%s'", key);
        ok = FALSE;
        break;
      }
    }
  }
  gboolean present;
  ok = ok && parse_scope(root, "wan", wan, &present, error) && parse_scope(root, "lan", lan, &present, error);
  json_decref(root);
  return ok;
}

static void
append_port_rule(GString *out, const char *interface, const char *proto, const GArray *ports, const char *comment)
{
  if (ports->len == 0)
    return;
  g_string_append_printf(out, "    iifname \"%s\" %s dport ", interface, proto);
  if (ports->len > 1)
    g_string_append(out, "{ ");
  for (guint i = 0; i < ports->len; i++)
    g_string_append_printf(out, "%s%u", i ? ", " : "", g_array_index(ports, guint, i));
  if (ports->len > 1)
    g_string_append(out, " }");
  g_string_append_printf(out, " accept comment \"%s\"\n", comment);
}

/* ICMP errors keep path-MTU discovery and traceroute-style diagnostics working
 * on every interface (fragmentation-needed is a destination-unreachable code;
 * packet-too-big its IPv6 twin); IPv6 neighbour discovery, only from on-link
 * senders (hop limit 255), keeps IPv6 reachable at all. Echo requests are
 * answered on the LAN only: the gateway stays pingable for its clients while
 * WAN gives nothing away. */
static void
append_icmp(GString *out, const char *lan)
{
  g_string_append(out, "    icmp type { destination-unreachable, time-exceeded, parameter-problem } accept "
                       "comment \"ICMP errors (PMTU)\"\n"
                       "    icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, "
                       "parameter-problem } accept comment \"ICMPv6 errors (PMTU)\"\n"
                       "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept "
                       "comment \"IPv6 neighbour discovery\"\n");
  g_string_append_printf(out, "    iifname \"%s\" icmp type echo-request accept comment \"LAN ping\"\n", lan);
  g_string_append_printf(out, "    iifname \"%s\" icmpv6 type echo-request accept comment \"LAN ping\"\n", lan);
}

static void
append_lan(GString *out, const char *lan, Scope *scope)
{
  if (scope->tcp->len == 0 && scope->udp->len == 0) {
    g_string_append_printf(out, "    iifname \"%s\" accept comment \"LAN default open\"\n", lan);
    return;
  }
  for (const guint *p = atx_firewall_lan_platform_tcp; *p; p++)
    add_port(scope->tcp, *p);
  for (const guint *p = atx_firewall_lan_platform_udp; *p; p++)
    add_port(scope->udp, *p);
  append_port_rule(out, lan, "tcp", scope->tcp, "LAN allowlist");
  append_port_rule(out, lan, "udp", scope->udp, "LAN allowlist");
}

static void
build(GString *out, const AtxFirewallInputs *in, Scope *wan, Scope *lan)
{
  g_string_append(out, "table inet " ATX_FIREWALL_TABLE "\n"
                       "delete table inet " ATX_FIREWALL_TABLE "\n"
                       "table inet " ATX_FIREWALL_TABLE " {\n"
                       "  chain input {\n"
                       "    type filter hook input priority filter; policy drop;\n"
                       "    iifname \"lo\" accept\n"
                       "    ct state established,related accept\n"
                       "    ct state invalid drop\n");
  append_icmp(out, in->lan_interface);
  append_lan(out, in->lan_interface, lan);
  append_port_rule(out, in->wan_interface, "tcp", wan->tcp, "WAN provisioned");
  append_port_rule(out, in->wan_interface, "udp", wan->udp, "WAN provisioned");
  if (!in->provisioned)
    g_string_append_printf(out,
                           "    iifname \"%s\" tcp dport %u accept comment \"bootstrap API until provisioned\"\n",
                           in->wan_interface, ATX_BOOTSTRAP_PORT);
  if (in->ssh_wan)
    g_string_append_printf(out,
                           "    iifname \"%s\" tcp dport 22 accept comment \"SSH on WAN (ssh-wan-enabled)\"\n",
                           in->wan_interface);
  g_string_append_printf(out, "    iifname \"%s\" tcp dport 22 accept comment \"SSH over VPN\"\n",
                         in->vpn_interface);
  g_string_append(out, "  }\n"
                       "  chain forward {\n"
                       "    type filter hook forward priority filter; policy drop;\n"
                       "  }\n"
                       "  chain output {\n"
                       "    type filter hook output priority filter; policy accept;\n"
                       "  }\n"
                       "}\n");
}

static gboolean
check_interfaces(const AtxFirewallInputs *in, GError **error)
{
  const char *names[] = { in->wan_interface, in->lan_interface, in->vpn_interface };
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    if (!atx_firewall_interface_name_ok(names[i])) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid interface name: '%s'", names[i] ? names[i] : "");
      return FALSE;
    }
  }
  if (g_str_equal(in->wan_interface, in->lan_interface)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "WAN and LAN interface are both '%s'", in->wan_interface);
    return FALSE;
  }
  return TRUE;
}

char *
atx_firewall_ruleset(const AtxFirewallInputs *inputs, const char *inbound_json, gsize len, GError **error)
{
  if (!check_interfaces(inputs, error))
    return NULL;
  Scope wan = { g_array_new(FALSE, FALSE, sizeof(guint)), g_array_new(FALSE, FALSE, sizeof(guint)) };
  Scope lan = { g_array_new(FALSE, FALSE, sizeof(guint)), g_array_new(FALSE, FALSE, sizeof(guint)) };
  char *result = NULL;
  if (!inbound_json || parse_inbound(inbound_json, len, &wan, &lan, error)) {
    GString *out = g_string_new(NULL);
    build(out, inputs, &wan, &lan);
    result = g_string_free(out, FALSE);
  }
  g_array_unref(wan.tcp);
  g_array_unref(wan.udp);
  g_array_unref(lan.tcp);
  g_array_unref(lan.udp);
  return result;
}
