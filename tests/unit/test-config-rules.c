/* Every rule of the config pipeline, one table row each.
 *
 * A row takes the seed config below (the accepted document of
 * shared/spec/runtime-boundaries.txt), replaces one piece of text with a
 * version that breaks one rule, and expects that rule's diagnostic: its code,
 * severity, JSON Pointer, and where the reference gives one, its message and
 * TOML line. Each row also has a "passing twin": the same replacement with the
 * problem fixed, which must produce no diagnostic with that code (and, unless
 * the row says otherwise, no error at all).
 *
 * After the table: all problems of one document are reported together, and
 * warnings alone keep a config valid. */
#include <string.h>

#include "core/config/config.h"

/* Lines are numbered for the rows' line expectations. */
static const char base_config[] =
  "version = 1\n"                                               /*  1 */
  "\n"                                                          /*  2 */
  "[users.admin]\n"                                             /*  3 */
  "isAdmin = true\n"                                            /*  4 */
  "ssh_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example\"\n"
  "\n"                                                          /*  6 */
  "[network.firewall.inbound.wan]\n"                            /*  7 */
  "tcp = [443]\n"                                               /*  8 */
  "udp = [1194]\n"                                              /*  9 */
  "\n"                                                          /* 10 */
  "[network.dnsmasq]\n"                                         /* 11 */
  "gateway_cidr = \"172.20.30.1/24\"\n"                         /* 12 */
  "dhcp_start = \"172.20.30.10\"\n"                             /* 13 */
  "dhcp_end = \"172.20.30.254\"\n"                              /* 14 */
  "domain = \"local\"\n"                                        /* 15 */
  "gateway_aliases = [\"atomixos\"]\n"                          /* 16 */
  "hostname_pattern = \"atomixos-{mac}\"\n"                     /* 17 */
  "\n"                                                          /* 18 */
  "[network.ntp]\n"                                             /* 19 */
  "servers = [\"time.cloudflare.com\"]\n"                       /* 20 */
  "\n"                                                          /* 21 */
  "[activation]\n"                                              /* 22 */
  "required = [\"myapp\"]\n"                                    /* 23 */
  "\n"                                                          /* 24 */
  "[containers.container.myapp]\n"                              /* 25 */
  "privileged = false\n"                                        /* 26 */
  "\n"                                                          /* 27 */
  "[containers.container.myapp.Container]\n"                    /* 28 */
  "Image = \"ghcr.io/example/myapp:latest\"\n"                  /* 29 */
  "PublishPort = [\"10080:8080\"]\n";                           /* 30 */

#define ADMIN_KEY_DATA "AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR"
#define ADMIN_KEY "ssh-ed25519 " ADMIN_KEY_DATA " admin@example"
#define KEY_LINE(text) "ssh_key = \"" text "\""

#define WAN_PORTS "tcp = [443]\nudp = [1194]"
#define DNSMASQ_HEAD "gateway_cidr = \"172.20.30.1/24\"\ndhcp_start = \"172.20.30.10\"\ndhcp_end = \"172.20.30.254\""
#define CONTAINER_TAIL "PublishPort = [\"10080:8080\"]"
#define CONTAINER_BLOCK                                                                                       \
  "[containers.container.myapp]\nprivileged = false\n\n[containers.container.myapp.Container]\n"                 \
  "Image = \"ghcr.io/example/myapp:latest\"\nPublishPort = [\"10080:8080\"]"
#define NET_HEADER "[network.firewall.inbound.wan]"

/* 201 characters: one more than the schema's maxLength for resource names. */
#define TEN "abcdefghij"
#define NAME_200 TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN

typedef struct {
  const char *name;    /* test path below /config-rules/ */
  const char *find;    /* text of base_config to replace; NULL appends to the end */
  const char *bad;     /* replacement that breaks the rule */
  const char *good;    /* the passing twin's replacement */
  const char *code;
  AtxSeverity severity;
  const char *pointer;
  guint line;          /* line of the diagnostic counted within @bad (1 = its first line); 0 = not checked */
  guint column;        /* 0 = not checked */
  const char *message; /* exact text; NULL = not checked */
  gboolean twin_has_other_errors; /* the twin is still invalid for an unrelated reason */
} RuleCase;

#define E ATX_SEVERITY_ERROR
#define W ATX_SEVERITY_WARNING

