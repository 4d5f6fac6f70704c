/* Bundle reader: archives are built in the test (libarchive's writer for
 * hostile members no tar command would produce, the tar command for what
 * operators actually upload), then read back through atx_bundle_read() and
 * atx_submission_load(). Every refusal is checked by its error code and
 * message. */
#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/bundle/bundle.h"
#include "core/base/error.h"
#include "core/bundle/submission.h"

#define CONFIG_TOML                                                                                       \
  "version = 1\n[users.admin]\nisAdmin = true\n"                                                          \
  "ssh_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR a@b\"\n" \
  "[activation]\nrequired = [\"web\"]\n"                                                                 \
  "[containers.container.web]\nprivileged = false\n[containers.container.web.Container]\n"              \
  "Image = \"docker.io/library/nginx:1.27\"\nVolume = \"${FILES_DIR}/web:/usr/share/nginx/html:ro\"\n"

typedef enum {
  REG,
  DIR_,
  SYMLINK,
  HARDLINK,
  CHARDEV,
  FIFO,
} MemberType;

typedef struct {
  const char *name;
  MemberType type;
  const char *content; /* REG; NULL = empty */
  gsize size;          /* REG: when > 0, @size bytes of 'x' instead of @content */
} Member;

static la_ssize_t
append_to_buffer(struct archive *archive, void *data, const void *buffer, size_t length)
{
  g_byte_array_append(data, buffer, (guint) length);
  return (la_ssize_t) length;
}

/* A tar in @format (gzip or zstd) holding @members in order. */
static GBytes *
make_archive(const Member *members, guint count, AtxBundleFormat format)
{
  GByteArray *out = g_byte_array_new();
  struct archive *archive = archive_write_new();
  g_assert_cmpint(format == ATX_BUNDLE_TAR_ZSTD ? archive_write_add_filter_zstd(archive)
                                                : archive_write_add_filter_gzip(archive),
                  ==, ARCHIVE_OK);
  g_assert_cmpint(archive_write_set_format_pax_restricted(archive), ==, ARCHIVE_OK);
  /* No zero padding after the compressed stream, as `tar --zstd` writes it. */
  g_assert_cmpint(archive_write_set_bytes_in_last_block(archive, 1), ==, ARCHIVE_OK);
  g_assert_cmpint(archive_write_open2(archive, out, NULL, append_to_buffer, NULL, NULL), ==, ARCHIVE_OK);
  for (guint i = 0; i < count; i++) {
    const Member *m = &members[i];
    struct archive_entry *entry = archive_entry_new();
    archive_entry_set_pathname(entry, m->name);
    archive_entry_set_perm(entry, 0644);
    g_autofree char *content = NULL;
    gsize size = 0;
    switch (m->type) {
    case REG:
      size = m->size ? m->size : (m->content ? strlen(m->content) : 0);
      content = m->size ? memset(g_malloc(size), 'x', size) : g_strdup(m->content ? m->content : "");
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_size(entry, (la_int64_t) size);
      break;
    case DIR_:
      archive_entry_set_filetype(entry, AE_IFDIR);
      archive_entry_set_perm(entry, 0755);
      break;
    case SYMLINK:
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, "/etc/shadow");
      break;
    case HARDLINK:
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, "config.toml");
      break;
    case CHARDEV:
      archive_entry_set_filetype(entry, AE_IFCHR);
      archive_entry_set_rdev(entry, makedev(1, 3));
      break;
    case FIFO:
      archive_entry_set_filetype(entry, AE_IFIFO);
      break;
    }
    /* ARCHIVE_WARN: a name that is not UTF-8 is stored as raw bytes. */
    g_assert_cmpint(archive_write_header(archive, entry), >=, ARCHIVE_WARN);
    if (size)
      g_assert_cmpint(archive_write_data(archive, content, size), ==, (la_ssize_t) size);
    archive_entry_free(entry);
  }
  g_assert_cmpint(archive_write_close(archive), ==, ARCHIVE_OK);
  archive_write_free(archive);
  return g_byte_array_free_to_bytes(out);
}

#define MAKE(format, ...)                                                                     \
  ({                                                                                          \
    static const Member members_[] = { __VA_ARGS__ };                                         \
    make_archive(members_, G_N_ELEMENTS(members_), format);                                  \
  })

static const AtxBundleFile *
find_file(const AtxBundle *bundle, const char *path)
{
  for (guint i = 0; i < bundle->files->len; i++) {
    const AtxBundleFile *file = g_ptr_array_index(bundle->files, i);
    if (g_str_equal(file->path, path))
      return file;
  }
  return NULL;
}

static void
assert_content(GBytes *bytes, const char *expected)
{
  g_assert_nonnull(bytes);
  g_autofree char *text = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
  g_assert_cmpstr(text, ==, expected);
}

/* What a streaming read handed its sink, as text: "d PATH", "f PATH SIZE
 * CHUNKS" lines, so a test compares the whole sequence at once. */
