#include "core/platform/lan_files.h"

#include <jansson.h>
#include <string.h>

#include "core/base/error.h"
#include "core/base/net.h"

#define WAN_DROPIN "systemd/network/10-wan.network.d/50-atomix.conf"
#define LAN_DROPIN "systemd/network/20-lan.network.d/50-atomix.conf"
#define EXTRA_PREFIX "systemd/network/30-atomix-"
#define HOSTS_MARK " # ATOMIX_LAN_GATEWAY"

typedef struct {
  guint32 gateway, network, netmask, start, end;
  guint prefix;
  char *gateway_cidr, *subnet_cidr, *domain, *pattern;
  GPtrArray *aliases, *ntp_servers;
} Lan;

typedef struct {
  char *name;
  gboolean dhcp;
  char *address, *gateway;
  GPtrArray *dns, *domains;
} Iface;

static void
lan_clear(Lan *lan)
{
  g_free(lan->gateway_cidr);
  g_free(lan->subnet_cidr);
  g_free(lan->domain);
  g_free(lan->pattern);
  g_clear_pointer(&lan->aliases, g_ptr_array_unref);
  g_clear_pointer(&lan->ntp_servers, g_ptr_array_unref);
}

static void
iface_free(Iface *iface)
{
  g_free(iface->name);
  g_free(iface->address);
  g_free(iface->gateway);
  g_ptr_array_unref(iface->dns);
  g_ptr_array_unref(iface->domains);
  g_free(iface);
}

static void
lan_file_free(AtxLanFile *file)
{
  g_free(file->path);
  g_free(file->content);
  g_free(file);
}

static gboolean fail(GError **error, const char *file, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean
fail(GError **error, const char *file, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "%s: %s", file, message);
  return FALSE;
}

static json_t *
load_object(const char *text, const char *file, GError **error)
{
  json_error_t json_error;
  json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &json_error);
  if (!root) {
    fail(error, file, "invalid JSON: %s (line %d)", json_error.text, json_error.line);
    return NULL;
  }
  if (!json_is_object(root)) {
    json_decref(root);
    fail(error, file, "must contain a JSON object");
    return NULL;
  }
  return root;
}

static const char *
required_string(json_t *object, const char *key, const char *file, GError **error)
{
  json_t *value = json_object_get(object, key);
  const char *text = json_string_value(value);
  if (!value)
    fail(error, file, "missing required key '%s'", key);
  else if (!text || !*text)
    fail(error, file, "%s must be a non-empty string", key);
  return text && *text ? text : NULL;
}

static gboolean
dns_name(const char *text, const char *what, const char *file, char **out, GError **error)
{
  g_autofree char *why = NULL;
  if (!atx_dns_name_normalize(text, out, &why))
    return fail(error, file, "%s must be a valid DNS name: '%s' (%s)", what, text, why ? why : "invalid");
  return TRUE;
}

typedef enum {
  LIST_NAMES,     /* DNS names */
  LIST_ADDRESSES, /* IP literals (networkd's DNS=) */
  LIST_SERVERS,   /* either (chrony's server lines) */
} ListKind;

/* A JSON array of strings of @kind, normalised and appended to *@out (created
 * when NULL). */
static gboolean
string_list(json_t *object, const char *key, const char *file, ListKind kind, GPtrArray **out, GError **error)
{
  if (!*out)
    *out = g_ptr_array_new_with_free_func(g_free);
  json_t *list = json_object_get(object, key);
  if (!list)
    return TRUE;
  if (!json_is_array(list))
    return fail(error, file, "%s must be a list of strings", key);
  for (gsize i = 0; i < json_array_size(list); i++) {
    const char *text = json_string_value(json_array_get(list, i));
    char *value = NULL;
    if (!text || !*text)
      return fail(error, file, "%s[%zu] must be a non-empty string", key, i);
    if (kind != LIST_NAMES && atx_ip_literal_parse(text, &value)) {
      g_ptr_array_add(*out, value);
      continue;
    }
    if (kind == LIST_ADDRESSES)
      return fail(error, file, "%s must be IP addresses: '%s'", key, text);
    if (!dns_name(text, key, file, &value, error))
      return FALSE;
    g_ptr_array_add(*out, value);
  }
  return TRUE;
}

