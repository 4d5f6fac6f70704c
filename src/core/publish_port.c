#include "core/publish_port.h"

#include <string.h>

#include "core/net.h"

void
atx_publish_port_free(AtxPublishPort *port)
{
  if (!port)
    return;
  g_free(port->bind_ip);
  g_free(port->protocol);
  g_free(port->remainder);
  g_free(port);
}

static gboolean
parse_port_number(const char *text, gsize len, guint *out)
{
  if (len == 0 || len > 5)
    return FALSE;
  guint value = 0;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit(text[i]))
      return FALSE;
    value = value * 10 + (guint) (text[i] - '0');
  }
  if (value < 1 || value > 65535)
    return FALSE;
  *out = value;
  return TRUE;
}

/* "80" or "8000-8010". */
static gboolean
parse_port_range(const char *text, guint *first, guint *last)
{
  const char *dash = strchr(text, '-');
  if (!dash)
    return parse_port_number(text, strlen(text), first) && (*last = *first, TRUE);
  return parse_port_number(text, (gsize) (dash - text), first) &&
         parse_port_number(dash + 1, strlen(dash + 1), last) && *first <= *last;
}

static gboolean
bind_ip_valid(const char *ip)
{
  guint32 v4;
  if (g_str_equal(ip, "localhost") || atx_ipv4_parse(ip, &v4))
    return TRUE;
  gsize len = strlen(ip);
  if (len < 3 || ip[0] != '[' || ip[len - 1] != ']')
    return FALSE;
  g_autofree char *inner = g_strndup(ip + 1, len - 2);
  return atx_ipv6_literal_parse(inner);
}

/* Splits off "ip:" (bracketed IPv6 allowed); returns the rest. */
static const char *
split_bind_ip(const char *text, char **ip_out, gboolean *malformed)
{
  if (text[0] == '[') {
    const char *close = strchr(text, ']');
    if (!close || close[1] != ':') {
      *malformed = TRUE;
      return text;
    }
    *ip_out = g_strndup(text, (gsize) (close - text + 1));
    return close + 2;
  }
  /* Only the three-part form carries an address: "ip:host:container". */
  const char *first = strchr(text, ':');
  if (!first || !strchr(first + 1, ':'))
    return text;
  *ip_out = g_strndup(text, (gsize) (first - text));
  return first + 1;
}

static gboolean
parse_ports(AtxPublishPort *port, const char *rest, char **why_out)
{
  g_autofree char *copy = g_strdup(rest);
  char *slash = strchr(copy, '/');
  port->protocol = g_strdup(slash ? slash + 1 : "tcp");
  if (slash)
    *slash = '\0';
  if (!g_strv_contains((const char *const[]) { "tcp", "udp", "sctp", NULL }, port->protocol)) {
    *why_out = g_strdup_printf("unknown protocol '%s' (tcp, udp or sctp)", port->protocol);
    return FALSE;
  }
  char *colon = strchr(copy, ':');
  const char *container = colon ? colon + 1 : copy;
  if (colon) {
    *colon = '\0';
    port->has_host_port = *copy != '\0';
    if (port->has_host_port && !parse_port_range(copy, &port->host_first, &port->host_last)) {
      *why_out = g_strdup_printf("invalid host port '%s'", copy);
      return FALSE;
    }
  }
  if (!parse_port_range(container, &port->container_first, &port->container_last)) {
    *why_out = g_strdup_printf("invalid container port '%s'", container);
    return FALSE;
  }
  if (port->has_host_port &&
      port->host_last - port->host_first != port->container_last - port->container_first) {
    *why_out = g_strdup("host and container port ranges differ in length");
    return FALSE;
  }
  return TRUE;
}

AtxPublishPort *
atx_publish_port_parse(const char *text, char **why_out)
{
  g_autoptr(AtxPublishPort) port = g_new0(AtxPublishPort, 1);
  gboolean malformed = FALSE;
  const char *rest = split_bind_ip(text, &port->bind_ip, &malformed);
  if (malformed) {
    *why_out = g_strdup("unterminated or misplaced '[' in the bind address");
    return NULL;
  }
  if (port->bind_ip && !bind_ip_valid(port->bind_ip)) {
    *why_out = g_strdup_printf("invalid bind address '%s'", port->bind_ip);
    return NULL;
  }
  if (port->bind_ip && !strchr(rest, ':')) {
    /* "[::1]:8080" names an address and one port: which one is ambiguous. */
    *why_out = g_strdup("a bind address must be followed by hostPort:containerPort");
    return NULL;
  }
  if (!parse_ports(port, rest, why_out))
    return NULL;
  port->remainder = g_strdup(rest);
  return g_steal_pointer(&port);
}

static gboolean
bind_is_wildcard(const char *ip)
{
  return !ip || g_str_equal(ip, "0.0.0.0") || g_str_equal(ip, "[::]");
}

gboolean
atx_publish_ports_conflict(const AtxPublishPort *a, const AtxPublishPort *b)
{
  if (!a->has_host_port || !b->has_host_port || !g_str_equal(a->protocol, b->protocol))
    return FALSE;
  if (a->host_last < b->host_first || b->host_last < a->host_first)
    return FALSE;
  return bind_is_wildcard(a->bind_ip) || bind_is_wildcard(b->bind_ip) ||
         g_str_equal(a->bind_ip, b->bind_ip);
}
