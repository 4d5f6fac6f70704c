#include "core/platform/users_plan.h"

#include <jansson.h>
#include <string.h>

#include "core/base/defaults.h"
#include "core/base/error.h"

#define NOLOGIN "/usr/sbin/nologin"

static const char *const admin_groups[] = { "wheel", "podman", NULL };

void
atx_users_plan_free(AtxUsersPlan *plan)
{
  if (!plan)
    return;
  g_ptr_array_unref(plan->commands);
  g_ptr_array_unref(plan->managed);
  g_ptr_array_unref(plan->keys);
  g_ptr_array_unref(plan->warnings);
  g_free(plan);
}

gboolean
atx_users_is_protected(const char *name)
{
  return g_str_equal(name, "root") || g_str_equal(name, ATX_APP_USER);
}

static gboolean
name_ok(const char *name)
{
  gsize len = strlen(name);
  if (len == 0 || len > 32 || !(g_ascii_islower(name[0]) || name[0] == '_'))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* Field @field (0-based) of the colon-separated line whose first field is @name. */
static char *
db_field(const char *db, const char *name, guint field)
{
  g_auto(GStrv) lines = g_strsplit(db ? db : "", "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    g_auto(GStrv) fields = g_strsplit(lines[i], ":", -1);
    if (g_strv_length(fields) > field && g_str_equal(fields[0], name))
      return g_strdup(fields[field]);
  }
  return NULL;
}

static gboolean
group_has_member(const char *group_db, const char *group, const char *user)
{
  g_autofree char *members = db_field(group_db, group, 3);
  g_auto(GStrv) list = g_strsplit(members ? members : "", ",", -1);
  return g_strv_contains((const char *const *) list, user);
}

/* argv with the sysroot option (-R/--root, -Q for gpasswd) after the tool name. */
static void add_command(GPtrArray *commands, const AtxUsersInputs *in, const char *tool,
                        ...) G_GNUC_NULL_TERMINATED;

static void
add_command(GPtrArray *commands, const AtxUsersInputs *in, const char *tool, ...)
{
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, g_strdup(tool));
  if (in->sysroot && !g_str_equal(in->sysroot, "/")) {
    g_ptr_array_add(argv, g_strdup(g_str_equal(tool, "gpasswd") ? "-Q" : "--root"));
    g_ptr_array_add(argv, g_strdup(in->sysroot));
  }
  va_list args;
  va_start(args, tool);
  for (const char *arg; (arg = va_arg(args, const char *));)
    g_ptr_array_add(argv, g_strdup(arg));
  va_end(args);
  g_ptr_array_add(argv, NULL);
  g_ptr_array_add(commands, g_ptr_array_free(argv, FALSE));
}

static const char *
shell_path(const char *shell)
{
  if (g_strcmp0(shell, "bash") == 0)
    return "/bin/bash";
  if (g_strcmp0(shell, "sh") == 0)
    return "/bin/sh";
  if (g_strcmp0(shell, "zsh") == 0)
    return "/usr/bin/zsh";
  return NULL;
}

static gboolean
load_managed(const char *text, GPtrArray *managed, GError **error)
{
  if (!text)
    return TRUE;
  json_t *root = json_loads(text, 0, NULL);
  gboolean ok = json_is_array(root);
  for (gsize i = 0; ok && i < json_array_size(root); i++) {
    const char *name = json_string_value(json_array_get(root, i));
    ok = name != NULL;
    if (ok)
      g_ptr_array_add(managed, g_strdup(name));
  }
  json_decref(root);
  if (!ok)
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "managed-users.json must be a JSON list of user names");
  return ok;
}

static gboolean
in_list(GPtrArray *list, const char *name)
{
  for (guint i = 0; i < list->len; i++)
    if (g_str_equal(list->pdata[i], name))
      return TRUE;
  return FALSE;
}