static const RuleCase rule_cases[] = {
  /* ---- TOML parse errors: no document, pointer "" and the parser's position ---- */
  { "toml/syntax", "version = 1", "version = ", "version = 1", "toml.syntax", E, "", 1, 11, NULL },
  { "toml/duplicate-key", "version = 1", "version = 1\nversion = 1", "version = 1", "toml.duplicate_key", E,
    "", 2, 1, "invalid TOML: duplicate key \"version\"" },
  { "toml/invalid-utf8", "version = 1", "version = 1 # \xff", "version = 1 # \xc3\xbf", "toml.encoding", E, "", 1,
    0, NULL },
  { "toml/integer-overflow", "tcp = [443]", "tcp = [9223372036854775808]", "tcp = [443]", "toml.integer_overflow",
    E, "", 1, 0, NULL },

  /* ---- config-wide ---- */
  { "config/nul-character", "domain = \"local\"", "domain = \"lo\\u0000cal\"", "domain = \"local\"",
    "config.nul_character", E, "/network/dnsmasq/domain", 1, 10, "NUL characters are not allowed in strings" },

  /* ---- JSON Schema: closed objects (additionalProperties) ---- */
  { "schema/unknown-root-key", "version = 1", "version = 1\nbogus = true", "version = 1",
    "schema.additionalProperties", E, "/bogus", 2, 9, "unknown key \"bogus\"" },
  { "schema/unknown-user-key", "isAdmin = true", "isAdmin = true\npassword = \"x\"", "isAdmin = true",
    "schema.additionalProperties", E, "/users/admin/password", 2, 12, NULL },
  { "schema/unknown-interface-key", NULL, "[network.interfaces.eth0]\nmode = \"dhcp\"\nmtu = 1400",
    "[network.interfaces.eth0]\nmode = \"dhcp\"", "schema.additionalProperties", E, "/network/interfaces/eth0/mtu",
    3, 7, NULL },
  { "schema/unknown-container-section", NULL, "[containers.container.myapp.Service]\nRestart = \"always\"",
    "[containers.container.myapp.Unit]\nDescription = \"app\"", "schema.additionalProperties", E,
    "/containers/container/myapp/Service", 1, 0, NULL },
  { "schema/unknown-firewall-scope", NET_HEADER, "[network.firewall.inbound.dmz]\ntcp = [22]\n\n" NET_HEADER,
    "[network.firewall.inbound.lan]\ntcp = [22]\n\n" NET_HEADER, "schema.additionalProperties", E,
    "/network/firewall/inbound/dmz", 1, 0, NULL },

  /* ---- JSON Schema: required keys ---- */
  { "schema/missing-version", "version = 1\n", "", "version = 1\n", "schema.required", E, "", 1, 1,
    "missing required key \"version\"" },
  { "schema/missing-privileged", "privileged = false\n", "", "privileged = false\n", "schema.required", E,
    "/containers/container/myapp", 0, 0, "missing required key \"privileged\"" },
  { "schema/missing-activation-required", "required = [\"myapp\"]", "timeout_seconds = 60",
    "required = [\"myapp\"]\ntimeout_seconds = 60", "schema.required", E, "/activation", 0, 0,
    "missing required key \"required\"" },
  { "schema/missing-interface-mode", NULL, "[network.interfaces.eth0]\ngateway = \"198.51.100.1\"",
    "[network.interfaces.eth0]\nmode = \"dhcp\"\ngateway = \"198.51.100.1\"", "schema.required", E,
    "/network/interfaces/eth0", 1, 0, "missing required key \"mode\"" },
  { "schema/missing-os-upgrade-url", NULL, "[os_upgrade]", "[os_upgrade]\nserver_url = \"https://updates.example.com\"",
    "schema.required", E, "/os_upgrade", 1, 0, "missing required key \"server_url\"" },
  { "schema/missing-volume-section", NULL, "[containers.volume.data]",
    "[containers.volume.data.Volume]\nLabel = \"app=myapp\"", "schema.required", E, "/containers/volume/data", 1, 0,
    "missing required key \"Volume\"" },

  /* ---- JSON Schema: types ---- */
  { "schema/is-admin-not-boolean", "isAdmin = true", "isAdmin = \"yes\"", "isAdmin = true", "schema.type", E,
    "/users/admin/isAdmin", 1, 11, "expected boolean, got string" },
  /* TOML dates and times have no JSON equivalent: they never pass as strings. */
  { "schema/datetime-is-not-a-string", "domain = \"local\"", "domain = 1979-05-27T07:32:00Z", "domain = \"local\"",
    "schema.type", E, "/network/dnsmasq/domain", 1, 10, "expected string, got offset date-time" },
  { "schema/local-date-is-not-a-string", "dhcp_end = \"172.20.30.254\"", "dhcp_end = 1979-05-27",
    "dhcp_end = \"172.20.30.254\"", "schema.type", E, "/network/dnsmasq/dhcp_end", 1, 12,
    "expected string, got local date" },
  { "schema/port-list-not-array", WAN_PORTS, "tcp = 443\nudp = [1194]", WAN_PORTS, "schema.type", E,
    "/network/firewall/inbound/wan/tcp", 1, 7, NULL },
  { "schema/privileged-not-boolean", "privileged = false", "privileged = \"no\"", "privileged = false",
    "schema.type", E, "/containers/container/myapp/privileged", 1, 14, NULL },
  { "schema/directive-value-float", CONTAINER_TAIL, CONTAINER_TAIL "\nStopTimeout = 1.5",
    CONTAINER_TAIL "\nStopTimeout = 15", "schema.anyOf", E, "/containers/container/myapp/Container/StopTimeout",
    2, 15, NULL },
  { "schema/directive-value-table", CONTAINER_TAIL, CONTAINER_TAIL "\nLabel = { a = \"b\" }",
    CONTAINER_TAIL "\nLabel = \"a=b\"", "schema.anyOf", E, "/containers/container/myapp/Container/Label", 2, 0, NULL },

  /* ---- JSON Schema: ranges ---- */
  { "schema/port-zero", WAN_PORTS, "tcp = [0]\nudp = [1194]", WAN_PORTS, "schema.minimum", E,
    "/network/firewall/inbound/wan/tcp/0", 1, 8, "expected integer >= 1" },
  { "schema/port-above-65535", WAN_PORTS, "tcp = [443]\nudp = [65536]", WAN_PORTS, "schema.maximum", E,
    "/network/firewall/inbound/wan/udp/0", 2, 8, "expected integer <= 65535" },
  { "schema/timeout-zero", "required = [\"myapp\"]", "required = [\"myapp\"]\ntimeout_seconds = 0",
    "required = [\"myapp\"]\ntimeout_seconds = 1", "schema.minimum", E, "/activation/timeout_seconds", 2, 19,
    "expected integer >= 1" },
  { "schema/timeout-above-3600", "required = [\"myapp\"]", "required = [\"myapp\"]\ntimeout_seconds = 3601",
    "required = [\"myapp\"]\ntimeout_seconds = 3600", "schema.maximum", E, "/activation/timeout_seconds", 2, 19,
    "expected integer <= 3600" },
  { "schema/settle-negative", "required = [\"myapp\"]", "required = [\"myapp\"]\nsettle_seconds = -1",
    "required = [\"myapp\"]\nsettle_seconds = 0", "schema.minimum", E, "/activation/settle_seconds", 2, 18,
    "expected integer >= 0" },
  { "schema/settle-above-300", "required = [\"myapp\"]",
    "required = [\"myapp\"]\ntimeout_seconds = 600\nsettle_seconds = 301",
    "required = [\"myapp\"]\ntimeout_seconds = 600\nsettle_seconds = 300", "schema.maximum", E,
    "/activation/settle_seconds", 3, 18, "expected integer <= 300" },

  /* ---- JSON Schema: enums and constants ---- */
  { "schema/version-2", "version = 1", "version = 2", "version = 1", "schema.const", E, "/version", 1, 11,
    "value must be 1" },
  { "schema/shell-not-allowed", "isAdmin = true", "isAdmin = true\nshell = \"/bin/bash\"",
    "isAdmin = true\nshell = \"bash\"", "schema.enum", E, "/users/admin/shell", 2, 9,
    "value must be one of: \"bash\", \"sh\", \"zsh\"" },
  { "schema/interface-mode-not-allowed", NULL, "[network.interfaces.eth0]\nmode = \"auto\"",
    "[network.interfaces.eth0]\nmode = \"dhcp\"", "schema.enum", E, "/network/interfaces/eth0/mode", 2, 8,
    "value must be one of: \"dhcp\", \"static\"" },
  { "schema/strategy-not-allowed", "required = [\"myapp\"]", "required = [\"myapp\"]\nstrategy = \"keep-failed\"",
    "required = [\"myapp\"]\nstrategy = \"rollback\"", "schema.enum", E, "/activation/strategy", 2, 12,
    "value must be \"rollback\"" },

  /* ---- JSON Schema: name patterns ---- */
  { "schema/user-name-upper-case", "[users.admin]", "[users.Admin]", "[users.admin]", "schema.pattern", E,
    "/users/Admin", 1, 0, "invalid key \"Admin\": string does not match pattern ^[a-z_][a-z0-9_-]{0,31}$" },
  { "schema/interface-name-not-eth", NULL, "[network.interfaces.wlan0]\nmode = \"dhcp\"",
    "[network.interfaces.eth2]\nmode = \"dhcp\"", "schema.pattern", E, "/network/interfaces/wlan0", 1, 0, NULL },
  { "schema/container-name-with-dot", NULL,
    "[containers.container.\"my.app\"]\nprivileged = false\n[containers.container.\"my.app\".Container]\n"
    "Image = \"docker.io/library/busybox\"",
    "[containers.container.my_app]\nprivileged = false\n[containers.container.my_app.Container]\n"
    "Image = \"docker.io/library/busybox\"",
    "schema.pattern", E, "/containers/container/my.app", 1, 0, NULL },
  { "schema/container-name-leading-dash", NULL,
    "[containers.container.-app]\nprivileged = false\n[containers.container.-app.Container]\n"
    "Image = \"docker.io/library/busybox\"",
    "[containers.container.app-]\nprivileged = false\n[containers.container.app-.Container]\n"
    "Image = \"docker.io/library/busybox\"",
    "schema.pattern", E, "/containers/container/-app", 1, 0, NULL },
  { "schema/container-name-too-long", NULL,
    "[containers.container." NAME_200 "x]\nprivileged = false\n[containers.container." NAME_200 "x.Container]\n"
    "Image = \"docker.io/library/busybox\"",
    "[containers.container." NAME_200 "]\nprivileged = false\n[containers.container." NAME_200 ".Container]\n"
    "Image = \"docker.io/library/busybox\"",
    "schema.maxLength", E, "/containers/container/" NAME_200 "x", 1, 0, NULL },
  { "schema/directive-name-with-dash", CONTAINER_TAIL, CONTAINER_TAIL "\n\"Publish-Port\" = \"1:1\"",
    CONTAINER_TAIL "\nPull = \"never\"", "schema.pattern", E, "/containers/container/myapp/Container/Publish-Port",
    2, 0, NULL },

  /* ---- JSON Schema: empty required lists and strings ---- */
  { "schema/activation-required-empty", "required = [\"myapp\"]", "required = []", "required = [\"myapp\"]",
    "schema.minItems", E, "/activation/required", 1, 12, "expected at least 1 item" },
  { "schema/ntp-servers-empty", "servers = [\"time.cloudflare.com\"]", "servers = []",
    "servers = [\"time.cloudflare.com\"]", "schema.minItems", E, "/network/ntp/servers", 1, 11, NULL },
  { "schema/dns-servers-empty", NET_HEADER, "[network]\ndns_servers = []\n\n" NET_HEADER,
    "[network]\ndns_servers = [\"1.1.1.1\"]\n\n" NET_HEADER, "schema.minItems", E, "/network/dns_servers", 2, 15,
    NULL },
  { "schema/directive-list-empty", CONTAINER_TAIL, "PublishPort = []", CONTAINER_TAIL, "schema.minItems", E,
    "/containers/container/myapp/Container/PublishPort", 1, 15, NULL },
  { "schema/gateway-cidr-empty", "gateway_cidr = \"172.20.30.1/24\"", "gateway_cidr = \"\"",
    "gateway_cidr = \"172.20.30.1/24\"", "schema.minLength", E, "/network/dnsmasq/gateway_cidr", 1, 16, NULL },
  { "schema/default-gateway-empty", NET_HEADER, "[network]\ndefault_gateway = \"\"\n\n" NET_HEADER,
    "[network]\ndefault_gateway = \"198.51.100.1\"\n\n" NET_HEADER, "schema.minLength", E,
    "/network/default_gateway", 2, 19, NULL },
  { "schema/activation-entry-empty", "required = [\"myapp\"]", "required = [\"myapp\"]\nrestart = [\"\"]",
    "required = [\"myapp\"]\nrestart = [\"myapp\"]", "schema.minLength", E, "/activation/restart/0", 2, 12,
    NULL },
  { "schema/no-containers", CONTAINER_BLOCK, "[containers.container]", CONTAINER_BLOCK, "schema.minProperties", E,
    "/containers/container", 1, 0, NULL },

  /* ---- users ---- */
  { "users/reserved-name", "[users.admin]", "[users.root]", "[users.operator]", "users.reserved_name", E,
    "/users/root", 1, 0, "reserved user name: 'root'" },
  { "users/reserved-name-appsvc", "[users.admin]", "[users.appsvc]", "[users.appsvc2]", "users.reserved_name", E,
    "/users/appsvc", 1, 0, "reserved user name: 'appsvc'" },
  { "users/no-admin", "isAdmin = true", "isAdmin = false", "isAdmin = true", "users.no_admin_key", E, "/users", 0,
    0, "users must define at least one admin user with a non-empty ssh_key" },
  { "users/admin-without-key", KEY_LINE(ADMIN_KEY), KEY_LINE("  "), KEY_LINE(ADMIN_KEY), "users.no_admin_key", E,
    "/users", 0, 0, "users must define at least one admin user with a non-empty ssh_key" },
  { "users/key-control-character", KEY_LINE(ADMIN_KEY), KEY_LINE("ssh-ed25519 " ADMIN_KEY_DATA "\\nadmin@example"),
    KEY_LINE("ssh-ed25519 " ADMIN_KEY_DATA "\\tadmin@example"), "users.ssh_key_control_characters", E,
    "/users/admin/ssh_key", 1, 11, "invalid SSH public key: control characters are not allowed" },
  { "users/key-one-field", KEY_LINE(ADMIN_KEY), KEY_LINE("ssh-ed25519"), KEY_LINE("ssh-ed25519 " ADMIN_KEY_DATA),
    "users.ssh_key_malformed", E, "/users/admin/ssh_key", 1, 11, NULL },
  { "users/key-unsupported-type", KEY_LINE(ADMIN_KEY), KEY_LINE("ssh-dss " ADMIN_KEY_DATA " admin"),
    KEY_LINE(ADMIN_KEY), "users.ssh_key_unsupported_type", E, "/users/admin/ssh_key", 1, 11,
    "unsupported SSH public key type: ssh-dss" },
  { "users/key-not-base64", KEY_LINE(ADMIN_KEY), KEY_LINE("ssh-ed25519 AAAA*AAA admin"), KEY_LINE(ADMIN_KEY),
    "users.ssh_key_bad_base64", E, "/users/admin/ssh_key", 1, 11, NULL },
  { "users/key-blob-empty-type", KEY_LINE(ADMIN_KEY), KEY_LINE("ssh-ed25519 AAAAAA== admin"), KEY_LINE(ADMIN_KEY),
    "users.ssh_key_bad_blob", E, "/users/admin/ssh_key", 1, 11, "invalid SSH public key blob" },
  { "users/key-type-mismatch", KEY_LINE(ADMIN_KEY), KEY_LINE("ssh-rsa " ADMIN_KEY_DATA " admin"),
    KEY_LINE(ADMIN_KEY), "users.ssh_key_type_mismatch", E, "/users/admin/ssh_key", 1, 11, NULL },

  /* ---- firewall ---- */
  { "firewall/wan-tcp-8080", WAN_PORTS, "tcp = [443, 8080]\nudp = [1194]", "tcp = [443]\nudp = [1194, 8080]",
    "firewall.reserved_bootstrap_port", E, "/network/firewall/inbound/wan/tcp/1", 1, 13,
    "network.firewall.inbound.wan.tcp must not include reserved bootstrap port 8080" },
  { "firewall/duplicate-port", WAN_PORTS, "tcp = [443, 443]\nudp = [1194]", WAN_PORTS, "firewall.duplicate_port", W,
    "/network/firewall/inbound/wan/tcp/1", 1, 13, "tcp port 443 is listed more than once for wan" },

  /* ---- LAN gateway (dnsmasq) ---- */
  { "lan/dhcp-disabled", "domain = \"local\"", "domain = \"local\"\nenable = false",
    "domain = \"local\"\nenable = true", "lan.dhcp_disabled", E, "/network/dnsmasq/enable", 2, 10,
    "network.dnsmasq.enable must remain true; disabling LAN DHCP/DNS is not supported" },
  { "lan/interface-not-eth1", "domain = \"local\"", "domain = \"local\"\ninterface = \"eth0\"",
    "domain = \"local\"\ninterface = \"eth1\"", "lan.interface_not_eth1", E, "/network/dnsmasq/interface", 2, 13,
    "network.dnsmasq.interface must be eth1" },
  { "lan/eth1-address-mismatch", NULL, "[network.interfaces.eth1]\nmode = \"static\"\naddress = \"172.20.30.2/24\"",
    "[network.interfaces.eth1]\nmode = \"static\"\naddress = \" 172.20.30.1/24 \"", "lan.gateway_cidr_mismatch", E,
    "/network/interfaces/eth1/address", 3, 11,
    "network.interfaces.eth1.address must match network.dnsmasq.gateway_cidr when both are set" },
  { "lan/gateway-cidr-without-prefix", "gateway_cidr = \"172.20.30.1/24\"", "gateway_cidr = \"172.20.30.1\"",
    "gateway_cidr = \"172.20.30.1/24\"", "lan.invalid_gateway_cidr", E, "/network/dnsmasq/gateway_cidr", 1, 16,
    "invalid IPv4 CIDR at network.dnsmasq.gateway_cidr: 172.20.30.1" },
  { "lan/gateway-prefix-8", DNSMASQ_HEAD,
    "gateway_cidr = \"10.0.0.1/8\"\ndhcp_start = \"10.0.0.10\"\ndhcp_end = \"10.0.0.254\"",
    "gateway_cidr = \"10.0.0.1/16\"\ndhcp_start = \"10.0.0.10\"\ndhcp_end = \"10.0.0.254\"",
    "lan.gateway_prefix_out_of_range", E, "/network/dnsmasq/gateway_cidr", 1, 16,
    "network.dnsmasq.gateway_cidr prefix must be between /16 and /30" },
  { "lan/gateway-prefix-31", DNSMASQ_HEAD,
    "gateway_cidr = \"172.20.30.1/31\"\ndhcp_start = \"172.20.30.2\"\ndhcp_end = \"172.20.30.2\"",
    "gateway_cidr = \"172.20.30.1/30\"\ndhcp_start = \"172.20.30.2\"\ndhcp_end = \"172.20.30.2\"",
    "lan.gateway_prefix_out_of_range", E, "/network/dnsmasq/gateway_cidr", 1, 16,
    "network.dnsmasq.gateway_cidr prefix must be between /16 and /30" },
  { "lan/gateway-is-network-address", "gateway_cidr = \"172.20.30.1/24\"", "gateway_cidr = \"172.20.30.0/24\"",
    "gateway_cidr = \"172.20.30.1/24\"", "lan.gateway_not_host_address", E, "/network/dnsmasq/gateway_cidr", 1, 16,
    NULL },
  { "lan/dhcp-start-not-ipv4", "dhcp_start = \"172.20.30.10\"", "dhcp_start = \"172.20.30\"",
    "dhcp_start = \"172.20.30.10\"", "lan.invalid_dhcp_address", E, "/network/dnsmasq/dhcp_start", 1, 14,
    "invalid IPv4 address in network.dnsmasq.dhcp_start: 172.20.30" },
  { "lan/dhcp-end-outside-subnet", "dhcp_end = \"172.20.30.254\"", "dhcp_end = \"172.20.31.254\"",
    "dhcp_end = \"172.20.30.254\"", "lan.dhcp_range_outside_subnet", E, "/network/dnsmasq/dhcp_end", 1, 12,
    "network.dnsmasq.dhcp_start and network.dnsmasq.dhcp_end must be inside 172.20.30.0/24" },
  { "lan/default-range-outside-new-subnet", DNSMASQ_HEAD, "gateway_cidr = \"10.44.0.1/24\"",
    "gateway_cidr = \"10.44.0.1/24\"\ndhcp_start = \"10.44.0.100\"\ndhcp_end = \"10.44.0.200\"",
    "lan.dhcp_range_outside_subnet", E, "/network/dnsmasq/dhcp_start", 0, 0,
    "network.dnsmasq.dhcp_start and network.dnsmasq.dhcp_end must be inside 10.44.0.0/24" },
  { "lan/dhcp-range-reversed", DNSMASQ_HEAD,
    "gateway_cidr = \"172.20.30.1/24\"\ndhcp_start = \"172.20.30.200\"\ndhcp_end = \"172.20.30.100\"",
    "gateway_cidr = \"172.20.30.1/24\"\ndhcp_start = \"172.20.30.100\"\ndhcp_end = \"172.20.30.200\"",
    "lan.dhcp_range_reversed", E, "/network/dnsmasq/dhcp_start", 2, 14,
    "network.dnsmasq.dhcp_start must be less than or equal to network.dnsmasq.dhcp_end" },
  { "lan/dhcp-range-includes-gateway", "gateway_cidr = \"172.20.30.1/24\"", "gateway_cidr = \"172.20.30.100/24\"",
    "gateway_cidr = \"172.20.30.1/24\"", "lan.dhcp_range_includes_gateway", E, "/network/dnsmasq/dhcp_start", 0, 0,
    "network.dnsmasq.dhcp_start and network.dnsmasq.dhcp_end must not include the gateway IP" },
  { "lan/dhcp-range-includes-network-address", DNSMASQ_HEAD,
    "gateway_cidr = \"172.20.30.254/24\"\ndhcp_start = \"172.20.30.0\"\ndhcp_end = \"172.20.30.253\"",
    "gateway_cidr = \"172.20.30.254/24\"\ndhcp_start = \"172.20.30.1\"\ndhcp_end = \"172.20.30.253\"",
    "lan.dhcp_range_includes_network_address", E, "/network/dnsmasq/dhcp_start", 2, 14, NULL },
  { "lan/dhcp-range-includes-broadcast-address", "dhcp_end = \"172.20.30.254\"", "dhcp_end = \"172.20.30.255\"",
    "dhcp_end = \"172.20.30.254\"", "lan.dhcp_range_includes_broadcast_address", E, "/network/dnsmasq/dhcp_start",
    0, 0, NULL },
  { "lan/domain-not-dns-name", "domain = \"local\"", "domain = \"bad_domain\"", "domain = \"Lab.Example.\"",
    "lan.invalid_domain", E, "/network/dnsmasq/domain", 1, 10, "invalid DNS name: 'bad_domain'" },
  { "lan/hostname-pattern-without-mac", "hostname_pattern = \"atomixos-{mac}\"", "hostname_pattern = \"atomixos\"",
    "hostname_pattern = \"atomixos-{mac}\"", "lan.hostname_pattern_missing_mac", E,
    "/network/dnsmasq/hostname_pattern", 1, 20, "network.dnsmasq.hostname_pattern must include {mac}" },
  { "lan/hostname-pattern-not-dns-name", "hostname_pattern = \"atomixos-{mac}\"",
    "hostname_pattern = \"atomixos_{mac}\"", "hostname_pattern = \"{mac}.atomixos\"", "lan.invalid_hostname_pattern",
    E, "/network/dnsmasq/hostname_pattern", 1, 20, "invalid DNS name: 'atomixos_001122334455'" },
  { "lan/gateway-alias-not-dns-name", "gateway_aliases = [\"atomixos\"]", "gateway_aliases = [\"atomixos\", \"-gw\"]",
    "gateway_aliases = [\"atomixos\", \"gw\"]", "lan.invalid_gateway_alias", E,
    "/network/dnsmasq/gateway_aliases/1", 1, 32, "invalid DNS name: '-gw'" },

  /* ---- NTP ---- */
  { "ntp/server-with-space", "servers = [\"time.cloudflare.com\"]", "servers = [\"time cloudflare.com\"]",
    "servers = [\"162.159.200.1\"]", "ntp.invalid_server", E, "/network/ntp/servers/0", 1, 12,
    "invalid NTP server: whitespace and control characters are not allowed" },
  { "ntp/server-with-slash", "servers = [\"time.cloudflare.com\"]", "servers = [\"2606:4700:f1::1\", \"bad/name\"]",
    "servers = [\"2606:4700:f1::1\", \"time.cloudflare.com\"]", "ntp.invalid_server", E, "/network/ntp/servers/1", 1,
    31, "invalid NTP server 'bad/name': expected an IP address or a DNS name" },

  /* ---- host network ---- */
  { "network/dns-server-not-ip", NET_HEADER, "[network]\ndns_servers = [\"1.1.1.1\", \"1.1.1\"]\n\n" NET_HEADER,
    "[network]\ndns_servers = [\"1.1.1.1\", \"2606:4700:4700::1111\"]\n\n" NET_HEADER, "network.invalid_dns_server",
    E, "/network/dns_servers/1", 2, 27, "invalid IP address: 1.1.1" },
  { "network/interface-dns-server-not-ip", NULL,
    "[network.interfaces.eth0]\nmode = \"dhcp\"\ndns_servers = [\"dns.example\"]",
    "[network.interfaces.eth0]\nmode = \"dhcp\"\ndns_servers = [\"198.51.100.53\"]", "network.invalid_dns_server", E,
    "/network/interfaces/eth0/dns_servers/0", 3, 16, "invalid IP address: dns.example" },
  { "network/search-domain-not-dns-name", NET_HEADER, "[network]\ndns_search_domains = [\"corp example\"]\n\n" NET_HEADER,
    "[network]\ndns_search_domains = [\"Corp.Example\"]\n\n" NET_HEADER, "network.invalid_search_domain", E,
    "/network/dns_search_domains/0", 2, 23, "invalid DNS name: 'corp example'" },
  { "network/default-gateway-ipv6", NET_HEADER, "[network]\ndefault_gateway = \"2001:db8::1\"\n\n" NET_HEADER,
    "[network]\ndefault_gateway = \"198.51.100.1\"\n\n" NET_HEADER, "network.invalid_default_gateway", E,
    "/network/default_gateway", 2, 19, "invalid IPv4 address: 2001:db8::1" },
  { "network/eth1-dhcp", NULL, "[network.interfaces.eth1]\nmode = \"dhcp\"",
    "[network.interfaces.eth1]\nmode = \"static\"\naddress = \"172.20.30.1/24\"", "network.eth1_must_be_static", E,
    "/network/interfaces/eth1/mode", 2, 8,
    "network.interfaces.eth1.mode must be static because eth1 is the LAN gateway" },
  { "network/static-without-address", NULL, "[network.interfaces.eth0]\nmode = \"static\"",
    "[network.interfaces.eth0]\nmode = \"static\"\naddress = \"198.51.100.2/24\"", "network.static_requires_address",
    E, "/network/interfaces/eth0", 1, 0, NULL },
  { "network/dhcp-with-address", NULL, "[network.interfaces.eth0]\nmode = \"dhcp\"\naddress = \"198.51.100.2/24\"",
    "[network.interfaces.eth0]\nmode = \"static\"\naddress = \"198.51.100.2/24\"", "network.address_requires_static",
    E, "/network/interfaces/eth0/address", 3, 11,
    "network.interfaces.eth0.address is only supported when mode is static" },
  { "network/interface-address-without-prefix", NULL,
    "[network.interfaces.eth0]\nmode = \"static\"\naddress = \"198.51.100.2\"",
    "[network.interfaces.eth0]\nmode = \"static\"\naddress = \"198.51.100.2/24\"",
    "network.invalid_interface_address", E, "/network/interfaces/eth0/address", 3, 11,
    "invalid IPv4 CIDR at network.interfaces.eth0.address: 198.51.100.2" },
  { "network/interface-gateway-not-ipv4", NULL, "[network.interfaces.eth0]\nmode = \"dhcp\"\ngateway = \"198.51.100\"",
    "[network.interfaces.eth0]\nmode = \"dhcp\"\ngateway = \"198.51.100.1\"", "network.invalid_interface_gateway", E,
    "/network/interfaces/eth0/gateway", 3, 11, "invalid IPv4 address: 198.51.100" },
  { "network/wan-address-in-lan-subnet", NULL,
    "[network.interfaces.eth0]\nmode = \"static\"\naddress = \"172.20.30.2/24\"",
    "[network.interfaces.eth0]\nmode = \"static\"\naddress = \"172.20.31.2/24\"", "network.address_overlaps_lan", E,
    "/network/interfaces/eth0/address", 3, 11, NULL },

  /* ---- OS upgrade ---- */
  { "os-upgrade/whitespace", NULL, "[os_upgrade]\nserver_url = \"https://updates.example.com/a b\"",
    "[os_upgrade]\nserver_url = \"https://updates.example.com/a%20b\"", "os_upgrade.url_whitespace", E,
    "/os_upgrade/server_url", 2, 14,
    "invalid URL at os_upgrade.server_url: whitespace/control characters are not allowed" },
  { "os-upgrade/plain-http", NULL, "[os_upgrade]\nserver_url = \"http://updates.example.com\"",
    "[os_upgrade]\nserver_url = \"https://updates.example.com\"", "os_upgrade.url_not_https", E,
    "/os_upgrade/server_url", 2, 14, "os_upgrade.server_url must be an https:// URL" },
  { "os-upgrade/bad-port", NULL, "[os_upgrade]\nserver_url = \"https://updates.example.com:99999/\"",
    "[os_upgrade]\nserver_url = \"https://updates.example.com:8443/\"", "os_upgrade.url_bad_port", E,
    "/os_upgrade/server_url", 2, 14, "invalid URL port at os_upgrade.server_url" },
  { "os-upgrade/credentials", NULL, "[os_upgrade]\nserver_url = \"https://user:secret@updates.example.com/\"",
    "[os_upgrade]\nserver_url = \"https://updates.example.com/\"", "os_upgrade.url_credentials", E,
    "/os_upgrade/server_url", 2, 14, "os_upgrade.server_url must not include credentials" },
  { "os-upgrade/query", NULL, "[os_upgrade]\nserver_url = \"https://updates.example.com/?channel=beta\"",
    "[os_upgrade]\nserver_url = \"https://updates.example.com/beta\"", "os_upgrade.url_query", E,
    "/os_upgrade/server_url", 2, 14, "os_upgrade.server_url must not include a query string or fragment" },
  { "os-upgrade/bad-host", NULL, "[os_upgrade]\nserver_url = \"https://bad_host/\"",
    "[os_upgrade]\nserver_url = \"https://[2001:db8::1]:8443/\"", "os_upgrade.url_bad_host", E,
    "/os_upgrade/server_url", 2, 14, NULL },

  /* ---- activation ---- */
  { "activation/unknown-required", "required = [\"myapp\"]", "required = [\"myapp\", \"other\"]",
    "required = [\"myapp\"]", "activation.unknown_unit", E, "/activation/required/1", 1, 22,
    "activation.required references unknown unit: other" },
  { "activation/unknown-restart", "required = [\"myapp\"]", "required = [\"myapp\"]\nrestart = [\"myapp.service\"]",
    "required = [\"myapp\"]\nrestart = [\"myapp\"]", "activation.unknown_unit", E, "/activation/restart/0", 2, 12,
    "activation.restart references unknown unit: myapp.service" },
  { "activation/unknown-allow-degraded", "required = [\"myapp\"]",
    "required = [\"myapp\"]\nallow_degraded = [\"metrics\"]", "required = [\"myapp\"]\nallow_degraded = []",
    "activation.unknown_unit", E, "/activation/allow_degraded/0", 2, 19,
    "activation.allow_degraded references unknown unit: metrics" },
  { "activation/degraded-overlaps-required", "required = [\"myapp\"]",
    "required = [\"myapp\"]\nallow_degraded = [\"myapp\"]", "required = [\"myapp\"]\nallow_degraded = []",
    "activation.degraded_overlaps_required", E, "/activation/allow_degraded", 2, 18,
    "activation.allow_degraded must not include required units: myapp" },
  { "activation/settle-not-below-timeout", "required = [\"myapp\"]",
    "required = [\"myapp\"]\ntimeout_seconds = 10\nsettle_seconds = 10",
    "required = [\"myapp\"]\ntimeout_seconds = 10\nsettle_seconds = 9", "activation.settle_exceeds_timeout", E,
    "/activation/settle_seconds", 3, 18, NULL },

  /* ---- containers ---- */
  { "containers/image-missing", "Image = \"ghcr.io/example/myapp:latest\"", "Pull = \"newer\"",
    "Pull = \"newer\"\nImage = \"ghcr.io/example/myapp:latest\"", "containers.image_required", E,
    "/containers/container/myapp/Container", 0, 0, "container.myapp.Container.Image must be a single string value" },
  { "containers/image-twice", "Image = \"ghcr.io/example/myapp:latest\"",
    "Image = [\"ghcr.io/example/myapp:latest\", \"ghcr.io/example/other:latest\"]",
    "Image = [\"ghcr.io/example/myapp:latest\"]", "containers.image_required", E,
    "/containers/container/myapp/Container/Image", 1, 9,
    "container.myapp.Container.Image must be a single string value" },
  { "containers/image-blank", "Image = \"ghcr.io/example/myapp:latest\"", "Image = \"  \"",
    "Image = \" ghcr.io/example/myapp:latest \"", "containers.image_required", E,
    "/containers/container/myapp/Container/Image", 1, 9, NULL },
  { "containers/image-not-string", "Image = \"ghcr.io/example/myapp:latest\"", "Image = 5",
    "Image = \"5\"", "containers.image_required", E, "/containers/container/myapp/Container/Image", 1, 9,
    "container.myapp.Container.Image must be a single string value" },
  { "containers/directive-newline", CONTAINER_TAIL, CONTAINER_TAIL "\nEnvironment = \"A=1\\nExec=/bin/sh\"",
    CONTAINER_TAIL "\nEnvironment = [\"A=1\", \"Exec=/bin/sh\"]", "containers.invalid_directive_value", E,
    "/containers/container/myapp/Container/Environment", 2, 15, "invalid newline in directive value" },
  { "containers/directive-carriage-return-in-list", CONTAINER_TAIL,
    CONTAINER_TAIL "\nEnvironment = [\"A=1\", \"B=2\\r\"]", CONTAINER_TAIL "\nEnvironment = [\"A=1\", \"B=2\"]",
    "containers.invalid_directive_value", E, "/containers/container/myapp/Container/Environment/1", 2, 23, NULL },
  { "containers/directive-trailing-backslash", CONTAINER_TAIL, CONTAINER_TAIL "\nExec = 'sh -c true \\'",
    CONTAINER_TAIL "\nExec = 'sh -c true'", "containers.invalid_directive_value", E,
    "/containers/container/myapp/Container/Exec", 2, 8,
    "a directive value must not end with '\\' (it would continue onto the next line)" },
  { "containers/unit-section-newline", NULL, "[containers.container.myapp.Unit]\nDescription = \"app\\n[Service]\"",
    "[containers.container.myapp.Unit]\nDescription = \"app [Service]\"", "containers.invalid_directive_value", E,
    "/containers/container/myapp/Unit/Description", 2, 15, NULL },
  { "containers/publish-port-localhost-host", CONTAINER_TAIL, "PublishPort = [\"localhost:8080\"]",
    "PublishPort = [\"localhost:8080:80\"]", "containers.invalid_publish_port", E,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16, NULL },
  { "containers/publish-port-unterminated-bracket", CONTAINER_TAIL, "PublishPort = [\"[::1:8080:80\"]",
    "PublishPort = [\"[::1]:8080:80\"]", "containers.invalid_publish_port", E,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16,
    "container.myapp.Container.PublishPort '[::1:8080:80' is invalid: unterminated or misplaced '[' in the bind "
    "address" },
  { "containers/publish-port-bind-without-host-port", CONTAINER_TAIL, "PublishPort = [\"[::1]:8080\"]",
    "PublishPort = [\"[::1]:8080:8080\"]", "containers.invalid_publish_port", E,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16, NULL },
  { "containers/publish-port-range-length-differs", CONTAINER_TAIL, "PublishPort = [\"8000-8010:8000-8005\"]",
    "PublishPort = [\"8000-8010:8000-8010\"]", "containers.invalid_publish_port", E,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16, NULL },
  { "containers/publish-port-bad-protocol", CONTAINER_TAIL, "PublishPort = [\"10080:8080/icmp\"]",
    "PublishPort = [\"10080:8080/udp\"]", "containers.invalid_publish_port", E,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16, NULL },
  { "containers/publish-port-without-host-port", CONTAINER_TAIL, "PublishPort = [\"8080\"]",
    "PublishPort = [\"8080:8080\"]", "containers.publish_port_missing_host_port", E,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16,
    "container.myapp.Container.PublishPort must include an explicit host port for rootless containers" },
  { "containers/publish-port-empty-host-port", CONTAINER_TAIL, "PublishPort = [\"127.0.0.1::8080\"]",
    "PublishPort = [\"127.0.0.1:10080:8080\"]", "containers.publish_port_missing_host_port", E,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16, NULL },
  { "containers/publish-port-all-addresses", CONTAINER_TAIL, "PublishPort = [\"0.0.0.0:8080:80\"]",
    "PublishPort = [\"127.0.0.1:8080:80\"]", "containers.publish_port_rewritten", W,
    "/containers/container/myapp/Container/PublishPort/0", 1, 16,
    "container.myapp.Container.PublishPort rewrote non-loopback bind '0.0.0.0:8080:80' to 127.0.0.1" },
  { "containers/rootless-network", CONTAINER_TAIL, CONTAINER_TAIL "\nNetwork = \"host\"", CONTAINER_TAIL,
    "containers.network_forced", W, "/containers/container/myapp/Container/Network", 2, 11,
    "container.myapp.Container.Network overridden to pasta for rootless container" },
  { "containers/privileged-network", NULL,
    "[containers.container.vpn]\nprivileged = true\n[containers.container.vpn.Container]\n"
    "Image = \"docker.io/library/openvpn\"\nNetwork = \"bridge\"",
    "[containers.container.vpn]\nprivileged = true\n[containers.container.vpn.Container]\n"
    "Image = \"docker.io/library/openvpn\"\nNetwork = \"host\"",
    "containers.network_forced", W, "/containers/container/vpn/Container/Network", 5, 11,
    "container.vpn.Container.Network overridden to host for privileged container" },
  { "containers/rootless-podman-args", CONTAINER_TAIL, CONTAINER_TAIL "\nPodmanArgs = \"--network=host\"",
    CONTAINER_TAIL "\nEnvironment = \"X=1\"", "containers.directive_not_allowed", E,
    "/containers/container/myapp/Container/PodmanArgs", 2, 14,
    "container.myapp.Container.PodmanArgs is not allowed for rootless containers" },
  { "containers/rootless-pod", CONTAINER_TAIL, CONTAINER_TAIL "\nPod = \"shared.pod\"", CONTAINER_TAIL,
    "containers.directive_not_allowed", E, "/containers/container/myapp/Container/Pod", 2, 7,
    "container.myapp.Container.Pod is not allowed for rootless containers" },
  { "containers/privileged-pod", NULL,
    "[containers.container.vpn]\nprivileged = true\n[containers.container.vpn.Container]\n"
    "Image = \"docker.io/library/openvpn\"\nPod = \"shared.pod\"",
    "[containers.container.vpn]\nprivileged = true\n[containers.container.vpn.Container]\n"
    "Image = \"docker.io/library/openvpn\"\nPodmanArgs = \"--cap-add=NET_ADMIN\"",
    "containers.directive_not_allowed", E, "/containers/container/vpn/Container/Pod", 5, 7,
    "container.vpn.Container.Pod is not allowed for privileged containers" },
  { "containers/duplicate-host-port", NULL,
    "[containers.container.other]\nprivileged = false\n[containers.container.other.Container]\n"
    "Image = \"docker.io/library/busybox\"\nPublishPort = [\"127.0.0.1:10080:80\"]",
    "[containers.container.other]\nprivileged = false\n[containers.container.other.Container]\n"
    "Image = \"docker.io/library/busybox\"\nPublishPort = [\"127.0.0.1:10081:80\"]",
    "containers.duplicate_host_port", E, "/containers/container/other/Container/PublishPort/0", 5, 16,
    "host port 10080/tcp of container.other is already published by container.myapp" },
  { "containers/unused-volume", CONTAINER_TAIL, CONTAINER_TAIL "\n\n[containers.volume.data.Volume]\nLabel = \"x\"",
    CONTAINER_TAIL "\nVolume = [\"data.volume:/data\"]\n\n[containers.volume.data.Volume]\nLabel = \"x\"",
    "containers.unused_resource", W, "/containers/volume/data", 3, 0,
    "data.volume is not used by any container; it is installed for rootful Podman" },
  { "containers/service-name-collision", NULL,
    "[containers.container.api-volume]\nprivileged = false\n[containers.container.api-volume.Container]\n"
    "Image = \"docker.io/library/busybox\"\nVolume = [\"api:/data\"]\n\n[containers.volume.api.Volume]\nLabel = \"x\"",
    "[containers.container.api-data]\nprivileged = false\n[containers.container.api-data.Container]\n"
    "Image = \"docker.io/library/busybox\"\nVolume = [\"api:/data\"]\n\n[containers.volume.api.Volume]\nLabel = \"x\"",
    "containers.service_name_collision", E, "/containers/volume/api", 7, 0,
    "quadlet service name collision: api-volume.container and api.volume both render api-volume.service (rootless)" },
};