typedef struct {
  GString *log;
  char *current;
  gsize size, chunks, largest_chunk;
  const char *fail_on; /* file_begin of this path fails */
} Recorder;

static gboolean
record_directory(const char *path, gpointer user_data, GError **error)
{
  Recorder *recorder = user_data;
  g_string_append_printf(recorder->log, "d %s\n", path);
  return TRUE;
}

static gboolean
record_file_begin(const char *path, gpointer user_data, GError **error)
{
  Recorder *recorder = user_data;
  if (recorder->fail_on && g_str_equal(path, recorder->fail_on)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "disk full writing %s", path);
    return FALSE;
  }
  g_free(recorder->current);
  recorder->current = g_strdup(path);
  recorder->size = recorder->chunks = 0;
  return TRUE;
}

static gboolean
record_file_data(const void *data, gsize len, gpointer user_data, GError **error)
{
  Recorder *recorder = user_data;
  recorder->size += len;
  recorder->chunks++;
  recorder->largest_chunk = MAX(recorder->largest_chunk, len);
  return TRUE;
}

static gboolean
record_file_end(gpointer user_data, GError **error)
{
  Recorder *recorder = user_data;
  g_string_append_printf(recorder->log, "f %s %zu %zu\n", recorder->current, recorder->size, recorder->chunks);
  return TRUE;
}

static const AtxBundleSink record_sink = {
  .directory = record_directory,
  .file_begin = record_file_begin,
  .file_data = record_file_data,
  .file_end = record_file_end,
};

/* atx_bundle_read_fd() on @data, from a file at a non-zero offset (the
 * reader starts where the descriptor is). */
static AtxBundle *
read_through_fd(GBytes *data, const char *filename, const AtxBundleLimits *limits, Recorder *recorder,
                GError **error)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("atomix-test-bundle.XXXXXX", &path, NULL);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(g_unlink(path), ==, 0);
  gsize len = 0;
  const char *bytes = g_bytes_get_data(data, &len);
  g_assert_cmpint(write(fd, "skip", 4), ==, 4);
  g_assert_cmpint(write(fd, bytes, len), ==, (gssize) len);
  g_assert_cmpint(lseek(fd, 4, SEEK_SET), ==, 4);
  AtxBundle *bundle = atx_bundle_read_fd(fd, filename, limits, recorder ? &record_sink : NULL, recorder, error);
  close(fd);
  return bundle;
}

/* Reads @data and expects it to be refused with @code and exactly @message,
 * in memory and streamed from a file alike. */
static void
assert_refused(GBytes *data, const char *filename, const AtxBundleLimits *limits, gint code, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, filename, limits, &error);
  g_assert_null(bundle);
  g_assert_error(error, ATX_ERROR, code);
  g_assert_cmpstr(error->message, ==, message);
  g_autoptr(GError) fd_error = NULL;
  g_autoptr(AtxBundle) streamed = read_through_fd(data, filename, limits, NULL, &fd_error);
  g_assert_null(streamed);
  g_assert_error(fd_error, ATX_ERROR, code);
  g_assert_cmpstr(fd_error->message, ==, message);
}

/* ------------------------------------------------------------------------ */

static void
test_detect(void)
{
  g_autoptr(GBytes) toml = g_bytes_new_static("version = 1\n", 12);
  static const guint8 gzip_magic[] = { 0x1f, 0x8b, 0x08, 0x00 };
  static const guint8 zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00 };
  g_autoptr(GBytes) gzip = g_bytes_new_static(gzip_magic, sizeof gzip_magic);
  g_autoptr(GBytes) zstd = g_bytes_new_static(zstd_magic, sizeof zstd_magic);

  /* By name, whatever the bytes. */
  g_assert_cmpint(atx_bundle_detect("b.tar.gz", toml), ==, ATX_BUNDLE_TAR_GZIP);
  g_assert_cmpint(atx_bundle_detect("B.TGZ", toml), ==, ATX_BUNDLE_TAR_GZIP);
  g_assert_cmpint(atx_bundle_detect("b.tar.zst", toml), ==, ATX_BUNDLE_TAR_ZSTD);
  g_assert_cmpint(atx_bundle_detect("b.tar.zstd", toml), ==, ATX_BUNDLE_TAR_ZSTD);
  g_assert_cmpint(atx_bundle_detect("dir/b.tzst", toml), ==, ATX_BUNDLE_TAR_ZSTD);
  /* By magic, whatever the name. */
  g_assert_cmpint(atx_bundle_detect("upload.bin", gzip), ==, ATX_BUNDLE_TAR_GZIP);
  g_assert_cmpint(atx_bundle_detect(NULL, gzip), ==, ATX_BUNDLE_TAR_GZIP);
  g_assert_cmpint(atx_bundle_detect("config.toml", zstd), ==, ATX_BUNDLE_TAR_ZSTD);
  /* Neither: plain config.toml. */
  g_assert_cmpint(atx_bundle_detect("config.toml", toml), ==, ATX_BUNDLE_PLAIN);
  g_assert_cmpint(atx_bundle_detect("b.tar", toml), ==, ATX_BUNDLE_PLAIN);
  g_assert_cmpint(atx_bundle_detect("b.tar.gz.toml", toml), ==, ATX_BUNDLE_PLAIN);
  g_assert_cmpint(atx_bundle_detect(NULL, toml), ==, ATX_BUNDLE_PLAIN);
  g_autoptr(GBytes) one_byte = g_bytes_new_static(gzip_magic, 1);
  g_assert_cmpint(atx_bundle_detect(NULL, one_byte), ==, ATX_BUNDLE_PLAIN);
}