static gboolean
parse_address(json_t *object, const char *key, const char *file, guint32 *out, GError **error)
{
  const char *text = required_string(object, key, file, error);
  if (!text)
    return FALSE;
  if (!atx_ipv4_parse(text, out))
    return fail(error, file, "%s must be a valid IPv4 address: '%s'", key, text);
  return TRUE;
}

static gboolean
parse_lan_addresses(json_t *root, const char *file, Lan *lan, GError **error)
{
  const char *cidr = required_string(root, "gateway_cidr", file, error);
  if (!cidr)
    return FALSE;
  guint32 cidr_ip;
  if (!atx_ipv4_cidr_parse(cidr, &cidr_ip, &lan->prefix) || lan->prefix < 8 || lan->prefix > 30)
    return fail(error, file, "gateway_cidr must be a valid IPv4 interface: '%s'", cidr);
  const char *subnet = required_string(root, "subnet_cidr", file, error);
  guint32 subnet_ip;
  guint subnet_prefix;
  if (!subnet)
    return FALSE;
  if (!atx_ipv4_cidr_parse(subnet, &subnet_ip, &subnet_prefix))
    return fail(error, file, "subnet_cidr must be a valid IPv4 network: '%s'", subnet);
  if (!parse_address(root, "gateway_ip", file, &lan->gateway, error) ||
      !parse_address(root, "netmask", file, &lan->netmask, error) ||
      !parse_address(root, "dhcp_start", file, &lan->start, error) ||
      !parse_address(root, "dhcp_end", file, &lan->end, error))
    return FALSE;
  lan->network = atx_ipv4_network(cidr_ip, lan->prefix);
  if (cidr_ip != lan->gateway)
    return fail(error, file, "gateway_cidr and gateway_ip disagree");
  if (subnet_prefix != lan->prefix || subnet_ip != lan->network)
    return fail(error, file, "subnet_cidr is not the network of gateway_cidr");
  if (lan->netmask != atx_ipv4_netmask(lan->prefix))
    return fail(error, file, "netmask does not match the prefix of gateway_cidr");
  if (atx_ipv4_network(lan->start, lan->prefix) != lan->network ||
      atx_ipv4_network(lan->end, lan->prefix) != lan->network)
    return fail(error, file, "dhcp_start and dhcp_end must be inside subnet_cidr");
  if (lan->start > lan->end)
    return fail(error, file, "dhcp_start must not be after dhcp_end");
  if (lan->gateway >= lan->start && lan->gateway <= lan->end)
    return fail(error, file, "dhcp_start and dhcp_end must not include gateway_ip");
  char text[ATX_IPV4_CIDR_TEXT_SIZE];
  atx_ipv4_cidr_format_into(text, lan->gateway, lan->prefix);
  lan->gateway_cidr = g_strdup(text);
  atx_ipv4_cidr_format_into(text, lan->network, lan->prefix);
  lan->subnet_cidr = g_strdup(text);
  return TRUE;
}

static gboolean
parse_lan(const char *text, Lan *lan, GError **error)
{
  const char *file = "lan-settings.json";
  json_t *root = load_object(text, file, error);
  if (!root)
    return FALSE;
  gboolean ok = parse_lan_addresses(root, file, lan, error);
  const char *domain = ok ? required_string(root, "domain", file, error) : NULL;
  ok = domain && dns_name(domain, "domain", file, &lan->domain, error);
  json_t *pattern = json_object_get(root, "hostname_pattern");
  if (ok && pattern && !json_is_string(pattern))
    ok = fail(error, file, "hostname_pattern must be a string");
  lan->pattern = g_strdup(pattern ? json_string_value(pattern) : "");
  if (ok && *lan->pattern) {
    g_autoptr(GString) sample = g_string_new(lan->pattern);
    g_autofree char *normalized = NULL;
    if (!strstr(lan->pattern, "{mac}"))
      ok = fail(error, file, "hostname_pattern must contain {mac}");
    g_string_replace(sample, "{mac}", "001122334455", 0);
    ok = ok && dns_name(sample->str, "hostname_pattern", file, &normalized, error);
  }
  ok = ok && string_list(root, "gateway_aliases", file, LIST_NAMES, &lan->aliases, error);
  ok = ok && string_list(root, "ntp_servers", file, LIST_SERVERS, &lan->ntp_servers, error);
  json_decref(root);
  return ok;
}