/* base_config with @find replaced by @replacement (appended when @find is NULL);
 * *line_offset_out receives the line number of the replacement's first line. */
static char *
build_config(const char *find, const char *replacement, guint *line_offset_out)
{
  const char *at = NULL;
  if (find) {
    at = strstr(base_config, find);
    g_assert_nonnull(at);
    g_assert_null(strstr(at + 1, find)); /* the row must say exactly what it replaces */
  } else {
    at = base_config + strlen(base_config);
  }
  GString *text = g_string_new_len(base_config, at - base_config);
  if (!find)
    g_string_append_c(text, '\n');
  guint line = 1;
  for (const char *p = text->str; *p; p++)
    line += *p == '\n';
  *line_offset_out = line;
  g_string_append(text, replacement);
  if (find)
    g_string_append(text, at + strlen(find));
  else
    g_string_append_c(text, '\n');
  return g_string_free(text, FALSE);
}

static AtxConfig *
load_text(const char *text, AtxDiagList *diags)
{
  g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
  return atx_config_load(bytes, diags);
}

static const AtxDiag *
find_diag(const AtxDiagList *diags, const char *code, const char *pointer)
{
  for (guint i = 0; i < atx_diag_list_length(diags); i++) {
    const AtxDiag *diag = atx_diag_list_index(diags, i);
    if (g_str_equal(diag->code, code) && (!pointer || g_str_equal(diag->pointer, pointer)))
      return diag;
  }
  return NULL;
}

