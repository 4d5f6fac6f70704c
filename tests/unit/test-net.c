/* The address, name, key and port parsers of net.h, sshkey.h and
 * publish_port.h: the allocating functions and the non-allocating ones next to
 * them must agree with each other and with the tables below, which record
 * what the functions returned before the non-allocating ones were added. */
#include <arpa/inet.h>
#include <string.h>

#include "core/base/net.h"
#include "core/config/publish_port.h"
#include "core/base/sshkey.h"

typedef struct {
  const char *text;
  gboolean valid;
  guint32 addr;
} Ipv4Case;

typedef struct {
  const char *text;
  gboolean valid;
  guint32 addr;
  guint prefix;
} CidrCase;

typedef struct {
  const char *text;
  gboolean valid;
  const char *normalized_or_why;
} DnsCase;

typedef struct {
  const char *text;
  gboolean is_ipv6;
  const char *canonical; /* NULL: not an IP literal */
} IpCase;

typedef struct {
  const char *text;
  AtxUrlProblem problem;
  const char *normalized;
} UrlCase;

typedef struct {
  const char *text;
  gboolean has_space_or_control;
} SpaceCase;

typedef struct {
  const char *text;
  AtxSshKeyProblem problem;
  const char *line;
  const char *type;
  gsize blob_size;
} KeyCase;

typedef struct {
  const char *text;
  const char *bind_ip;
  gboolean has_host_port;
  guint host_first, host_last, container_first, container_last;
  const char *protocol; /* NULL: invalid */
  const char *remainder;
  const char *why;
} PortCase;

static const Ipv4Case ipv4_cases[] = {
  { "0.0.0.0", TRUE, 0x00000000u },
  { "1.2.3.4", TRUE, 0x01020304u },
  { "255.255.255.255", TRUE, 0xffffffffu },
  { "256.1.1.1", FALSE, 0x00000000u },
  { "1.2.3", FALSE, 0x00000000u },
  { "1.2.3.4.5", FALSE, 0x00000000u },
  { "01.2.3.4", FALSE, 0x00000000u },
  { "1.02.3.4", FALSE, 0x00000000u },
  { "1.2.3.04", FALSE, 0x00000000u },
  { "0.0.0.00", FALSE, 0x00000000u },
  { "1.2.3.4 ", FALSE, 0x00000000u },
  { " 1.2.3.4", FALSE, 0x00000000u },
  { "1..3.4", FALSE, 0x00000000u },
  { "1.2.3.", FALSE, 0x00000000u },
  { ".1.2.3", FALSE, 0x00000000u },
  { "", FALSE, 0x00000000u },
  { "a.b.c.d", FALSE, 0x00000000u },
  { "1.2.3.4/24", FALSE, 0x00000000u },
  { "1000.1.1.1", FALSE, 0x00000000u },
  { "10.0.0.255", TRUE, 0x0a0000ffu },
  { "192.168.1.1", TRUE, 0xc0a80101u },
  { "1.2.3.-4", FALSE, 0x00000000u },
  { "1.2.3.+4", FALSE, 0x00000000u },
  { "0x1.2.3.4", FALSE, 0x00000000u },
  { "1.2.3.4\011", FALSE, 0x00000000u },
  { "127.0.0.1", TRUE, 0x7f000001u },
  { "999.999.999.999", FALSE, 0x00000000u },
  { "00.0.0.0", FALSE, 0x00000000u },
  { "0.0.0.0.", FALSE, 0x00000000u },
  { "1.2.3.4.", FALSE, 0x00000000u },
};

