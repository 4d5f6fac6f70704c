#include "core/bundle/bundle.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/bundle/decompressor.h"
#include "core/bundle/tar_reader.h"

#define DEFAULT_MAX_UPLOAD (32u * 1024 * 1024)
#define DEFAULT_MAX_DECOMPRESSED (256u * 1024 * 1024)
#define DEFAULT_MAX_MEMBERS 4096u
#define DEFAULT_MAX_MEMBER (64u * 1024 * 1024)
/* Longer names cannot be written below /data/config/files anyway (PATH_MAX). */
#define MAX_MEMBER_PATH 4096u
#define CHUNK (64u * 1024)
/* What may follow the end-of-archive marker inside the compressed stream
 * (tar pads to its record size, 10 KiB by default): read to verify the
 * stream's end (gzip's CRC), but not without bound. */
#define MAX_TRAILER (1024u * 1024)

/* What a path under files/ is, as far as the archive has told so far. */
typedef enum {
  TREE_DIRECTORY = 1,
  TREE_FILE,
} TreeKind;

typedef struct {
  AtxBundleLimits limits;
  gsize total_bytes;
  guint members;
  GHashTable *tree;       /* path under files/ -> GINT_TO_POINTER(TreeKind) */
  GHashTable *seen;       /* every member path named by the archive (normalised) */
  GPtrArray *unsupported; /* top-level names other than config.toml and files */
  GBytes *config_toml;
  gboolean has_files;
  const AtxBundleSink *sink; /* NULL: members under files/ are checked and dropped */
  gpointer sink_data;
  guint8 *chunk; /* CHUNK bytes of inflated data */
  AtxTarReader *tar;
  const char *format_label; /* ".tar.gz" */
} Reader;

/* Where the compressed bytes come from: memory, or a file descriptor read in
 * CHUNK blocks (the first one already read, to detect the format). */
typedef struct {
  gboolean in_memory;
  const guint8 *memory; /* NULL for an empty payload */
  gsize memory_len;
  int fd;
  guint8 *block;
  gsize pending;  /* bytes of @block not yet handed to the decompressor */
  gsize consumed; /* bytes read from @fd so far */
  gsize max_upload;
} Source;

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

static const char *
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
set_upload_limit_error(gsize limit, GError **error)
{
  g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "config upload exceeds %" G_GSIZE_FORMAT " byte limit", limit);
}

/* Counts @size bytes the archive will make us inflate (data, skipped data,
 * headers) against the total, before they are inflated. */
static gboolean
reserve_decompressed(Reader *reader, guint64 size, GError **error)
{
  if (size > reader->limits.max_decompressed_bytes - reader->total_bytes) { /* total <= max here */
    g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle exceeds %" G_GSIZE_FORMAT " byte decompressed limit",
                reader->limits.max_decompressed_bytes);
    return FALSE;
  }
  reader->total_bytes += (gsize) size;
  return TRUE;
}

/* The header's size is refused before any byte of it is inflated: the limit
 * that the member's bytes would cross first, member or total. */
static gboolean
reserve_member(Reader *reader, const char *name, guint64 size, GError **error)
{
  guint64 room = reader->limits.max_decompressed_bytes - reader->total_bytes;
  if (size > reader->limits.max_member_bytes && reader->limits.max_member_bytes <= room) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle member '%s' exceeds %" G_GSIZE_FORMAT " byte limit",
                name, reader->limits.max_member_bytes);
    return FALSE;
  }
  return reserve_decompressed(reader, size, error);
}

/* Inflates the current member chunk by chunk once its size passed the member
 * and total limits; @keep (config.toml) collects it, else the sink's
 * file_data() receives it when there is a sink. */
static gboolean
read_content(Reader *reader, const char *name, guint64 size, GByteArray *keep, GError **error)
{
  if (!reserve_member(reader, name, size, error))
    return FALSE;
  for (;;) {
    gssize got = atx_tar_reader_read_data(reader->tar, reader->chunk, CHUNK, error);
    if (got < 0) {
      if (g_error_matches(*error, ATX_ERROR, ATX_ERROR_INVALID))
        g_prefix_error(error, "failed to read bundle member '%s': ", name);
      return FALSE;
    }
    if (got == 0)
      return TRUE;
    if (keep)
      g_byte_array_append(keep, reader->chunk, (guint) got);
    else if (reader->sink && !reader->sink->file_data(reader->chunk, (gsize) got, reader->sink_data, error))
      return FALSE;
  }
}

