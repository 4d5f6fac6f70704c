/* [users]: operator accounts and the admin keys that may sign re-provisioning. */
#include "core/config_private.h"

#include <string.h>

#include "core/sshkey.h"

/* Accounts the image owns; provisioning one would hijack a system service. */
static const char *const reserved_user_names[] = {
  "appsvc", "bin", "chrony", "daemon", "dnsmasq", "nobody", "root",
  "systemd-network", "systemd-resolve", "systemd-timesync", NULL,
};

static void
report_key_problem(AtxConfigBuild *build, AtxSshKeyProblem problem, const char *pointer,
                   const char *key_text)
{
  switch (problem) {
  case ATX_SSH_KEY_OK:
    break;
  case ATX_SSH_KEY_CONTROL_CHARACTERS:
    atx_cfg_error(build, "users.ssh_key_control_characters", pointer,
                  "invalid SSH public key: control characters are not allowed");
    break;
  case ATX_SSH_KEY_MALFORMED:
    atx_cfg_error(build, "users.ssh_key_malformed", pointer,
                  "invalid SSH public key: expected \"<type> <base64> [comment]\"");
    break;
  case ATX_SSH_KEY_UNSUPPORTED_TYPE: {
    g_autofree char *type = g_strndup(key_text, strcspn(key_text, " \t"));
    AtxDiag *diag = atx_diag_list_add(build->diags, ATX_SEVERITY_ERROR, "users.ssh_key_unsupported_type",
                                      pointer, "unsupported SSH public key type: %s", type);
    atx_diag_set_hint(diag, "supported types: %s", atx_ssh_key_supported_types_text());
    break;
  }
  case ATX_SSH_KEY_BAD_BASE64:
    atx_cfg_error(build, "users.ssh_key_bad_base64", pointer, "invalid SSH public key data: not base64");
    break;
  case ATX_SSH_KEY_BAD_BLOB:
    atx_cfg_error(build, "users.ssh_key_bad_blob", pointer, "invalid SSH public key blob");
    break;
  case ATX_SSH_KEY_TYPE_MISMATCH:
    atx_cfg_error(build, "users.ssh_key_type_mismatch", pointer,
                  "SSH public key type mismatch: the key data is not of the declared type");
    break;
  }
}

/* *has_key_out tells whether a key was written at all, valid or not: an admin
 * whose key is malformed gets that error, not also "no admin". */
static AtxUser *
load_user(AtxConfigBuild *build, const char *name, const AtxTomlValue *table, gboolean *has_key_out)
{
  g_autofree char *pointer = atx_cfg_ptr("/users", name);
  if (g_strv_contains((const char *const *) reserved_user_names, name))
    atx_cfg_error(build, "users.reserved_name", pointer, "reserved user name: '%s'", name);

  AtxUser *user = g_new0(AtxUser, 1);
  user->name = g_strdup(name);
  atx_cfg_boolean(table, "isAdmin", &user->is_admin);
  const char *shell = atx_cfg_string(table, "shell");
  user->shell = g_strdup(shell);

  const char *key_text = atx_cfg_string(table, "ssh_key");
  g_autofree char *trimmed = atx_cfg_trimmed(key_text ? key_text : "");
  user->ssh_key = g_strdup("");
  *has_key_out = *trimmed != '\0';
  if (*trimmed) {
    g_autofree char *key_pointer = atx_cfg_ptr(pointer, "ssh_key");
    g_autoptr(AtxSshKey) key = NULL;
    AtxSshKeyProblem problem = atx_ssh_key_parse(trimmed, &key);
    report_key_problem(build, problem, key_pointer, trimmed);
    if (key) {
      g_free(user->ssh_key);
      user->ssh_key = g_strdup(key->line);
    }
  }
  return user;
}

void
atx_config_check_users(AtxConfigBuild *build)
{
  GPtrArray *users = g_ptr_array_new_with_free_func(atx_user_free);
  build->config->users = users;
  const AtxTomlValue *table = atx_cfg_get(build->root, "users", ATX_TOML_TABLE);
  if (!table)
    return; /* absent or not a table: the schema said so */

  gboolean have_admin_key = FALSE, admin_unknown = FALSE;
  for (guint i = 0; i < atx_toml_table_size(table); i++) {
    const AtxTomlValue *value = atx_toml_table_value(table, i);
    if (atx_toml_value_type(value) != ATX_TOML_TABLE)
      continue;
    gboolean has_key = FALSE;
    AtxUser *user = load_user(build, atx_toml_table_key(table, i), value, &has_key);
    have_admin_key |= user->is_admin && has_key;
    /* isAdmin = "yes" was reported by the schema; whether this user was meant
     * to be the admin is unknowable, so "no admin" would be a guess. */
    admin_unknown |= atx_toml_table_get(value, "isAdmin") && !atx_cfg_get(value, "isAdmin", ATX_TOML_BOOLEAN);
    g_ptr_array_add(users, user);
  }
  if (!have_admin_key && !admin_unknown) {
    AtxDiag *diag = atx_diag_list_add(build->diags, ATX_SEVERITY_ERROR, "users.no_admin_key", "/users",
                                      "users must define at least one admin user with a non-empty ssh_key");
    atx_diag_set_hint(diag, "without one, nobody can sign a re-provisioning request after this config is applied");
  }
}
