#include "core/config/publish_port.h"

#include <string.h>

#include "core/base/net.h"

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
  return atx_port_parse(text, len, out) && *out >= 1;
}

/* "80" or "8000-8010" in [@text, @end). */
static gboolean
parse_port_range(const char *text, const char *end, guint *first, guint *last)
{
  const char *dash = memchr(text, '-', (gsize) (end - text));
  if (!dash)
    return parse_port_number(text, (gsize) (end - text), first) && (*last = *first, TRUE);
  return parse_port_number(text, (gsize) (dash - text), first) &&
         parse_port_number(dash + 1, (gsize) (end - dash - 1), last) && *first <= *last;
}

static gboolean
span_equal(const char *span, gsize len, const char *text)
{
  return strncmp(span, text, len) == 0 && text[len] == '\0';
}

static gboolean
bind_ip_valid(const char *ip, gsize len)
{
  guint32 v4;
  if (span_equal(ip, len, "localhost") || atx_ipv4_parse_len(ip, len, &v4))
    return TRUE;
  if (len < 3 || ip[0] != '[' || ip[len - 1] != ']')
    return FALSE;
  return atx_ipv6_literal_parse_len(ip + 1, len - 2);
}

/* Splits off "ip:" (bracketed IPv6 allowed); returns the rest, NULL when the
 * brackets are malformed. */
static const char *
split_bind_ip(const char *text, AtxPublishPortView *view)
{
  if (text[0] == '[') {
    const char *close = strchr(text, ']');
    if (!close || close[1] != ':')
      return NULL;
    view->bind_ip = text;
    view->bind_ip_len = (gsize) (close - text + 1);
    return close + 2;
  }
  /* Only the three-part form carries an address: "ip:host:container". */
  const char *first = strchr(text, ':');
  if (!first || !strchr(first + 1, ':'))
    return text;
  view->bind_ip = text;
  view->bind_ip_len = (gsize) (first - text);
  return first + 1;
}

static const char *
known_protocol(const char *text)
{
  static const char *const protocols[] = { "tcp", "udp", "sctp" };
  for (guint i = 0; i < G_N_ELEMENTS(protocols); i++)
    if (g_str_equal(text, protocols[i]))
      return protocols[i];
  return NULL;
}

static gboolean
parse_ports(AtxPublishPortView *view, const char *rest, char **why_out)
{
  const char *slash = strchr(rest, '/');
  const char *ports_end = slash ? slash : rest + strlen(rest);
  view->protocol = known_protocol(slash ? slash + 1 : "tcp");
  if (!view->protocol) {
    *why_out = g_strdup_printf("unknown protocol '%s' (tcp, udp or sctp)", slash + 1);
    return FALSE;
  }
  const char *colon = memchr(rest, ':', (gsize) (ports_end - rest));
  const char *container = colon ? colon + 1 : rest;
  if (colon) {
    view->has_host_port = colon != rest;
    if (view->has_host_port && !parse_port_range(rest, colon, &view->host_first, &view->host_last)) {
      *why_out = g_strdup_printf("invalid host port '%.*s'", (int) (colon - rest), rest);
      return FALSE;
    }
  }
  if (!parse_port_range(container, ports_end, &view->container_first, &view->container_last)) {
    *why_out = g_strdup_printf("invalid container port '%.*s'", (int) (ports_end - container), container);
    return FALSE;
  }
  if (view->has_host_port &&
      view->host_last - view->host_first != view->container_last - view->container_first) {
    *why_out = g_strdup("host and container port ranges differ in length");
    return FALSE;
  }
  return TRUE;
}

gboolean
atx_publish_port_view(const char *text, AtxPublishPortView *view, char **why_out)
{
  *view = (AtxPublishPortView) { NULL };
  const char *rest = split_bind_ip(text, view);
  if (!rest) {
    *why_out = g_strdup("unterminated or misplaced '[' in the bind address");
    return FALSE;
  }
  if (view->bind_ip && !bind_ip_valid(view->bind_ip, view->bind_ip_len)) {
    *why_out = g_strdup_printf("invalid bind address '%.*s'", (int) view->bind_ip_len, view->bind_ip);
    return FALSE;
  }
  if (view->bind_ip && !strchr(rest, ':')) {
    /* "[::1]:8080" names an address and one port: which one is ambiguous. */
    *why_out = g_strdup("a bind address must be followed by hostPort:containerPort");
    return FALSE;
  }
  if (!parse_ports(view, rest, why_out))
    return FALSE;
  view->remainder = rest;
  return TRUE;
}

AtxPublishPort *
atx_publish_port_parse(const char *text, char **why_out)
{
  AtxPublishPortView view;
  if (!atx_publish_port_view(text, &view, why_out))
    return NULL;
  AtxPublishPort *port = g_new0(AtxPublishPort, 1);
  port->bind_ip = view.bind_ip ? g_strndup(view.bind_ip, view.bind_ip_len) : NULL;
  port->has_host_port = view.has_host_port;
  port->host_first = view.host_first;
  port->host_last = view.host_last;
  port->container_first = view.container_first;
  port->container_last = view.container_last;
  port->protocol = g_strdup(view.protocol);
  port->remainder = g_strdup(view.remainder);
  return port;
}

static gboolean
bind_is_wildcard(const char *ip, gsize len)
{
  return !ip || span_equal(ip, len, "0.0.0.0") || span_equal(ip, len, "[::]");
}

static gboolean
ports_conflict(gboolean a_has_host, guint a_first, guint a_last, gboolean b_has_host, guint b_first, guint b_last)
{
  return a_has_host && b_has_host && a_last >= b_first && b_last >= a_first;
}

gboolean
atx_publish_port_views_conflict(const AtxPublishPortView *a, const AtxPublishPortView *b)
{
  if (!ports_conflict(a->has_host_port, a->host_first, a->host_last, b->has_host_port, b->host_first,
                      b->host_last) ||
      !g_str_equal(a->protocol, b->protocol))
    return FALSE;
  return bind_is_wildcard(a->bind_ip, a->bind_ip_len) || bind_is_wildcard(b->bind_ip, b->bind_ip_len) ||
         (a->bind_ip_len == b->bind_ip_len && memcmp(a->bind_ip, b->bind_ip, a->bind_ip_len) == 0);
}

gboolean
atx_publish_ports_conflict(const AtxPublishPort *a, const AtxPublishPort *b)
{
  if (!ports_conflict(a->has_host_port, a->host_first, a->host_last, b->has_host_port, b->host_first,
                      b->host_last) ||
      !g_str_equal(a->protocol, b->protocol))
    return FALSE;
  return bind_is_wildcard(a->bind_ip, a->bind_ip ? strlen(a->bind_ip) : 0) ||
         bind_is_wildcard(b->bind_ip, b->bind_ip ? strlen(b->bind_ip) : 0) || g_str_equal(a->bind_ip, b->bind_ip);
}
