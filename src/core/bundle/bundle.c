#include "core/bundle/bundle.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/bundle/archive_dl.h"

#define DEFAULT_MAX_UPLOAD (32u * 1024 * 1024)
#define DEFAULT_MAX_DECOMPRESSED (256u * 1024 * 1024)
#define DEFAULT_MAX_MEMBERS 4096u
#define DEFAULT_MAX_MEMBER (64u * 1024 * 1024)
/* Longer names cannot be written below /data/config/files anyway (PATH_MAX). */
#define MAX_MEMBER_PATH 4096u
#define CHUNK (64u * 1024)

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
} Reader;

/* Where the compressed bytes come from: memory, or a file descriptor read in
 * CHUNK blocks (the first one already read, to detect the format). */
typedef struct {
  gboolean in_memory;
  const guint8 *memory; /* NULL for an empty payload */
  gsize memory_len;
  int fd;
  guint8 *block;
  gsize pending;  /* bytes of @block not yet handed to libarchive */
  gsize consumed; /* bytes read from @fd so far */
  gsize max_upload;
  gboolean over_limit;
  int read_errno;
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
set_decompressed_limit_error(const Reader *reader, GError **error)
{
  g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle exceeds %" G_GSIZE_FORMAT " byte decompressed limit",
              reader->limits.max_decompressed_bytes);
}

static void
set_upload_limit_error(gsize limit, GError **error)
{
  g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "config upload exceeds %" G_GSIZE_FORMAT " byte limit", limit);
}

/* Inflates the current member chunk by chunk, enforcing the member and total
 * limits before each chunk is used; @keep (config.toml) collects it, else the
 * sink's file_data() receives it when there is a sink. */
