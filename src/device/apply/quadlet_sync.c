#include "device/apply/quadlet_sync.h"

#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "core/base/defaults.h"
#include "core/base/error.h"
#include "core/render/quadlet_runtime.h"
#include "device/fs/fsutil.h"

#define UNIT_TIMEOUT_US (300 * G_USEC_PER_SEC)

typedef struct {
  const char *dir;
  uid_t owner;
  gid_t group;
  GPtrArray *desired; /* const AtxRuntimeUnit* of this mode */
  GPtrArray *changed; /* services whose file changed (owned strings) */
  GPtrArray *stale;   /* services of removed files (owned strings) */
} Target;

static GPtrArray *
read_manifest(const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename(dir, ATX_QUADLET_MANIFEST, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return names;
  json_t *root = json_load_file(path, 0, NULL);
  gboolean ok = json_is_array(root);
  for (gsize i = 0; ok && i < json_array_size(root); i++) {
    const char *name = json_string_value(json_array_get(root, i));
    ok = name && *name && !strchr(name, '/') && !g_str_has_prefix(name, ".");
    if (ok)
      g_ptr_array_add(names, g_strdup(name));
  }
  json_decref(root);
  if (!ok) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid managed quadlet manifest: %s", path);
    g_clear_pointer(&names, g_ptr_array_unref);
  }
  return names;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

static gboolean
write_manifest(const Target *target, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (guint i = 0; i < target->desired->len; i++)
    g_ptr_array_add(names, ((const AtxRuntimeUnit *) target->desired->pdata[i])->filename);
  g_ptr_array_sort(names, compare_names);
  json_t *list = json_array();
  for (guint i = 0; i < names->len; i++)
    if (i == 0 || !g_str_equal(names->pdata[i], names->pdata[i - 1]))
      json_array_append_new(list, json_string(names->pdata[i]));
  char *text = json_dumps(list, JSON_INDENT(2));
  json_decref(list);
  g_autofree char *path = g_build_filename(target->dir, ATX_QUADLET_MANIFEST, NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_take(g_strconcat(text, "\n", NULL), strlen(text) + 1);
  free(text);
  return atx_fs_write_file(path, bytes, 0644, target->owner, target->group, ATX_FS_SYNC_NOW, error);
}

/* The service Quadlet generates for a file name from an old manifest. */
static char *
service_of(const char *filename)
{
  for (AtxQuadletKind kind = ATX_QUADLET_CONTAINER; kind <= ATX_QUADLET_BUILD; kind++) {
    const char *suffix = atx_quadlet_kind_suffix(kind);
    if (g_str_has_suffix(filename, suffix)) {
      g_autofree char *name = g_strndup(filename, strlen(filename) - strlen(suffix));
      return g_strconcat(name, atx_quadlet_service_suffix(kind), NULL);
    }
  }
  return NULL;
}

static gboolean
desired_file(const Target *target, const char *filename)
{
  for (guint i = 0; i < target->desired->len; i++)
    if (g_str_equal(((const AtxRuntimeUnit *) target->desired->pdata[i])->filename, filename))
      return TRUE;
  return FALSE;
}

static gboolean
copy_desired(const char *source_dir, Target *target, GPtrArray *log, GError **error)
{
  for (guint i = 0; i < target->desired->len; i++) {
    const AtxRuntimeUnit *unit = target->desired->pdata[i];
    g_autofree char *from = g_build_filename(source_dir, unit->filename, NULL);
    g_autofree char *to = g_build_filename(target->dir, unit->filename, NULL);
    g_autofree char *wanted = NULL, *current = NULL;
    gsize wanted_len = 0, current_len = 0;
    if (!g_file_get_contents(from, &wanted, &wanted_len, error)) {
      g_prefix_error(error, "unit %s: ", unit->service);
      return FALSE;
    }
    if (g_file_get_contents(to, &current, &current_len, NULL) && current_len == wanted_len &&
        memcmp(current, wanted, wanted_len) == 0)
      continue;
    g_autoptr(GBytes) bytes = g_bytes_new_take(g_steal_pointer(&wanted), wanted_len);
    if (!atx_fs_write_file(to, bytes, 0644, target->owner, target->group, ATX_FS_SYNC_NOW, error))
      return FALSE;
    g_ptr_array_add(log, g_strdup_printf("copied %s", to));
    if (!g_ptr_array_find_with_equal_func(target->changed, unit->service, g_str_equal, NULL))
      g_ptr_array_add(target->changed, g_strdup(unit->service));
  }
  return TRUE;
}

static gboolean
remove_stale(Target *target, GPtrArray *old, GPtrArray *log, GError **error)
{
  for (guint i = 0; i < old->len; i++) {
    const char *filename = old->pdata[i];
    if (desired_file(target, filename))
      continue;
    g_autofree char *path = g_build_filename(target->dir, filename, NULL);
    if (unlink(path) != 0 && errno != ENOENT) {
      int saved = errno;
      g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "remove %s: %s", path, g_strerror(saved));
      return FALSE;
    }
    g_ptr_array_add(log, g_strdup_printf("removed %s", path));
    char *service = service_of(filename);
    if (service)
      g_ptr_array_add(target->stale, service);
  }
  return TRUE;
}

static gboolean
sync_target(const char *source_dir, Target *target, GPtrArray *log, GError **error)
{
  g_autofree char *parent = g_path_get_dirname(target->dir);
  if (g_mkdir_with_parents(parent, 0755) != 0) {
    int saved = errno;
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot create directory %s: %s", parent, g_strerror(saved));
    return FALSE;
  }
  guint mode = target->owner == (uid_t) -1 ? 0755 : 0700;
  if (!atx_fs_mkdir(target->dir, mode, target->owner, target->group, ATX_FS_SYNC_NOW, error))
    return FALSE;
  g_autoptr(GPtrArray) old = read_manifest(target->dir, error);
  return old && copy_desired(source_dir, target, log, error) && remove_stale(target, old, log, error) &&
         write_manifest(target, error);
}

/* ~APP_USER/.config/containers/systemd, its missing parents created 0700 and
 * owned by the app user (its user manager reads them as that user). */
static gboolean
rootless_home(const char *app_user, char **dir_out, uid_t *uid, gid_t *gid, GError **error)
{
  struct passwd *pw = getpwnam(app_user);
  if (!pw) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND, "rootless units are present but user %s does not exist",
                app_user);
    return FALSE;
  }
  *uid = pw->pw_uid;
  *gid = pw->pw_gid;
  g_autofree char *config = g_build_filename(pw->pw_dir, ".config", NULL);
  g_autofree char *containers = g_build_filename(config, "containers", NULL);
  const char *parents[] = { config, containers };
  for (guint i = 0; i < G_N_ELEMENTS(parents); i++)
    if (!g_file_test(parents[i], G_FILE_TEST_IS_DIR) &&
        !atx_fs_mkdir(parents[i], 0700, *uid, *gid, ATX_FS_SYNC_NOW, error))
      return FALSE;
  *dir_out = g_build_filename(containers, "systemd", NULL);
  return TRUE;
}

