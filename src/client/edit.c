#include "client/edit.h"

#include <string.h>

#include "client/remote_private.h"
#include "core/base/defaults.h"
#include "core/base/error.h"
#include "core/base/instance.h"
#include "core/base/json_writer.h"
#include "core/toml/toml.h"

static gboolean
has_opaque(const json_t *value)
{
  if (atx_json_opaque_type(value) != NULL)
    return TRUE;
  const char *key;
  const json_t *member;
  size_t index;
  if (json_is_object(value)) {
    json_object_foreach ((json_t *) value, key, member)
      if (has_opaque(member))
        return TRUE;
  }
  json_array_foreach (value, index, member)
    if (has_opaque(member))
      return TRUE;
  return FALSE;
}

static json_t *
body_from_toml(const char *path, const char *data, gsize len, GError **error)
{
  AtxTomlPosition where = { 0 };
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(data, len, NULL, &where, error);
  if (doc == NULL) {
    g_prefix_error(error, "%s:%u:%u: ", path, where.line, where.column);
    return NULL;
  }
  json_t *body = atx_toml_to_json(atx_toml_doc_root(doc));
  if (has_opaque(body)) {
    json_decref(body);
    g_set_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED,
                "%s: dates, times and non-finite floats have no place in "
                "an edit",
                path);
    return NULL;
  }
  return body;
}

json_t *
atx_edit_body_from_file(const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, error))
    return NULL;
  if (!g_str_has_suffix(path, ".json"))
    return body_from_toml(path, data, len, error);
  json_error_t json_error;
  json_t *body = json_loadb(data, len, JSON_REJECT_DUPLICATES, &json_error);
  if (body == NULL) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "%s:%d:%d: %s", path, json_error.line, json_error.column,
                json_error.text);
    return NULL;
  }
  if (!json_is_object(body)) {
    json_decref(body);
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "%s: an edit must be a JSON object", path);
    return NULL;
  }
  return body;
}

json_t *
atx_edit_user_body(gboolean admin, const char *ssh_key, const char *shell)
{
  json_t *body = json_object();
  json_object_set_new(body, "isAdmin", json_boolean(admin));
  if (ssh_key != NULL)
    json_object_set_new(body, "ssh_key", json_string(ssh_key));
  if (shell != NULL)
    json_object_set_new(body, "shell", json_string(shell));
  return body;
}

char *
atx_edit_route(const char *collection, const char *name)
{
  if (name == NULL)
    return g_strconcat("/api/config/", collection, NULL);
  g_autofree char *escaped = g_uri_escape_string(name, NULL, FALSE);
  return g_strconcat("/api/config/", collection, "/", escaped, NULL);
}

int
atx_cmd_edit(const char *command, const char *method, const char *route, const json_t *body, const char *label,
             const AtxRemoteOptions *options)
{
  g_autofree char *text = body != NULL ? atx_json_text(body) : NULL;
  g_autoptr(GBytes) bytes = text != NULL ? g_bytes_new(text, strlen(text)) : NULL;
  AtxSigner signer;
  AtxHttpSignFunc sign = atx_remote_signer(options, &signer);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response =
      atx_http_request(&(AtxHttpRequest){ .method = method,
                                          .base_url = options->base_url,
                                          .path = route,
                                          .body = bytes,
                                          .content_type = bytes != NULL ? "application/json" : NULL,
                                          .sign = sign,
                                          .sign_data = &signer,
                                          .timeout_seconds = 60 },
                       &error);
  if (response == NULL)
    return atx_remote_unreachable(command, error);
  return atx_remote_follow_submission(
      command, options, method, route, response,
      &(AtxRemoteInput){ .label = label, .refusal = "the device refused the edit" });
}