static gboolean
check_keys(json_t *object, const char *const *allowed, const char *where, const char *file, GError **error)
{
  const char *key;
  json_t *value;
  json_object_foreach (object, key, value) {
    if (!g_strv_contains(allowed, key))
      return fail(error, file, "unsupported keys at %s: %s", where, key);
  }
  return TRUE;
}

static gboolean
parse_iface(const char *name, json_t *object, const char *file, Iface *iface, GError **error)
{
  static const char *const keys[] = { "mode", "address", "gateway", "dns_servers", "dns_search_domains", NULL };
  g_autofree char *where = g_strconcat("interfaces.", name, NULL);
  if (!json_is_object(object))
    return fail(error, file, "%s must be an object", where);
  if (!check_keys(object, keys, where, file, error))
    return FALSE;
  const char *mode = json_string_value(json_object_get(object, "mode"));
  if (!mode || (!g_str_equal(mode, "dhcp") && !g_str_equal(mode, "static")))
    return fail(error, file, "%s.mode must be dhcp or static", where);
  iface->dhcp = g_str_equal(mode, "dhcp");
  const char *address = json_string_value(json_object_get(object, "address"));
  guint32 ip;
  guint prefix;
  if (json_object_get(object, "address") && (!address || !atx_ipv4_cidr_parse(address, &ip, &prefix)))
    return fail(error, file, "%s.address must be a valid IPv4 interface", where);
  if (iface->dhcp && address)
    return fail(error, file, "%s.address is not allowed in dhcp mode", where);
  if (!iface->dhcp && !address)
    return fail(error, file, "%s.address is required in static mode", where);
  if (address) {
    char text[ATX_IPV4_CIDR_TEXT_SIZE];
    atx_ipv4_cidr_format_into(text, ip, prefix);
    iface->address = g_strdup(text);
  }
  const char *gateway = json_string_value(json_object_get(object, "gateway"));
  if (json_object_get(object, "gateway") && (!gateway || !atx_ipv4_parse(gateway, &ip)))
    return fail(error, file, "%s.gateway must be a valid IPv4 address", where);
  iface->gateway = g_strdup(gateway);
  return string_list(object, "dns_servers", file, LIST_ADDRESSES, &iface->dns, error) &&
         string_list(object, "dns_search_domains", file, LIST_NAMES, &iface->domains, error);
}

static gboolean
iface_name_ok(const char *name)
{
  if (!g_str_has_prefix(name, "eth") || !name[3] || strlen(name) > 8)
    return FALSE;
  for (const char *p = name + 3; *p; p++)
    if (!g_ascii_isdigit(*p))
      return FALSE;
  return TRUE;
}

static Iface *
iface_new(const char *name)
{
  Iface *iface = g_new0(Iface, 1);
  iface->name = g_strdup(name);
  iface->dhcp = TRUE;
  iface->dns = g_ptr_array_new_with_free_func(g_free);
  iface->domains = g_ptr_array_new_with_free_func(g_free);
  return iface;
}

/* The top-level DNS/search/gateway settings belong to the WAN interface, which
 * is added (in dhcp mode) when they are given and it is not listed. */
