/* Addresses and names as the gateway's configuration files need them: strict
 * parsers that accept only what dnsmasq, chrony, systemd-networkd and nftables
 * will read back the same way, and canonical text for what they accept.
 *
 * IPv4 addresses are host-order guint32 so range arithmetic is plain. */
#pragma once

#include <glib.h>

/* Four decimal octets, no leading zeros, no surrounding text. */
gboolean atx_ipv4_parse(const char *text, guint32 *addr_out);
/* The same for the @len bytes at @text, which need no NUL after them. */
gboolean atx_ipv4_parse_len(const char *text, gsize len, guint32 *addr_out);
char *atx_ipv4_format(guint32 addr);
/* atx_ipv4_format()'s text into @buffer (at least ATX_IPV4_TEXT_SIZE bytes,
 * NUL-terminated); returns its length. */
#define ATX_IPV4_TEXT_SIZE 16
gsize atx_ipv4_format_into(char *buffer, guint32 addr);
/* "a.b.c.d/prefix" (prefix 0..32) the same way. */
#define ATX_IPV4_CIDR_TEXT_SIZE 19
gsize atx_ipv4_cidr_format_into(char *buffer, guint32 addr, guint prefix);

/* "a.b.c.d/prefix", prefix 0..32 in decimal; surrounding whitespace tolerated. */
gboolean atx_ipv4_cidr_parse(const char *text, guint32 *addr_out, guint *prefix_out);
gboolean atx_ipv4_cidr_parse_len(const char *text, gsize len, guint32 *addr_out, guint *prefix_out);
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
/* The canonical text into @buffer (ATX_IP_TEXT_SIZE bytes, NUL-terminated);
 * returns its length, 0 when @text is not an IP literal. The text is what
 * inet_ntop() gives, IPv6 included. */
#define ATX_IP_TEXT_SIZE 46
gsize atx_ip_literal_canonical(const char *text, char *buffer);
gboolean atx_ipv6_literal_parse(const char *text);
/* The same for the @len bytes at @text ("[::1]" without its brackets). */
gboolean atx_ipv6_literal_parse_len(const char *text, gsize len);

/* DNS name rule shared by every field: trimmed, lower-cased, one trailing dot
 * removed; 1..253 characters; labels of 1..63 ASCII letters, digits and '-', not
 * starting or ending with '-'. On failure @why_out says what is wrong. */
gboolean atx_dns_name_normalize(const char *text, char **normalized_out, char **why_out);
/* The same rule without building anything: TRUE when @text (@len bytes) is a
 * valid name, with the part the normalised name is made of in *@start_out and
 * *@len_out (trimmed, the trailing dot removed, case as written). */
gboolean atx_dns_name_check(const char *text, gsize len, const char **start_out, gsize *len_out);

/* A port number as URLs, origins and publish specs write it: 1 to 5 decimal
 * digits, value 0..65535, nothing else (no sign, no spaces). Callers that
 * refuse port 0 check that themselves. */
gboolean atx_port_parse(const char *text, gsize len, guint *port_out);

/* TRUE when @text has a character below 0x20, DEL, or any whitespace. */
gboolean atx_text_has_space_or_control(const char *text);

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
/* The same without the copy: on success *@normalized_len_out is the length of
 * the normalised URL, a prefix of @text. */
AtxUrlProblem atx_https_url_check_len(const char *text, gsize *normalized_len_out);