static void
test_plain_toml(void)
{
  g_autoptr(GBytes) data = g_bytes_new_static(CONFIG_TOML, strlen(CONFIG_TOML));
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, "config.toml", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(bundle->format, ==, ATX_BUNDLE_PLAIN);
  g_assert_true(g_bytes_equal(bundle->config_toml, data));
  g_assert_false(bundle->has_files);
  g_assert_cmpuint(bundle->files->len, ==, 0);
}

static void
check_example_bundle(GBytes *data, const char *filename, AtxBundleFormat format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, filename, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(bundle->format, ==, format);
  assert_content(bundle->config_toml, CONFIG_TOML);
  g_assert_true(bundle->has_files);
  /* Sorted, parents before children, directories implied by file paths added. */
  const char *paths[] = { "web", "web/css", "web/css/site.css", "web/index.html" };
  g_assert_cmpuint(bundle->files->len, ==, G_N_ELEMENTS(paths));
  for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
    g_assert_cmpstr(((AtxBundleFile *) g_ptr_array_index(bundle->files, i))->path, ==, paths[i]);
  g_assert_true(find_file(bundle, "web")->is_directory);
  g_assert_true(find_file(bundle, "web/css")->is_directory);
  g_assert_null(find_file(bundle, "web/css")->content);
  assert_content(find_file(bundle, "web/index.html")->content, "<p>hi</p>\n");
  assert_content(find_file(bundle, "web/css/site.css")->content, "p{}\n");
}

static void
test_tar_gz(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files/", DIR_, NULL, 0 }, { "files/web/", DIR_, NULL, 0 },
                                { "files/web/index.html", REG, "<p>hi</p>\n", 0 },
                                { "files/web/css/site.css", REG, "p{}\n", 0 });
  check_example_bundle(data, "bundle.tar.gz", ATX_BUNDLE_TAR_GZIP);
  /* Found by content alone, too. */
  check_example_bundle(data, "upload", ATX_BUNDLE_TAR_GZIP);
}

static void
test_tar_zst(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_ZSTD, { "./config.toml", REG, CONFIG_TOML, 0 },
                                { "./files/web/css/site.css", REG, "p{}\n", 0 },
                                { "./files/web/index.html", REG, "<p>hi</p>\n", 0 });
  check_example_bundle(data, "bundle.tar.zst", ATX_BUNDLE_TAR_ZSTD);
  check_example_bundle(data, NULL, ATX_BUNDLE_TAR_ZSTD);
}

/* What an operator's `tar` produces: "./" entries, directory entries, both
 * compressions. */
static void
test_tar_command(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("atx-bundle-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *src = g_build_filename(tmp, "src", NULL);
  g_autofree char *css = g_build_filename(src, "files", "web", "css", NULL);
  g_assert_cmpint(g_mkdir_with_parents(css, 0755), ==, 0);
  struct {
    const char *path;
    const char *content;
  } files[] = {
    { "config.toml", CONFIG_TOML },
    { "files/web/index.html", "<p>hi</p>\n" },
    { "files/web/css/site.css", "p{}\n" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *path = g_build_filename(src, files[i].path, NULL);
    g_file_set_contents(path, files[i].content, -1, &error);
    g_assert_no_error(error);
  }
  const char *variants[][2] = { { "--gzip", "b.tgz" }, { "--zstd", "b.tar.zstd" } };
  for (guint v = 0; v < G_N_ELEMENTS(variants); v++) {
    g_autofree char *out = g_build_filename(tmp, variants[v][1], NULL);
    const char *argv[] = { "tar", "--create", variants[v][0], "--file", out, "-C", src, ".", NULL };
    int status = 0;
    g_autofree char *err = NULL;
    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error(error);
    g_spawn_check_wait_status(status, &error);
    g_assert_no_error(error);
    char *data = NULL;
    gsize len = 0;
    g_file_get_contents(out, &data, &len, &error);
    g_assert_no_error(error);
    g_autoptr(GBytes) bytes = g_bytes_new_take(data, len);
    check_example_bundle(bytes, variants[v][1], v == 0 ? ATX_BUNDLE_TAR_GZIP : ATX_BUNDLE_TAR_ZSTD);
    g_unlink(out);
  }
  for (gint i = G_N_ELEMENTS(files) - 1; i >= 0; i--) {
    g_autofree char *path = g_build_filename(src, files[i].path, NULL);
    g_unlink(path);
  }
  const char *dirs[] = { "files/web/css", "files/web", "files", "" };
  for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
    g_autofree char *path = g_build_filename(src, dirs[i], NULL);
    g_rmdir(path);
  }
  g_rmdir(tmp);
}

static void
test_no_files_dir(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 });
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, "b.tar.gz", NULL, &error);
  g_assert_no_error(error);
  g_assert_false(bundle->has_files);
  g_assert_cmpuint(bundle->files->len, ==, 0);

  /* An empty files/ is still a files/ (the device then creates it empty). */
  g_autoptr(GBytes) empty = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                 { "files", DIR_, NULL, 0 });
  g_autoptr(AtxBundle) with_empty = atx_bundle_read(empty, "b.tar.gz", NULL, &error);
  g_assert_no_error(error);
  g_assert_true(with_empty->has_files);
  g_assert_cmpuint(with_empty->files->len, ==, 0);
}

