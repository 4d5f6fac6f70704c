/* [users]: operator accounts and the admin keys that may sign re-provisioning. */
#include "core/config_private.h"

#include <string.h>

#include "core/sshkey.h"

/* Accounts the image owns; provisioning one would hijack a system service. */
static const char *const reserved_user_names[] = {
  "appsvc", "bin", "chrony", "daemon", "dnsmasq", "nobody", "root",
  "systemd-network", "systemd-resolve", "systemd-timesync", NULL,
};

/* Only called when there is a problem: it names the place. */
static void
report_key_problem(AtxConfigBuild *build, AtxSshKeyProblem problem, const char *user_name,
                   const char *key_text)
{
  AtxCfgPath users = atx_cfg_at("/users"), user = atx_cfg_at_key(&users, user_name);
  AtxCfgPath at = atx_cfg_at_key(&user, "ssh_key");
  switch (problem) {
  case ATX_SSH_KEY_OK:
    break;
  case ATX_SSH_KEY_CONTROL_CHARACTERS:
    atx_cfg_error_at(build, "users.ssh_key_control_characters", &at,
                     "invalid SSH public key: control characters are not allowed");
    break;
  case ATX_SSH_KEY_MALFORMED:
    atx_cfg_error_at(build, "users.ssh_key_malformed", &at,
                     "invalid SSH public key: expected \"<type> <base64> [comment]\"");
    break;
  case ATX_SSH_KEY_UNSUPPORTED_TYPE: {
    g_autofree char *type = g_strndup(key_text, strcspn(key_text, " \t"));
    AtxDiag *diag = atx_cfg_error_at(build, "users.ssh_key_unsupported_type", &at,
                                     "unsupported SSH public key type: %s", type);
    atx_diag_set_hint(diag, "supported types: %s", atx_ssh_key_supported_types_text());
    break;
  }
  case ATX_SSH_KEY_BAD_BASE64:
    atx_cfg_error_at(build, "users.ssh_key_bad_base64", &at, "invalid SSH public key data: not base64");
    break;
  case ATX_SSH_KEY_BAD_BLOB:
    atx_cfg_error_at(build, "users.ssh_key_bad_blob", &at, "invalid SSH public key blob");
    break;
  case ATX_SSH_KEY_TYPE_MISMATCH:
    atx_cfg_error_at(build, "users.ssh_key_type_mismatch", &at,
                     "SSH public key type mismatch: the key data is not of the declared type");
    break;
  }
}

/* The key line as sshd will read it, "" for none. *has_key_out tells whether a
 * key was written at all, valid or not: an admin whose key is malformed gets
 * that error, not also "no admin". */
static char *
load_key(AtxConfigBuild *build, const char *user_name, const AtxTomlValue *table,
         gboolean *has_key_out)
{
  const char *key_text = atx_cfg_string(table, "ssh_key");
  g_autofree char *copy = NULL;
  const char *trimmed = atx_cfg_trim(key_text ? key_text : "", &copy);
  *has_key_out = *trimmed != '\0';
  if (!*trimmed)
    return g_strdup("");
  g_autoptr(AtxSshKey) key = NULL;
  AtxSshKeyProblem problem = atx_ssh_key_parse(trimmed, &key);
  if (problem != ATX_SSH_KEY_OK)
    report_key_problem(build, problem, user_name, trimmed);
  return key ? g_steal_pointer(&key->line) : g_strdup("");
}

/* What "no admin" depends on, besides the model. */
typedef struct {
  gboolean has_key;       /* a key was written, valid or not */
  gboolean admin_unknown; /* isAdmin is there but not a boolean */
} UserFacts;

static AtxUser *
load_user(AtxConfigBuild *build, const char *name, const AtxTomlValue *table, UserFacts *facts)
{
  if (g_strv_contains((const char *const *) reserved_user_names, name)) {
    AtxCfgPath users = atx_cfg_at("/users"), at = atx_cfg_at_key(&users, name);
    atx_cfg_error_at(build, "users.reserved_name", &at, "reserved user name: '%s'", name);
  }
  AtxUser *user = g_new0(AtxUser, 1);
  user->name = g_strdup(name);
  const AtxTomlValue *is_admin = atx_toml_table_get(table, "isAdmin");
  gboolean is_boolean = is_admin && atx_toml_value_type(is_admin) == ATX_TOML_BOOLEAN;
  user->is_admin = is_boolean && atx_toml_value_boolean(is_admin);
  facts->admin_unknown = is_admin && !is_boolean;
  user->shell = g_strdup(atx_cfg_string(table, "shell"));
  user->ssh_key = load_key(build, name, table, &facts->has_key);
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
    UserFacts facts = { FALSE, FALSE };
    AtxUser *user = load_user(build, atx_toml_table_key(table, i), value, &facts);
    have_admin_key |= user->is_admin && facts.has_key;
    /* isAdmin = "yes" was reported by the schema; whether this user was meant
     * to be the admin is unknowable, so "no admin" would be a guess. */
    admin_unknown |= facts.admin_unknown;
    g_ptr_array_add(users, user);
  }
  if (!have_admin_key && !admin_unknown) {
    AtxDiag *diag = atx_diag_list_add(build->diags, ATX_SEVERITY_ERROR, "users.no_admin_key", "/users",
                                      "users must define at least one admin user with a non-empty ssh_key");
    atx_diag_set_hint(diag, "without one, nobody can sign a re-provisioning request after this config is applied");
  }
}
