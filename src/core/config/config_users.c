/* [users]: operator accounts and the admin keys that may sign re-provisioning. */
#include "core/config/config_private.h"

#include <string.h>

#include "core/base/sshkey.h"

/* Accounts the image owns; provisioning one would hijack a system service. */
static const char *const reserved_user_names[] = {
  "appsvc", "bin", "chrony", "daemon", "dnsmasq", "nobody", "root",
  "systemd-network", "systemd-resolve", "systemd-timesync", NULL,
};

/* Only called when there is a problem: it names the place. */
static void
report_key_problem(AtxConfigBuild *build, AtxSshKeyProblem problem, const char *user_name,
                   const char *key_start, const char *key_end)
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
    const char *type_end = key_start;
    while (type_end < key_end && *type_end != ' ' && *type_end != '\t')
      type_end++;
    g_autofree char *type = g_strndup(key_start, (gsize) (type_end - key_start));
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
load_key(AtxConfigBuild *build, const char *user_name, const AtxTomlValue *value,
         gboolean *has_key_out)
{
  const char *key_text = atx_cfg_as_string(build, value);
  const char *start, *end;
  atx_cfg_trimmed_span(key_text ? key_text : "", &start, &end);
  *has_key_out = start != end;
  if (start == end)
    return atx_cfg_strndup(build, "", 0);
  const char *line;
  gsize line_len;
  AtxSshKeyProblem problem = atx_ssh_key_check(start, &line, &line_len);
  if (problem != ATX_SSH_KEY_OK) {
    report_key_problem(build, problem, user_name, start, end);
    return atx_cfg_strndup(build, "", 0);
  }
  return atx_cfg_strndup(build, line, line_len);
}

/* What "no admin" depends on, besides the model. */
typedef struct {
  gboolean has_key;       /* a key was written, valid or not */
  gboolean admin_unknown; /* isAdmin is there but not a boolean */
} UserFacts;

static gboolean
is_reserved_name(const char *name)
{
  for (guint i = 0; reserved_user_names[i]; i++)
    if (reserved_user_names[i][0] == name[0] && strcmp(reserved_user_names[i], name) == 0)
      return TRUE;
  return FALSE;
}

static AtxUser *
load_user(AtxConfigBuild *build, const char *name, const AtxTomlValue *table, UserFacts *facts)
{
  if (is_reserved_name(name)) {
    AtxCfgPath users = atx_cfg_at("/users"), at = atx_cfg_at_key(&users, name);
    atx_cfg_error_at(build, "users.reserved_name", &at, "reserved user name: '%s'", name);
  }
  enum { IS_ADMIN, SHELL, SSH_KEY };
  static const AtxCfgField names[] = { ATX_CFG_FIELD("isAdmin"), ATX_CFG_FIELD("shell"), ATX_CFG_FIELD("ssh_key") };
  const AtxTomlValue *fields[G_N_ELEMENTS(names)];
  atx_cfg_fields(table, names, G_N_ELEMENTS(names), fields);
  AtxUser *user = atx_cfg_new0(build, AtxUser);
  user->name = atx_cfg_strdup(build, name);
  const AtxTomlValue *is_admin = fields[IS_ADMIN];
  gboolean is_boolean = atx_cfg_as(is_admin, ATX_TOML_BOOLEAN) != NULL;
  user->is_admin = is_boolean && atx_toml_value_boolean(is_admin);
  facts->admin_unknown = is_admin && !is_boolean;
  const char *shell = atx_cfg_as_string(build, fields[SHELL]);
  user->shell = shell ? atx_cfg_strdup(build, shell) : NULL;
  user->ssh_key = load_key(build, name, fields[SSH_KEY], &facts->has_key);
  return user;
}

void
atx_config_check_users(AtxConfigBuild *build)
{
  const AtxTomlValue *table = atx_cfg_as(build->users, ATX_TOML_TABLE);
  guint size = table ? atx_toml_table_size(table) : 0;
  GPtrArray *users = atx_cfg_list_new(size);
  build->config->users = users;
  if (!table)
    return; /* absent or not a table: the schema said so */

  gboolean have_admin_key = FALSE, admin_unknown = FALSE;
  for (guint i = 0; i < size; i++) {
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
