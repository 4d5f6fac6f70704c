#include "device/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/render/change_plan.h"
#include "core/base/error.h"
#include "core/base/json_writer.h"
#include "core/render/rendered_files.h"
#include "device/fs/failpoint.h"
#include "device/fs/fsutil.h"

#define GENERATION_FILE ".atomix-generation"
#define MANAGED_USERS_FILE "managed-users.json"

struct _AtxStore {
  char *root;
  char *config;
  char *candidate;
  char *rollback;
  char *marker;
  char *lock_path;
  int lock_fd;
  /* The entries of the candidate being written ("path\nmode\nsize\ndigest\n"),
   * hashed in sorted order into its generation, so the order members arrive
   * in does not matter. NULL when no candidate is being written. */
  GPtrArray *candidate_sum;
};

/* What the pipeline writes is in core/render/rendered_files.h; everything
 * else in the config root is the operator's and is carried over. */
/* Top-level names in a config tree that the pipeline writes. */
static gboolean
atx_store_owns(const char *name)
{
  return atx_rendered_kind_owns(name) || g_str_equal(name, GENERATION_FILE);
}

const char *
atx_recovery_result_message(AtxRecoveryResult result)
{
  switch (result) {
  case ATX_RECOVERY_REMOVED_CANDIDATE:
    return "removed an unpromoted candidate";
  case ATX_RECOVERY_RESTORED_PREVIOUS:
    return "restored the previous config after an interrupted change";
  case ATX_RECOVERY_FINISHED_COMMIT:
    return "finished cleaning up a committed change";
  case ATX_RECOVERY_CLEAN:
  default:
    return "nothing to recover";
  }
}

static gboolean
check_root(const char *root, GError **error)
{
  struct stat st;
  if (!g_path_is_absolute(root) || g_str_equal(root, "/")) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "unsafe state root: %s", root);
    return FALSE;
  }
  if (lstat(root, &st) == 0 && S_ISLNK(st.st_mode)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "state root must not be a symlink: %s", root);
    return FALSE;
  }
  return TRUE;
}

static gboolean ensure_config_dir(const AtxStore *store, GError **error);

AtxStore *
atx_store_open(const char *root, GError **error)
{
  if (!check_root(root, error))
    return NULL;
  g_autoptr(AtxStore) store = g_new0(AtxStore, 1);
  store->root = g_canonicalize_filename(root, NULL);
  store->config = g_build_filename(store->root, "config", NULL);
  store->candidate = g_build_filename(store->root, "config-candidate", NULL);
  store->rollback = g_build_filename(store->root, "config-rollback", NULL);
  store->marker = g_build_filename(store->root, "config.atomix-promotion", NULL);
  store->lock_path = g_build_filename(store->root, ".config.lock", NULL);
  store->lock_fd = -1;
  if (g_mkdir_with_parents(store->root, 0755) != 0) {
    atx_set_errno_error(error, errno, "cannot create %s", store->root);
    return NULL;
  }
  struct stat st;
  if (lstat(store->config, &st) == 0 && S_ISLNK(st.st_mode)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "config root must not be a symlink: %s", store->config);
    return NULL;
  }
  if (!ensure_config_dir(store, error))
    return NULL;
  return g_steal_pointer(&store);
}

void
atx_store_free(AtxStore *store)
{
  if (!store)
    return;
  atx_store_unlock(store);
  g_free(store->root);
  g_free(store->config);
  g_free(store->candidate);
  g_free(store->rollback);
  g_free(store->marker);
  g_free(store->lock_path);
  g_clear_pointer(&store->candidate_sum, g_ptr_array_unref);
  g_free(store);
}

const char *
atx_store_config_dir(const AtxStore *store)
{
  return store->config;
}

static char *
read_holder(const char *lock_path)
{
  char *text = NULL;
  if (!g_file_get_contents(lock_path, &text, NULL, NULL) || !*g_strstrip(text)) {
    g_free(text);
    return g_strdup("another process");
  }
  return text;
}