static gboolean
count_member(Reader *reader, GError **error)
{
  if (++reader->members <= reader->limits.max_members)
    return TRUE;
  g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle exceeds %u member limit", reader->limits.max_members);
  return FALSE;
}

static gboolean
add_directory(Reader *reader, const char *path, GError **error)
{
  g_hash_table_insert(reader->tree, g_strdup(path), GINT_TO_POINTER(TREE_DIRECTORY));
  return !reader->sink || reader->sink->directory(path, reader->sink_data, error);
}

/* Tar files may omit directory entries; the files/ tree still needs them. They
 * count as members: one deep path must not create thousands of entries. */
static gboolean
add_parents(Reader *reader, const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname(path);
  if (g_str_equal(parent, ".") || g_hash_table_contains(reader->tree, parent))
    return TRUE;
  return count_member(reader, error) && add_parents(reader, parent, error) && add_directory(reader, parent, error);
}

/* files/ must be writable as a tree: no path may be both a file and a
 * directory. Ancestors above the nearest known one were checked when it was
 * added. */
static gboolean
check_tree_position(Reader *reader, const char *path, gboolean is_directory, GError **error)
{
  TreeKind existing = GPOINTER_TO_INT(g_hash_table_lookup(reader->tree, path));
  if (existing && (existing == TREE_DIRECTORY) != is_directory) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle member 'files/%s' is both a directory and a file",
                path);
    return FALSE;
  }
  g_autofree char *parent = g_path_get_dirname(path);
  while (!g_str_equal(parent, ".")) {
    TreeKind ancestor = GPOINTER_TO_INT(g_hash_table_lookup(reader->tree, parent));
    if (ancestor == TREE_FILE) {
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
member_type_allowed(const AtxTarEntry *entry, const char *name, GError **error)
{
  if (entry->kind != ATX_TAR_REGULAR && entry->kind != ATX_TAR_DIRECTORY) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED, "unsupported bundle member type: %s", name);
    return FALSE;
  }
  return TRUE;
}

/* A member path named twice would be read by a reviewer as one thing and
 * applied as another (tar lets the last one win). */
static gboolean
check_not_seen(Reader *reader, const char *path, GError **error)
{
  if (g_hash_table_add(reader->seen, g_strdup(path)))
    return TRUE;
  g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle member '%s' appears more than once", path);
  return FALSE;
}

static gboolean
read_config_toml(Reader *reader, const char *name, guint64 size, GError **error)
{
  g_autoptr(GByteArray) content = g_byte_array_new();
  if (!read_content(reader, name, size, content, error))
    return FALSE;
  reader->config_toml = g_byte_array_free_to_bytes(g_steal_pointer(&content));
  return TRUE;
}

/* The member is skipped, and skipping inflates it: count it before that
 * happens, or a small upload could make us inflate gigabytes. */
static gboolean
skip_unsupported(Reader *reader, char *top, guint64 size, GError **error)
{
  if (!reserve_decompressed(reader, size, error)) {
    g_free(top);
    return FALSE;
  }
  if (g_ptr_array_find_with_equal_func(reader->unsupported, top, g_str_equal, NULL))
    g_free(top);
  else
    g_ptr_array_add(reader->unsupported, top);
  return TRUE;
}

static gboolean
place_file(Reader *reader, const char *name, const char *relative, guint64 size, GError **error)
{
  if (!add_parents(reader, relative, error))
    return FALSE;
  g_hash_table_insert(reader->tree, g_strdup(relative), GINT_TO_POINTER(TREE_FILE));
  if (reader->sink && !reader->sink->file_begin(relative, reader->sink_data, error))
    return FALSE;
  return read_content(reader, name, size, NULL, error) &&
         (!reader->sink || reader->sink->file_end(reader->sink_data, error));
}

