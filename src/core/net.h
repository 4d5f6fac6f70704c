/* Addresses and names as the gateway's configuration files need them: strict
 * parsers that accept only what dnsmasq, chrony, systemd-networkd and nftables
 * will read back the same way, and canonical text for what they accept.
 *
 * IPv4 addresses are host-order guint32 so range arithmetic is plain. */
#pragma once

#include <glib.h>

/* Four decimal octets, no leading zeros, no surrounding text. */
gboolean atx_ipv4_parse(const char *text, guint32 *addr_out);
char *atx_ipv4_format(guint32 addr);

/* "a.b.c.d/prefix", prefix 0..32 in decimal; surrounding whitespace tolerated. */
gboolean atx_ipv4_cidr_parse(const char *text, guint32 *addr_out, guint *prefix_out);
guint32 atx_ipv4_netmask(guint prefix);
static inline guint32
atx_ipv4_network(guint32 addr, guint prefix)
{
  return addr & atx_ipv4_netmask(prefix);
}
static inline guint32
atx_ipv4_broadcast(guint32 addr, guint prefix)
{
  return atx_ipv4_network(addr, prefix) | ~atx_ipv4_netmask(prefix);
}
/* TRUE when the two networks share at least one address. */
gboolean atx_ipv4_networks_overlap(guint32 a, guint a_prefix, guint32 b, guint b_prefix);

/* IPv4 or IPv6 literal (no brackets, no zone); returns the canonical text. */
gboolean atx_ip_literal_parse(const char *text, char **canonical_out);
gboolean atx_ipv6_literal_parse(const char *text);

/* DNS name rule shared by every field: trimmed, lower-cased, one trailing dot
 * removed; 1..253 characters; labels of 1..63 ASCII letters, digits and '-', not
 * starting or ending with '-'. On failure @why_out says what is wrong. */
gboolean atx_dns_name_normalize(const char *text, char **normalized_out, char **why_out);

/* TRUE when @text has a character below 0x20, DEL, or any whitespace. */
gboolean atx_text_has_space_or_control(const char *text);
gboolean atx_text_has_control(const char *text);

typedef enum {
  ATX_URL_OK,
  ATX_URL_WHITESPACE,   /* whitespace or control characters */
  ATX_URL_NOT_HTTPS,    /* scheme is not https, or there is no host */
  ATX_URL_BAD_PORT,     /* port is not a decimal number in 0..65535 */
  ATX_URL_CREDENTIALS,  /* user[:password]@ present */
  ATX_URL_QUERY,        /* query string or fragment present */
  ATX_URL_BAD_HOST,     /* host is neither an IP literal nor a DNS name */
} AtxUrlProblem;

/* Checks an https:// URL the OS-upgrade poller may contact; on success returns
 * it with trailing '/' characters removed. */
AtxUrlProblem atx_https_url_check(const char *text, char **normalized_out);
