#include "core/bundle/bundle.h"

#include <string.h>

#include "core/base/error.h"
#include "core/bundle/archive_dl.h"

#define DEFAULT_MAX_UPLOAD (32u * 1024 * 1024)
#define DEFAULT_MAX_DECOMPRESSED (256u * 1024 * 1024)
#define DEFAULT_MAX_MEMBERS 4096u
#define DEFAULT_MAX_MEMBER (64u * 1024 * 1024)
/* Longer names cannot be written below /data/config/files anyway (PATH_MAX). */
#define MAX_MEMBER_PATH 4096u

typedef struct {
  AtxBundleLimits limits;
  gsize total_bytes;
  guint members;
  GHashTable *entries; /* path inside the archive -> AtxBundleFile* (owned) */
  GBytes *config_toml;
  gboolean has_files;
} Reader;

static void
bundle_file_free(gpointer data)
{
  AtxBundleFile *file = data;
  g_free(file->path);
  g_clear_pointer(&file->content, g_bytes_unref);
  g_free(file);
}

/* A plain config.toml has no files: every such bundle shares one empty list
 * (read-only like every bundle's). */
static GPtrArray *
no_files(void)
{
  static GPtrArray *empty = NULL;
  if (g_once_init_enter(&empty))
    g_once_init_leave(&empty, g_ptr_array_new_with_free_func(bundle_file_free));
  return g_ptr_array_ref(empty);
}

void
atx_bundle_free(AtxBundle *bundle)
{
  if (!bundle)
    return;
  g_clear_pointer(&bundle->config_toml, g_bytes_unref);
  g_clear_pointer(&bundle->files, g_ptr_array_unref);
  g_free(bundle);
}

/* g_str_has_suffix() of the lower-cased name, without lower-casing a copy. */
static gboolean
has_suffix_ignoring_case(const char *name, gsize name_len, const char *suffix)
{
  gsize suffix_len = strlen(suffix);
  return name_len >= suffix_len && g_ascii_strcasecmp(name + name_len - suffix_len, suffix) == 0;
}

AtxBundleFormat
atx_bundle_detect(const char *filename, GBytes *data)
{
  const char *name = filename ? filename : "";
  gsize name_len = strlen(name);
  if (has_suffix_ignoring_case(name, name_len, ".tar.gz") || has_suffix_ignoring_case(name, name_len, ".tgz"))
    return ATX_BUNDLE_TAR_GZIP;
  if (has_suffix_ignoring_case(name, name_len, ".tar.zst") ||
      has_suffix_ignoring_case(name, name_len, ".tar.zstd") || has_suffix_ignoring_case(name, name_len, ".tzst"))
    return ATX_BUNDLE_TAR_ZSTD;
  gsize len = 0;
  const guint8 *bytes = g_bytes_get_data(data, &len);
  if (len >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
    return ATX_BUNDLE_TAR_GZIP;
  if (len >= 4 && bytes[0] == 0x28 && bytes[1] == 0xb5 && bytes[2] == 0x2f && bytes[3] == 0xfd)
    return ATX_BUNDLE_TAR_ZSTD;
  return ATX_BUNDLE_PLAIN;
}

const char *
atx_bundle_format_label(AtxBundleFormat format)
{
  switch (format) {
  case ATX_BUNDLE_TAR_GZIP:
    return ".tar.gz";
  case ATX_BUNDLE_TAR_ZSTD:
    return ".tar.zst";
  default:
    return "config.toml";
  }
}

/* "./a//b/" -> "a/b"; NULL for absolute paths, ".." parts or an empty name. */
static char *
normalize_member_path(const char *name)
{
  if (!name || !*name || name[0] == '/')
    return NULL;
  g_auto(GStrv) parts = g_strsplit(name, "/", -1);
  g_autoptr(GString) out = g_string_new(NULL);
  for (guint i = 0; parts[i]; i++) {
    if (!*parts[i] || g_str_equal(parts[i], "."))
      continue;
    if (g_str_equal(parts[i], ".."))
      return NULL;
    if (out->len)
      g_string_append_c(out, '/');
    g_string_append(out, parts[i]);
  }
  return g_strdup(out->str); /* "" means the archive root "." */
}

static void
set_decompressed_limit_error(const Reader *reader, GError **error)
{
  g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle exceeds %" G_GSIZE_FORMAT " byte decompressed limit",
              reader->limits.max_decompressed_bytes);
}

