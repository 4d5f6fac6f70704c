/* users.json (for apply-users), ssh-authorized-keys/<user> (read by sshd) and
 * admin-signers (the keys whose signatures may re-provision the device). */
#include "core/render.h"

static GBytes *
text_bytes(GString *text)
{
  gsize len = text->len;
  return g_bytes_new_take(g_string_free(text, FALSE), len);
}

void
atx_render_users(const AtxConfig *config, GPtrArray *out)
{
  GString *signers = g_string_new(NULL);
  json_t *users = json_object();
  for (guint i = 0; i < config->users->len; i++) {
    const AtxUser *user = g_ptr_array_index(config->users, i);
    json_t *entry = json_object();
    json_object_set_new(entry, "isAdmin", json_boolean(user->is_admin));
    json_object_set_new(entry, "ssh_key", json_string(user->ssh_key));
    if (user->shell)
      json_object_set_new(entry, "shell", json_string(user->shell));
    json_object_set_new(users, user->name, entry);
    if (user->is_admin && *user->ssh_key)
      g_string_append_printf(signers, "%s\n", user->ssh_key);
  }
  g_ptr_array_add(out, atx_rendered_file_new("admin-signers", 0600, text_bytes(signers)));
  g_ptr_array_add(out, atx_rendered_json_new("users.json", users));

  for (guint i = 0; i < config->users->len; i++) {
    const AtxUser *user = g_ptr_array_index(config->users, i);
    if (!*user->ssh_key)
      continue;
    g_autofree char *path = g_strconcat("ssh-authorized-keys/", user->name, NULL);
    GString *line = g_string_new(user->ssh_key);
    g_string_append_c(line, '\n');
    g_ptr_array_add(out, atx_rendered_file_new(path, 0600, text_bytes(line)));
  }
}