/* tar lets the last of two same-named members win: a reviewer reading the
 * first config.toml would approve what the device never applies. Every
 * repeated member path is refused by name, however it is spelled. */
static void
test_duplicate_members_refused(void)
{
  g_autoptr(GBytes) config_twice =
      MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, "first", 0 }, { "files/a.txt", REG, "old", 0 },
           { "./config.toml", REG, CONFIG_TOML, 0 });
  assert_refused(config_twice, "b.tar.gz", NULL, ATX_ERROR_INVALID,
                 "bundle member 'config.toml' appears more than once");
  g_autoptr(GBytes) file_twice =
      MAKE(ATX_BUNDLE_TAR_ZSTD, { "config.toml", REG, CONFIG_TOML, 0 }, { "files/web/a.txt", REG, "old", 0 },
           { "files//web/./a.txt", REG, "new", 0 });
  assert_refused(file_twice, "b.tar.zst", NULL, ATX_ERROR_INVALID,
                 "bundle member 'files/web/a.txt' appears more than once");
  g_autoptr(GBytes) dir_twice = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                     { "files/", DIR_, NULL, 0 }, { "files", DIR_, NULL, 0 });
  assert_refused(dir_twice, "b.tar.gz", NULL, ATX_ERROR_INVALID, "bundle member 'files' appears more than once");
  /* The streaming reader refuses the same, before anything reaches its sink
   * for the second copy. */
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) streamed = read_through_fd(file_twice, "b.tar.zst", NULL, NULL, &error);
  g_assert_null(streamed);
  g_assert_cmpstr(error->message, ==, "bundle member 'files/web/a.txt' appears more than once");
}

/* ---- limits ---- */

static void
test_limit_members(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files/a", REG, "a", 0 }, { "files/b", REG, "b", 0 }, { "files/c", REG, "c", 0 });
  AtxBundleLimits limits = { .max_members = 3 };
  assert_refused(data, "b.tar.gz", &limits, ATX_ERROR_LIMIT, "bundle exceeds 3 member limit");
  limits.max_members = 4;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, "b.tar.gz", &limits, NULL);
  g_assert_nonnull(bundle);
}

static void
test_limit_member_size(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files/big", REG, NULL, 1001 });
  AtxBundleLimits limits = { .max_member_bytes = 1000 };
  assert_refused(data, "b.tar.gz", &limits, ATX_ERROR_LIMIT, "bundle member 'files/big' exceeds 1000 byte limit");
  limits.max_member_bytes = 1001;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, "b.tar.gz", &limits, NULL);
  g_assert_nonnull(bundle);
  g_assert_cmpuint(g_bytes_get_size(find_file(bundle, "big")->content), ==, 1001);
}

static void
test_limit_decompressed(void)
{
  /* Each member fits; together they do not. */
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_ZSTD, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files/a", REG, NULL, 40000 }, { "files/b", REG, NULL, 40000 });
  AtxBundleLimits limits = { .max_decompressed_bytes = 64 * 1024, .max_member_bytes = 50000 };
  assert_refused(data, "b.tar.zst", &limits, ATX_ERROR_LIMIT, "bundle exceeds 65536 byte decompressed limit");
}

/* Skipping a member decompresses it just the same: a member that is refused
 * anyway (here an unsupported top-level entry) must not make the reader
 * inflate more than the decompressed limit. */
static void
test_limit_decompressed_counts_skipped_members(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "padding.bin", REG, NULL, 8 * 1024 * 1024 });
  g_assert_cmpuint(g_bytes_get_size(data), <, 64 * 1024); /* a run of one byte compresses well */
  AtxBundleLimits limits = { .max_decompressed_bytes = 1024 * 1024 };
  assert_refused(data, "b.tar.gz", &limits, ATX_ERROR_LIMIT, "bundle exceeds 1048576 byte decompressed limit");
}