static void
print_diags(const AtxDiagList *diags, const char *what)
{
  g_autofree char *text = atx_diag_list_format_text(diags, what);
  g_test_message("%s", *text ? text : "(no diagnostics)");
}

static void
test_rule(gconstpointer data)
{
  const RuleCase *rule = data;

  guint first_line = 0;
  g_autofree char *bad = build_config(rule->find, rule->bad, &first_line);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(bad, diags);
  print_diags(diags, "bad.toml");
  const AtxDiag *diag = find_diag(diags, rule->code, rule->pointer);
  g_assert_nonnull(diag);
  g_assert_cmpint(diag->severity, ==, rule->severity);
  if (rule->line)
    g_assert_cmpuint(diag->line, ==, first_line + rule->line - 1);
  else
    g_assert_cmpuint(diag->line, >=, 1); /* every diagnostic of a parsed document has a position */
  if (rule->column)
    g_assert_cmpuint(diag->column, ==, rule->column);
  if (rule->message)
    g_assert_cmpstr(diag->message, ==, rule->message);
  if (rule->severity == ATX_SEVERITY_ERROR)
    g_assert_null(config);
  else
    g_assert_nonnull(config); /* a warning is advice: the config still loads */

  guint unused = 0;
  g_autofree char *good = build_config(rule->find, rule->good, &unused);
  g_autoptr(AtxDiagList) twin_diags = atx_diag_list_new();
  g_autoptr(AtxConfig) twin = load_text(good, twin_diags);
  print_diags(twin_diags, "twin.toml");
  g_assert_null(find_diag(twin_diags, rule->code, NULL));
  if (!rule->twin_has_other_errors) {
    g_assert_false(atx_diag_list_has_errors(twin_diags));
    g_assert_nonnull(twin);
  }
}