static gboolean
apply_top_level(json_t *root, const char *file, const char *wan, GPtrArray *ifaces, GError **error)
{
  g_autoptr(GPtrArray) dns = NULL, domains = NULL;
  if (!string_list(root, "dns_servers", file, LIST_ADDRESSES, &dns, error) ||
      !string_list(root, "dns_search_domains", file, LIST_NAMES, &domains, error))
    return FALSE;
  json_t *gateway_value = json_object_get(root, "default_gateway");
  const char *gateway = json_string_value(gateway_value);
  guint32 ip;
  if (gateway_value && (!gateway || !atx_ipv4_parse(gateway, &ip)))
    return fail(error, file, "default_gateway must be a valid IPv4 address");
  if (!gateway && dns->len == 0 && domains->len == 0)
    return TRUE;
  Iface *target = NULL;
  for (guint i = 0; i < ifaces->len && !target; i++)
    if (g_str_equal(((Iface *) ifaces->pdata[i])->name, wan))
      target = ifaces->pdata[i];
  if (!target) {
    target = iface_new(wan);
    g_ptr_array_insert(ifaces, 0, target);
  }
  if (!target->gateway)
    target->gateway = g_strdup(gateway);
  for (guint i = 0; target->dns->len == 0 && i < dns->len; i++)
    g_ptr_array_add(target->dns, g_strdup(dns->pdata[i]));
  for (guint i = 0; target->domains->len == 0 && i < domains->len; i++)
    g_ptr_array_add(target->domains, g_strdup(domains->pdata[i]));
  return TRUE;
}

static gboolean
parse_host_network(const char *text, const char *wan, GPtrArray *ifaces, GError **error)
{
  static const char *const keys[] = { "dns_servers", "dns_search_domains", "default_gateway", "interfaces", NULL };
  const char *file = "host-network.json";
  json_t *root = load_object(text, file, error);
  if (!root)
    return FALSE;
  gboolean ok = check_keys(root, keys, "host-network", file, error);
  json_t *interfaces = json_object_get(root, "interfaces");
  if (ok && interfaces && !json_is_object(interfaces))
    ok = fail(error, file, "interfaces must be an object");
  const char *name;
  json_t *value;
  if (ok && interfaces) {
    json_object_foreach (interfaces, name, value) {
      if (!iface_name_ok(name)) {
        ok = fail(error, file, "unsupported interface name at interfaces: '%s'", name);
        break;
      }
      Iface *iface = iface_new(name);
      g_ptr_array_add(ifaces, iface);
      if (!(ok = parse_iface(name, value, file, iface, error)))
        break;
    }
  }
  ok = ok && apply_top_level(root, file, wan, ifaces, error);
  json_decref(root);
  return ok;
}

static char *
render_networkd(const Iface *iface, gboolean full_unit)
{
  GString *out = g_string_new(NULL);
  if (full_unit)
    g_string_append_printf(out, "[Match]\nName=%s\n\n", iface->name);
  g_string_append(out, "[Network]\n");
  if (iface->dhcp)
    g_string_append(out, "DHCP=ipv4\nIPv6AcceptRA=false\n");
  else
    g_string_append_printf(out, "Address=%s\nDHCP=no\nIPv6AcceptRA=false\n", iface->address);
  if (iface->gateway)
    g_string_append_printf(out, "Gateway=%s\n", iface->gateway);
  for (guint i = 0; i < iface->dns->len; i++)
    g_string_append_printf(out, "DNS=%s\n", (char *) iface->dns->pdata[i]);
  if (iface->domains->len) {
    g_ptr_array_add(iface->domains, NULL);
    g_autofree char *joined = g_strjoinv(" ", (char **) iface->domains->pdata);
    g_ptr_array_remove_index(iface->domains, iface->domains->len - 1);
    g_string_append_printf(out, "Domains=%s\n", joined);
  }
  if (iface->dhcp && (iface->gateway || iface->dns->len))
    g_string_append_printf(out, "\n[DHCPv4]\n%s%s", iface->gateway ? "UseRoutes=false\n" : "",
                           iface->dns->len ? "UseDNS=false\n" : "");
  return g_string_free(out, FALSE);
}