gboolean
atx_store_lock(AtxStore *store, const char *holder, GError **error)
{
  if (store->lock_fd >= 0) {
    g_autofree char *other = read_holder(store->lock_path);
    g_set_error(error, ATX_ERROR, ATX_ERROR_BUSY, "the config store is already locked by %s in this process", other);
    return FALSE;
  }
  int fd = open(store->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return atx_set_errno_error(error, errno, "cannot open %s", store->lock_path);
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    close(fd);
    if (saved != EWOULDBLOCK) {
      return atx_set_errno_error(error, saved, "cannot lock %s", store->lock_path);
    }
    g_autofree char *other = read_holder(store->lock_path);
    g_set_error(error, ATX_ERROR, ATX_ERROR_BUSY, "the config store is locked by %s", other);
    return FALSE;
  }
  /* Who holds it is advice for the error above, not state: no fsync needed. */
  if (ftruncate(fd, 0) == 0 && holder)
    (void) !write(fd, holder, strlen(holder));
  store->lock_fd = fd;
  return TRUE;
}

void
atx_store_unlock(AtxStore *store)
{
  if (store->lock_fd < 0)
    return;
  if (ftruncate(store->lock_fd, 0) != 0)
    g_debug("cannot clear lock holder in %s", store->lock_path);
  close(store->lock_fd);
  store->lock_fd = -1;
}

gboolean
atx_store_is_provisioned(const AtxStore *store)
{
  g_autofree char *config_toml = g_build_filename(store->config, "config.toml", NULL);
  return atx_fs_exists(config_toml) && !atx_fs_exists(store->marker);
}

/* ".managed-users.json.Ab12Cd": what a write cut short by a crash leaves. */
static gboolean
is_temp_file(const char *name)
{
  gsize len = strlen(name);
  if (name[0] != '.' || len < 9 || name[len - 7] != '.')
    return FALSE;
  g_autofree char *target = g_strndup(name + 1, len - 8);
  return atx_store_owns(target) || g_str_equal(target, MANAGED_USERS_FILE);
}

/* Temp files a crash left in the active tree (from rollback's managed-users
 * merge) are not part of either tree. */
static gboolean
remove_temp_files(const AtxStore *store, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open(store->config, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    g_autofree char *path = g_build_filename(store->config, name, NULL);
    if (is_temp_file(name) && !atx_fs_remove_tree(path, NULL, error))
      return FALSE;
  }
  return TRUE;
}

/* Generation of the tree at @dir: NULL when @dir does not exist, "" when it
 * has no generation file (never stamped, or its deletion had begun). */
static char *
tree_generation(const char *dir)
{
  if (!atx_fs_exists(dir))
    return NULL;
  g_autofree char *path = g_build_filename(dir, GENERATION_FILE, NULL);
  char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return g_strdup("");
  return g_strstrip(text);
}

typedef struct {
  char *new_generation;
  char *old_generation;
} Marker;

static void
marker_clear(Marker *marker)
{
  g_clear_pointer(&marker->new_generation, g_free);
  g_clear_pointer(&marker->old_generation, g_free);
}

/* *present is FALSE when there is no marker; a damaged marker is an error. */
static gboolean
read_marker(const AtxStore *store, Marker *marker, gboolean *present, GError **error)
{
  *present = atx_fs_exists(store->marker);
  if (!*present)
    return TRUE;
  json_error_t json_error;
  json_t *root = json_load_file(store->marker, 0, &json_error);
  const char *new_gen = json_string_value(json_object_get(root, "new"));
  const char *old_gen = json_string_value(json_object_get(root, "old"));
  gboolean ok = new_gen && old_gen;
  if (ok) {
    marker->new_generation = g_strdup(new_gen);
    marker->old_generation = g_strdup(old_gen);
  } else {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "damaged promotion marker %s", store->marker);
  }
  json_decref(root);
  return ok;
}

static gboolean
write_marker(const AtxStore *store, const char *new_gen, const char *old_gen, GError **error)
{
  json_t *root = json_pack("{s:s, s:s}", "new", new_gen, "old", old_gen);
  g_autofree char *text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
  return atx_fs_write_file(store->marker, bytes, 0600, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_NOW, error);
}

static gboolean
remove_marker(const AtxStore *store, GError **error)
{
  return atx_fs_remove_tree(store->marker, NULL, error);
}

static gboolean
remove_tree(const char *dir, GError **error)
{
  return atx_fs_remove_tree(dir, GENERATION_FILE, error);
}