static void
test_base_config_is_valid(void)
{
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(base_config, diags);
  print_diags(diags, "base.toml");
  g_assert_nonnull(config);
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 0);
}

/* ---- limits of the TOML stage ---- */

static void
test_toml_too_large(void)
{
  gsize size = ATX_TOML_DEFAULT_MAX_BYTES + 1;
  char *data = g_malloc(size);
  memset(data, '#', size);
  g_autoptr(GBytes) bytes = g_bytes_new_take(data, size);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = atx_config_load(bytes, diags);
  g_assert_null(config);
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 1);
  g_assert_cmpstr(atx_diag_list_index(diags, 0)->code, ==, "toml.too_large");
}

static char *
nested_arrays(guint depth)
{
  GString *text = g_string_new(base_config);
  g_string_append(text, "\n[containers.container.myapp.Unit]\nDeep = ");
  for (guint i = 0; i < depth; i++)
    g_string_append_c(text, '[');
  g_string_append_c(text, '1');
  for (guint i = 0; i < depth; i++)
    g_string_append_c(text, ']');
  g_string_append_c(text, '\n');
  return g_string_free(text, FALSE);
}

static void
test_toml_too_deep(void)
{
  g_autofree char *deep = nested_arrays(ATX_TOML_DEFAULT_MAX_DEPTH + 1);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(deep, diags);
  print_diags(diags, "deep.toml");
  g_assert_null(config);
  const AtxDiag *diag = find_diag(diags, "toml.too_deep", "");
  g_assert_nonnull(diag);
  g_assert_cmpuint(diag->line, ==, 33);

  /* Nesting within the limit parses; the schema then refuses arrays of arrays. */
  g_autofree char *shallow = nested_arrays(2);
  g_autoptr(AtxDiagList) shallow_diags = atx_diag_list_new();
  g_autoptr(AtxConfig) shallow_config = load_text(shallow, shallow_diags);
  g_assert_null(shallow_config);
  g_assert_null(find_diag(shallow_diags, "toml.too_deep", NULL));
  g_assert_nonnull(find_diag(shallow_diags, "schema.anyOf", "/containers/container/myapp/Unit/Deep"));
}