static gboolean
read_content(Reader *reader, struct archive *archive, const char *name, GBytes **out, GError **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new();
  guint8 chunk[64 * 1024];
  for (;;) {
    la_ssize_t got = sym_archive_read_data(archive, chunk, sizeof chunk);
    if (got < 0) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "failed to read bundle member '%s': %s", name,
                  sym_archive_error_string(archive));
      return FALSE;
    }
    if (got == 0)
      break;
    reader->total_bytes += (gsize) got;
    if (buffer->len + (gsize) got > reader->limits.max_member_bytes) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle member '%s' exceeds %" G_GSIZE_FORMAT " byte limit",
                  name, reader->limits.max_member_bytes);
      return FALSE;
    }
    if (reader->total_bytes > reader->limits.max_decompressed_bytes) {
      set_decompressed_limit_error(reader, error);
      return FALSE;
    }
    g_byte_array_append(buffer, chunk, (guint) got);
  }
  *out = g_byte_array_free_to_bytes(g_steal_pointer(&buffer));
  return TRUE;
}

static void
remember_entry(Reader *reader, const char *path, gboolean is_directory, GBytes *content)
{
  AtxBundleFile *file = g_new0(AtxBundleFile, 1);
  file->path = g_strdup(path);
  file->is_directory = is_directory;
  file->content = content;
  g_hash_table_replace(reader->entries, file->path, file);
}

static gboolean
count_member(Reader *reader, GError **error)
{
  if (++reader->members <= reader->limits.max_members)
    return TRUE;
  g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle exceeds %u member limit", reader->limits.max_members);
  return FALSE;
}

/* Tar files may omit directory entries; the files/ tree still needs them. They
 * count as members: one deep path must not create thousands of entries. */
static gboolean
remember_parents(Reader *reader, const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname(path);
  if (g_str_equal(parent, ".") || g_hash_table_contains(reader->entries, parent))
    return TRUE;
  if (!count_member(reader, error) || !remember_parents(reader, parent, error))
    return FALSE;
  remember_entry(reader, parent, TRUE, NULL);
  return TRUE;
}

/* files/ must be writable as a tree: no path may be both a file and a
 * directory. Ancestors above the nearest known one were checked when it was
 * added. */
static gboolean
check_tree_position(Reader *reader, const char *path, gboolean is_directory, GError **error)
{
  const AtxBundleFile *existing = g_hash_table_lookup(reader->entries, path);
  if (existing && existing->is_directory != is_directory) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle member 'files/%s' is both a directory and a file",
                path);
    return FALSE;
  }
  g_autofree char *parent = g_path_get_dirname(path);
  while (!g_str_equal(parent, ".")) {
    const AtxBundleFile *ancestor = g_hash_table_lookup(reader->entries, parent);
    if (ancestor && !ancestor->is_directory) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                  "bundle member 'files/%s' is inside 'files/%s', which is not a directory", path, parent);
      return FALSE;
    }
    if (ancestor)
      break;
    char *next = g_path_get_dirname(parent);
    g_free(parent);
    parent = next;
  }
  return TRUE;
}

static gboolean
member_type_allowed(struct archive_entry *entry, const char *name, GError **error)
{
  mode_t type = sym_archive_entry_filetype(entry);
  if (sym_archive_entry_hardlink(entry) || (type != AE_IFREG && type != AE_IFDIR)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED, "unsupported bundle member type: %s", name);
    return FALSE;
  }
  return TRUE;
}