static gboolean
ensure_config_dir(const AtxStore *store, GError **error)
{
  return atx_fs_exists(store->config) ||
         atx_fs_mkdir(store->config, 0755, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_NOW, error);
}

/* A marker is present: put the old tree back in place and drop the rest. */
static gboolean
undo_change(AtxStore *store, const Marker *marker, GError **error)
{
  g_autofree char *active = tree_generation(store->config);
  if (g_strcmp0(active, marker->old_generation) != 0) {
    const char *holders[] = { store->candidate, store->rollback };
    for (guint i = 0; i < G_N_ELEMENTS(holders); i++) {
      g_autofree char *generation = tree_generation(holders[i]);
      if (g_strcmp0(generation, marker->old_generation) != 0)
        continue;
      gboolean ok = active ? atx_fs_exchange(holders[i], store->config, error)
                           : atx_fs_rename(holders[i], store->config, error);
      if (!ok)
        return FALSE;
      break;
    }
  }
  /* From here ROOT/config is the old tree (or, if it was lost, whatever is
   * there); the marker goes before the leftovers so none can be mistaken. */
  return ensure_config_dir(store, error) && remove_marker(store, error) &&
         remove_tree(store->candidate, error) && remove_tree(store->rollback, error);
}

gboolean
atx_store_recover(AtxStore *store, AtxRecoveryResult *result, GError **error)
{
  Marker marker = { 0 };
  gboolean in_flight;
  if (!read_marker(store, &marker, &in_flight, error))
    return FALSE;
  AtxRecoveryResult outcome = ATX_RECOVERY_CLEAN;
  gboolean ok;
  if (in_flight) {
    outcome = ATX_RECOVERY_RESTORED_PREVIOUS;
    ok = undo_change(store, &marker, error);
  } else {
    if (atx_fs_exists(store->rollback))
      outcome = ATX_RECOVERY_FINISHED_COMMIT;
    else if (atx_fs_exists(store->candidate))
      outcome = ATX_RECOVERY_REMOVED_CANDIDATE;
    ok = remove_tree(store->candidate, error) && remove_tree(store->rollback, error) &&
         ensure_config_dir(store, error);
  }
  ok = ok && remove_temp_files(store, error);
  marker_clear(&marker);
  if (ok && result)
    *result = outcome;
  return ok;
}

/* One entry of a tree's generation: its path, mode, size and the SHA-256 of
 * its content, so content streamed in pieces sums like content in memory. */
static void
sum_entry_digest(GPtrArray *sum, const char *path, guint mode, gsize len, const char *content_digest)
{
  g_ptr_array_add(sum, g_strdup_printf("%s\n%o\n%" G_GSIZE_FORMAT "\n%s\n", path, mode, len,
                                       content_digest ? content_digest : ""));
}

static gint
compare_entries(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

static char *
generation_of(GPtrArray *entries)
{
  g_ptr_array_sort(entries, compare_entries);
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  for (guint i = 0; i < entries->len; i++)
    g_checksum_update(sum, g_ptr_array_index(entries, i), -1);
  return g_strdup(g_checksum_get_string(sum));
}

static void
sum_entry(GPtrArray *sum, const char *path, guint mode, GBytes *content)
{
  if (!content) {
    sum_entry_digest(sum, path, mode, 0, NULL);
    return;
  }
  g_autofree char *digest = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, content);
  sum_entry_digest(sum, path, mode, g_bytes_get_size(content), digest);
}

gboolean
atx_store_candidate_begin(AtxStore *store, GError **error)
{
  g_clear_pointer(&store->candidate_sum, g_ptr_array_unref);
  store->candidate_sum = g_ptr_array_new_with_free_func(g_free);
  return remove_tree(store->candidate, error) &&
         atx_fs_mkdir(store->candidate, 0755, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_LATER, error);
}

/* Creates the directories between the candidate root and @relative_path. */
static gboolean
make_parents(const char *root, const char *relative_path, guint mode, uid_t owner, gid_t group,
             GError **error)
{
  g_autofree char *parent = g_path_get_dirname(relative_path);
  if (g_str_equal(parent, "."))
    return TRUE;
  g_autofree char *full = g_build_filename(root, parent, NULL);
  if (atx_fs_exists(full))
    return TRUE;
  return make_parents(root, parent, mode, owner, group, error) &&
         atx_fs_mkdir(full, mode, owner, group, ATX_FS_SYNC_LATER, error);
}

