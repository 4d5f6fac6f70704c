#include "client/signer.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>
#include <sys/wait.h>

#include "client/http_client.h"
#include "client/problem.h"
#include "core/base/error.h"

#define MAX_NONCE_LENGTH 256

char *
atx_signature_message(const char *method, const char *nonce, const char *path, GBytes *body)
{
  gsize len = 0;
  const guchar *data = body != NULL ? g_bytes_get_data(body, &len) : NULL;
  g_autofree char *digest =
      g_compute_checksum_for_data(G_CHECKSUM_SHA256, data != NULL ? data : (const guchar *) "", len);
  gsize path_len = strcspn(path, "?");
  if (method != NULL)
    return g_strdup_printf("atomixos-reapply-v2\nmethod:%s\nnonce:%s\npath:%.*s\nsha256:%s\n", method, nonce,
                           (int) path_len, path, digest);
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
  g_autoptr(AtxHttpResponse) response = atx_http_request(
      &(AtxHttpRequest){
          .method = "GET", .base_url = signer->base_url, .path = "/api/nonce", .timeout_seconds = 30 },
      error);
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

static GBytes *
read_signature(int wait_status, const char *key_path, const char *signature_path, GError **error)
{
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "ssh-keygen -Y sign -f %s failed (exit status %d)", key_path,
                WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
    return NULL;
  }
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(signature_path, &data, &len, error)) {
    g_prefix_error(error, "ssh-keygen -Y sign wrote no signature: ");
    return NULL;
  }
  return g_bytes_new_take(data, len);
}

/* The armored signature ssh-keygen writes for @message. The message goes
 * through a private temporary file, not stdin: stdin, stdout and stderr stay
 * the operator's, so a passphrase prompt reads the terminal as it always does,
 * and ssh-keygen's own explanations (wrong passphrase, no such key) reach them. */
static GBytes *
ssh_keygen_sign(const char *key_path, const char *message, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp("atomixctl-sign-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  g_autofree char *message_path = g_build_filename(dir, "message", NULL);
  g_autofree char *signature_path = g_build_filename(dir, "message.sig", NULL);
  GBytes *signature = NULL;
  if (g_file_set_contents_full(message_path, message, -1, G_FILE_SET_CONTENTS_NONE, 0600, error)) {
    /* g_spawn_sync, not GSubprocess: GIO (and its libraries) would load at
     * every atomixctl start for this one call. NULL output pointers inherit. */
    const char *argv[] = { "ssh-keygen", "-q", "-Y", "sign", "-f", key_path, "-n", ATX_SIGNATURE_NAMESPACE,
                           message_path, NULL };
    int wait_status = 0;
    if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                      NULL, NULL, &wait_status, error))
      g_prefix_error(error, "cannot run ssh-keygen: ");
    else
      signature = read_signature(wait_status, key_path, signature_path, error);
  }
  (void) g_remove(signature_path);
  (void) g_remove(message_path);
  (void) g_rmdir(dir);
  return signature;
}

gboolean
atx_signer_sign(const char *method, const char *path, GBytes *body, GPtrArray *headers, gpointer user_data,
                GError **error)
{
  const AtxSigner *signer = user_data;
  g_autofree char *nonce = fetch_nonce(signer, error);
  if (nonce == NULL)
    return FALSE;
  g_autofree char *message = atx_signature_message(signer->bind_method ? method : NULL, nonce, path, body);
  g_autoptr(GBytes) signature = ssh_keygen_sign(signer->key_path, message, error);
  if (signature == NULL)
    return FALSE;
  gsize len = 0;
  const guchar *armored = g_bytes_get_data(signature, &len);
  g_autofree char *encoded = g_base64_encode(armored, len);
  g_ptr_array_add(headers, g_strdup_printf("X-AtomixOS-Nonce: %s", nonce));
  g_ptr_array_add(headers, g_strdup_printf("X-AtomixOS-Signature: %s", encoded));
  g_autofree char *signed_text = g_base64_encode((const guchar *) message, strlen(message));
  g_ptr_array_add(headers, g_strdup_printf("X-AtomixOS-Signed-Message: %s", signed_text));
  return TRUE;
}