/* ---- whole-document behaviour ---- */

static const char many_problems[] =
  "version = 1\n"
  "\n"
  "[users.root]\n"                                       /* users.reserved_name */
  "isAdmin = true\n"
  "ssh_key = \"" ADMIN_KEY "\"\n"
  "shell = \"fish\"\n"                                    /* schema.enum */
  "\n"
  "[network.firewall.inbound.wan]\n"
  "tcp = [8080]\n"                                       /* firewall.reserved_bootstrap_port */
  "\n"
  "[network.dnsmasq]\n"
  "dhcp_start = \"172.20.30.200\"\n"                     /* lan.dhcp_range_reversed */
  "dhcp_end = \"172.20.30.100\"\n"
  "\n"
  "[network.ntp]\n"
  "servers = [\"bad/name\"]\n"                           /* ntp.invalid_server */
  "\n"
  "[network.interfaces.eth1]\n"
  "mode = \"dhcp\"\n"                                     /* network.eth1_must_be_static */
  "\n"
  "[os_upgrade]\n"
  "server_url = \"http://updates.example.com\"\n"        /* os_upgrade.url_not_https */
  "\n"
  "[activation]\n"
  "required = [\"myapp\", \"ghost\"]\n"                  /* activation.unknown_unit */
  "\n"
  "[containers.container.myapp]\n"
  "privileged = false\n"
  "\n"
  "[containers.container.myapp.Container]\n"
  "Image = \"ghcr.io/example/myapp:latest\"\n"
  "PublishPort = [\"8080\"]\n"                           /* containers.publish_port_missing_host_port */
  "Environment = \"A=1\\nB=2\"\n";                       /* containers.invalid_directive_value */

