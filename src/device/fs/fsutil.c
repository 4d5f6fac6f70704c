#include "device/fs/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "device/fs/failpoint.h"

static gboolean
fsync_fd(int fd, const char *path, GError **error)
{
  if (fsync(fd) != 0)
    return atx_set_errno_error(error, errno, "cannot fsync %s", path);
  return TRUE;
}

static gboolean
atx_fs_fsync_path(const char *path, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return atx_set_errno_error(error, errno, "cannot open %s", path);
  gboolean ok = fsync_fd(fd, path, error);
  close(fd);
  return ok;
}

static gboolean
atx_fs_fsync_parent(const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname(path);
  return atx_fs_fsync_path(parent, error);
}

gboolean
atx_fs_exists(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0;
}

static gboolean
write_all(int fd, const guint8 *data, gsize len, const char *path, GError **error)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return atx_set_errno_error(error, errno, "cannot write %s", path);
    data += n;
    len -= (gsize) n;
  }
  return TRUE;
}

struct _AtxFsFileWriter {
  char *path;
  char *temp;
  int fd;
};

AtxFsFileWriter *
atx_fs_file_writer_new(const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *temp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
  atx_failpoint("create-temp");
  int fd = g_mkstemp_full(temp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    (void) atx_set_errno_error(error, errno, "cannot create %s", temp);
    return NULL;
  }
  AtxFsFileWriter *writer = g_new0(AtxFsFileWriter, 1);
  writer->path = g_strdup(path);
  writer->temp = g_steal_pointer(&temp);
  writer->fd = fd;
  return writer;
}

gboolean
atx_fs_file_writer_append(AtxFsFileWriter *writer, const void *data, gsize len, GError **error)
{
  g_return_val_if_fail(writer->fd >= 0, FALSE);
  return write_all(writer->fd, data, len, writer->temp, error);
}

static gboolean
finish_temp(AtxFsFileWriter *writer, guint mode, uid_t owner, gid_t group, gboolean durable, GError **error)
{
  if (fchmod(writer->fd, mode) != 0)
    return atx_set_errno_error(error, errno, "cannot chmod %s", writer->temp);
  if ((owner != (uid_t) -1 || group != (gid_t) -1) && fchown(writer->fd, owner, group) != 0)
    return atx_set_errno_error(error, errno, "cannot chown %s", writer->temp);
  return !durable || fsync_fd(writer->fd, writer->temp, error);
}

gboolean
atx_fs_file_writer_commit(AtxFsFileWriter *writer, guint mode, uid_t owner, gid_t group, AtxFsSync sync,
                          GError **error)
{
  g_return_val_if_fail(writer->fd >= 0, FALSE);
  gboolean durable = sync == ATX_FS_SYNC_NOW;
  gboolean ok = finish_temp(writer, mode, owner, group, durable, error);
  close(writer->fd);
  writer->fd = -1;
  if (ok) {
    atx_failpoint("rename-into-place");
    ok = rename(writer->temp, writer->path) == 0 ||
         atx_set_errno_error(error, errno, "cannot rename %s into %s", writer->temp, writer->path);
  }
  if (!ok)
    return FALSE; /* atx_fs_file_writer_free removes the temp file */
  g_clear_pointer(&writer->temp, g_free);
  return !durable || atx_fs_fsync_parent(writer->path, error);
}

void
atx_fs_file_writer_free(AtxFsFileWriter *writer)
{
  if (!writer)
    return;
  if (writer->fd >= 0)
    close(writer->fd);
  if (writer->temp)
    (void) unlink(writer->temp);
  g_free(writer->temp);
  g_free(writer->path);
  g_free(writer);
}

static gboolean
replace_file(const char *path, GBytes *content, guint mode, uid_t owner, gid_t group, gboolean durable,
             GError **error)
{
  g_autoptr(AtxFsFileWriter) writer = atx_fs_file_writer_new(path, error);
  if (!writer)
    return FALSE;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data(content, &len);
  return atx_fs_file_writer_append(writer, data, len, error) &&
         atx_fs_file_writer_commit(writer, mode, owner, group, durable ? ATX_FS_SYNC_NOW : ATX_FS_SYNC_LATER,
                                   error);
}

gboolean
atx_fs_write_file(const char *path, GBytes *content, guint mode, uid_t owner, gid_t group, AtxFsSync sync,
                  GError **error)
{
  return replace_file(path, content, mode, owner, group, sync == ATX_FS_SYNC_NOW, error);
}

gboolean
atx_fs_syncfs(const char *path, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return atx_set_errno_error(error, errno, "cannot open %s", path);
  gboolean ok = syncfs(fd) == 0 ||
                atx_set_errno_error(error, errno, "cannot sync the filesystem of %s", path);
  close(fd);
  return ok;
}

gboolean
atx_fs_mkdir(const char *path, guint mode, uid_t owner, gid_t group, AtxFsSync sync, GError **error)
{
  atx_failpoint("mkdir");
  if (mkdir(path, mode) != 0 && errno != EEXIST)
    return atx_set_errno_error(error, errno, "cannot create directory %s", path);
  /* mkdir honours the umask; the store's modes are exact. */
  if (chmod(path, mode) != 0)
    return atx_set_errno_error(error, errno, "cannot chmod %s", path);
  if ((owner != (uid_t) -1 || group != (gid_t) -1) && lchown(path, owner, group) != 0)
    return atx_set_errno_error(error, errno, "cannot chown %s", path);
  return sync == ATX_FS_SYNC_LATER || atx_fs_fsync_parent(path, error);
}