static gboolean
read_content(Reader *reader, struct archive *archive, const char *name, GByteArray *keep, GError **error)
{
  gsize member_bytes = 0;
  for (;;) {
    la_ssize_t got = sym_archive_read_data(archive, reader->chunk, CHUNK);
    if (got < 0) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "failed to read bundle member '%s': %s", name,
                  sym_archive_error_string(archive));
      return FALSE;
    }
    if (got == 0)
      return TRUE;
    reader->total_bytes += (gsize) got;
    member_bytes += (gsize) got;
    if (member_bytes > reader->limits.max_member_bytes) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT, "bundle member '%s' exceeds %" G_GSIZE_FORMAT " byte limit",
                  name, reader->limits.max_member_bytes);
      return FALSE;
    }
    if (reader->total_bytes > reader->limits.max_decompressed_bytes) {
      set_decompressed_limit_error(reader, error);
      return FALSE;
    }
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
member_type_allowed(struct archive_entry *entry, const char *name, GError **error)
{
  mode_t type = sym_archive_entry_filetype(entry);
  if (sym_archive_entry_hardlink(entry) || (type != AE_IFREG && type != AE_IFDIR)) {
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
read_config_toml(Reader *reader, struct archive *archive, const char *name, GError **error)
{
  g_autoptr(GByteArray) content = g_byte_array_new();
  if (!read_content(reader, archive, name, content, error))
    return FALSE;
  reader->config_toml = g_byte_array_free_to_bytes(g_steal_pointer(&content));
  return TRUE;
}

/* The member is skipped, and libarchive inflates it to skip it: count it
 * before that happens, or a small upload could make us inflate gigabytes. */
static gboolean
skip_unsupported(Reader *reader, char *top, gint64 size, GError **error)
{
  reader->total_bytes += (gsize) MAX(size, 0);
  if (reader->total_bytes > reader->limits.max_decompressed_bytes) {
    g_free(top);
    set_decompressed_limit_error(reader, error);
    return FALSE;
  }
  if (g_ptr_array_find_with_equal_func(reader->unsupported, top, g_str_equal, NULL))
    g_free(top);
  else
    g_ptr_array_add(reader->unsupported, top);
  return TRUE;
}

static gboolean
place_file(Reader *reader, struct archive *archive, const char *name, const char *relative, GError **error)
{
  if (!add_parents(reader, relative, error))
    return FALSE;
  g_hash_table_insert(reader->tree, g_strdup(relative), GINT_TO_POINTER(TREE_FILE));
  if (reader->sink && !reader->sink->file_begin(relative, reader->sink_data, error))
    return FALSE;
  return read_content(reader, archive, name, NULL, error) &&
         (!reader->sink || reader->sink->file_end(reader->sink_data, error));
}

static gboolean
place_member(Reader *reader, struct archive *archive, const char *name, const char *path, gboolean is_directory,
             gint64 size, GError **error)
{
  const char *slash = strchr(path, '/');
  if (!slash && !is_directory && g_str_equal(path, "config.toml"))
    return read_config_toml(reader, archive, name, error);
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
    return place_file(reader, archive, name, relative, error);
  if (g_hash_table_contains(reader->tree, relative))
    return TRUE; /* implied by an earlier child */
  return add_parents(reader, relative, error) && add_directory(reader, relative, error);
}

static gboolean
read_member(Reader *reader, struct archive *archive, struct archive_entry *entry, GError **error)
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
  return check_not_seen(reader, path, error) &&
         place_member(reader, archive, name, path, is_directory, sym_archive_entry_size(entry), error);
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

static la_ssize_t
source_read(struct archive *archive, void *data, const void **buffer)
{
  Source *source = data;
  if (source->in_memory) {
    *buffer = source->memory;
    la_ssize_t len = (la_ssize_t) source->memory_len;
    source->memory_len = 0;
    return len;
  }
  if (source->pending) {
    *buffer = source->block;
    la_ssize_t len = (la_ssize_t) source->pending;
    source->pending = 0;
    return len;
  }
  ssize_t got;
  do
    got = read(source->fd, source->block, CHUNK);
  while (got < 0 && errno == EINTR);
  if (got < 0) {
    source->read_errno = errno;
    return -1;
  }
  source->consumed += (gsize) got;
  if (source->consumed > source->max_upload) {
    source->over_limit = TRUE;
    return -1;
  }
  *buffer = source->block;
  return got;
}

/* libarchive's message, unless the source knows better (its own read failed). */
static void
set_archive_error(const Source *source, struct archive *archive, const char *what, AtxBundleFormat format,
                  GError **error)
{
  if (source->over_limit)
    set_upload_limit_error(source->max_upload, error);
  else if (source->read_errno)
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot read the upload: %s", g_strerror(source->read_errno));
  else
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "failed to %s %s bundle: %s", what,
                atx_bundle_format_label(format), sym_archive_error_string(archive));
}

static gboolean
read_archive(Reader *reader, Source *source, AtxBundleFormat format, GError **error)
{
  if (!atx_archive_load(error))
    return FALSE;
  struct archive *archive = sym_archive_read_new();
  if (format == ATX_BUNDLE_TAR_GZIP)
    sym_archive_read_support_filter_gzip(archive);
  else
    sym_archive_read_support_filter_zstd(archive);
  sym_archive_read_support_format_tar(archive);
  gboolean ok = TRUE;
  if (sym_archive_read_open(archive, source, NULL, source_read, NULL) != ARCHIVE_OK) {
    set_archive_error(source, archive, "decompress", format, error);
    ok = FALSE;
  }
  struct archive_entry *entry;
  while (ok) {
    int status = sym_archive_read_next_header(archive, &entry);
    if (status == ARCHIVE_EOF)
      break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      set_archive_error(source, archive, "read", format, error);
      ok = FALSE;
      break;
    }
    ok = read_member(reader, archive, entry, error);
    /* A refusal may come from libarchive failing to read our source. */
    if (!ok && (source->over_limit || source->read_errno) && error && *error) {
      g_clear_error(error);
      set_archive_error(source, archive, "read", format, error);
    }
  }
  sym_archive_read_free(archive);
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
