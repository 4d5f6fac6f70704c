/* Durable filesystem steps: nothing half-written.
 *
 * Files are written to a temporary name in the target directory, fsynced and
 * renamed into place, and the directory is fsynced after every rename, unlink
 * or mkdir, so after a power cut a file has either its old or its new content.
 * Trees are removed and copied without following symlinks. Every step passes a
 * failpoint (failpoint.h) and counts its fsyncs (for the benchmark). */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef enum {
  /* fsync the file and its directory before returning */
  ATX_FS_SYNC_NOW,
  /* atomic (old or new content) but not yet durable: for a tree that is made
   * durable as a whole with atx_fs_syncfs() before anything points at it, and
   * for state that is cheap to lose, like a job's progress events */
  ATX_FS_SYNC_LATER,
} AtxFsSync;

/* Writes @content to @path (temp file in the same directory + rename). @owner
 * and @group of (uid_t) -1 / (gid_t) -1 keep the creator's. */
gboolean atx_fs_write_file(const char *path, GBytes *content, guint mode, uid_t owner, gid_t group,
                           AtxFsSync sync, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A file written in pieces with the same guarantee (a temp file in @path's
 * directory until commit renames it into place): for content that must not
 * be held in memory whole, like a bundle member being inflated. Freeing an
 * uncommitted writer removes its temp file. One thread at a time. */
typedef struct _AtxFsFileWriter AtxFsFileWriter;
AtxFsFileWriter *atx_fs_file_writer_new(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_fs_file_writer_append(AtxFsFileWriter *writer, const void *data, gsize len,
                                   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_fs_file_writer_commit(AtxFsFileWriter *writer, guint mode, uid_t owner, gid_t group, AtxFsSync sync,
                                   GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_fs_file_writer_free(AtxFsFileWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxFsFileWriter, atx_fs_file_writer_free)

gboolean atx_fs_mkdir(const char *path, guint mode, uid_t owner, gid_t group, AtxFsSync sync, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Makes everything written on @path's filesystem durable (syncfs). */
gboolean atx_fs_syncfs(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Removes @path and everything below it; a missing path is not an error.
 * @first_name, when given, is removed before anything else: trees whose
 * identity is a file (the store's generation file) lose it first, so a tree
 * cut short half-deleted never claims to be whole. */
gboolean atx_fs_remove_tree(const char *path, const char *first_name, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_fs_rename(const char *from, const char *to, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Swaps two paths atomically (renameat2 RENAME_EXCHANGE). */
gboolean atx_fs_exchange(const char *a, const char *b, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Copies a file, directory or symlink with its mode and ownership. */
gboolean atx_fs_copy_tree(const char *from, const char *to, AtxFsSync sync, GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean atx_fs_exists(const char *path); /* lstat succeeds */
