#include "core/base/net.h"

#include <arpa/inet.h>
#include <string.h>

/* The octets of [@p, @end): a NUL inside the range is just another byte that
 * is not a digit. */
static gboolean
parse_ipv4_span(const char *p, const char *end, guint32 *addr_out)
{
  guint32 addr = 0;
  for (int octet = 0; octet < 4; octet++) {
    if (p == end || !g_ascii_isdigit(*p))
      return FALSE;
    /* Leading zeros are refused: some parsers read them as octal. */
    if (*p == '0' && p + 1 < end && g_ascii_isdigit(p[1]))
      return FALSE;
    guint value = 0;
    int digits = 0;
    while (p < end && g_ascii_isdigit(*p) && digits < 4) {
      value = value * 10 + (guint) (*p - '0');
      p++;
      digits++;
    }
    if (value > 255 || digits > 3)
      return FALSE;
    addr = (addr << 8) | value;
    if (octet < 3 && (p == end || *p++ != '.'))
      return FALSE;
  }
  if (p != end)
    return FALSE;
  *addr_out = addr;
  return TRUE;
}

gboolean
atx_ipv4_parse_len(const char *text, gsize len, guint32 *addr_out)
{
  return parse_ipv4_span(text, text + len, addr_out);
}

gboolean
atx_ipv4_parse(const char *text, guint32 *addr_out)
{
  return parse_ipv4_span(text, text + strlen(text), addr_out);
}

/* Writes @value in decimal at @p; returns the end. */
static char *
put_decimal(char *p, guint value)
{
  char digits[10];
  guint n = 0;
  do {
    digits[n++] = (char) ('0' + value % 10);
    value /= 10;
  } while (value);
  while (n)
    *p++ = digits[--n];
  return p;
}

/* An octet (0..255) in decimal: the digits are known without a loop. */
static char *
put_octet(char *p, guint value)
{
  if (value >= 100)
    *p++ = (char) ('0' + value / 100);
  if (value >= 10)
    *p++ = (char) ('0' + value / 10 % 10);
  *p++ = (char) ('0' + value % 10);
  return p;
}

static char *
put_ipv4(char *p, guint32 addr)
{
  p = put_octet(p, addr >> 24);
  *p++ = '.';
  p = put_octet(p, (addr >> 16) & 0xff);
  *p++ = '.';
  p = put_octet(p, (addr >> 8) & 0xff);
  *p++ = '.';
  return put_octet(p, addr & 0xff);
}

gsize
atx_ipv4_format_into(char *buffer, guint32 addr)
{
  char *end = put_ipv4(buffer, addr);
  *end = '\0';
  return (gsize) (end - buffer);
}

gsize
atx_ipv4_cidr_format_into(char *buffer, guint32 addr, guint prefix)
{
  char *end = put_ipv4(buffer, addr);
  *end++ = '/';
  end = put_decimal(end, prefix);
  *end = '\0';
  return (gsize) (end - buffer);
}