/* Directories implied by a deep path are members too: a tiny archive with one
 * deeply nested file must not create thousands of entries. */
static void
test_limit_members_counts_implied_directories(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files/a/b/c/d/e/f.txt", REG, "x", 0 });
  AtxBundleLimits limits = { .max_members = 6 };
  assert_refused(data, "b.tar.gz", &limits, ATX_ERROR_LIMIT, "bundle exceeds 6 member limit");
  limits.max_members = 7;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, "b.tar.gz", &limits, NULL);
  g_assert_nonnull(bundle);
  g_assert_cmpuint(bundle->files->len, ==, 6);
}

static void
test_limit_member_path_length(void)
{
  g_autoptr(GString) name = g_string_new("files/");
  while (name->len < 4096)
    g_string_append_c(name, 'x');
  Member members[] = { { "config.toml", REG, CONFIG_TOML, 0 }, { name->str, REG, "x", 0 } };
  g_autoptr(GBytes) longest = make_archive(members, G_N_ELEMENTS(members), ATX_BUNDLE_TAR_GZIP);
  g_autoptr(AtxBundle) bundle = atx_bundle_read(longest, "b.tar.gz", NULL, NULL);
  g_assert_nonnull(bundle);

  g_string_append_c(name, 'x');
  members[1].name = name->str;
  g_autoptr(GBytes) too_long = make_archive(members, G_N_ELEMENTS(members), ATX_BUNDLE_TAR_GZIP);
  assert_refused(too_long, "b.tar.gz", NULL, ATX_ERROR_LIMIT, "bundle member path exceeds 4096 byte limit");
}

static void
test_limit_upload(void)
{
  g_autoptr(GBytes) archive = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 });
  AtxBundleLimits limits = { .max_upload_bytes = g_bytes_get_size(archive) - 1 };
  g_autofree char *message = g_strdup_printf("config upload exceeds %zu byte limit", limits.max_upload_bytes);
  assert_refused(archive, "b.tar.gz", &limits, ATX_ERROR_LIMIT, message);
  /* Exactly at the limit is fine, also read from a file where the payload
   * starts after other bytes. */
  limits.max_upload_bytes = g_bytes_get_size(archive);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) at_limit = read_through_fd(archive, "b.tar.gz", &limits, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(at_limit);

  /* The upload limit holds for plain TOML as well. */
  g_autoptr(GBytes) toml = g_bytes_new_static(CONFIG_TOML, strlen(CONFIG_TOML));
  limits.max_upload_bytes = 100;
  assert_refused(toml, "config.toml", &limits, ATX_ERROR_LIMIT, "config upload exceeds 100 byte limit");
}

/* ---- hostile members ---- */

static void
test_path_traversal(void)
{
  static const char *const names[] = {
    "../config.toml", "files/../../etc/passwd", "/etc/config.toml", "files/a/../../../x", "..",
  };
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    Member members[] = { { "config.toml", REG, CONFIG_TOML, 0 }, { names[i], REG, "x", 0 } };
    g_autoptr(GBytes) data = make_archive(members, G_N_ELEMENTS(members), ATX_BUNDLE_TAR_GZIP);
    g_autofree char *message = g_strdup_printf("invalid bundle member path: '%s'", names[i]);
    assert_refused(data, "b.tar.gz", NULL, ATX_ERROR_INVALID, message);
  }
}

static void
test_member_types(void)
{
  static const MemberType types[] = { SYMLINK, HARDLINK, CHARDEV, FIFO };
  for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
    Member members[] = { { "config.toml", REG, CONFIG_TOML, 0 }, { "files/x", types[i], NULL, 0 } };
    g_autoptr(GBytes) data = make_archive(members, G_N_ELEMENTS(members), ATX_BUNDLE_TAR_GZIP);
    assert_refused(data, "b.tar.gz", NULL, ATX_ERROR_UNSUPPORTED, "unsupported bundle member type: files/x");
  }
  /* A symlink standing in for config.toml itself is refused the same way. */
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", SYMLINK, NULL, 0 });
  assert_refused(data, "b.tar.gz", NULL, ATX_ERROR_UNSUPPORTED, "unsupported bundle member type: config.toml");
}

/* Member names are bytes: the message stays UTF-8 (for JSON) and shows
 * control characters escaped (for terminals and logs). */
static void
test_member_names_in_messages_are_printable(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files/x\xff\n\x1b[2J", SYMLINK, NULL, 0 });
  assert_refused(data, "b.tar.gz", NULL, ATX_ERROR_UNSUPPORTED,
                 "unsupported bundle member type: files/x\xef\xbf\xbd\\x0a\\x1b[2J");
  g_autoptr(GBytes) top = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                               { "caf\xc3\xa9\xfe", REG, "x", 0 });
  assert_refused(top, "b.tar.gz", NULL, ATX_ERROR_INVALID,
                 "bundle contains unsupported top-level entries: caf\xc3\xa9\xef\xbf\xbd");
}