static gboolean
place_member(Reader *reader, const char *name, const char *path, gboolean is_directory, guint64 size,
             GError **error)
{
  const char *slash = strchr(path, '/');
  if (!slash && !is_directory && g_str_equal(path, "config.toml"))
    return read_config_toml(reader, name, size, error);
  char *top = slash ? g_strndup(path, (gsize) (slash - path)) : g_strdup(path);
  if (!g_str_equal(top, "files"))
    return skip_unsupported(reader, top, size, error);
  g_free(top);
  if (!slash && !is_directory) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle entry 'files' must be a directory");
    return FALSE;
  }
  reader->has_files = TRUE;
  if (!slash)
    return TRUE;
  const char *relative = slash + 1;
  if (!check_tree_position(reader, relative, is_directory, error))
    return FALSE;
  if (!is_directory)
    return place_file(reader, name, relative, size, error);
  if (g_hash_table_contains(reader->tree, relative))
    return TRUE; /* implied by an earlier child */
  return add_parents(reader, relative, error) && add_directory(reader, relative, error);
}

static gboolean
read_member(Reader *reader, const AtxTarEntry *entry, GError **error)
{
  if (!count_member(reader, error))
    return FALSE;
  const char *name = entry->path;
  if (strlen(name) > MAX_MEMBER_PATH) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle member path exceeds %u byte limit", MAX_MEMBER_PATH);
    return FALSE;
  }
  g_autofree char *path = normalize_member_path(name);
  if (!path) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid bundle member path: '%s'", name);
    return FALSE;
  }
  if (!member_type_allowed(entry, name, error))
    return FALSE;
  gboolean is_directory = entry->kind == ATX_TAR_DIRECTORY;
  /* Headers count, so a flood of empty members stays bounded too; so does a
   * directory's data (GNU dumpdirs), which is skipped by inflating it. */
  guint64 skipped = entry->header_bytes + (is_directory ? entry->size : 0);
  if (!reserve_decompressed(reader, skipped, error))
    return FALSE;
  if (*path == '\0') {
    if (is_directory)
      return TRUE;
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle member '.' must be a directory");
    return FALSE;
  }
  return check_not_seen(reader, path, error) && place_member(reader, name, path, is_directory, entry->size, error);
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

/* AtxByteSourceFunc over memory or @fd; the upload limit and read errors
 * are its own, passed on unchanged by the decompressor and the tar reader. */
static gssize
source_next(const guint8 **data, gpointer user_data, GError **error)
{
  Source *source = user_data;
  if (source->in_memory) {
    *data = source->memory;
    gsize len = source->memory_len;
    source->memory_len = 0;
    return (gssize) len;
  }
  if (source->pending) {
    *data = source->block;
    gsize len = source->pending;
    source->pending = 0;
    return (gssize) len;
  }
  ssize_t got;
  do
    got = read(source->fd, source->block, CHUNK);
  while (got < 0 && errno == EINTR);
  if (got < 0) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot read the upload: %s", g_strerror(errno));
    return -1;
  }
  source->consumed += (gsize) got;
  if (source->consumed > source->max_upload) {
    set_upload_limit_error(source->max_upload, error);
    return -1;
  }
  *data = source->block;
  return got;
}

static gssize
tar_input(guint8 *buffer, gsize len, gpointer user_data, GError **error)
{
  return atx_decompressor_read(user_data, buffer, len, error);
}

/* The tar reader's and the decompressor's words say what is wrong, not with
 * what; errors of the source (upload limit, I/O) are complete already. */
static void
prefix_format_error(const Reader *reader, GError **error)
{
  if (g_error_matches(*error, ATX_ERROR, ATX_ERROR_INVALID))
    g_prefix_error(error, "failed to read %s bundle: ", reader->format_label);
}

/* After the end-of-archive marker: the rest of the stream, to its end, so a
 * corrupt or cut stream (gzip's CRC, a zstd frame's end) is not taken as whole. */
static gboolean
read_trailer(Reader *reader, AtxDecompressor *decompressor, GError **error)
{
  gsize trailer = 0;
  for (;;) {
    gssize got = atx_decompressor_read(decompressor, reader->chunk, CHUNK, error);
    if (got < 0)
      prefix_format_error(reader, error);
    if (got <= 0)
      return got == 0;
    trailer += (gsize) got;
    if (trailer > MAX_TRAILER) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "more than %u bytes follow the end of the tar archive",
                  MAX_TRAILER);
      return FALSE;
    }
  }
}

/* The tar's members, one by one, until its end-of-archive marker. */
static gboolean
read_members(Reader *reader, GError **error)
{
  for (;;) {
    const AtxTarEntry *entry = NULL;
    if (!atx_tar_reader_next(reader->tar, &entry, error)) {
      prefix_format_error(reader, error);
      return FALSE;
    }
    if (!entry)
      return TRUE;
    if (!read_member(reader, entry, error))
      return FALSE;
  }
}