static const CidrCase cidr_cases[] = {
  { "10.0.0.1/24", TRUE, 0x0a000001u, 24 },
  { "10.0.0.1/33", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/024", FALSE, 0x00000000u, 0 },
  { " 10.0.0.1/8 ", TRUE, 0x0a000001u, 8 },
  { "10.0.0.1/", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/0", TRUE, 0x0a000001u, 0 },
  { "/24", FALSE, 0x00000000u, 0 },
  { "10.0.0.1//24", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/2a", FALSE, 0x00000000u, 0 },
  { "172.20.30.1/16", TRUE, 0xac141e01u, 16 },
  { "0.0.0.0/0", TRUE, 0x00000000u, 0 },
  { "255.255.255.255/32", TRUE, 0xffffffffu, 32 },
  { "10.0.0.1/32", TRUE, 0x0a000001u, 32 },
  { "10.0.0.1/3", TRUE, 0x0a000001u, 3 },
  { "10.0.0.1 /24", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/ 24", FALSE, 0x00000000u, 0 },
  { "\01110.0.0.1/24\012", TRUE, 0x0a000001u, 24 },
  { "10.0.0.1", FALSE, 0x00000000u, 0 },
  { "10.0.0/24", FALSE, 0x00000000u, 0 },
  { "010.0.0.1/24", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/00", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/100", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/-1", FALSE, 0x00000000u, 0 },
  { "10.0.0.1/+1", FALSE, 0x00000000u, 0 },
  { "", FALSE, 0x00000000u, 0 },
  { " ", FALSE, 0x00000000u, 0 },
  { "1.2.3.4/24/", FALSE, 0x00000000u, 0 },
  { "1.2.3.4/24 x", FALSE, 0x00000000u, 0 },
};

static const DnsCase dns_cases[] = {
  { "example.com", TRUE, "example.com" },
  { "Example.COM.", TRUE, "example.com" },
  { "-bad", FALSE, "'-bad'" },
  { "bad-", FALSE, "'bad-'" },
  { "a..b", FALSE, "'a..b'" },
  { ".", FALSE, "'.'" },
  { "", FALSE, "''" },
  { " ", FALSE, "' '" },
  { "a.", TRUE, "a" },
  { "a-.b", FALSE, "'a-.b'" },
  { "gw", TRUE, "gw" },
  { "GW.", TRUE, "gw" },
  { "a-b.c-d", TRUE, "a-b.c-d" },
  { "xn--abc.example", TRUE, "xn--abc.example" },
  { "with space", FALSE, "'with space'" },
  { "tab\011name", FALSE, "'tab\011name'" },
  { "under_score", FALSE, "'under_score'" },
  { "caf\303\251", FALSE, "'caf\303\251'" },
  { "time.cloudflare.com", TRUE, "time.cloudflare.com" },
  { "162.159.200.1", TRUE, "162.159.200.1" },
  { " padded.name ", TRUE, "padded.name" },
  { "trailing..", FALSE, "'trailing..'" },
  { "a.b.c.d.e.f.g", TRUE, "a.b.c.d.e.f.g" },
  { "1", TRUE, "1" },
  { "-", FALSE, "'-'" },
  { "a-", FALSE, "'a-'" },
  { "ab--cd", TRUE, "ab--cd" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TRUE, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FALSE, "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TRUE, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FALSE, "name is longer than 253 characters" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", TRUE, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
};

static const IpCase ip_cases[] = {
  { "1.1.1.1", FALSE, "1.1.1.1" },
  { "::1", TRUE, "::1" },
  { "::", TRUE, "::" },
  { "2606:4700:4700:0:0:0:0:1111", TRUE, "2606:4700:4700::1111" },
  { "2606:4700:4700::1111", TRUE, "2606:4700:4700::1111" },
  { "::ffff:1.2.3.4", TRUE, "::ffff:1.2.3.4" },
  { "::1.2.3.4", TRUE, "::1.2.3.4" },
  { "::ffff:0:1.2.3.4", TRUE, "::ffff:0:102:304" },
  { "1::", TRUE, "1::" },
  { "fe80::1%eth0", FALSE, NULL },
  { "[::1]", FALSE, NULL },
  { "0:0:0:0:0:0:0:0", TRUE, "::" },
  { "1:0:0:2:0:0:0:3", TRUE, "1:0:0:2::3" },
  { "1:0:0:0:2:0:0:3", TRUE, "1::2:0:0:3" },
  { "a:b:c:d:e:f:0:0", TRUE, "a:b:c:d:e:f::" },
  { "0:0:1:0:0:0:0:0", TRUE, "0:0:1::" },
  { "ABCD:EF01::1", TRUE, "abcd:ef01::1" },
  { "1:2:3:4:5:6:7:8", TRUE, "1:2:3:4:5:6:7:8" },
  { "1:2:3:4:5:6:7:8:9", FALSE, NULL },
  { ":::", FALSE, NULL },
  { "1::2::3", FALSE, NULL },
  { "::0:0:1", TRUE, "::1" },
  { "0::ffff:10.0.0.1", TRUE, "::ffff:10.0.0.1" },
  { "::ffff:ffff:1.2.3.4", TRUE, "::ffff:ffff:102:304" },
  { "0:0:0:0:0:ffff:1.2.3.4", TRUE, "::ffff:1.2.3.4" },
  { "0:0:0:0:0:0:1.2.3.4", TRUE, "::1.2.3.4" },
  { "::0.0.0.1", TRUE, "::1" },
  { "::1:0:0:0", TRUE, "::1:0:0:0" },
  { "01.1.1.1", FALSE, NULL },
  { "1.1.1", FALSE, NULL },
  { "dns.example", FALSE, NULL },
  { "", FALSE, NULL },
  { " ::1", FALSE, NULL },
  { "::1 ", FALSE, NULL },
  { "0001:0002::0003", TRUE, "1:2::3" },
  { "00000::1", FALSE, NULL },
  { "1:0:0:0:0:0:0:0", TRUE, "1::" },
  { "0:0:0:0:0:0:0:1", TRUE, "::1" },
  { "0:1:0:1:0:1:0:1", TRUE, "0:1:0:1:0:1:0:1" },
  { "::ffff:0.0.0.0", TRUE, "::ffff:0.0.0.0" },
  { "::fffe:1.2.3.4", TRUE, "::fffe:102:304" },
};

static const UrlCase url_cases[] = {
  { "https://a.b/", 0, "https://a.b" },
  { "http://x", 2, NULL },
  { "https://user@x", 4, NULL },
  { "https://x:99999", 3, NULL },
  { "https://[::1]:443/p", 0, "https://[::1]:443/p" },
  { "https://x?q", 5, NULL },
  { "HTTPS://X.COM//", 0, "HTTPS://X.COM" },
  { "https://", 2, NULL },
  { "https://:80", 2, NULL },
  { "https://1.2.3.4", 0, "https://1.2.3.4" },
  { "https://[::1", 6, NULL },
  { "https://[::1]x/", 6, NULL },
  { "https://x:/", 3, NULL },
  { "https://x:443//", 0, "https://x:443" },
  { "https://updates.example.com/atomixos/", 0, "https://updates.example.com/atomixos" },
  { "https://a b", 1, NULL },
  { "https://ex_ample.com", 6, NULL },
  { "https://[1.2.3.4]/", 6, NULL },
  { "", 1, NULL },
  { "https://x#f", 5, NULL },
  { "https://x:65535/", 0, "https://x:65535" },
  { "https://x:65536/", 3, NULL },
  { "https://x:0", 0, "https://x:0" },
  { "https://[]", 6, NULL },
  { "https://[::1]", 0, "https://[::1]" },
  { "https://x:12a", 3, NULL },
  { "https://-bad.example/", 6, NULL },
  { "https://a.b:443", 0, "https://a.b:443" },
  { "https://a.b:/x", 3, NULL },
  { "https:///x", 2, NULL },
  { "https://a.b/c/d///", 0, "https://a.b/c/d" },
  { "https://caf\303\251.example/", 6, NULL },
  { "https://a\302\240b/", 1, NULL },
};

static const SpaceCase space_cases[] = {
  { "plain", FALSE },
  { "with space", TRUE },
  { "tab\011here", TRUE },
  { "nl\012", TRUE },
  { "del\177", TRUE },
  { "nbsp\302\240x", TRUE },
  { "ideo\343\200\200x", TRUE },
  { "caf\303\251", FALSE },
  { "", FALSE },
  { "x\001", TRUE },
  { "\342\200\203em", TRUE },
  { "ok-name.example", FALSE },
};

static const KeyCase key_cases[] = {
  { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example", 0, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example", "ssh-ed25519", 51 },
  { "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA5uFX/cNEwYfCyO6+8BF1+6KupVmFJ3gGAFBnef3yaU04RBMJQqoGnyWEXC8K76O2XS2CQ/nPhQFs3dwbGlYUs= ops@example", 0, "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA5uFX/cNEwYfCyO6+8BF1+6KupVmFJ3gGAFBnef3yaU04RBMJQqoGnyWEXC8K76O2XS2CQ/nPhQFs3dwbGlYUs= ops@example", "ecdsa-sha2-nistp256", 104 },
  { "  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR  ", 0, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR", "ssh-ed25519", 51 },
  { "ssh-ed25519\011AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR\011c", 0, "ssh-ed25519\011AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR\011c", "ssh-ed25519", 51 },
  { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin\012root", 1, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR del\177", 1, NULL, NULL, 0 },
  { "ssh-ed25519", 2, NULL, NULL, 0 },
  { "ssh-ed25519 ", 2, NULL, NULL, 0 },
  { "", 2, NULL, NULL, 0 },
  { "ssh-dss AAAAB3NzaC1kc3M=", 3, NULL, NULL, 0 },
  { "ssh-rsa AAAAB3NzaC1yc2E=", 0, "ssh-rsa AAAAB3NzaC1yc2E=", "ssh-rsa", 11 },
  { "ssh-rsa AAAAB3NzaC1yc2E", 4, NULL, NULL, 0 },
  { "ssh-ed25519 AAAA", 5, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAAAAA", 5, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAAA==", 5, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAAAA=", 5, NULL, NULL, 0 },
  { "ssh-ed25519 ====", 4, NULL, NULL, 0 },
  { "ssh-ed25519 AA=A", 4, NULL, NULL, 0 },
  { "ssh-ed25519 A===", 4, NULL, NULL, 0 },
  { "ssh-ed25519 AAAA!AAA", 4, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAC4NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR", 5, NULL, NULL, 0 },
  { "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA5uFX/cNEwYfCyO6+8BF1+6KupVmFJ3gGAFBnef3yaU04RBMJQqoGnyWEXC8K76O2XS2CQ/nPhQFs3dwbGlYUs=", 6, NULL, NULL, 0 },
  { "sk-ssh-ed25519@openssh.com AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR", 6, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ", 4, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAAQ==", 5, NULL, NULL, 0 },
  { "ssh-ed25519 /////w==", 5, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAAwEBAQ==", 5, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAAwAAAA==", 5, NULL, NULL, 0 },
  { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", 0, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "ssh-ed25519", 15 },
  { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AA==", 0, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AA==", "ssh-ed25519", 16 },
};

static const PortCase port_cases[] = {
  { "8080:80", NULL, TRUE, 8080, 8080, 80, 80, "tcp", "8080:80", NULL },
  { "127.0.0.1:8080:80", "127.0.0.1", TRUE, 8080, 8080, 80, 80, "tcp", "8080:80", NULL },
  { "[::1]:8080:80", "[::1]", TRUE, 8080, 8080, 80, 80, "tcp", "8080:80", NULL },
  { "[::1]:80", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "a bind address must be followed by hostPort:containerPort" },
  { "0.0.0.0:1-10:1-10", "0.0.0.0", TRUE, 1, 10, 1, 10, "tcp", "1-10:1-10", NULL },
  { "80/udp", NULL, FALSE, 0, 0, 80, 80, "udp", "80/udp", NULL },
  { "80/ftp", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "unknown protocol 'ftp' (tcp, udp or sctp)" },
  { ":80", NULL, FALSE, 0, 0, 80, 80, "tcp", ":80", NULL },
  { "1.2.3.4:0:80", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid host port '0'" },
  { "65536:80", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid host port '65536'" },
  { "8080-8070:80", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid host port '8080-8070'" },
  { "[::]:8080:80/tcp", "[::]", TRUE, 8080, 8080, 80, 80, "tcp", "8080:80/tcp", NULL },
  { "localhost:9000:90", "localhost", TRUE, 9000, 9000, 90, 90, "tcp", "9000:90", NULL },
  { "[abc:8080:80", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "unterminated or misplaced '[' in the bind address" },
  { "a:b:c:d", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid bind address 'a'" },
  { "10080:8080", NULL, TRUE, 10080, 10080, 8080, 8080, "tcp", "10080:8080", NULL },
  { "10080:8080/sctp", NULL, TRUE, 10080, 10080, 8080, 8080, "sctp", "10080:8080/sctp", NULL },
  { "10080-10081:8080-8081", NULL, TRUE, 10080, 10081, 8080, 8081, "tcp", "10080-10081:8080-8081", NULL },
  { "9100:9100/tcp/x", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "unknown protocol 'tcp/x' (tcp, udp or sctp)" },
  { "::10080:8080", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid bind address ''" },
  { "[fe80::1]:1:1", "[fe80::1]", TRUE, 1, 1, 1, 1, "tcp", "1:1", NULL },
  { "[::1]x:1:1", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "unterminated or misplaced '[' in the bind address" },
  { "80-", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid container port '80-'" },
  { "-80", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid container port '-80'" },
  { "1-2-3:1", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid host port '1-2-3'" },
  { "", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid container port ''" },
  { "80", NULL, FALSE, 0, 0, 80, 80, "tcp", "80", NULL },
  { "0", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid container port '0'" },
  { "8080:", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid container port ''" },
  { "1.2.3:1:1", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid bind address '1.2.3'" },
  { "localhost:1", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid host port 'localhost'" },
  { "[]:1:1", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid bind address '[]'" },
  { "1-5:1-6", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "host and container port ranges differ in length" },
  { "80/", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "unknown protocol '' (tcp, udp or sctp)" },
  { "80/TCP", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "unknown protocol 'TCP' (tcp, udp or sctp)" },
  { "[::ffff:1.2.3.4]:1:1", "[::ffff:1.2.3.4]", TRUE, 1, 1, 1, 1, "tcp", "1:1", NULL },
  { "127.0.0.1:1:1:1", NULL, FALSE, 0, 0, 0, 0, NULL, NULL, "invalid container port '1:1'" },
  { "00080:80", NULL, TRUE, 80, 80, 80, 80, "tcp", "00080:80", NULL },
};

/* @text followed by bytes that would change the answer if they were read:
 * the _len functions must stop at @len. */
static char *
unterminated_copy(const char *text, gsize *len_out)
{
  gsize len = strlen(text);
  char *copy = g_malloc(len + 4);
  memcpy(copy, text, len);
  memcpy(copy + len, "9/x.", 4);
  *len_out = len;
  return copy;
}

static void
test_ipv4(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(ipv4_cases); i++) {
    const Ipv4Case *c = &ipv4_cases[i];
    guint32 addr = 0, addr_len = 0;
    gsize len;
    g_autofree char *copy = unterminated_copy(c->text, &len);
    g_assert_cmpint(atx_ipv4_parse(c->text, &addr), ==, c->valid);
    g_assert_cmpint(atx_ipv4_parse_len(copy, len, &addr_len), ==, c->valid);
    if (!c->valid)
      continue;
    g_assert_cmphex(addr, ==, c->addr);
    g_assert_cmphex(addr_len, ==, c->addr);
    char text[ATX_IPV4_TEXT_SIZE];
    g_autofree char *formatted = atx_ipv4_format(addr);
    g_assert_cmpuint(atx_ipv4_format_into(text, addr), ==, strlen(formatted));
    g_assert_cmpstr(text, ==, formatted);
  }
}

static void
test_cidr(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(cidr_cases); i++) {
    const CidrCase *c = &cidr_cases[i];
    guint32 addr = 0, addr_len = 0;
    guint prefix = 0, prefix_len = 0;
    gsize len;
    g_autofree char *copy = unterminated_copy(c->text, &len);
    g_assert_cmpint(atx_ipv4_cidr_parse(c->text, &addr, &prefix), ==, c->valid);
    g_assert_cmpint(atx_ipv4_cidr_parse_len(copy, len, &addr_len, &prefix_len), ==, c->valid);
    if (!c->valid)
      continue;
    g_assert_cmphex(addr, ==, c->addr);
    g_assert_cmphex(addr_len, ==, c->addr);
    g_assert_cmpuint(prefix, ==, c->prefix);
    g_assert_cmpuint(prefix_len, ==, c->prefix);
    char text[ATX_IPV4_CIDR_TEXT_SIZE];
    g_autofree char *formatted = atx_ipv4_format(addr);
    g_autofree char *want = g_strdup_printf("%s/%u", formatted, prefix);
    g_assert_cmpuint(atx_ipv4_cidr_format_into(text, addr, prefix), ==, strlen(want));
    g_assert_cmpstr(text, ==, want);
  }
}

static void
test_dns_names(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(dns_cases); i++) {
    const DnsCase *c = &dns_cases[i];
    g_autofree char *normalized = NULL, *why = NULL;
    g_assert_cmpint(atx_dns_name_normalize(c->text, &normalized, &why), ==, c->valid);
    g_assert_cmpstr(c->valid ? normalized : why, ==, c->normalized_or_why);
    const char *start = NULL;
    gsize len = 0, copy_len;
    g_autofree char *copy = unterminated_copy(c->text, &copy_len);
    g_assert_cmpint(atx_dns_name_check(copy, copy_len, &start, &len), ==, c->valid);
    if (!c->valid)
      continue;
    g_autofree char *lower = g_ascii_strdown(start, (gssize) len);
    g_assert_cmpstr(lower, ==, c->normalized_or_why);
  }
}

static void
test_ip_literals(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(ip_cases); i++) {
    const IpCase *c = &ip_cases[i];
    g_autofree char *canonical = NULL;
    g_assert_cmpint(atx_ip_literal_parse(c->text, &canonical), ==, c->canonical != NULL);
    g_assert_cmpstr(canonical, ==, c->canonical);
    char buffer[ATX_IP_TEXT_SIZE];
    gsize len = atx_ip_literal_canonical(c->text, buffer);
    g_assert_cmpuint(len, ==, c->canonical ? strlen(c->canonical) : 0);
    if (len)
      g_assert_cmpstr(buffer, ==, c->canonical);
    gsize copy_len;
    g_autofree char *copy = unterminated_copy(c->text, &copy_len);
    g_assert_cmpint(atx_ipv6_literal_parse(c->text), ==, c->is_ipv6);
    g_assert_cmpint(atx_ipv6_literal_parse_len(copy, copy_len), ==, c->is_ipv6);
  }
}

/* The canonical IPv6 text is inet_ntop()'s: compared on addresses made of
 * random words, zero runs of every length and place included. */
static void
test_ipv6_like_inet_ntop(void)
{
  GRand *rand = g_rand_new_with_seed(20240611);
  for (guint n = 0; n < 20000; n++) {
    struct in6_addr addr;
    for (guint w = 0; w < 8; w++) {
      guint word = g_rand_boolean(rand) ? 0 : (guint) g_rand_int_range(rand, 0, 0x10000);
      if (w == 5 && g_rand_int_range(rand, 0, 4) == 0)
        word = 0xffff; /* ::ffff:a.b.c.d */
      addr.s6_addr[2 * w] = (guint8) (word >> 8);
      addr.s6_addr[2 * w + 1] = (guint8) word;
    }
    char text[INET6_ADDRSTRLEN], canonical[ATX_IP_TEXT_SIZE];
    g_assert_nonnull(inet_ntop(AF_INET6, &addr, text, sizeof text));
    gsize len = atx_ip_literal_canonical(text, canonical);
    g_assert_cmpuint(len, ==, strlen(text));
    g_assert_cmpstr(canonical, ==, text);
  }
  g_rand_free(rand);
}

static void
test_urls(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(url_cases); i++) {
    const UrlCase *c = &url_cases[i];
    g_autofree char *normalized = NULL;
    g_assert_cmpint(atx_https_url_check(c->text, &normalized), ==, c->problem);
    g_assert_cmpstr(normalized, ==, c->normalized);
    gsize len = 0;
    g_assert_cmpint(atx_https_url_check_len(c->text, &len), ==, c->problem);
    if (c->normalized)
      g_assert_cmpuint(len, ==, strlen(c->normalized));
  }
}

static void
test_space_or_control(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(space_cases); i++)
    g_assert_cmpint(atx_text_has_space_or_control(space_cases[i].text), ==, space_cases[i].has_space_or_control);
}

static void
test_ssh_keys(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(key_cases); i++) {
    const KeyCase *c = &key_cases[i];
    g_autoptr(AtxSshKey) key = NULL;
    g_assert_cmpint(atx_ssh_key_parse(c->text, &key), ==, c->problem);
    const char *line = NULL;
    gsize line_len = 0;
    g_assert_cmpint(atx_ssh_key_check(c->text, &line, &line_len), ==, c->problem);
    if (c->problem != ATX_SSH_KEY_OK) {
      g_assert_null(key);
      continue;
    }
    g_assert_cmpstr(key->line, ==, c->line);
    g_assert_cmpstr(key->type, ==, c->type);
    g_assert_cmpuint(g_bytes_get_size(key->blob), ==, c->blob_size);
    g_assert_cmpuint(line_len, ==, strlen(c->line));
    g_assert_cmpmem(line, line_len, c->line, line_len);
  }
}

static void
assert_view_is_port(const AtxPublishPortView *view, const PortCase *c)
{
  g_autofree char *bind_ip = view->bind_ip ? g_strndup(view->bind_ip, view->bind_ip_len) : NULL;
  g_assert_cmpstr(bind_ip, ==, c->bind_ip);
  g_assert_cmpint(view->has_host_port, ==, c->has_host_port);
  g_assert_cmpuint(view->host_first, ==, c->host_first);
  g_assert_cmpuint(view->host_last, ==, c->host_last);
  g_assert_cmpuint(view->container_first, ==, c->container_first);
  g_assert_cmpuint(view->container_last, ==, c->container_last);
  g_assert_cmpstr(view->protocol, ==, c->protocol);
  g_assert_cmpstr(view->remainder, ==, c->remainder);
}

static void
test_publish_ports(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(port_cases); i++) {
    const PortCase *c = &port_cases[i];
    g_autofree char *why = NULL, *view_why = NULL;
    g_autoptr(AtxPublishPort) port = atx_publish_port_parse(c->text, &why);
    AtxPublishPortView view;
    g_assert_cmpint(atx_publish_port_view(c->text, &view, &view_why), ==, c->why == NULL);
    g_assert_cmpstr(why, ==, c->why);
    g_assert_cmpstr(view_why, ==, c->why);
    if (c->why)
      continue;
    g_assert_cmpstr(port->bind_ip, ==, c->bind_ip);
    g_assert_cmpint(port->has_host_port, ==, c->has_host_port);
    g_assert_cmpuint(port->host_first, ==, c->host_first);
    g_assert_cmpuint(port->container_last, ==, c->container_last);
    g_assert_cmpstr(port->protocol, ==, c->protocol);
    g_assert_cmpstr(port->remainder, ==, c->remainder);
    assert_view_is_port(&view, c);
  }
}

/* Every pair of valid ports: the view and the copy say the same. */
static void
test_publish_port_conflicts(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(port_cases); i++) {
    for (guint j = 0; j < G_N_ELEMENTS(port_cases); j++) {
      if (port_cases[i].why || port_cases[j].why)
        continue;
      g_autofree char *why = NULL;
      g_autoptr(AtxPublishPort) a = atx_publish_port_parse(port_cases[i].text, &why);
      g_autoptr(AtxPublishPort) b = atx_publish_port_parse(port_cases[j].text, &why);
      AtxPublishPortView va, vb;
      g_assert_true(atx_publish_port_view(port_cases[i].text, &va, &why));
      g_assert_true(atx_publish_port_view(port_cases[j].text, &vb, &why));
      g_assert_cmpint(atx_publish_port_views_conflict(&va, &vb), ==, atx_publish_ports_conflict(a, b));
    }
  }
}

static void
test_port_parse(void)
{
  static const struct {
    const char *text;
    gboolean ok;
    guint port;
  } cases[] = {
    { "0", TRUE, 0 },      { "80", TRUE, 80 }, { "00443", TRUE, 443 }, { "65535", TRUE, 65535 },
    { "65536", FALSE, 0 }, { "", FALSE, 0 },   { "123456", FALSE, 0 }, { "+80", FALSE, 0 },
    { " 80", FALSE, 0 },   { "8o", FALSE, 0 }, { "-1", FALSE, 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    guint port = 4242;
    g_assert_cmpint(atx_port_parse(cases[i].text, strlen(cases[i].text), &port), ==, cases[i].ok);
    g_assert_cmpuint(port, ==, cases[i].ok ? cases[i].port : 4242);
  }
  /* The length bounds the digits read: "80" out of "8080". */
  guint port = 0;
  g_assert_true(atx_port_parse("8080", 2, &port));
  g_assert_cmpuint(port, ==, 80);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/net/ipv4", test_ipv4);
  g_test_add_func("/net/port-parse", test_port_parse);
  g_test_add_func("/net/cidr", test_cidr);
  g_test_add_func("/net/dns-names", test_dns_names);
  g_test_add_func("/net/ip-literals", test_ip_literals);
  g_test_add_func("/net/ipv6-like-inet-ntop", test_ipv6_like_inet_ntop);
  g_test_add_func("/net/urls", test_urls);
  g_test_add_func("/net/space-or-control", test_space_or_control);
  g_test_add_func("/net/ssh-keys", test_ssh_keys);
  g_test_add_func("/net/publish-ports", test_publish_ports);
  g_test_add_func("/net/publish-port-conflicts", test_publish_port_conflicts);
  return g_test_run();
}