static void
test_unsupported_top_level_entries(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "zeta", REG, "z", 0 }, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "alpha/one", REG, "1", 0 }, { "alpha/two", REG, "2", 0 },
                                { "README.md", REG, "r", 0 }, { "files/ok", REG, "ok", 0 });
  assert_refused(data, "b.tar.gz", NULL, ATX_ERROR_INVALID,
                 "bundle contains unsupported top-level entries: README.md, alpha, zeta");
}

static void
test_missing_config(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "files/web/index.html", REG, "x", 0 });
  assert_refused(data, "b.tar.gz", NULL, ATX_ERROR_INVALID, "bundle must contain config.toml at the top level");
  /* Nested is not top level. */
  g_autoptr(GBytes) nested = MAKE(ATX_BUNDLE_TAR_GZIP, { "files/config.toml", REG, CONFIG_TOML, 0 });
  assert_refused(nested, "b.tar.gz", NULL, ATX_ERROR_INVALID, "bundle must contain config.toml at the top level");
}

static void
test_files_not_a_directory(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files", REG, "not a dir", 0 });
  assert_refused(data, "b.tar.gz", NULL, ATX_ERROR_INVALID, "bundle entry 'files' must be a directory");
}

static void
test_dot_must_be_directory(void)
{
  g_autoptr(GBytes) ok = MAKE(ATX_BUNDLE_TAR_GZIP, { "./", DIR_, NULL, 0 }, { "./config.toml", REG, CONFIG_TOML, 0 });
  g_autoptr(AtxBundle) bundle = atx_bundle_read(ok, "b.tar.gz", NULL, NULL);
  g_assert_nonnull(bundle);
  g_autoptr(GBytes) bad = MAKE(ATX_BUNDLE_TAR_GZIP, { ".", REG, "x", 0 }, { "config.toml", REG, CONFIG_TOML, 0 });
  assert_refused(bad, "b.tar.gz", NULL, ATX_ERROR_INVALID, "bundle member '.' must be a directory");
}

/* files/a cannot be both a file and the directory holding files/a/b: the
 * tree could never be written, so the bundle is refused when it is read. */
static void
test_file_and_directory_conflict(void)
{
  g_autoptr(GBytes) under_file = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                      { "files/a", REG, "x", 0 }, { "files/a/b", REG, "y", 0 });
  assert_refused(under_file, "b.tar.gz", NULL, ATX_ERROR_INVALID,
                 "bundle member 'files/a/b' is inside 'files/a', which is not a directory");
  g_autoptr(GBytes) file_over_dir = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                         { "files/a/b", REG, "y", 0 }, { "files/a", REG, "x", 0 });
  assert_refused(file_over_dir, "b.tar.gz", NULL, ATX_ERROR_INVALID,
                 "bundle member 'files/a' is both a directory and a file");
  /* A repeated directory entry is fine. */
  g_autoptr(GBytes) ok = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                              { "files/a/b", REG, "y", 0 }, { "files/a/", DIR_, NULL, 0 });
  g_autoptr(AtxBundle) bundle = atx_bundle_read(ok, "b.tar.gz", NULL, NULL);
  g_assert_nonnull(bundle);
  g_assert_cmpuint(bundle->files->len, ==, 2);
}

static void
test_corrupt_archive(void)
{
  static const guint8 garbage[] = { 0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02 };
  g_autoptr(GBytes) data = g_bytes_new_static(garbage, sizeof garbage);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(data, "b.tar.gz", NULL, &error);
  g_assert_null(bundle);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  g_assert_true(g_str_has_prefix(error->message, "failed to "));

  /* A valid archive cut short. */
  g_autoptr(GBytes) whole = MAKE(ATX_BUNDLE_TAR_ZSTD, { "config.toml", REG, CONFIG_TOML, 0 },
                                 { "files/big", REG, NULL, 100000 });
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes(whole, 0, g_bytes_get_size(whole) / 2);
  g_autoptr(GError) cut_error = NULL;
  g_autoptr(AtxBundle) cut_bundle = atx_bundle_read(cut, "b.tar.zst", NULL, &cut_error);
  g_assert_null(cut_bundle);
  g_assert_error(cut_error, ATX_ERROR, ATX_ERROR_INVALID);

  /* Nothing at all (an empty GBytes has no data pointer), read either way. */
  g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
  g_autoptr(GError) empty_error = NULL;
  g_autoptr(AtxBundle) empty_bundle = atx_bundle_read(empty, "b.tar.gz", NULL, &empty_error);
  g_assert_null(empty_bundle);
  g_assert_error(empty_error, ATX_ERROR, ATX_ERROR_INVALID);
  g_autoptr(GError) empty_fd_error = NULL;
  g_autoptr(AtxBundle) empty_streamed = read_through_fd(empty, "b.tar.gz", NULL, NULL, &empty_fd_error);
  g_assert_null(empty_streamed);
  g_assert_cmpstr(empty_fd_error->message, ==, empty_error->message);

  /* A name that promises gzip on bytes that are TOML. */
  g_autoptr(GBytes) toml = g_bytes_new_static(CONFIG_TOML, strlen(CONFIG_TOML));
  g_autoptr(GError) toml_error = NULL;
  g_autoptr(AtxBundle) toml_bundle = atx_bundle_read(toml, "b.tgz", NULL, &toml_error);
  g_assert_null(toml_bundle);
  g_assert_error(toml_error, ATX_ERROR, ATX_ERROR_INVALID);
}

