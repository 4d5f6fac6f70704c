/* lan-settings.json: every field lan-gateway-apply needs, defaults filled in and
 * derived values (subnet, netmask) precomputed so consumers never re-derive. */
#include "core/render.h"

#include "core/net.h"

/* "255.255.255.255/4294967295" and its NUL. */
#define ADDRESS_TEXT_SIZE 32

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

/* The text of atx_ipv4_format(), without the allocation and the printf. */
static char *
put_address(char *p, guint32 address)
{
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = put_decimal(p, (address >> shift) & 0xff);
    if (shift)
      *p++ = '.';
  }
  return p;
}

static void
write_address(AtxJsonWriter *writer, const char *key, guint32 address)
{
  char text[ADDRESS_TEXT_SIZE];
  *put_address(text, address) = '\0';
  atx_json_writer_member_string(writer, key, text);
}

static void
write_cidr(AtxJsonWriter *writer, const char *key, guint32 address, guint prefix)
{
  char text[ADDRESS_TEXT_SIZE];
  char *p = put_address(text, address);
  *p++ = '/';
  *put_decimal(p, prefix) = '\0';
  atx_json_writer_member_string(writer, key, text);
}

void
atx_render_lan(const AtxConfig *config, AtxRenderOut *out)
{
  const AtxLanSettings *lan = &config->lan;
  guint32 network = atx_ipv4_network(lan->gateway_ip, lan->prefix);
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  write_cidr(writer, "gateway_cidr", lan->gateway_ip, lan->prefix);
  write_address(writer, "gateway_ip", lan->gateway_ip);
  write_cidr(writer, "subnet_cidr", network, lan->prefix);
  write_address(writer, "netmask", atx_ipv4_netmask(lan->prefix));
  write_address(writer, "dhcp_start", lan->dhcp_start);
  write_address(writer, "dhcp_end", lan->dhcp_end);
  atx_json_writer_member_string(writer, "domain", lan->domain);
  atx_json_writer_member_string(writer, "hostname_pattern", lan->hostname_pattern);
  atx_json_writer_member_string_array(writer, "gateway_aliases", lan->gateway_aliases);
  atx_json_writer_member_string_array(writer, "ntp_servers", lan->ntp_servers);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "lan-settings.json");
}
