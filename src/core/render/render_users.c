/* users.json (for apply-users), ssh-authorized-keys/<user> (read by sshd) and
 * admin-signers (the keys whose signatures may re-provision the device). */
#include "core/render/render_private.h"

static void
add_admin_signers(const AtxConfig *config, AtxRenderOut *out)
{
  GString *text = atx_render_begin_text(out);
  for (guint i = 0; i < config->users->len; i++) {
    const AtxUser *user = g_ptr_array_index(config->users, i);
    if (user->is_admin && *user->ssh_key) {
      atx_string_append(text, user->ssh_key);
      g_string_append_c(text, '\n');
    }
  }
  atx_render_add_text(out, "admin-signers", 0600);
}

static void
add_users_json(const AtxConfig *config, AtxRenderOut *out)
{
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  for (guint i = 0; i < config->users->len; i++) {
    const AtxUser *user = g_ptr_array_index(config->users, i);
    atx_json_writer_key(writer, user->name);
    atx_json_writer_begin_object(writer);
    atx_json_writer_known_boolean(writer, ATX_JSON_KEY("isAdmin"), user->is_admin);
    atx_json_writer_known_string(writer, ATX_JSON_KEY("ssh_key"), user->ssh_key);
    atx_json_writer_known_string(writer, ATX_JSON_KEY("shell"), user->shell);
    atx_json_writer_end_object(writer);
  }
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "users.json");
}

static void
add_authorized_keys(const AtxConfig *config, AtxRenderOut *out)
{
  for (guint i = 0; i < config->users->len; i++) {
    const AtxUser *user = g_ptr_array_index(config->users, i);
    if (!*user->ssh_key)
      continue;
    GString *text = atx_render_begin_text(out);
    atx_string_append(text, user->ssh_key);
    g_string_append_c(text, '\n');
    atx_render_add_file(out, 0600, "ssh-authorized-keys/", user->name, NULL);
  }
}

void
atx_render_admin_signers(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  add_admin_signers(config, out);
}

void
atx_render_users(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  add_users_json(config, out);
  add_authorized_keys(config, out);
}
