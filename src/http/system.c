/* GET /api/health and GET /api/nonce. */
#include "http/handlers_private.h"

void
atx_http_system_health(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  atx_http_response_json(response, 200, NULL, json_pack("{ss}", "status", "ok"));
}

/* The nonce store remembers it for one signed request (single use, TTL,
 * capped per client address and in total, reference §7.2). */
void
atx_http_auth_nonce(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *nonce = atx_auth_issue_nonce(context->auth, request->client_address, &error);
  if (!nonce) {
    atx_http_response_error(response, 500, "cannot issue a nonce: %s", error->message);
    return;
  }
  atx_http_response_json(response, 200, NULL, json_pack("{ss}", "nonce", nonce));
}