/* ---- streaming from a file descriptor ---- */

/* Members reach the sink in archive order as they are inflated, in chunks
 * of at most 64 KiB; implied directories come before their first child and
 * once; nothing but config.toml is kept. */
static void
test_stream_hands_members_to_the_sink(void)
{
  g_autoptr(GBytes) data = MAKE(ATX_BUNDLE_TAR_ZSTD, { "files/web/big.bin", REG, NULL, 1000000 },
                                { "config.toml", REG, CONFIG_TOML, 0 }, { "files/web/", DIR_, NULL, 0 },
                                { "files/web/css/site.css", REG, "body{}", 0 }, { "files/empty", DIR_, NULL, 0 },
                                { "files/none.txt", REG, NULL, 0 });
  Recorder recorder = { .log = g_string_new(NULL) };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = read_through_fd(data, "b.tar.zst", NULL, &recorder, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(recorder.log->str, ==,
                  "d web\n"
                  "f web/big.bin 1000000 16\n"
                  "d web/css\n"
                  "f web/css/site.css 6 1\n"
                  "d empty\n"
                  "f none.txt 0 0\n");
  g_assert_cmpuint(recorder.largest_chunk, ==, 64 * 1024);
  g_assert_true(bundle->has_files);
  g_assert_null(bundle->files);
  assert_content(bundle->config_toml, CONFIG_TOML);
  g_string_free(recorder.log, TRUE);
  g_free(recorder.current);
}

static void
test_stream_sink_failure_stops_the_read(void)
{
  g_autoptr(GBytes) data =
      MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 }, { "files/a", REG, "a", 0 },
           { "files/b", REG, "b", 0 }, { "files/c", REG, "c", 0 });
  Recorder recorder = { .log = g_string_new(NULL), .fail_on = "b" };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = read_through_fd(data, "b.tar.gz", NULL, &recorder, &error);
  g_assert_null(bundle);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_IO);
  g_assert_cmpstr(error->message, ==, "disk full writing b");
  g_assert_cmpstr(recorder.log->str, ==, "f a 1 1\n");
  g_string_free(recorder.log, TRUE);
  g_free(recorder.current);
}

/* A pipe has no size to check up front: the limit holds while reading. */
static void
test_stream_upload_limit_on_a_pipe(void)
{
  g_autoptr(GBytes) data =
      MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 }, { "files/noise", REG, NULL, 200000 });
  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  gsize len = 0;
  const char *bytes = g_bytes_get_data(data, &len);
  g_assert_cmpuint(len, <, 4096); /* fits the pipe's buffer: no writer thread needed */
  g_assert_cmpint(write(fds[1], bytes, len), ==, (gssize) len);
  close(fds[1]);
  AtxBundleLimits limits = { .max_upload_bytes = len - 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = atx_bundle_read_fd(fds[0], "b.tar.gz", &limits, NULL, NULL, &error);
  close(fds[0]);
  g_assert_null(bundle);
  g_autofree char *message = g_strdup_printf("config upload exceeds %zu byte limit", len - 1);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_LIMIT);
  g_assert_cmpstr(error->message, ==, message);
}

