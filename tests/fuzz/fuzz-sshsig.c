/* libFuzzer target for everything device/auth reads from a request: the
 * first byte picks the entry point, the rest is its input.
 *   0  armored SSH signature text          atx_sshsig_parse_armored (+ verify)
 *   1  binary SSHSIG blob                   atx_sshsig_parse_blob (+ verify)
 *   2  X-AtomixOS-Signature header value    atx_auth_check_signed with a fresh nonce
 *   3  X-AtomixOS-Signed-Message (decoded)  atx_auth_message_parse
 *   4  Host \0 Origin \0 Referer            atx_browser_origin_check
 * Any crash, leak or sanitizer report is a bug; refusals are expected. */
#include <stdint.h>
#include <string.h>

#include "device/auth/auth.h"
#include "device/auth/origin.h"
#include "device/auth/sshsig.h"

/* A real admin key, so a parsed signature by it reaches the verification. */
static const char signers[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example\n";

static void
parse_and_verify(AtxSshSig *sig)
{
  if (sig && atx_sshsig_verify(sig, ATX_AUTH_NAMESPACE, "message", 7, NULL))
    __builtin_trap(); /* nobody can sign for a key we never had the private half of */
  atx_sshsig_free(sig);
}

static void
check_header(AtxAuth *auth, const char *text, gsize len)
{
  g_autofree char *header = g_strndup(text, len);
  /* failures are rate limited per address: spread them over many */
  static guint calls;
  g_autofree char *client = g_strdup_printf("fuzz-%u", calls++ % 64);
  g_autofree char *nonce = atx_auth_issue_nonce(auth, client, NULL);
  g_autoptr(GBytes) body = g_bytes_new_static("body", 4);
  AtxAuthRequest request = {
    .method = "POST",
    .path = "/api/config",
    .body = body,
    .nonce = nonce,
    .signature = header,
    .signed_message = len % 2 ? header : NULL,
    .client_address = client,
  };
  if (atx_auth_check_signed(auth, &request, signers, NULL, NULL))
    __builtin_trap();
}

static void
check_origin(const char *text, gsize len)
{
  const char *parts[3] = { NULL, NULL, NULL };
  const char *p = text, *end = text + len;
  for (guint i = 0; i < 3 && p <= end; i++) {
    parts[i] = p;
    const char *nul = memchr(p, '\0', (gsize) (end - p));
    if (!nul)
      break;
    p = nul + 1;
  }
  g_autofree char *host = parts[0] ? g_strndup(parts[0], (gsize) (end - parts[0])) : NULL;
  g_autofree char *origin = parts[1] ? g_strndup(parts[1], (gsize) (end - parts[1])) : NULL;
  g_autofree char *referer = parts[2] ? g_strndup(parts[2], (gsize) (end - parts[2])) : NULL;
  (void) atx_browser_origin_check(host, origin, referer, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static AtxAuth *auth;
  if (!auth)
    auth = atx_auth_new(NULL);
  if (size < 1)
    return 0;
  const char *text = (const char *) data + 1;
  gsize len = size - 1;
  switch (data[0] % 5) {
  case 0:
    parse_and_verify(atx_sshsig_parse_armored(text, len, NULL));
    break;
  case 1:
    parse_and_verify(atx_sshsig_parse_blob((const guint8 *) text, len, NULL));
    break;
  case 2:
    check_header(auth, text, len);
    break;
  case 3: {
    g_auto(AtxAuthMessage) message = { 0 };
    (void) atx_auth_message_parse(text, len, &message, NULL);
    break;
  }
  default:
    check_origin(text, len);
  }
  return 0;
}
