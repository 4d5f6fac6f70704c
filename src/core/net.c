#include "core/net.h"

#include <arpa/inet.h>
#include <string.h>

gboolean
atx_ipv4_parse(const char *text, guint32 *addr_out)
{
  guint32 addr = 0;
  const char *p = text;
  for (int octet = 0; octet < 4; octet++) {
    if (!g_ascii_isdigit(*p))
      return FALSE;
    /* Leading zeros are refused: some parsers read them as octal. */
    if (*p == '0' && g_ascii_isdigit(p[1]))
      return FALSE;
    guint value = 0;
    int digits = 0;
    while (g_ascii_isdigit(*p) && digits < 4) {
      value = value * 10 + (guint) (*p - '0');
      p++;
      digits++;
    }
    if (value > 255 || digits > 3)
      return FALSE;
    addr = (addr << 8) | value;
    if (octet < 3 && *p++ != '.')
      return FALSE;
  }
  if (*p != '\0')
    return FALSE;
  *addr_out = addr;
  return TRUE;
}

char *
atx_ipv4_format(guint32 addr)
{
  return g_strdup_printf("%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
                         addr & 0xff);
}

guint32
atx_ipv4_netmask(guint prefix)
{
  return prefix == 0 ? 0 : (guint32) (0xffffffffu << (32 - prefix));
}

gboolean
atx_ipv4_networks_overlap(guint32 a, guint a_prefix, guint32 b, guint b_prefix)
{
  guint shorter = MIN(a_prefix, b_prefix);
  return atx_ipv4_network(a, shorter) == atx_ipv4_network(b, shorter);
}

gboolean
atx_ipv4_cidr_parse(const char *text, guint32 *addr_out, guint *prefix_out)
{
  g_autofree char *copy = g_strstrip(g_strdup(text));
  char *slash = strchr(copy, '/');
  if (!slash)
    return FALSE;
  *slash = '\0';
  const char *prefix_text = slash + 1;
  if (!g_ascii_isdigit(prefix_text[0]) || strlen(prefix_text) > 2 ||
      (prefix_text[0] == '0' && prefix_text[1] != '\0'))
    return FALSE;
  for (const char *p = prefix_text; *p; p++)
    if (!g_ascii_isdigit(*p))
      return FALSE;
  guint prefix = (guint) atoi(prefix_text);
  guint32 addr;
  if (prefix > 32 || !atx_ipv4_parse(copy, &addr))
    return FALSE;
  *addr_out = addr;
  *prefix_out = prefix;
  return TRUE;
}

gboolean
atx_ipv6_literal_parse(const char *text)
{
  struct in6_addr addr;
  return strchr(text, ':') && inet_pton(AF_INET6, text, &addr) == 1;
}

gboolean
atx_ip_literal_parse(const char *text, char **canonical_out)
{
  guint32 v4;
  if (atx_ipv4_parse(text, &v4)) {
    *canonical_out = atx_ipv4_format(v4);
    return TRUE;
  }
  struct in6_addr v6;
  if (!strchr(text, ':') || inet_pton(AF_INET6, text, &v6) != 1)
    return FALSE;
  char buffer[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, &v6, buffer, sizeof buffer))
    return FALSE;
  *canonical_out = g_strdup(buffer);
  return TRUE;
}

static gboolean
dns_label_valid(const char *label, gsize len)
{
  if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum(label[i]) && label[i] != '-')
      return FALSE;
  return TRUE;
}

gboolean
atx_dns_name_normalize(const char *text, char **normalized_out, char **why_out)
{
  g_autofree char *name = g_ascii_strdown(text, -1);
  g_strstrip(name);
  gsize len = strlen(name);
  if (len > 0 && name[len - 1] == '.')
    name[--len] = '\0';
  if (len > 253) {
    *why_out = g_strdup("name is longer than 253 characters");
    return FALSE;
  }
  const char *label = name;
  for (;;) {
    const char *dot = strchr(label, '.');
    gsize label_len = dot ? (gsize) (dot - label) : strlen(label);
    if (!dns_label_valid(label, label_len)) {
      *why_out = g_strdup_printf("'%s'", text);
      return FALSE;
    }
    if (!dot)
      break;
    label = dot + 1;
  }
  *normalized_out = g_steal_pointer(&name);
  return TRUE;
}