static gboolean
read_archive(Reader *reader, Source *source, AtxBundleFormat format, GError **error)
{
  AtxCompression compression = format == ATX_BUNDLE_TAR_GZIP ? ATX_COMPRESSION_GZIP : ATX_COMPRESSION_ZSTD;
  g_autoptr(AtxDecompressor) decompressor = atx_decompressor_new(compression, source_next, source, error);
  if (!decompressor)
    return FALSE;
  reader->tar = atx_tar_reader_new(tar_input, decompressor);
  reader->format_label = atx_bundle_format_label(format);
  gboolean ok = read_members(reader, error) && read_trailer(reader, decompressor, error);
  g_clear_pointer(&reader->tar, atx_tar_reader_free);
  return ok;
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

static gboolean
check_complete(Reader *reader, GError **error)
{
  if (reader->unsupported->len > 0) {
    g_ptr_array_sort(reader->unsupported, compare_strings);
    g_ptr_array_add(reader->unsupported, NULL);
    g_autofree char *names = g_strjoinv(", ", (char **) reader->unsupported->pdata);
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle contains unsupported top-level entries: %s", names);
    return FALSE;
  }
  if (!reader->config_toml) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "bundle must contain config.toml at the top level");
    return FALSE;
  }
  return TRUE;
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

/* Reads the archive in @source through @sink; returns the bundle without its
 * files (NULL). */
static AtxBundle *
read_bundle(Source *source, AtxBundleFormat format, const AtxBundleLimits *limits, const AtxBundleSink *sink,
            gpointer sink_data, GError **error)
{
  Reader reader = {
    .tree = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .unsupported = g_ptr_array_new_with_free_func(g_free),
    .sink = sink,
    .sink_data = sink_data,
    .chunk = g_malloc(CHUNK),
  };
  reader.limits = *limits;
  AtxBundle *bundle = NULL;
  GError *local = NULL;
  if (read_archive(&reader, source, format, &local) && check_complete(&reader, &local)) {
    bundle = g_new0(AtxBundle, 1);
    bundle->format = format;
    bundle->config_toml = g_steal_pointer(&reader.config_toml);
    bundle->has_files = reader.has_files;
  }
  g_clear_pointer(&reader.config_toml, g_bytes_unref);
  g_hash_table_unref(reader.tree);
  g_hash_table_unref(reader.seen);
  g_ptr_array_unref(reader.unsupported);
  g_free(reader.chunk);
  if (local) {
    make_message_printable(local);
    g_propagate_error(error, local);
  }
  return bundle;
}

static AtxBundle *
plain_bundle(GBytes *data)
{
  AtxBundle *bundle = g_new0(AtxBundle, 1);
  bundle->config_toml = g_bytes_ref(data);
  bundle->files = no_files();
  return bundle;
}

/* ---- in memory: a sink that keeps every member ---- */

typedef struct {
  GPtrArray *files; /* AtxBundleFile* */
  AtxBundleFile *current;
  GByteArray *content;
} Collector;

static gboolean
collect_directory(const char *path, gpointer user_data, GError **error)
{
  Collector *collector = user_data;
  AtxBundleFile *file = g_new0(AtxBundleFile, 1);
  file->path = g_strdup(path);
  file->is_directory = TRUE;
  g_ptr_array_add(collector->files, file);
  return TRUE;
}

static gboolean
collect_file_begin(const char *path, gpointer user_data, GError **error)
{
  Collector *collector = user_data;
  collector->current = g_new0(AtxBundleFile, 1);
  collector->current->path = g_strdup(path);
  g_ptr_array_add(collector->files, collector->current);
  collector->content = g_byte_array_new();
  return TRUE;
}

static gboolean
collect_file_data(const void *data, gsize len, gpointer user_data, GError **error)
{
  Collector *collector = user_data;
  g_byte_array_append(collector->content, data, (guint) len);
  return TRUE;
}

static gboolean
collect_file_end(gpointer user_data, GError **error)
{
  Collector *collector = user_data;
  collector->current->content = g_byte_array_free_to_bytes(g_steal_pointer(&collector->content));
  collector->current = NULL;
  return TRUE;
}

static const AtxBundleSink collect_sink = {
  .directory = collect_directory,
  .file_begin = collect_file_begin,
  .file_data = collect_file_data,
  .file_end = collect_file_end,
};

