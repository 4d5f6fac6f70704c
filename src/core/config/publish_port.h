/* Podman's PublishPort grammar, parsed strictly:
 *   [[ip:][hostPort]:]containerPort[/protocol]
 * where ports may be ranges "a-b", ip is IPv4, a bracketed IPv6 literal or
 * "localhost", and protocol is tcp, udp or sctp. Anything else is refused rather
 * than passed through to Podman. */
#pragma once

#include <glib.h>

typedef struct {
  char *bind_ip;        /* as written ("0.0.0.0", "[::1]", "localhost"); NULL when absent */
  gboolean has_host_port;
  guint host_first, host_last;
  guint container_first, container_last;
  char *protocol;       /* "tcp" when not written */
  char *remainder;      /* the text after the bind address: "8080:80/udp" */
} AtxPublishPort;

void atx_publish_port_free(AtxPublishPort *port);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxPublishPort, atx_publish_port_free)

/* Returns NULL and sets *why_out (for a message) when @text is not valid. */
AtxPublishPort *atx_publish_port_parse(const char *text, char **why_out);

/* TRUE when both publish a common host port of the same protocol on addresses
 * that can collide (an unspecified or equal bind address). */
gboolean atx_publish_ports_conflict(const AtxPublishPort *a, const AtxPublishPort *b);

/* The same parse without copies, for checks that only look: the fields point
 * into the parsed text (or at static text) and live as long as it does. */
typedef struct {
  const char *bind_ip;  /* NULL when absent; not NUL-terminated: bind_ip_len bytes */
  gsize bind_ip_len;
  gboolean has_host_port;
  guint host_first, host_last;
  guint container_first, container_last;
  const char *protocol; /* static "tcp", "udp" or "sctp" */
  const char *remainder;
} AtxPublishPortView;

/* As atx_publish_port_parse(): FALSE with *why_out set when @text is not valid. */
gboolean atx_publish_port_view(const char *text, AtxPublishPortView *view, char **why_out);
gboolean atx_publish_port_views_conflict(const AtxPublishPortView *a, const AtxPublishPortView *b);