/* Stops stale services, reloads, then restarts changed ones (.build first)
 * unless @no_restart. */
static void
run_units(AtxSvcMgr *svcmgr, Target *target, AtxRunMode mode, gboolean no_restart, GPtrArray *log,
          GPtrArray *failed)
{
  const char *mode_name = atx_run_mode_name(mode);
  for (guint i = 0; i < target->stale->len; i++) {
    g_autoptr(GError) error = NULL;
    const char *service = target->stale->pdata[i];
    if (!atx_svcmgr_stop(svcmgr, service, mode, g_get_monotonic_time() + UNIT_TIMEOUT_US, &error))
      g_ptr_array_add(log, g_strdup_printf("warning: stopping %s (%s): %s", service, mode_name, error->message));
    else
      g_ptr_array_add(log, g_strdup_printf("stopped %s (%s)", service, mode_name));
  }
  g_autoptr(GError) reload_error = NULL;
  if (!atx_svcmgr_daemon_reload(svcmgr, mode, &reload_error)) {
    g_ptr_array_add(failed, g_strdup_printf("daemon-reload (%s): %s", mode_name, reload_error->message));
    return;
  }
  if (no_restart) {
    for (guint i = 0; i < target->changed->len; i++)
      g_ptr_array_add(log, g_strdup_printf("changed %s (%s), not restarted (--no-restart)",
                                           (const char *) target->changed->pdata[i], mode_name));
    return;
  }
  for (int builds = 1; builds >= 0; builds--) {
    for (guint i = 0; i < target->changed->len; i++) {
      const char *service = target->changed->pdata[i];
      if (g_str_has_suffix(service, "-build.service") != builds)
        continue;
      g_autoptr(GError) error = NULL;
      if (atx_svcmgr_restart(svcmgr, service, mode, g_get_monotonic_time() + UNIT_TIMEOUT_US, &error))
        g_ptr_array_add(log, g_strdup_printf("restarted %s (%s)", service, mode_name));
      else
        g_ptr_array_add(failed, g_strdup_printf("%s (%s): %s", service, mode_name, error->message));
    }
  }
}