static gboolean
place_member(Reader *reader, struct archive *archive, const char *name, const char *path,
             gboolean is_directory, gint64 size, GPtrArray *unsupported, GError **error)
{
  const char *slash = strchr(path, '/');
  g_autofree char *top = slash ? g_strndup(path, (gsize) (slash - path)) : g_strdup(path);
  if (g_str_equal(top, "config.toml") && !slash && !is_directory) {
    g_clear_pointer(&reader->config_toml, g_bytes_unref);
    return read_content(reader, archive, name, &reader->config_toml, error);
  }
  if (!g_str_equal(top, "files")) {
    /* The member is skipped, and libarchive inflates it to skip it: count it
     * before that happens, or a small upload could make us inflate gigabytes. */
    reader->total_bytes += (gsize) MAX(size, 0);
    if (reader->total_bytes > reader->limits.max_decompressed_bytes) {
      set_decompressed_limit_error(reader, error);
      return FALSE;
    }
    if (!g_ptr_array_find_with_equal_func(unsupported, top, g_str_equal, NULL))
      g_ptr_array_add(unsupported, g_steal_pointer(&top));
    return TRUE;
  }
  if (!slash) {
    if (!is_directory) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle entry 'files' must be a directory");
      return FALSE;
    }
    reader->has_files = TRUE;
    return TRUE;
  }
  reader->has_files = TRUE;
  const char *relative = slash + 1;
  if (!check_tree_position(reader, relative, is_directory, error))
    return FALSE;
  GBytes *content = NULL;
  if (!is_directory && !read_content(reader, archive, name, &content, error))
    return FALSE;
  if (!remember_parents(reader, relative, error)) {
    g_clear_pointer(&content, g_bytes_unref);
    return FALSE;
  }
  remember_entry(reader, relative, is_directory, content);
  return TRUE;
}

static gboolean
read_member(Reader *reader, struct archive *archive, struct archive_entry *entry,
            GPtrArray *unsupported, GError **error)
{
  if (!count_member(reader, error))
    return FALSE;
  const char *name = sym_archive_entry_pathname(entry);
  if (name && strlen(name) > MAX_MEMBER_PATH) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle member path exceeds %u byte limit", MAX_MEMBER_PATH);
    return FALSE;
  }
  g_autofree char *path = normalize_member_path(name);
  if (!path) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid bundle member path: '%s'", name ? name : "");
    return FALSE;
  }
  if (!member_type_allowed(entry, name, error))
    return FALSE;
  gboolean is_directory = sym_archive_entry_filetype(entry) == AE_IFDIR;
  reader->total_bytes += 512; /* a header: keeps a flood of empty members bounded too */
  if (*path == '\0') {
    if (is_directory)
      return TRUE;
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle member '.' must be a directory");
    return FALSE;
  }
  return place_member(reader, archive, name, path, is_directory, sym_archive_entry_size(entry), unsupported, error);
}

static void
apply_default_limits(AtxBundleLimits *limits, const AtxBundleLimits *given)
{
  *limits = given ? *given : (AtxBundleLimits) { 0 };
  if (!limits->max_upload_bytes)
    limits->max_upload_bytes = DEFAULT_MAX_UPLOAD;
  if (!limits->max_decompressed_bytes)
    limits->max_decompressed_bytes = DEFAULT_MAX_DECOMPRESSED;
  if (!limits->max_members)
    limits->max_members = DEFAULT_MAX_MEMBERS;
  if (!limits->max_member_bytes)
    limits->max_member_bytes = DEFAULT_MAX_MEMBER;
}