gboolean
atx_fs_rename(const char *from, const char *to, GError **error)
{
  atx_failpoint("rename");
  if (rename(from, to) != 0)
    return atx_set_errno_error(error, errno, "cannot rename %s to %s", from, to);
  if (!atx_fs_fsync_parent(to, error))
    return FALSE;
  g_autofree char *from_parent = g_path_get_dirname(from);
  g_autofree char *to_parent = g_path_get_dirname(to);
  return g_str_equal(from_parent, to_parent) || atx_fs_fsync_path(from_parent, error);
}

gboolean
atx_fs_exchange(const char *a, const char *b, GError **error)
{
  atx_failpoint("exchange");
  if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0)
    return atx_set_errno_error(error, errno, "cannot exchange %s and %s", a, b);
  g_autofree char *parent_a = g_path_get_dirname(a);
  g_autofree char *parent_b = g_path_get_dirname(b);
  return atx_fs_fsync_path(parent_a, error) &&
         (g_str_equal(parent_a, parent_b) || atx_fs_fsync_path(parent_b, error));
}

/* Empties the directory open as @dirfd; never follows a symlink. */
static gboolean
remove_contents(int dirfd, const char *path, const char *first_name, GError **error)
{
  if (first_name) {
    atx_failpoint("unlink");
    if (unlinkat(dirfd, first_name, 0) != 0 && errno != ENOENT)
      return atx_set_errno_error(error, errno, "cannot remove %s/%s", path, first_name);
  }
  int dup_fd = dup(dirfd);
  DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
  if (!dir) {
    int saved = errno;
    if (dup_fd >= 0)
      close(dup_fd);
    return atx_set_errno_error(error, saved, "cannot read directory %s", path);
  }
  gboolean ok = TRUE;
  struct dirent *entry;
  while (ok && (entry = readdir(dir))) {
    if (g_str_equal(entry->d_name, ".") || g_str_equal(entry->d_name, ".."))
      continue;
    g_autofree char *child = g_build_filename(path, entry->d_name, NULL);
    int child_fd = openat(dirfd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child_fd >= 0) {
      ok = remove_contents(child_fd, child, NULL, error);
      close(child_fd);
      atx_failpoint("rmdir");
      if (ok && unlinkat(dirfd, entry->d_name, AT_REMOVEDIR) != 0)
        ok = atx_set_errno_error(error, errno, "cannot remove directory %s", child);
    } else {
      atx_failpoint("unlink");
      if (unlinkat(dirfd, entry->d_name, 0) != 0)
        ok = atx_set_errno_error(error, errno, "cannot remove %s", child);
    }
  }
  closedir(dir);
  return ok;
}

gboolean
atx_fs_remove_tree(const char *path, const char *first_name, GError **error)
{
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? TRUE : atx_set_errno_error(error, errno, "cannot stat %s", path);
  if (S_ISDIR(st.st_mode)) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      return atx_set_errno_error(error, errno, "cannot open %s", path);
    gboolean ok = remove_contents(fd, path, first_name, error);
    close(fd);
    if (!ok)
      return FALSE;
    atx_failpoint("rmdir");
    if (rmdir(path) != 0)
      return atx_set_errno_error(error, errno, "cannot remove directory %s", path);
  } else {
    atx_failpoint("unlink");
    if (unlink(path) != 0)
      return atx_set_errno_error(error, errno, "cannot remove %s", path);
  }
  return atx_fs_fsync_parent(path, error);
}

static gboolean
copy_file(const char *from, const char *to, const struct stat *st, AtxFsSync sync, GError **error)
{
  g_autoptr(GMappedFile) mapped = g_mapped_file_new(from, FALSE, error);
  if (!mapped)
    return FALSE;
  g_autoptr(GBytes) content = g_mapped_file_get_bytes(mapped);
  return atx_fs_write_file(to, content, st->st_mode & 07777, st->st_uid, st->st_gid, sync, error);
}

static gboolean
copy_symlink(const char *from, const char *to, const struct stat *st, AtxFsSync sync, GError **error)
{
  g_autofree char *target = g_file_read_link(from, error);
  if (!target)
    return FALSE;
  atx_failpoint("symlink");
  if (symlink(target, to) != 0)
    return atx_set_errno_error(error, errno, "cannot create symlink %s", to);
  if (lchown(to, st->st_uid, st->st_gid) != 0)
    return atx_set_errno_error(error, errno, "cannot chown %s", to);
  return sync == ATX_FS_SYNC_LATER || atx_fs_fsync_parent(to, error);
}

gboolean
atx_fs_copy_tree(const char *from, const char *to, AtxFsSync sync, GError **error)
{
  struct stat st;
  if (lstat(from, &st) != 0)
    return atx_set_errno_error(error, errno, "cannot stat %s", from);
  if (S_ISLNK(st.st_mode))
    return copy_symlink(from, to, &st, sync, error);
  if (S_ISREG(st.st_mode))
    return copy_file(from, to, &st, sync, error);
  if (!S_ISDIR(st.st_mode)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED, "cannot copy special file %s", from);
    return FALSE;
  }
  if (!atx_fs_mkdir(to, st.st_mode & 07777, st.st_uid, st.st_gid, sync, error))
    return FALSE;
  g_autoptr(GDir) dir = g_dir_open(from, 0, error);
  if (!dir)
    return FALSE;
  const char *name;
  while ((name = g_dir_read_name(dir))) {
    g_autofree char *child_from = g_build_filename(from, name, NULL);
    g_autofree char *child_to = g_build_filename(to, name, NULL);
    if (!atx_fs_copy_tree(child_from, child_to, sync, error))
      return FALSE;
  }
  return TRUE;
}