char *
atx_ipv4_format(guint32 addr)
{
  char text[ATX_IPV4_TEXT_SIZE];
  return g_strndup(text, atx_ipv4_format_into(text, addr));
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

/* [*start, *end) without the whitespace g_strstrip() would remove. */
static void
trim_span(const char **start, const char **end)
{
  while (*start < *end && g_ascii_isspace(**start))
    (*start)++;
  while (*end > *start && g_ascii_isspace((*end)[-1]))
    (*end)--;
}

/* 0..32 in decimal, one or two digits, no leading zero. */
static gboolean
parse_prefix(const char *p, const char *end, guint *prefix_out)
{
  gsize len = (gsize) (end - p);
  if (len == 0 || len > 2 || !g_ascii_isdigit(p[0]) || (len == 2 && (p[0] == '0' || !g_ascii_isdigit(p[1]))))
    return FALSE;
  guint prefix = len == 1 ? (guint) (p[0] - '0') : (guint) (p[0] - '0') * 10 + (guint) (p[1] - '0');
  if (prefix > 32)
    return FALSE;
  *prefix_out = prefix;
  return TRUE;
}

gboolean
atx_ipv4_cidr_parse_len(const char *text, gsize len, guint32 *addr_out, guint *prefix_out)
{
  const char *start = text, *end = text + len;
  trim_span(&start, &end);
  const char *slash = memchr(start, '/', (gsize) (end - start));
  guint32 addr;
  guint prefix;
  if (!slash || !parse_prefix(slash + 1, end, &prefix) || !parse_ipv4_span(start, slash, &addr))
    return FALSE;
  *addr_out = addr;
  *prefix_out = prefix;
  return TRUE;
}

gboolean
atx_ipv4_cidr_parse(const char *text, guint32 *addr_out, guint *prefix_out)
{
  return atx_ipv4_cidr_parse_len(text, strlen(text), addr_out, prefix_out);
}

/* inet_pton() needs a NUL-terminated copy; every IPv6 literal (at most 45
 * characters) fits in one this size on the stack. */
#define IPV6_COPY_SIZE 64

static gboolean
ipv6_pton(const char *text, gsize len, struct in6_addr *addr)
{
  if (!memchr(text, ':', len))
    return FALSE;
  char copy[IPV6_COPY_SIZE];
  if (len >= sizeof copy) {
    g_autofree char *long_copy = g_strndup(text, len);
    return inet_pton(AF_INET6, long_copy, addr) == 1;
  }
  memcpy(copy, text, len);
  copy[len] = '\0';
  return inet_pton(AF_INET6, copy, addr) == 1;
}

gboolean
atx_ipv6_literal_parse_len(const char *text, gsize len)
{
  struct in6_addr addr;
  return ipv6_pton(text, len, &addr);
}

gboolean
atx_ipv6_literal_parse(const char *text)
{
  struct in6_addr addr;
  return strchr(text, ':') && inet_pton(AF_INET6, text, &addr) == 1;
}

static char *
put_hex_word(char *p, guint word)
{
  static const char hex[] = "0123456789abcdef";
  gboolean started = FALSE;
  for (int shift = 12; shift >= 0; shift -= 4) {
    guint digit = (word >> shift) & 0xf;
    if (digit || started || shift == 0) {
      *p++ = hex[digit];
      started = TRUE;
    }
  }
  return p;
}

/* The longest run of zero words (the first of equal ones), when at least two
 * long: what "::" stands for. */
static void
longest_zero_run(const guint words[8], int *base_out, int *len_out)
{
  int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
  for (int i = 0; i <= 8; i++) {
    if (i < 8 && words[i] == 0) {
      if (cur_base == -1)
        cur_base = i, cur_len = 0;
      cur_len++;
    } else if (cur_base != -1) {
      if (cur_len > best_len)
        best_base = cur_base, best_len = cur_len;
      cur_base = -1;
    }
  }
  *base_out = best_len >= 2 ? best_base : -1;
  *len_out = best_len;
}

/* The text glibc's inet_ntop(AF_INET6) gives: lower-case hex words, the
 * longest run of two or more zero words as "::", and ::a.b.c.d or
 * ::ffff:a.b.c.d for an embedded IPv4 address. Written here without its
 * sprintf per word, which cost more than the rest of the checks
 * (tests/unit/test-net.c compares the two). */
static gsize
format_ipv6(const struct in6_addr *addr, char *buffer)
{
  const guint8 *bytes = addr->s6_addr;
  guint words[8];
  for (int i = 0; i < 8; i++)
    words[i] = (guint) bytes[2 * i] << 8 | bytes[2 * i + 1];
  int base, len;
  longest_zero_run(words, &base, &len);
  char *p = buffer;
  for (int i = 0; i < 8; i++) {
    if (base != -1 && i >= base && i < base + len) {
      if (i == base)
        *p++ = ':';
      continue;
    }
    if (i != 0)
      *p++ = ':';
    if (i == 6 && base == 0 && (len == 6 || (len == 5 && words[5] == 0xffff))) {
      guint32 v4 = (guint32) bytes[12] << 24 | (guint32) bytes[13] << 16 | (guint32) bytes[14] << 8 | bytes[15];
      p = put_ipv4(p, v4);
      break;
    }
    p = put_hex_word(p, words[i]);
  }
  if (base != -1 && base + len == 8)
    *p++ = ':';
  *p = '\0';
  return (gsize) (p - buffer);
}

gsize
atx_ip_literal_canonical(const char *text, char *buffer)
{
  gsize len = strlen(text);
  guint32 v4;
  if (parse_ipv4_span(text, text + len, &v4))
    return atx_ipv4_format_into(buffer, v4);
  struct in6_addr v6;
  if (!ipv6_pton(text, len, &v6))
    return 0;
  return format_ipv6(&v6, buffer);
}

gboolean
atx_ip_literal_parse(const char *text, char **canonical_out)
{
  char buffer[ATX_IP_TEXT_SIZE];
  gsize len = atx_ip_literal_canonical(text, buffer);
  if (len == 0)
    return FALSE;
  *canonical_out = g_strndup(buffer, len);
  return TRUE;
}

#define DNS_NAME_MAX 253
#define DNS_LABEL_MAX 63

typedef enum {
  DNS_NAME_OK,
  DNS_NAME_TOO_LONG,
  DNS_NAME_BAD_LABEL,
} DnsNameProblem;

static gboolean
dns_label_valid(const char *label, const char *end)
{
  gsize len = (gsize) (end - label);
  return len > 0 && len <= DNS_LABEL_MAX && label[0] != '-' && end[-1] != '-';
}

/* What a DNS name may hold besides '.': ASCII letters, digits and '-'. */
static const guint8 dns_label_char[256] = {
  ['-'] = 1,
  ['0' ... '9'] = 1,
  ['A' ... 'Z'] = 1,
  ['a' ... 'z'] = 1,
};

/* Case does not matter to the rule, so the name is judged as written, in
 * one pass over its characters. */
static DnsNameProblem
check_dns_name(const char *text, gsize len, const char **start_out, gsize *len_out)
{
  const char *start = text, *end = text + len;
  trim_span(&start, &end);
  if (end > start && end[-1] == '.')
    end--;
  if (end - start > DNS_NAME_MAX)
    return DNS_NAME_TOO_LONG;
  const char *label = start;
  for (const char *p = start; p < end; p++) {
    if (*p == '.') {
      if (!dns_label_valid(label, p))
        return DNS_NAME_BAD_LABEL;
      label = p + 1;
    } else if (!dns_label_char[(guchar) *p]) {
      return DNS_NAME_BAD_LABEL;
    }
  }
  if (!dns_label_valid(label, end))
    return DNS_NAME_BAD_LABEL;
  *start_out = start;
  *len_out = (gsize) (end - start);
  return DNS_NAME_OK;
}

gboolean
atx_dns_name_check(const char *text, gsize len, const char **start_out, gsize *len_out)
{
  return check_dns_name(text, len, start_out, len_out) == DNS_NAME_OK;
}

gboolean
atx_dns_name_normalize(const char *text, char **normalized_out, char **why_out)
{
  const char *start;
  gsize len;
  switch (check_dns_name(text, strlen(text), &start, &len)) {
  case DNS_NAME_OK:
    *normalized_out = g_ascii_strdown(start, (gssize) len);
    return TRUE;
  case DNS_NAME_TOO_LONG:
    *why_out = g_strdup("name is longer than 253 characters");
    return FALSE;
  case DNS_NAME_BAD_LABEL:
    break;
  }
  *why_out = g_strdup_printf("'%s'", text);
  return FALSE;
}

gboolean
atx_text_has_space_or_control(const char *text)
{
  guchar high = 0;
  for (const guchar *p = (const guchar *) text; *p; p++) {
    if (*p <= 0x20 || *p == 0x7f)
      return TRUE;
    high |= *p;
  }
  if (high < 0x80)
    return FALSE; /* ASCII whitespace is below 0x20 or is 0x20 */
  /* Unicode whitespace (NBSP, ideographic space, ...) is just as confusing. */
  for (const char *p = text; *p; p = g_utf8_next_char(p))
    if (g_unichar_isspace(g_utf8_get_char_validated(p, -1)))
      return TRUE;
  return FALSE;
}

/* A host in brackets is an IPv6 literal; otherwise IPv4 or a DNS name. */
static AtxUrlProblem
check_url_host(const char *host, gsize len)
{
  if (host[0] == '[') {
    if (len < 3 || host[len - 1] != ']')
      return ATX_URL_BAD_HOST;
    return atx_ipv6_literal_parse_len(host + 1, len - 2) ? ATX_URL_OK : ATX_URL_BAD_HOST;
  }
  guint32 v4;
  const char *name;
  gsize name_len;
  if (parse_ipv4_span(host, host + len, &v4) || atx_dns_name_check(host, len, &name, &name_len))
    return ATX_URL_OK;
  return ATX_URL_BAD_HOST;
}

/* 0..65535 in at most five decimal digits. */
gboolean
atx_port_parse(const char *text, gsize len, guint *port_out)
{
  if (len == 0 || len > 5)
    return FALSE;
  guint value = 0;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit(text[i]))
      return FALSE;
    value = value * 10 + (guint) (text[i] - '0');
  }
  if (value > 65535)
    return FALSE;
  *port_out = value;
  return TRUE;
}

