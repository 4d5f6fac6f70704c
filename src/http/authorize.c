/* The auth column of the route table, enforced: at admission for requests
 * that carry no signature (refused before their body is read), and after
 * the body for every request (the signature binds its SHA-256). */
#include <string.h>

#include "http/handlers_private.h"

#define SIGNERS_FILE "admin-signers"

/* admin-signers as it is now (NULL when absent): a re-provisioning takes
 * effect on the next request. */
static char *
read_signers(const AtxHttpContext *context)
{
  const char *dir = atx_store_config_dir(atx_device_store(context->device));
  g_autofree char *path = g_build_filename(dir, SIGNERS_FILE, NULL);
  char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return NULL;
  return text;
}

/* Provisioned for authentication's fail-closed rule: config.toml exists
 * (reference §7.1), whatever else the store says. */
static gboolean
config_exists(const AtxHttpContext *context)
{
  const char *dir = atx_store_config_dir(atx_device_store(context->device));
  g_autofree char *path = g_build_filename(dir, "config.toml", NULL);
  return g_file_test(path, G_FILE_TEST_EXISTS);
}

static const char *
header(const AtxHttpRequest *request, const char *name)
{
  return request->header ? request->header(request->header_data, name) : NULL;
}

static gboolean
has_signature_headers(const AtxHttpRequest *request)
{
  const char *nonce = header(request, "X-AtomixOS-Nonce");
  const char *signature = header(request, "X-AtomixOS-Signature");
  return nonce && *nonce && signature && *signature;
}

/* atx_auth_authorize() for @request; on refusal, fills @response (401, or
 * 429 with Retry-After) and returns FALSE. */
static gboolean
authorize(const AtxHttpContext *context, const AtxHttpRoute *route, const AtxHttpRequest *request,
          const char *body_sha256, gboolean *authenticated_out, AtxHttpResponse *response)
{
  *authenticated_out = FALSE;
  if (route->auth == ATX_AUTH_NONE)
    return TRUE;
  g_autofree char *signers = read_signers(context);
  AtxAuthRequest auth_request = {
    .method = request->method,
    .path = request->path,
    .body_sha256 = body_sha256,
    .nonce = header(request, "X-AtomixOS-Nonce"),
    .signature = header(request, "X-AtomixOS-Signature"),
    .signed_message = header(request, "X-AtomixOS-Signed-Message"),
    .client_address = request->client_address ? request->client_address : "unknown",
    .host = header(request, "Host"),
    .origin = header(request, "Origin"),
    .referer = header(request, "Referer"),
  };
  guint retry_after = 0;
  g_autoptr(GError) error = NULL;
  if (atx_auth_authorize(context->auth, route->auth, &auth_request, signers, config_exists(context),
                         authenticated_out, &retry_after, &error))
    return TRUE;
  atx_http_response_error(response, atx_auth_refusal_status(error), "%s", error->message);
  if (g_error_matches(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_RATE_LIMITED)) {
    g_autofree char *seconds = g_strdup_printf("%u", MAX(retry_after, 1u));
    atx_http_response_add_header(response, "Retry-After", seconds);
  }
  return FALSE;
}

gboolean
atx_http_admit_auth(const AtxHttpContext *context, const AtxHttpRoute *route, const AtxHttpRequest *request,
                    AtxHttpResponse *response)
{
  /* With both headers the decision needs the body; without, it does not
   * (no signature is verified, no nonce consumed), so a refusal comes before
   * the body is read. The verdict is taken again in atx_http_run(). */
  if (route->auth == ATX_AUTH_NONE || has_signature_headers(request))
    return TRUE;
  gboolean authenticated = FALSE;
  return authorize(context, route, request, NULL, &authenticated, response);
}

void
atx_http_run(const AtxHttpContext *context, const AtxHttpRoute *route, AtxHttpRequest *request,
             AtxHttpResponse *response)
{
  g_return_if_fail(request->body_sha256 != NULL);
  if (!authorize(context, route, request, request->body_sha256, &request->authenticated, response))
    return;
  route->handler(context, request, response);
}