static void
test_all_problems_reported_at_once(void)
{
  static const struct {
    const char *code;
    guint line;
  } expected[] = {
    { "users.reserved_name", 3 },
    { "schema.enum", 6 },
    { "firewall.reserved_bootstrap_port", 9 },
    { "lan.dhcp_range_reversed", 12 },
    { "ntp.invalid_server", 16 },
    { "network.eth1_must_be_static", 19 },
    { "os_upgrade.url_not_https", 22 },
    { "activation.unknown_unit", 25 },
    { "containers.publish_port_missing_host_port", 32 },
    { "containers.invalid_directive_value", 33 },
  };
  g_autoptr(GBytes) bytes = g_bytes_new_static(many_problems, strlen(many_problems));
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = atx_config_load(bytes, diags);
  print_diags(diags, "many.toml");
  g_assert_null(config);
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
    const AtxDiag *diag = find_diag(diags, expected[i].code, NULL);
    g_assert_nonnull(diag);
    g_assert_cmpuint(diag->line, ==, expected[i].line);
  }
  g_assert_cmpuint(atx_diag_list_count(diags, ATX_SEVERITY_ERROR), ==, G_N_ELEMENTS(expected));
}

static const char only_warnings[] =
  "version = 1\n"
  "[users.admin]\n"
  "isAdmin = true\n"
  "ssh_key = \"" ADMIN_KEY "\"\n"
  "[network.firewall.inbound.wan]\n"
  "tcp = [443, 443]\n"                              /* firewall.duplicate_port */
  "[activation]\n"
  "required = [\"myapp\"]\n"
  "[containers.container.myapp]\n"
  "privileged = false\n"
  "[containers.container.myapp.Container]\n"
  "Image = \"ghcr.io/example/myapp:latest\"\n"
  "PublishPort = [\"0.0.0.0:10080:8080\"]\n"        /* containers.publish_port_rewritten */
  "Network = \"bridge\"\n"                          /* containers.network_forced */
  "[containers.volume.cache.Volume]\n"              /* containers.unused_resource */
  "Label = \"app=myapp\"\n";