/* Splits the authority [@auth, @end) into "host[:port]" (host may be a
 * bracketed IPv6 literal) and checks the port; *@host_end_out is where the
 * host ends. */
static AtxUrlProblem
split_host_port(const char *auth, const char *end, const char **host_end_out)
{
  const char *port = NULL;
  if (auth[0] == '[') {
    const char *close = memchr(auth, ']', (gsize) (end - auth));
    if (!close)
      return ATX_URL_BAD_HOST;
    if (close + 1 < end && close[1] == ':')
      port = close + 2;
    else if (close + 1 != end)
      return ATX_URL_BAD_HOST;
    *host_end_out = close + 1;
  } else {
    const char *colon = NULL;
    for (const char *p = auth; p < end; p++)
      if (*p == ':')
        colon = p;
    if (colon)
      port = colon + 1;
    *host_end_out = colon ? colon : end;
  }
  guint number = 0;
  if (port && !atx_port_parse(port, (gsize) (end - port), &number))
    return ATX_URL_BAD_PORT;
  return ATX_URL_OK;
}

AtxUrlProblem
atx_https_url_check_len(const char *text, gsize *normalized_len_out)
{
  if (*text == '\0' || atx_text_has_space_or_control(text))
    return ATX_URL_WHITESPACE;
  if (g_ascii_strncasecmp(text, "https://", 8) != 0)
    return ATX_URL_NOT_HTTPS;
  if (strpbrk(text, "?#"))
    return ATX_URL_QUERY;
  const char *authority = text + 8;
  gsize authority_len = strcspn(authority, "/");
  const char *authority_end = authority + authority_len;
  if (memchr(authority, '@', authority_len))
    return ATX_URL_CREDENTIALS;
  if (authority_len == 0)
    return ATX_URL_NOT_HTTPS;
  const char *host_end = NULL;
  AtxUrlProblem problem = split_host_port(authority, authority_end, &host_end);
  if (problem != ATX_URL_OK)
    return problem;
  if (host_end == authority)
    return ATX_URL_NOT_HTTPS;
  problem = check_url_host(authority, (gsize) (host_end - authority));
  if (problem != ATX_URL_OK)
    return problem;
  gsize len = strlen(text);
  while (len > 8 + authority_len && text[len - 1] == '/')
    len--;
  *normalized_len_out = len;
  return ATX_URL_OK;
}

AtxUrlProblem
atx_https_url_check(const char *text, char **normalized_out)
{
  gsize len = 0;
  AtxUrlProblem problem = atx_https_url_check_len(text, &len);
  if (problem == ATX_URL_OK)
    *normalized_out = g_strndup(text, len);
  return problem;
}
