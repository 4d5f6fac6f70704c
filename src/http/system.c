/* GET /api/health and GET /api/nonce. */
#include <sys/random.h>

#include "http/handlers_private.h"

void
atx_http_system_health(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  atx_http_response_json(response, 200, NULL, json_pack("{ss}", "status", "ok"));
}

/* 32 random bytes as unpadded URL-safe base64 (43 characters). The nonce
 * store of signature authentication will remember it; until then a nonce
 * authorises nothing. */
static char *
new_nonce(void)
{
  guint8 bytes[32];
  gsize got = 0;
  while (got < sizeof bytes) {
    gssize n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0)
      got += (gsize) n;
  }
  char *text = g_base64_encode(bytes, sizeof bytes);
  g_strdelimit(text, "+", '-');
  g_strdelimit(text, "/", '_');
  char *pad = strchr(text, '=');
  if (pad)
    *pad = '\0';
  return text;
}

void
atx_http_auth_nonce(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autofree char *nonce = new_nonce();
  atx_http_response_json(response, 200, NULL, json_pack("{ss}", "nonce", nonce));
}
