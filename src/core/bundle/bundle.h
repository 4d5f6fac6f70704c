/* Config bundles: a tar (gzip or zstd compressed) holding config.toml and an
 * optional files/ directory, read entirely in memory.
 *
 * Reading is a pure transformation of bytes: nothing is extracted to disk, so a
 * hostile archive cannot plant symlinks, devices or paths outside the target.
 * Every limit (upload size, decompressed size, member count, member size) fails
 * with a named error before more memory is used. A payload that is neither gzip
 * nor zstd (by file name or magic bytes) is a plain config.toml. */
#pragma once

#include <glib.h>

typedef struct {
  gsize max_upload_bytes;       /* 0 = 32 MiB */
  gsize max_decompressed_bytes; /* 0 = 256 MiB */
  guint max_members;            /* 0 = 4096 */
  gsize max_member_bytes;       /* 0 = 64 MiB */
} AtxBundleLimits;

typedef enum {
  ATX_BUNDLE_PLAIN, /* not a bundle: the bytes are config.toml */
  ATX_BUNDLE_TAR_GZIP,
  ATX_BUNDLE_TAR_ZSTD,
} AtxBundleFormat;

typedef struct {
  char *path;       /* relative to files/, '/'-separated, no "." or ".." parts */
  gboolean is_directory;
  GBytes *content;  /* NULL for directories */
} AtxBundleFile;

typedef struct {
  AtxBundleFormat format;
  GBytes *config_toml;
  gboolean has_files; /* the bundle had a files/ directory (possibly empty) */
  GPtrArray *files;   /* AtxBundleFile*, sorted by path, parents before children */
} AtxBundle;

void atx_bundle_free(AtxBundle *bundle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxBundle, atx_bundle_free)

/* By name first (".tar.gz", ".tgz", ".tar.zst", ".tar.zstd", ".tzst"), then by
 * magic bytes. @filename may be NULL. */
AtxBundleFormat atx_bundle_detect(const char *filename, GBytes *data);

/* Reads @data as a bundle or a plain config.toml. @limits may be NULL. */
AtxBundle *atx_bundle_read(GBytes *data, const char *filename, const AtxBundleLimits *limits,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;