static GPtrArray *
load_units(const char *root, GError **error)
{
  g_autofree char *path = g_build_filename(root, "config", "quadlet-runtime.json", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &text, &len, error)) {
    g_prefix_error(error, "missing runtime metadata: ");
    return NULL;
  }
  g_autoptr(GBytes) bytes = g_bytes_new_take(g_steal_pointer(&text), len);
  GPtrArray *units = atx_runtime_units_parse(bytes, error);
  if (!units)
    g_prefix_error(error, "invalid runtime metadata in %s: ", path);
  return units;
}

static void
target_clear(Target *target)
{
  g_clear_pointer(&target->desired, g_ptr_array_unref);
  g_clear_pointer(&target->changed, g_ptr_array_unref);
  g_clear_pointer(&target->stale, g_ptr_array_unref);
}

static gboolean
sync_all(const AtxQuadletSync *options, GPtrArray *units, Target targets[2], GPtrArray *log, GError **error)
{
  for (guint i = 0; i < units->len; i++) {
    const AtxRuntimeUnit *unit = units->pdata[i];
    g_ptr_array_add(targets[unit->mode].desired, (gpointer) unit);
  }
  g_autofree char *rootless_dir = NULL;
  targets[ATX_MODE_ROOTFUL].dir = options->rootful_dir ? options->rootful_dir : "/etc/containers/systemd";
  targets[ATX_MODE_ROOTLESS].dir = options->rootless_dir;
  if (!options->rootless_dir) {
    g_autoptr(GError) local = NULL;
    const char *user = options->app_user ? options->app_user : ATX_APP_USER;
    if (rootless_home(user, &rootless_dir, &targets[ATX_MODE_ROOTLESS].owner, &targets[ATX_MODE_ROOTLESS].group,
                      &local))
      targets[ATX_MODE_ROOTLESS].dir = rootless_dir;
    else if (targets[ATX_MODE_ROOTLESS].desired->len > 0) {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  }
  g_autofree char *source = g_build_filename(options->root, "config", "quadlet", NULL);
  for (AtxRunMode mode = ATX_MODE_ROOTFUL; mode <= ATX_MODE_ROOTLESS; mode++)
    if (targets[mode].dir && !sync_target(source, &targets[mode], log, error))
      return FALSE;
  return TRUE;
}

gboolean
atx_sync_quadlet(const AtxQuadletSync *options, GPtrArray **log_out, GError **error)
{
  g_autoptr(GPtrArray) units = load_units(options->root, error);
  if (!units)
    return FALSE;
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func(g_free);
  Target targets[2];
  for (guint m = 0; m < 2; m++)
    targets[m] = (Target){ .owner = (uid_t) -1,
                           .group = (gid_t) -1,
                           .desired = g_ptr_array_new(),
                           .changed = g_ptr_array_new_with_free_func(g_free),
                           .stale = g_ptr_array_new_with_free_func(g_free) };
  gboolean ok = sync_all(options, units, targets, log, error);
  for (AtxRunMode mode = ATX_MODE_ROOTFUL; ok && mode <= ATX_MODE_ROOTLESS; mode++)
    if (targets[mode].dir && (targets[mode].changed->len || targets[mode].stale->len))
      run_units(options->svcmgr, &targets[mode], mode, options->no_restart, log, failed);
  target_clear(&targets[0]);
  target_clear(&targets[1]);
  if (ok && failed->len) {
    g_ptr_array_add(failed, NULL);
    g_autofree char *list = g_strjoinv("; ", (char **) failed->pdata);
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "failed units: %s", list);
    ok = FALSE;
  }
  if (log_out)
    *log_out = g_steal_pointer(&log);
  return ok;
}