static void
add_file(GPtrArray *files, const char *path, char *content, AtxLanFeeds feeds)
{
  AtxLanFile *file = g_new0(AtxLanFile, 1);
  file->path = g_strdup(path);
  file->content = content;
  file->feeds = feeds;
  g_ptr_array_add(files, file);
}

static gboolean
plan_networkd(const AtxLanInputs *in, const Lan *lan, GPtrArray *ifaces, GPtrArray *files, GError **error)
{
  gboolean lan_listed = FALSE;
  for (guint i = 0; i < ifaces->len; i++) {
    Iface *iface = ifaces->pdata[i];
    if (g_str_equal(iface->name, in->lan_interface)) {
      lan_listed = TRUE;
      if (iface->dhcp)
        return fail(error, "host-network.json", "interfaces.%s must be static: %s is the LAN gateway", iface->name,
                    iface->name);
      if (!g_str_equal(iface->address, lan->gateway_cidr))
        return fail(error, "host-network.json",
                    "interfaces.%s.address must match gateway_cidr in lan-settings.json and host-network.json",
                    iface->name);
      add_file(files, LAN_DROPIN, render_networkd(iface, FALSE), ATX_LAN_FEEDS_NETWORKD);
    } else if (g_str_equal(iface->name, in->wan_interface)) {
      add_file(files, WAN_DROPIN, render_networkd(iface, FALSE), ATX_LAN_FEEDS_NETWORKD);
    } else {
      g_autofree char *path = g_strconcat(EXTRA_PREFIX, iface->name, ".network", NULL);
      add_file(files, path, render_networkd(iface, TRUE), ATX_LAN_FEEDS_NETWORKD);
    }
  }
  if (!lan_listed)
    add_file(files, LAN_DROPIN, g_strdup_printf("[Network]\nAddress=%s\n", lan->gateway_cidr),
             ATX_LAN_FEEDS_NETWORKD);
  return TRUE;
}

/* The {mac} name first (when the MAC is known), then the aliases; duplicates
 * dropped, first occurrence kept. */
static GPtrArray *
gateway_names(const AtxLanInputs *in, const Lan *lan)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  guint octets[6];
  char tail;
  if (*lan->pattern && in->lan_mac &&
      sscanf(in->lan_mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &octets[0], &octets[1], &octets[2], &octets[3], &octets[4],
             &octets[5], &tail) == 6 &&
      strlen(in->lan_mac) == 17) {
    g_autofree char *hex = g_strdup_printf("%02x%02x%02x%02x%02x%02x", octets[0], octets[1], octets[2], octets[3],
                                           octets[4], octets[5]);
    g_autoptr(GString) name = g_string_new(lan->pattern);
    g_string_replace(name, "{mac}", hex, 0);
    g_ptr_array_add(names, g_ascii_strdown(name->str, -1));
  }
  for (guint i = 0; i < lan->aliases->len; i++) {
    gboolean seen = FALSE;
    for (guint j = 0; j < names->len && !seen; j++)
      seen = g_str_equal(names->pdata[j], lan->aliases->pdata[i]);
    if (!seen)
      g_ptr_array_add(names, g_strdup(lan->aliases->pdata[i]));
  }
  return names;
}

static char *
hosts_lines(const Lan *lan, GPtrArray *names, const char *suffix)
{
  char gateway[ATX_IPV4_TEXT_SIZE];
  atx_ipv4_format_into(gateway, lan->gateway);
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < names->len; i++) {
    const char *name = names->pdata[i];
    g_string_append_printf(out, "%s %s", gateway, name);
    if (!strchr(name, '.'))
      g_string_append_printf(out, " %s.%s", name, lan->domain);
    g_string_append_printf(out, "%s\n", suffix);
  }
  return g_string_free(out, FALSE);
}