static void
test_stream_plain_toml(void)
{
  g_autoptr(GBytes) toml = g_bytes_new_static(CONFIG_TOML, strlen(CONFIG_TOML));
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = read_through_fd(toml, "config.toml", NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(bundle->format, ==, ATX_BUNDLE_PLAIN);
  assert_content(bundle->config_toml, CONFIG_TOML);
  g_assert_false(bundle->has_files);
}

/* ---- submissions: the same refusals as diagnostics ---- */

static void
test_submission_diagnostics(void)
{
  g_autoptr(GBytes) good = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                                { "files/web/index.html", REG, "x", 0 });
  g_autoptr(AtxSubmission) ok = atx_submission_load(good, "site.tgz", NULL);
  g_assert_true(atx_submission_is_valid(ok));
  g_assert_cmpstr(ok->filename, ==, "site.tgz:config.toml");

  g_autoptr(GBytes) bad = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 },
                               { "files/x", SYMLINK, NULL, 0 });
  g_autoptr(AtxSubmission) refused = atx_submission_load(bad, "site.tgz", NULL);
  g_assert_false(atx_submission_is_valid(refused));
  g_assert_null(refused->bundle);
  g_assert_cmpuint(atx_diag_list_length(refused->diags), ==, 1);
  const AtxDiag *diag = atx_diag_list_index(refused->diags, 0);
  g_assert_cmpstr(diag->code, ==, "bundle.invalid");
  g_assert_cmpstr(diag->message, ==, "unsupported bundle member type: files/x");

  AtxBundleLimits limits = { .max_upload_bytes = 10 };
  g_autoptr(AtxSubmission) too_big = atx_submission_load(good, "site.tgz", &limits);
  g_assert_cmpstr(atx_diag_list_index(too_big->diags, 0)->code, ==, "bundle.limit");

  /* A bundle whose config.toml is invalid: the TOML diagnostics name the member. */
  g_autoptr(GBytes) invalid = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, "version = \n", 0 });
  g_autoptr(AtxSubmission) invalid_toml = atx_submission_load(invalid, "site.tgz", NULL);
  g_autofree char *text = atx_diag_list_format_text(invalid_toml->diags, invalid_toml->filename);
  g_assert_true(g_str_has_prefix(text, "site.tgz:config.toml:1:11: error[toml.syntax]: "));
}

static void
test_path_supported(void)
{
  g_autoptr(GBytes) toml = g_bytes_new_static(CONFIG_TOML, strlen(CONFIG_TOML));
  g_autoptr(GBytes) gzip = MAKE(ATX_BUNDLE_TAR_GZIP, { "config.toml", REG, CONFIG_TOML, 0 });
  const struct {
    const char *path;
    GBytes *data;
    gboolean supported;
  } cases[] = {
    { "config.toml", toml, TRUE },   { "site/other.TOML", toml, TRUE }, { "b.tar.gz", toml, TRUE },
    { "b.tzst", toml, TRUE },        { "upload", gzip, TRUE },          { "config.txt", toml, FALSE },
    { "config.toml.bak", toml, FALSE }, { "b.tar", toml, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    gboolean supported = atx_submission_path_supported(cases[i].path, cases[i].data, &error);
    g_assert_cmpint(supported, ==, cases[i].supported);
    if (!supported)
      g_assert_cmpstr(error->message, ==,
                      "supported import inputs are config.toml, .tar.gz/.tgz, and .tar.zst/.tar.zstd/.tzst");
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bundle/detect", test_detect);
  g_test_add_func("/bundle/plain-toml", test_plain_toml);
  g_test_add_func("/bundle/tar-gz", test_tar_gz);
  g_test_add_func("/bundle/tar-zst", test_tar_zst);
  g_test_add_func("/bundle/tar-command", test_tar_command);
  g_test_add_func("/bundle/no-files-dir", test_no_files_dir);
  g_test_add_func("/bundle/refuse/duplicate-members", test_duplicate_members_refused);
  g_test_add_func("/bundle/limit/members", test_limit_members);
  g_test_add_func("/bundle/limit/member-size", test_limit_member_size);
  g_test_add_func("/bundle/limit/implied-directories", test_limit_members_counts_implied_directories);
  g_test_add_func("/bundle/limit/member-path-length", test_limit_member_path_length);
  g_test_add_func("/bundle/limit/decompressed", test_limit_decompressed);
  g_test_add_func("/bundle/limit/decompressed-skipped", test_limit_decompressed_counts_skipped_members);
  g_test_add_func("/bundle/limit/upload", test_limit_upload);
  g_test_add_func("/bundle/refuse/path-traversal", test_path_traversal);
  g_test_add_func("/bundle/refuse/member-types", test_member_types);
  g_test_add_func("/bundle/refuse/unsupported-top-level", test_unsupported_top_level_entries);
  g_test_add_func("/bundle/refuse/names-printable", test_member_names_in_messages_are_printable);
  g_test_add_func("/bundle/refuse/missing-config", test_missing_config);
  g_test_add_func("/bundle/refuse/files-not-directory", test_files_not_a_directory);
  g_test_add_func("/bundle/refuse/dot-not-directory", test_dot_must_be_directory);
  g_test_add_func("/bundle/refuse/file-directory-conflict", test_file_and_directory_conflict);
  g_test_add_func("/bundle/refuse/corrupt", test_corrupt_archive);
  g_test_add_func("/bundle/stream/sink", test_stream_hands_members_to_the_sink);
  g_test_add_func("/bundle/stream/sink-failure", test_stream_sink_failure_stops_the_read);
  g_test_add_func("/bundle/stream/upload-limit-pipe", test_stream_upload_limit_on_a_pipe);
  g_test_add_func("/bundle/stream/plain-toml", test_stream_plain_toml);
  g_test_add_func("/bundle/submission", test_submission_diagnostics);
  g_test_add_func("/bundle/path-supported", test_path_supported);
  return g_test_run();
}
