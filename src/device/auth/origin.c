#include "device/auth/origin.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/net.h"

/* The quark name is stringified: clang-format would put spaces into it. */
/* clang-format off */
G_DEFINE_QUARK(atx-origin-error-quark, atx_origin_error)
/* clang-format on */

typedef struct {
  char *scheme;
  char *host; /* lower case, IPv6 without brackets */
  guint port;
} Origin;

static void
origin_clear(Origin *origin)
{
  g_clear_pointer(&origin->scheme, g_free);
  g_clear_pointer(&origin->host, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Origin, origin_clear)

/* "host", "host:port", "[v6]" or "[v6]:port" (no user info, nothing else). */
static gboolean
parse_authority(const char *text, gsize len, guint default_port, Origin *out)
{
  const char *end = text + len, *host = text, *host_end, *colon = NULL;
  if (len == 0 || memchr(text, '@', len))
    return FALSE;
  if (*text == '[') {
    host = text + 1;
    host_end = memchr(host, ']', (gsize) (end - host));
    if (!host_end || (host_end + 1 < end && host_end[1] != ':'))
      return FALSE;
    colon = host_end + 1 < end ? host_end + 1 : NULL;
  } else {
    colon = memchr(text, ':', len);
    host_end = colon ? colon : end;
  }
  if (host_end == host)
    return FALSE;
  for (const char *c = host; c < host_end; c++)
    if ((guchar) *c <= 0x20 || (guchar) *c >= 0x7f || strchr("/?#\\", *c))
      return FALSE;
  out->port = default_port;
  /* "host:" means the default port, as a URL parser reads it */
  if (colon && colon + 1 < end && !atx_port_parse(colon + 1, (gsize) (end - colon - 1), &out->port))
    return FALSE;
  out->host = g_ascii_strdown(host, host_end - host);
  if (*text == '[' && !g_hostname_is_ip_address(out->host))
    return FALSE;
  return TRUE;
}

static gboolean
host_allowed(const char *host)
{
  return g_str_equal(host, "localhost") || g_str_equal(host, "gateway") || g_str_equal(host, "atomixos") ||
         (g_str_has_suffix(host, ".local") && strlen(host) > strlen(".local")) || g_hostname_is_ip_address(host);
}

/* "http://host[:port][/path...]" or https. */
static gboolean
parse_url(const char *url, Origin *out)
{
  const char *sep = strstr(url, "://");
  if (!sep)
    return FALSE;
  out->scheme = g_ascii_strdown(url, sep - url);
  guint default_port;
  if (g_str_equal(out->scheme, "http"))
    default_port = 80;
  else if (g_str_equal(out->scheme, "https"))
    default_port = 443;
  else
    return FALSE;
  const char *authority = sep + 3;
  return parse_authority(authority, strcspn(authority, "/?#"), default_port, out);
}

static gboolean
same_origin(const char *url, const Origin *host)
{
  g_auto(Origin) origin = { 0 };
  return parse_url(url, &origin) && g_str_equal(origin.scheme, "http") && g_str_equal(origin.host, host->host) &&
         origin.port == host->port;
}

gboolean
atx_browser_origin_check(const char *host_header, const char *origin, const char *referer, GError **error)
{
  g_auto(Origin) host = { 0 };
  if (!host_header || !parse_authority(host_header, strlen(host_header), 80, &host) || !host_allowed(host.host)) {
    g_set_error_literal(error, ATX_ORIGIN_ERROR, ATX_ORIGIN_ERROR_HOST, "bootstrap host is not allowed");
    return FALSE;
  }
  if (origin && *origin && !same_origin(origin, &host)) {
    g_set_error_literal(error, ATX_ORIGIN_ERROR, ATX_ORIGIN_ERROR_ORIGIN, "bootstrap origin is not allowed");
    return FALSE;
  }
  if (referer && *referer && !same_origin(referer, &host)) {
    g_set_error_literal(error, ATX_ORIGIN_ERROR, ATX_ORIGIN_ERROR_REFERER, "bootstrap referer is not allowed");
    return FALSE;
  }
  return TRUE;
}