/* etc/hosts: lines of earlier runs (marked) replaced, everything else kept. */
static char *
merge_hosts(const char *current, const char *ours)
{
  GString *out = g_string_new(NULL);
  g_auto(GStrv) lines = g_strsplit(current ? current : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (!strstr(lines[i], "# ATOMIX_LAN_GATEWAY"))
      g_string_append_printf(out, "%s\n", lines[i]);
  while (out->len && g_ascii_isspace(out->str[out->len - 1]))
    g_string_truncate(out, out->len - 1);
  if (out->len)
    g_string_append_c(out, '\n');
  g_string_append(out, ours);
  return g_string_free(out, FALSE);
}

static void
plan_gateway_files(const AtxLanInputs *in, const Lan *lan, GPtrArray *files)
{
  char gateway[ATX_IPV4_TEXT_SIZE], start[ATX_IPV4_TEXT_SIZE], end[ATX_IPV4_TEXT_SIZE], mask[ATX_IPV4_TEXT_SIZE];
  atx_ipv4_format_into(gateway, lan->gateway);
  atx_ipv4_format_into(start, lan->start);
  atx_ipv4_format_into(end, lan->end);
  atx_ipv4_format_into(mask, lan->netmask);
  g_autofree char *hosts_path = g_build_filename(in->etc_dir, "atomix", "dnsmasq-hosts", NULL);
  add_file(files, "dnsmasq.d/atomix-lan.conf",
           g_strdup_printf("dhcp-range=%s,%s,%s,24h\ndhcp-option=3,%s\ndhcp-option=6,%s\ndhcp-option=42,%s\n"
                           "domain=%s\nexpand-hosts\naddn-hosts=%s\nlocal=/%s/\nlog-dhcp\n",
                           start, end, mask, gateway, gateway, gateway, lan->domain, hosts_path, lan->domain),
           ATX_LAN_FEEDS_DNSMASQ);
  g_autoptr(GPtrArray) names = gateway_names(in, lan);
  add_file(files, "atomix/dnsmasq-hosts", hosts_lines(lan, names, ""), ATX_LAN_FEEDS_DNSMASQ);
  GString *chrony = g_string_new("# Managed by atomixd apply-lan. No 'deny all' after the allow: chrony\n"
                                 "# denies by default, and a later 'deny all' would cancel the LAN allow.\n");
  for (guint i = 0; i < lan->ntp_servers->len; i++)
    g_string_append_printf(chrony, "server %s iburst\n", (char *) lan->ntp_servers->pdata[i]);
  g_string_append_printf(chrony, "allow %s\n", lan->subnet_cidr);
  add_file(files, "atomix/chrony-lan.conf", g_string_free(chrony, FALSE), ATX_LAN_FEEDS_CHRONY);
  g_autofree char *ours = hosts_lines(lan, names, HOSTS_MARK);
  add_file(files, "hosts", merge_hosts(in->hosts, ours), ATX_LAN_FEEDS_NOTHING);
}

GPtrArray *
atx_lan_plan(const AtxLanInputs *in, GError **error)
{
  Lan lan = { 0 };
  g_autoptr(GPtrArray) ifaces = g_ptr_array_new_with_free_func((GDestroyNotify) iface_free);
  GPtrArray *files = g_ptr_array_new_with_free_func((GDestroyNotify) lan_file_free);
  gboolean ok = TRUE;
  if (!in->lan_settings)
    ok = fail(error, "lan-settings.json", "missing");
  ok = ok && parse_lan(in->lan_settings, &lan, error);
  ok = ok && (!in->host_network || parse_host_network(in->host_network, in->wan_interface, ifaces, error));
  if (ok)
    plan_gateway_files(in, &lan, files);
  ok = ok && plan_networkd(in, &lan, ifaces, files, error);
  lan_clear(&lan);
  if (!ok)
    g_clear_pointer(&files, g_ptr_array_unref);
  return files;
}

gboolean
atx_lan_owns_networkd_file(const char *path)
{
  return g_str_equal(path, WAN_DROPIN) || g_str_equal(path, LAN_DROPIN) ||
         (g_str_has_prefix(path, EXTRA_PREFIX) && g_str_has_suffix(path, ".network"));
}
