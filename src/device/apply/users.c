#include "device/apply/users.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "device/apply/state_file.h"
#include "core/platform/users_plan.h"
#include "device/fs/fsutil.h"

static char *
system_file(const AtxUsersApply *options, const char *name)
{
  g_autofree char *path = g_build_filename(options->sysroot ? options->sysroot : "/", "etc", name, NULL);
  char *text = NULL;
  return g_file_get_contents(path, &text, NULL, NULL) ? text : g_strdup("");
}

static gboolean
run_command(char **argv, GError **error)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, error) ||
      !g_spawn_check_wait_status(status, NULL)) {
    g_autofree char *line = g_strjoinv(" ", argv);
    const char *why = err && *g_strstrip(err) ? err : out && *g_strstrip(out) ? out : "failed";
    if (error && !*error)
      g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "command failed: %s: %s", line, why);
    else
      g_prefix_error(error, "command failed: %s: ", line);
    return FALSE;
  }
  return TRUE;
}

/* uid and gid of @user in the target system's passwd. */
static gboolean
lookup_ids(const AtxUsersApply *options, const char *user, uid_t *uid, gid_t *gid)
{
  g_autofree char *passwd = system_file(options, "passwd");
  g_auto(GStrv) lines = g_strsplit(passwd, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    g_auto(GStrv) fields = g_strsplit(lines[i], ":", -1);
    if (g_strv_length(fields) >= 4 && g_str_equal(fields[0], user)) {
      *uid = (uid_t) g_ascii_strtoull(fields[2], NULL, 10);
      *gid = (gid_t) g_ascii_strtoull(fields[3], NULL, 10);
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean
own_keys(const AtxUsersApply *options, GPtrArray *users, GError **error)
{
  for (guint i = 0; i < users->len; i++) {
    const char *user = users->pdata[i];
    g_autofree char *path = g_build_filename(options->root, "config", "ssh-authorized-keys", user, NULL);
    uid_t uid;
    gid_t gid;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
      continue;
    if (!lookup_ids(options, user, &uid, &gid)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "user %s has no passwd entry after apply", user);
      return FALSE;
    }
    if (lchown(path, uid, gid) != 0 || chmod(path, 0600) != 0) {
      int saved = errno;
      g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "chown/chmod %s: %s", path, g_strerror(saved));
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
atx_apply_users(const AtxUsersApply *options, GPtrArray **log_out, GError **error)
{
  g_autofree char *users_path = g_build_filename(options->root, "config", "users.json", NULL);
  g_autofree char *managed_path = g_build_filename(options->root, "config", "managed-users.json", NULL);
  g_autofree char *users = NULL, *managed = NULL;
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func(g_free);
  if (!atx_apply_read_state_file(users_path, &users, NULL, error) ||
      !atx_apply_read_state_file(managed_path, &managed, NULL, error))
    return FALSE;
  if (!users) {
    g_ptr_array_add(log, g_strdup_printf("%s does not exist; nothing to do", users_path));
  } else {
    g_autofree char *passwd = system_file(options, "passwd");
    g_autofree char *group = system_file(options, "group");
    AtxUsersInputs inputs = {
      .users_json = users,
      .managed_json = managed,
      .passwd = passwd,
      .group = group,
      .sysroot = options->sysroot,
      .admin_shell = options->admin_shell ? options->admin_shell : "/bin/bash",
      .user_shell = options->user_shell ? options->user_shell : "/bin/bash",
    };
    g_autoptr(AtxUsersPlan) plan = atx_users_plan(&inputs, error);
    if (!plan)
      return FALSE;
    for (guint i = 0; i < plan->warnings->len; i++)
      g_ptr_array_add(log, g_strdup_printf("warning: %s", (char *) plan->warnings->pdata[i]));
    for (guint i = 0; i < plan->commands->len; i++) {
      char **argv = plan->commands->pdata[i];
      g_ptr_array_add(log, g_strjoinv(" ", argv));
      if (!run_command(argv, error))
        return FALSE;
    }
    if (!own_keys(options, plan->keys, error))
      return FALSE;
    char *json = atx_users_managed_json(plan->managed);
    g_autoptr(GBytes) bytes = g_bytes_new_take(json, strlen(json));
    if (!atx_fs_write_file(managed_path, bytes, 0600, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_NOW, error))
      return FALSE;
  }
  if (log_out)
    *log_out = g_steal_pointer(&log);
  return TRUE;
}