static void
plan_user(const AtxUsersInputs *in, AtxUsersPlan *plan, const char *name, json_t *spec, gboolean exists)
{
  gboolean admin = json_is_true(json_object_get(spec, "isAdmin"));
  const char *shell = shell_path(json_string_value(json_object_get(spec, "shell")));
  if (!shell)
    shell = admin ? in->admin_shell : in->user_shell;
  if (!exists)
    add_command(plan->commands, in, "useradd", admin ? "--create-home" : "--system", "--shell", shell, name, NULL);
  else
    add_command(plan->commands, in, "usermod", "--expiredate", "", "--shell", shell, name, NULL);
  add_command(plan->commands, in, "usermod", "--lock", name, NULL);
  for (const char *const *group = admin_groups; *group; group++) {
    g_autofree char *group_exists = db_field(in->group, *group, 0);
    if (!group_exists)
      continue;
    gboolean member = group_has_member(in->group, *group, name);
    if (admin && !member)
      add_command(plan->commands, in, "usermod", "--append", "--groups", *group, name, NULL);
    else if (!admin && member)
      add_command(plan->commands, in, "gpasswd", "-d", name, *group, NULL);
  }
  if (json_string_value(json_object_get(spec, "ssh_key")) && *json_string_value(json_object_get(spec, "ssh_key")))
    g_ptr_array_add(plan->keys, g_strdup(name));
  if (!in_list(plan->managed, name))
    g_ptr_array_add(plan->managed, g_strdup(name));
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every existing account users.json names must be one we manage: checked for
 * all users before the first command so a refusal changes nothing. */
static gboolean
check_foreign(const AtxUsersInputs *in, json_t *users, GPtrArray *previous, GError **error)
{
  const char *name;
  json_t *spec;
  json_object_foreach (users, name, spec) {
    if (atx_users_is_protected(name) || !name_ok(name))
      continue;
    if (!json_is_object(spec)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "users.json: %s must be an object", name);
      return FALSE;
    }
    g_autofree char *existing = db_field(in->passwd, name, 0);
    if (existing && !in_list(previous, name)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                  "refusing to manage existing account '%s': it was not created by atomixd apply-users", name);
      return FALSE;
    }
  }
  return TRUE;
}

AtxUsersPlan *
atx_users_plan(const AtxUsersInputs *in, GError **error)
{
  g_autoptr(AtxUsersPlan) plan = g_new0(AtxUsersPlan, 1);
  plan->commands = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
  plan->managed = g_ptr_array_new_with_free_func(g_free);
  plan->keys = g_ptr_array_new_with_free_func(g_free);
  plan->warnings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) previous = g_ptr_array_new_with_free_func(g_free);
  if (!load_managed(in->managed_json, previous, error))
    return NULL;
  json_error_t json_error;
  json_t *users = json_loads(in->users_json, JSON_REJECT_DUPLICATES, &json_error);
  if (!json_is_object(users)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "users.json must contain a JSON object%s%s",
                users ? "" : ": ", users ? "" : json_error.text);
    json_decref(users);
    return NULL;
  }
  gboolean ok = check_foreign(in, users, previous, error);
  const char *name;
  json_t *spec;
  json_object_foreach (users, name, spec) {
    if (!ok)
      break;
    if (atx_users_is_protected(name))
      continue;
    if (!name_ok(name)) {
      g_ptr_array_add(plan->warnings, g_strdup_printf("skipping invalid user name '%s'", name));
      continue;
    }
    g_autofree char *existing = db_field(in->passwd, name, 0);
    plan_user(in, plan, name, spec, existing != NULL);
  }
  for (guint i = 0; ok && i < previous->len; i++) {
    const char *old = previous->pdata[i];
    g_autofree char *existing = db_field(in->passwd, old, 0);
    if (json_object_get(users, old) || atx_users_is_protected(old) || !existing)
      continue;
    add_command(plan->commands, in, "usermod", "--lock", "--expiredate", "1", "--shell", NOLOGIN, old, NULL);
    g_ptr_array_add(plan->managed, g_strdup(old));
  }
  json_decref(users);
  if (!ok)
    return NULL;
  g_ptr_array_sort(plan->managed, compare_names);
  return g_steal_pointer(&plan);
}

char *
atx_users_managed_json(GPtrArray *managed)
{
  json_t *list = json_array();
  for (guint i = 0; i < managed->len; i++)
    json_array_append_new(list, json_string(managed->pdata[i]));
  char *text = json_dumps(list, JSON_INDENT(2));
  json_decref(list);
  char *result = g_strconcat(text, "\n", NULL);
  free(text);
  return result;
}