gboolean
atx_store_candidate_write(AtxStore *store, const AtxRenderedFile *file, GError **error)
{
  g_return_val_if_fail(store->candidate_sum, FALSE);
  if (!make_parents(store->candidate, file->path, 0755, (uid_t) -1, (gid_t) -1, error))
    return FALSE;
  sum_entry(store->candidate_sum, file->path, file->mode, file->content);
  g_autofree char *path = g_build_filename(store->candidate, file->path, NULL);
  return atx_fs_write_file(path, file->content, file->mode, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_LATER, error);
}

/* Writes the members of files/ into the candidate as a bundle reader hands
 * them over (AtxBundleSink), one chunk at a time. */
typedef struct {
  AtxStore *store;
  uid_t uid;
  gid_t gid;
  AtxFsFileWriter *writer; /* the file being written */
  char *relative;          /* its path in the candidate */
  GChecksum *content_sum;
  gsize content_len;
} BundleWriter;

static gboolean
write_bundle_directory(const char *path, gpointer user_data, GError **error)
{
  BundleWriter *bw = user_data;
  g_autofree char *relative = g_strconcat("files/", path, NULL);
  g_autofree char *full = g_build_filename(bw->store->candidate, relative, NULL);
  sum_entry(bw->store->candidate_sum, relative, 0700, NULL);
  return make_parents(bw->store->candidate, relative, 0700, bw->uid, bw->gid, error) &&
         atx_fs_mkdir(full, 0700, bw->uid, bw->gid, ATX_FS_SYNC_LATER, error);
}

static gboolean
write_bundle_file_begin(const char *path, gpointer user_data, GError **error)
{
  BundleWriter *bw = user_data;
  g_free(bw->relative);
  bw->relative = g_strconcat("files/", path, NULL);
  g_autofree char *full = g_build_filename(bw->store->candidate, bw->relative, NULL);
  if (!make_parents(bw->store->candidate, bw->relative, 0700, bw->uid, bw->gid, error))
    return FALSE;
  g_clear_pointer(&bw->writer, atx_fs_file_writer_free);
  bw->writer = atx_fs_file_writer_new(full, error);
  g_clear_pointer(&bw->content_sum, g_checksum_free);
  bw->content_sum = g_checksum_new(G_CHECKSUM_SHA256);
  bw->content_len = 0;
  return bw->writer != NULL;
}

static gboolean
write_bundle_file_data(const void *data, gsize len, gpointer user_data, GError **error)
{
  BundleWriter *bw = user_data;
  g_checksum_update(bw->content_sum, data, (gssize) len);
  bw->content_len += len;
  return atx_fs_file_writer_append(bw->writer, data, len, error);
}

static gboolean
write_bundle_file_end(gpointer user_data, GError **error)
{
  BundleWriter *bw = user_data;
  sum_entry_digest(bw->store->candidate_sum, bw->relative, 0600, bw->content_len,
                   g_checksum_get_string(bw->content_sum));
  gboolean ok = atx_fs_file_writer_commit(bw->writer, 0600, bw->uid, bw->gid, ATX_FS_SYNC_LATER, error);
  g_clear_pointer(&bw->writer, atx_fs_file_writer_free);
  return ok;
}

static const AtxBundleSink bundle_writer_sink = {
  .directory = write_bundle_directory,
  .file_begin = write_bundle_file_begin,
  .file_data = write_bundle_file_data,
  .file_end = write_bundle_file_end,
};

/* Resolves @app_user and creates files/ in the candidate. */
static gboolean
bundle_writer_init(BundleWriter *bw, AtxStore *store, const char *app_user, GError **error)
{
  g_return_val_if_fail(store->candidate_sum, FALSE);
  struct passwd *pw = getpwnam(app_user);
  if (!pw) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND, "runtime user not found for bundle files: %s", app_user);
    return FALSE;
  }
  *bw = (BundleWriter) { .store = store, .uid = pw->pw_uid, .gid = pw->pw_gid };
  g_autofree char *files_root = g_build_filename(store->candidate, "files", NULL);
  return atx_fs_mkdir(files_root, 0700, bw->uid, bw->gid, ATX_FS_SYNC_LATER, error);
}