static gint
compare_file_paths(gconstpointer a, gconstpointer b)
{
  const AtxBundleFile *x = *(AtxBundleFile *const *) a, *y = *(AtxBundleFile *const *) b;
  return strcmp(x->path, y->path);
}

AtxBundle *
atx_bundle_read(GBytes *data, const char *filename, const AtxBundleLimits *given_limits, GError **error)
{
  AtxBundleLimits limits;
  apply_default_limits(&limits, given_limits);
  if (g_bytes_get_size(data) > limits.max_upload_bytes) {
    set_upload_limit_error(limits.max_upload_bytes, error);
    return NULL;
  }
  AtxBundleFormat format = atx_bundle_detect(filename, data);
  if (format == ATX_BUNDLE_PLAIN)
    return plain_bundle(data);
  Source source = { .in_memory = TRUE, .fd = -1, .max_upload = limits.max_upload_bytes };
  source.memory = g_bytes_get_data(data, &source.memory_len);
  Collector collector = { .files = g_ptr_array_new_with_free_func(bundle_file_free) };
  AtxBundle *bundle = read_bundle(&source, format, &limits, &collect_sink, &collector, error);
  if (collector.content)
    g_byte_array_unref(collector.content);
  if (!bundle) {
    g_ptr_array_unref(collector.files);
    return NULL;
  }
  g_ptr_array_sort(collector.files, compare_file_paths);
  bundle->files = collector.files;
  return bundle;
}

/* ---- from a file descriptor, with bounded memory ---- */

/* Fills @buffer from @fd up to @size bytes or the end; -1 with errno. */
static gssize
read_full(int fd, guint8 *buffer, gsize size)
{
  gsize done = 0;
  while (done < size) {
    ssize_t got = read(fd, buffer + done, size - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return -1;
    if (got == 0)
      break;
    done += (gsize) got;
  }
  return (gssize) done;
}

/* A plain config.toml is kept whole anyway: read it up to the upload limit. */
static AtxBundle *
read_plain_fd(int fd, const guint8 *first, gsize first_len, gsize max_upload, GError **error)
{
  g_autoptr(GByteArray) content = g_byte_array_new();
  g_byte_array_append(content, first, (guint) first_len);
  guint8 block[4096];
  for (;;) {
    gssize got = read_full(fd, block, sizeof block);
    if (got < 0) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot read the upload: %s", g_strerror(errno));
      return NULL;
    }
    if (content->len + (gsize) got > max_upload) {
      set_upload_limit_error(max_upload, error);
      return NULL;
    }
    g_byte_array_append(content, block, (guint) got);
    if ((gsize) got < sizeof block)
      break;
  }
  g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes(g_steal_pointer(&content));
  return plain_bundle(bytes);
}

AtxBundle *
atx_bundle_read_fd(int fd, const char *filename, const AtxBundleLimits *given_limits, const AtxBundleSink *sink,
                   gpointer sink_data, GError **error)
{
  AtxBundleLimits limits;
  apply_default_limits(&limits, given_limits);
  /* A regular file's size refuses an oversized upload before any reading. */
  struct stat st;
  off_t offset = lseek(fd, 0, SEEK_CUR);
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && offset >= 0 && st.st_size > offset &&
      (guint64) (st.st_size - offset) > limits.max_upload_bytes) {
    set_upload_limit_error(limits.max_upload_bytes, error);
    return NULL;
  }
  g_autofree guint8 *block = g_malloc(CHUNK);
  gssize first = read_full(fd, block, CHUNK);
  if (first < 0) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot read the upload: %s", g_strerror(errno));
    return NULL;
  }
  g_autoptr(GBytes) head = g_bytes_new_static(block, (gsize) first);
  AtxBundleFormat format = atx_bundle_detect(filename, head);
  if ((gsize) first > limits.max_upload_bytes) {
    set_upload_limit_error(limits.max_upload_bytes, error);
    return NULL;
  }
  if (format == ATX_BUNDLE_PLAIN)
    return read_plain_fd(fd, block, (gsize) first, limits.max_upload_bytes, error);
  Source source = {
    .fd = fd,
    .block = block,
    .pending = (gsize) first,
    .consumed = (gsize) first,
    .max_upload = limits.max_upload_bytes,
  };
  return read_bundle(&source, format, &limits, sink, sink_data, error);
}