static void
test_warnings_alone_keep_config_valid(void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static(only_warnings, strlen(only_warnings));
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = atx_config_load(bytes, diags);
  print_diags(diags, "warnings.toml");
  g_assert_nonnull(config);
  g_assert_cmpuint(atx_diag_list_count(diags, ATX_SEVERITY_ERROR), ==, 0);
  g_assert_cmpuint(atx_diag_list_count(diags, ATX_SEVERITY_WARNING), ==, 4);
  g_assert_nonnull(find_diag(diags, "firewall.duplicate_port", "/network/firewall/inbound/wan/tcp/1"));
  g_assert_nonnull(find_diag(diags, "containers.publish_port_rewritten",
                             "/containers/container/myapp/Container/PublishPort/0"));
  g_assert_nonnull(find_diag(diags, "containers.network_forced", "/containers/container/myapp/Container/Network"));
  g_assert_nonnull(find_diag(diags, "containers.unused_resource", "/containers/volume/cache"));

  /* Duplicates are kept, in order: the firewall renders what was written. */
  g_assert_cmpuint(config->firewall.wan->tcp->len, ==, 2);
}

/* The bootstrap port is reserved on WAN TCP only. */
static void
test_port_8080_allowed_outside_wan_tcp(void)
{
  guint unused = 0;
  g_autofree char *text = build_config(WAN_PORTS, "tcp = [443]\nudp = [8080]\n\n"
                                       "[network.firewall.inbound.lan]\ntcp = [8080]", &unused);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(text, diags);
  print_diags(diags, "8080.toml");
  g_assert_nonnull(config);
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 0);
}

/* An empty scope opens nothing and must not turn LAN into an allowlist. */
static void
test_empty_firewall_scopes_are_dropped(void)
{
  guint unused = 0;
  g_autofree char *text = build_config(WAN_PORTS, "tcp = []\n\n[network.firewall.inbound.lan]\nudp = []", &unused);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(text, diags);
  g_assert_nonnull(config);
  g_assert_null(config->firewall.wan);
  g_assert_null(config->firewall.lan);
}

/* Schema type errors are reported once, by the schema: the semantic checks
 * that read the same values stay silent. */
static void
test_type_error_reported_once(void)
{
  static const struct {
    const char *find, *replacement, *code, *pointer;
  } cases[] = {
    { "dhcp_start = \"172.20.30.10\"", "dhcp_start = 10", "schema.type", "/network/dnsmasq/dhcp_start" },
    { NULL, "[network.interfaces.eth0]\nmode = \"static\"\naddress = 5", "schema.type",
      "/network/interfaces/eth0/address" },
    { NULL, "[network.interfaces.eth0]\nmode = 1\naddress = \"198.51.100.2/24\"", "schema.enum",
      "/network/interfaces/eth0/mode" },
    { NULL, "[network.interfaces.eth0]\naddress = \"198.51.100.2/24\"", "schema.required",
      "/network/interfaces/eth0" },
    { "required = [\"myapp\"]", "required = \"myapp\"", "schema.type", "/activation/required" },
    { "privileged = false", "privileged = 0", "schema.type", "/containers/container/myapp/privileged" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    guint unused = 0;
    g_autofree char *text = build_config(cases[i].find, cases[i].replacement, &unused);
    g_autoptr(AtxDiagList) diags = atx_diag_list_new();
    g_autoptr(AtxConfig) config = load_text(text, diags);
    print_diags(diags, "type.toml");
    g_assert_null(config);
    g_assert_nonnull(find_diag(diags, cases[i].code, cases[i].pointer));
    g_assert_cmpuint(atx_diag_list_length(diags), ==, 1);
  }
}

/* A missing [Container] section is the schema's "missing required key"; the
 * Image rule has nothing more to say about it. */
static void
test_missing_container_section_reported_once(void)
{
  guint unused = 0;
  g_autofree char *text = build_config("[containers.container.myapp.Container]\n"
                                       "Image = \"ghcr.io/example/myapp:latest\"\n"
                                       "PublishPort = [\"10080:8080\"]",
                                       "[containers.container.myapp.Unit]\nDescription = \"app\"", &unused);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(text, diags);
  print_diags(diags, "nocontainer.toml");
  g_assert_null(config);
  g_assert_nonnull(find_diag(diags, "schema.required", "/containers/container/myapp"));
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 1);
}

/* NTP servers are kept as written (trimmed), resolvers in canonical form,
 * search domains lower-cased. */
static void
test_normalised_host_values(void)
{
  guint unused = 0;
  g_autofree char *text = build_config(
    "servers = [\"time.cloudflare.com\"]\n\n",
    "servers = [\" Time.Cloudflare.COM \", \"2606:4700:F1:0:0:0:0:1\"]\n\n"
    "[network]\ndns_servers = [\"2606:4700:4700:0:0:0:0:1111\", \" 1.1.1.1\"]\n"
    "dns_search_domains = [\"Corp.Example.\"]\ndefault_gateway = \"198.51.100.1\"\n\n", &unused);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(text, diags);
  print_diags(diags, "normalised.toml");
  g_assert_nonnull(config);
  g_assert_cmpstr(g_ptr_array_index(config->lan.ntp_servers, 0), ==, "Time.Cloudflare.COM");
  g_assert_cmpstr(g_ptr_array_index(config->lan.ntp_servers, 1), ==, "2606:4700:F1:0:0:0:0:1");
  g_assert_cmpstr(g_ptr_array_index(config->host.dns_servers, 0), ==, "2606:4700:4700::1111");
  g_assert_cmpstr(g_ptr_array_index(config->host.dns_servers, 1), ==, "1.1.1.1");
  g_assert_cmpstr(g_ptr_array_index(config->host.dns_search_domains, 0), ==, "corp.example");
  g_assert_cmpstr(config->host.default_gateway, ==, "198.51.100.1");
}

/* Normalised values the renderers rely on. */
static void
test_normalised_model(void)
{
  guint unused = 0;
  g_autofree char *text = build_config(
    "domain = \"local\"\ngateway_aliases = [\"atomixos\"]",
    "domain = \"Lab.Example.\"\ngateway_aliases = [\"GW\", \"gw.\", \"atomixos\"]", &unused);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_text(text, diags);
  g_assert_nonnull(config);
  g_assert_cmpstr(config->lan.domain, ==, "lab.example");
  g_assert_cmpuint(config->lan.gateway_aliases->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(config->lan.gateway_aliases, 0), ==, "gw");
  g_assert_cmpstr(g_ptr_array_index(config->lan.gateway_aliases, 1), ==, "atomixos");
  g_assert_cmpint(config->activation.timeout_seconds, ==, 300);
  g_assert_cmpuint(config->lan.ntp_servers->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(config->lan.ntp_servers, 0), ==, "time.cloudflare.com");
  g_assert_cmpint(config->activation.settle_seconds, ==, 0);
  g_assert_cmpstr(config->activation.strategy, ==, "rollback");
  g_assert_false(config->activation.allow_degraded_configured);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/config-rules/base-config-is-valid", test_base_config_is_valid);
  for (guint i = 0; i < G_N_ELEMENTS(rule_cases); i++) {
    g_autofree char *path = g_strdup_printf("/config-rules/%s", rule_cases[i].name);
    g_test_add_data_func(path, &rule_cases[i], test_rule);
  }
  g_test_add_func("/config-rules/toml/too-large", test_toml_too_large);
  g_test_add_func("/config-rules/toml/too-deep", test_toml_too_deep);
  g_test_add_func("/config-rules/all-problems-reported-at-once", test_all_problems_reported_at_once);
  g_test_add_func("/config-rules/warnings-alone-keep-config-valid", test_warnings_alone_keep_config_valid);
  g_test_add_func("/config-rules/firewall/8080-allowed-outside-wan-tcp", test_port_8080_allowed_outside_wan_tcp);
  g_test_add_func("/config-rules/firewall/empty-scopes-dropped", test_empty_firewall_scopes_are_dropped);
  g_test_add_func("/config-rules/type-error-reported-once", test_type_error_reported_once);
  g_test_add_func("/config-rules/missing-container-section-reported-once",
                  test_missing_container_section_reported_once);
  g_test_add_func("/config-rules/normalised-model", test_normalised_model);
  g_test_add_func("/config-rules/normalised-host-values", test_normalised_host_values);
  return g_test_run();
}