static void
bundle_writer_clear(BundleWriter *bw)
{
  g_clear_pointer(&bw->writer, atx_fs_file_writer_free);
  g_clear_pointer(&bw->content_sum, g_checksum_free);
  g_clear_pointer(&bw->relative, g_free);
}

static gboolean
write_bundle_member(BundleWriter *bw, const AtxBundleFile *file, GError **error)
{
  if (file->is_directory)
    return write_bundle_directory(file->path, bw, error);
  gsize len = 0;
  const void *data = g_bytes_get_data(file->content, &len);
  return write_bundle_file_begin(file->path, bw, error) && write_bundle_file_data(data, len, bw, error) &&
         write_bundle_file_end(bw, error);
}

gboolean
atx_store_candidate_write_bundle(AtxStore *store, const AtxBundle *bundle, const char *app_user,
                                 GError **error)
{
  if (!bundle || !bundle->has_files)
    return TRUE;
  if (!bundle->files) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                "the bundle's files were not kept in memory; stream them with atx_store_candidate_stream_bundle");
    return FALSE;
  }
  BundleWriter bw;
  if (!bundle_writer_init(&bw, store, app_user, error))
    return FALSE;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < bundle->files->len; i++)
    ok = write_bundle_member(&bw, g_ptr_array_index(bundle->files, i), error);
  bundle_writer_clear(&bw);
  return ok;
}

gboolean
atx_store_candidate_stream_bundle(AtxStore *store, const char *upload_path, const AtxBundle *validated,
                                  const char *filename, const AtxBundleLimits *limits, const char *app_user,
                                  GError **error)
{
  if (!validated->has_files)
    return TRUE;
  BundleWriter bw;
  if (!bundle_writer_init(&bw, store, app_user, error))
    return FALSE;
  int fd = open(upload_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int saved = errno;
    bundle_writer_clear(&bw);
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot open %s: %s", upload_path, g_strerror(saved));
    return FALSE;
  }
  g_autoptr(AtxBundle) again = atx_bundle_read_fd(fd, filename, limits, &bundle_writer_sink, &bw, error);
  close(fd);
  bundle_writer_clear(&bw);
  if (!again) {
    g_prefix_error(error, "writing files/ from %s: ", upload_path);
    return FALSE;
  }
  /* Validation read the same file; a different config.toml now means the
   * file changed in between, and what was validated is not what is applied. */
  if (!g_bytes_equal(again->config_toml, validated->config_toml)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                "%s changed after it was validated: its config.toml is not the one checked", upload_path);
    return FALSE;
  }
  return TRUE;
}

/* Operator files living in the config root (dotfiles included) survive every
 * apply. */