static gboolean
read_archive(Reader *reader, GBytes *data, AtxBundleFormat format, GPtrArray *unsupported, GError **error)
{
  if (!atx_archive_load(error))
    return FALSE;
  struct archive *archive = sym_archive_read_new();
  if (format == ATX_BUNDLE_TAR_GZIP)
    sym_archive_read_support_filter_gzip(archive);
  else
    sym_archive_read_support_filter_zstd(archive);
  sym_archive_read_support_format_tar(archive);
  gsize len = 0;
  const void *bytes = g_bytes_get_data(data, &len);
  gboolean ok = TRUE;
  if (sym_archive_read_open_memory(archive, bytes, len) != ARCHIVE_OK) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "failed to decompress %s bundle: %s",
                atx_bundle_format_label(format), sym_archive_error_string(archive));
    ok = FALSE;
  }
  struct archive_entry *entry;
  while (ok) {
    int status = sym_archive_read_next_header(archive, &entry);
    if (status == ARCHIVE_EOF)
      break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "failed to read %s bundle: %s",
                  atx_bundle_format_label(format), sym_archive_error_string(archive));
      ok = FALSE;
      break;
    }
    ok = read_member(reader, archive, entry, unsupported, error);
  }
  sym_archive_read_free(archive);
  return ok;
}

static gint
compare_file_paths(gconstpointer a, gconstpointer b)
{
  const AtxBundleFile *x = *(AtxBundleFile *const *) a, *y = *(AtxBundleFile *const *) b;
  return strcmp(x->path, y->path);
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

static AtxBundle *
finish_bundle(Reader *reader, AtxBundleFormat format, GPtrArray *unsupported, GError **error)
{
  if (unsupported->len > 0) {
    g_ptr_array_sort(unsupported, compare_strings);
    g_ptr_array_add(unsupported, NULL);
    g_autofree char *names = g_strjoinv(", ", (char **) unsupported->pdata);
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle contains unsupported top-level entries: %s", names);
    return NULL;
  }
  if (!reader->config_toml) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle must contain config.toml at the top level");
    return NULL;
  }
  AtxBundle *bundle = g_new0(AtxBundle, 1);
  bundle->format = format;
  bundle->config_toml = g_steal_pointer(&reader->config_toml);
  bundle->has_files = reader->has_files;
  bundle->files = g_ptr_array_new_with_free_func(bundle_file_free);
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, reader->entries);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    g_hash_table_iter_steal(&iter);
    g_ptr_array_add(bundle->files, value);
  }
  g_ptr_array_sort(bundle->files, compare_file_paths);
  return bundle;
}

/* Messages quote member names, which are arbitrary bytes from the archive; the
 * message goes into JSON (which needs UTF-8) and onto terminals and logs (where
 * control characters must not act). */
static void
make_message_printable(GError *error)
{
  g_autofree char *valid = g_utf8_make_valid(error->message, -1);
  GString *out = g_string_new(NULL);
  for (const char *p = valid; *p; p++) {
    if ((guchar) *p < 0x20 || *p == 0x7f)
      g_string_append_printf(out, "\\x%02x", (guchar) *p);
    else
      g_string_append_c(out, *p);
  }
  g_free(error->message);
  error->message = g_string_free(out, FALSE);
}

AtxBundle *
atx_bundle_read(GBytes *data, const char *filename, const AtxBundleLimits *given_limits, GError **error)
{
  Reader reader = { 0 };
  apply_default_limits(&reader.limits, given_limits);
  if (g_bytes_get_size(data) > reader.limits.max_upload_bytes) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "config upload exceeds %" G_GSIZE_FORMAT " byte limit",
                reader.limits.max_upload_bytes);
    return NULL;
  }
  AtxBundleFormat format = atx_bundle_detect(filename, data);
  if (format == ATX_BUNDLE_PLAIN) {
    AtxBundle *bundle = g_new0(AtxBundle, 1);
    bundle->config_toml = g_bytes_ref(data);
    bundle->files = no_files();
    return bundle;
  }
  reader.entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, bundle_file_free);
  g_autoptr(GPtrArray) unsupported = g_ptr_array_new_with_free_func(g_free);
  AtxBundle *bundle = NULL;
  GError *local = NULL;
  if (read_archive(&reader, data, format, unsupported, &local))
    bundle = finish_bundle(&reader, format, unsupported, &local);
  g_clear_pointer(&reader.config_toml, g_bytes_unref);
  g_hash_table_unref(reader.entries);
  if (local) {
    make_message_printable(local);
    g_propagate_error(error, local);
  }
  return bundle;
}
