#include "client/signer.h"

#include <gio/gio.h>
#include <jansson.h>
#include <string.h>

#include "client/http_client.h"
#include "client/problem.h"
#include "core/base/error.h"

#define MAX_NONCE_LENGTH 256

char *
atx_signature_message(const char *nonce, const char *path, GBytes *body)
{
  gsize len = 0;
  const guchar *data = body != NULL ? g_bytes_get_data(body, &len) : NULL;
  g_autofree char *digest = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data != NULL ? data : (const guchar *) "", len);
  gsize path_len = strcspn(path, "?");
  return g_strdup_printf("atomixos-reapply-v1\nnonce:%s\npath:%.*s\nsha256:%s\n", nonce, (int) path_len, path,
                         digest);
}

gboolean
atx_signature_nonce_is_sane(const char *nonce)
{
  gsize len = strlen(nonce);
  if (len == 0 || len > MAX_NONCE_LENGTH)
    return FALSE;
  for (const char *c = nonce; *c != '\0'; c++)
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '=')
      return FALSE;
  return TRUE;
}

static char *
fetch_nonce(const AtxSigner *signer, GError **error)
{
  g_autoptr(AtxHttpResponse) response = atx_http_request(&(AtxHttpRequest){
    .method = "GET", .base_url = signer->base_url, .path = "/api/nonce", .timeout_seconds = 30}, error);
  if (response == NULL)
    return NULL;
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  if (response->status != 200) {
    g_autofree char *message = atx_problem_message(body, len);
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "GET /api/nonce answered %ld%s%s", response->status,
                message ? ": " : "", message ? message : "");
    return NULL;
  }
  json_t *root = json_loadb(body != NULL ? body : "", len, 0, NULL);
  const char *nonce = json_string_value(json_object_get(root, "nonce"));
  char *copy = nonce != NULL && atx_signature_nonce_is_sane(nonce) ? g_strdup(nonce) : NULL;
  json_decref(root);
  if (copy == NULL)
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "GET /api/nonce did not return a usable {\"nonce\": ...}");
  return copy;
}

/* The armored signature ssh-keygen writes for @message. */
static GBytes *
ssh_keygen_sign(const char *key_path, const char *message, GError **error)
{
  /* stderr is inherited: ssh-keygen's own explanation (wrong passphrase, no
   * such key) reaches the operator as is; prompts go to the terminal. */
  g_autoptr(GSubprocess) process = g_subprocess_new(
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, error, "ssh-keygen", "-q", "-Y", "sign", "-f",
    key_path, "-n", ATX_SIGNATURE_NAMESPACE, NULL);
  if (process == NULL) {
    g_prefix_error(error, "cannot run ssh-keygen: ");
    return NULL;
  }
  g_autoptr(GBytes) input = g_bytes_new(message, strlen(message));
  g_autoptr(GBytes) output = NULL;
  if (!g_subprocess_communicate(process, input, NULL, &output, NULL, error)) {
    g_prefix_error(error, "ssh-keygen -Y sign: ");
    return NULL;
  }
  if (!g_subprocess_get_successful(process) || output == NULL || g_bytes_get_size(output) == 0) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "ssh-keygen -Y sign -f %s failed (exit status %d)", key_path,
                g_subprocess_get_if_exited(process) ? g_subprocess_get_exit_status(process) : -1);
    return NULL;
  }
  return g_steal_pointer(&output);
}

gboolean
atx_signer_sign(const char *method, const char *path, GBytes *body, GPtrArray *headers, gpointer user_data,
                GError **error)
{
  const AtxSigner *signer = user_data;
  g_autofree char *nonce = fetch_nonce(signer, error);
  if (nonce == NULL)
    return FALSE;
  g_autofree char *message = atx_signature_message(nonce, path, body);
  g_autoptr(GBytes) signature = ssh_keygen_sign(signer->key_path, message, error);
  if (signature == NULL)
    return FALSE;
  gsize len = 0;
  const guchar *armored = g_bytes_get_data(signature, &len);
  g_autofree char *encoded = g_base64_encode(armored, len);
  g_ptr_array_add(headers, g_strdup_printf("X-AtomixOS-Nonce: %s", nonce));
  g_ptr_array_add(headers, g_strdup_printf("X-AtomixOS-Signature: %s", encoded));
  return TRUE;
}