static gboolean
carry_unowned(const AtxStore *store, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open(store->config, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    if (atx_store_owns(name) || is_temp_file(name))
      continue;
    g_autofree char *from = g_build_filename(store->config, name, NULL);
    g_autofree char *to = g_build_filename(store->candidate, name, NULL);
    if (!atx_fs_copy_tree(from, to, ATX_FS_SYNC_LATER, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
atx_store_candidate_keep_files(AtxStore *store, GError **error)
{
  g_return_val_if_fail(store->candidate_sum, FALSE);
  g_autofree char *from = g_build_filename(store->config, "files", NULL);
  if (!g_file_test(from, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_autofree char *to = g_build_filename(store->candidate, "files", NULL);
  return atx_fs_copy_tree(from, to, ATX_FS_SYNC_LATER, error);
}

gboolean
atx_store_candidate_finish(AtxStore *store, GError **error)
{
  g_return_val_if_fail(store->candidate_sum, FALSE);
  if (!carry_unowned(store, error))
    return FALSE;
  g_autofree char *generation = generation_of(store->candidate_sum);
  g_autoptr(GBytes) bytes = g_bytes_new(generation, strlen(generation));
  g_autofree char *path = g_build_filename(store->candidate, GENERATION_FILE, NULL);
  g_clear_pointer(&store->candidate_sum, g_ptr_array_unref);
  /* The generation comes last, so a candidate without one is known to be
   * incomplete. One syncfs makes the whole tree durable before promotion
   * points at it: far fewer flushes than one per file and directory. */
  return atx_fs_write_file(path, bytes, 0644, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_LATER, error) &&
         atx_fs_syncfs(store->candidate, error);
}

gboolean
atx_store_candidate_discard(AtxStore *store, GError **error)
{
  g_clear_pointer(&store->candidate_sum, g_ptr_array_unref);
  return remove_tree(store->candidate, error);
}

gboolean
atx_store_promote(AtxStore *store, GError **error)
{
  g_autofree char *new_gen = tree_generation(store->candidate);
  g_autofree char *old_gen = tree_generation(store->config);
  if (!new_gen || !*new_gen) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "no finished candidate to promote in %s", store->candidate);
    return FALSE;
  }
  if (!ensure_config_dir(store, error))
    return FALSE;
  if (!old_gen)
    old_gen = g_strdup("");
  /* Order is the protocol recovery relies on: marker, swap, park the old tree. */
  return write_marker(store, new_gen, old_gen, error) &&
         atx_fs_exchange(store->candidate, store->config, error) &&
         atx_fs_rename(store->candidate, store->rollback, error);
}

gboolean
atx_store_commit(AtxStore *store, GError **error)
{
  return remove_marker(store, error) && remove_tree(store->rollback, error);
}

static GPtrArray *
read_managed_users(const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  g_autofree char *path = g_build_filename(dir, MANAGED_USERS_FILE, NULL);
  json_t *root = json_load_file(path, 0, NULL);
  for (gsize i = 0; i < json_array_size(root); i++) {
    const char *name = json_string_value(json_array_get(root, i));
    if (name && !g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL))
      g_ptr_array_add(names, g_strdup(name));
  }
  json_decref(root);
  return names;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Accounts created by the failed change must stay managed so the restored
 * apply-users run locks them instead of leaving them usable. */
static gboolean
merge_managed_users(const AtxStore *store, GError **error)
{
  g_autoptr(GPtrArray) failed = read_managed_users(store->config);
  g_autoptr(GPtrArray) merged = read_managed_users(store->rollback);
  if (failed->len == 0)
    return TRUE;
  for (guint i = 0; i < failed->len; i++) {
    const char *name = g_ptr_array_index(failed, i);
    if (!g_ptr_array_find_with_equal_func(merged, name, g_str_equal, NULL))
      g_ptr_array_add(merged, g_strdup(name));
  }
  g_ptr_array_sort(merged, compare_names);
  json_t *array = json_array();
  for (guint i = 0; i < merged->len; i++)
    json_array_append_new(array, json_string(g_ptr_array_index(merged, i)));
  char *text = atx_json_text(array);
  json_decref(array);
  g_autoptr(GBytes) bytes = g_bytes_new_take(text, strlen(text));
  g_autofree char *path = g_build_filename(store->rollback, MANAGED_USERS_FILE, NULL);
  return atx_fs_write_file(path, bytes, 0600, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_NOW, error);
}

gboolean
atx_store_rollback(AtxStore *store, GError **error)
{
  if (!atx_fs_exists(store->rollback)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND, "no previous config to restore in %s", store->rollback);
    return FALSE;
  }
  return merge_managed_users(store, error) && atx_fs_exchange(store->rollback, store->config, error) &&
         remove_marker(store, error) && remove_tree(store->rollback, error);
}

static gboolean
read_tree_into(GHashTable *tree, const char *dir, const char *prefix, GError **error)
{
  g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
  const char *name;
  while (handle && (name = g_dir_read_name(handle))) {
    if (!prefix && (!atx_store_owns(name) || g_str_equal(name, GENERATION_FILE)))
      continue;
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *relative = prefix ? g_strconcat(prefix, "/", name, NULL) : g_strdup(name);
    struct stat st;
    if (lstat(path, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      if (!read_tree_into(tree, path, relative, error))
        return FALSE;
    } else if (S_ISREG(st.st_mode)) {
      g_autoptr(GMappedFile) mapped = g_mapped_file_new(path, FALSE, error);
      if (!mapped)
        return FALSE;
      g_hash_table_replace(tree, g_steal_pointer(&relative), g_mapped_file_get_bytes(mapped));
    }
  }
  return TRUE;
}

GHashTable *
atx_store_read_tree(const char *dir, GError **error)
{
  GHashTable *tree = atx_tree_new();
  if (!read_tree_into(tree, dir, NULL, error)) {
    g_hash_table_unref(tree);
    return NULL;
  }
  return tree;
}