gboolean
atx_text_has_control(const char *text)
{
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

gboolean
atx_text_has_space_or_control(const char *text)
{
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    if (*p <= 0x20 || *p == 0x7f)
      return TRUE;
  /* Unicode whitespace (NBSP, ideographic space, ...) is just as confusing. */
  for (const char *p = text; *p; p = g_utf8_next_char(p))
    if (g_unichar_isspace(g_utf8_get_char_validated(p, -1)))
      return TRUE;
  return FALSE;
}

static AtxUrlProblem
check_url_host(const char *host)
{
  if (host[0] == '[') {
    gsize len = strlen(host);
    if (len < 3 || host[len - 1] != ']')
      return ATX_URL_BAD_HOST;
    g_autofree char *inner = g_strndup(host + 1, len - 2);
    return atx_ipv6_literal_parse(inner) ? ATX_URL_OK : ATX_URL_BAD_HOST;
  }
  guint32 v4;
  if (atx_ipv4_parse(host, &v4))
    return ATX_URL_OK;
  g_autofree char *normalized = NULL, *why = NULL;
  return atx_dns_name_normalize(host, &normalized, &why) ? ATX_URL_OK : ATX_URL_BAD_HOST;
}

/* Splits "host[:port]" (host may be a bracketed IPv6 literal). */
static AtxUrlProblem
split_host_port(const char *authority, char **host_out)
{
  const char *port = NULL;
  if (authority[0] == '[') {
    const char *close = strchr(authority, ']');
    if (!close)
      return ATX_URL_BAD_HOST;
    if (close[1] == ':')
      port = close + 2;
    else if (close[1] != '\0')
      return ATX_URL_BAD_HOST;
    *host_out = g_strndup(authority, (gsize) (close - authority + 1));
  } else {
    const char *colon = strrchr(authority, ':');
    if (colon)
      port = colon + 1;
    *host_out = colon ? g_strndup(authority, (gsize) (colon - authority)) : g_strdup(authority);
  }
  if (port) {
    if (*port == '\0' || strlen(port) > 5)
      return ATX_URL_BAD_PORT;
    for (const char *p = port; *p; p++)
      if (!g_ascii_isdigit(*p))
        return ATX_URL_BAD_PORT;
    if (atoi(port) > 65535)
      return ATX_URL_BAD_PORT;
  }
  return ATX_URL_OK;
}

AtxUrlProblem
atx_https_url_check(const char *text, char **normalized_out)
{
  if (*text == '\0' || atx_text_has_space_or_control(text))
    return ATX_URL_WHITESPACE;
  if (g_ascii_strncasecmp(text, "https://", 8) != 0)
    return ATX_URL_NOT_HTTPS;
  if (strpbrk(text, "?#"))
    return ATX_URL_QUERY;
  const char *authority = text + 8;
  gsize authority_len = strcspn(authority, "/");
  g_autofree char *auth = g_strndup(authority, authority_len);
  if (strchr(auth, '@'))
    return ATX_URL_CREDENTIALS;
  if (*auth == '\0')
    return ATX_URL_NOT_HTTPS;
  g_autofree char *host = NULL;
  AtxUrlProblem problem = split_host_port(auth, &host);
  if (problem != ATX_URL_OK)
    return problem;
  if (*host == '\0')
    return ATX_URL_NOT_HTTPS;
  problem = check_url_host(host);
  if (problem != ATX_URL_OK)
    return problem;
  g_autofree char *normalized = g_strdup(text);
  gsize len = strlen(normalized);
  while (len > 8 + authority_len && normalized[len - 1] == '/')
    normalized[--len] = '\0';
  *normalized_out = g_steal_pointer(&normalized);
  return ATX_URL_OK;
}
