/* The tar reader (core/bundle/tar_reader.h) and the decompressor under it
 * (decompressor.h), on archives written by GNU tar itself in its gnu, ustar
 * and pax formats (long names, prefix splitting, links, FIFOs, gzip, zstd,
 * concatenated gzip) and on headers crafted byte by byte (base-256 sizes, bad
 * checksums, lying pax records, truncation at every block). */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/bundle/decompressor.h"
#include "core/bundle/tar_reader.h"

/* ---- feeding bytes ---- */

typedef struct {
  const guint8 *data;
  gsize len;
  gsize at;
  gsize step; /* at most this many bytes per call: exercises short reads */
} Feed;

static gssize
feed_read(guint8 *buffer, gsize len, gpointer user_data, GError **error)
{
  Feed *feed = user_data;
  gsize n = MIN(MIN(len, feed->step), feed->len - feed->at);
  if (n > 0) /* an empty GBytes has no data pointer */
    memcpy(buffer, feed->data + feed->at, n);
  feed->at += n;
  return (gssize) n;
}

static gssize
feed_source(const guint8 **data, gpointer user_data, GError **error)
{
  Feed *feed = user_data;
  gsize n = MIN(feed->step, feed->len - feed->at);
  *data = feed->data + feed->at;
  feed->at += n;
  return (gssize) n;
}

static gssize
decompressed_read(guint8 *buffer, gsize len, gpointer user_data, GError **error)
{
  return atx_decompressor_read(user_data, buffer, len, error);
}

static char
kind_letter(AtxTarKind kind)
{
  switch (kind) {
  case ATX_TAR_REGULAR:
    return 'f';
  case ATX_TAR_DIRECTORY:
    return 'd';
  case ATX_TAR_HARD_LINK:
    return 'h';
  case ATX_TAR_SYMLINK:
    return 'l';
  default:
    return 'o';
  }
}

/* Every entry as "KIND PATH [-> LINK] SIZE SHA256-PREFIX", one per line in
 * archive order; NULL with @error when the reader refuses. */
static char *
list_entries(AtxTarReadFunc read, gpointer user_data, GError **error)
{
  g_autoptr(AtxTarReader) reader = atx_tar_reader_new(read, user_data);
  g_autoptr(GString) log = g_string_new(NULL);
  guint8 buffer[3000]; /* not a multiple of 512 */
  for (;;) {
    const AtxTarEntry *entry = NULL;
    if (!atx_tar_reader_next(reader, &entry, error))
      return NULL;
    if (!entry)
      return g_string_free(g_steal_pointer(&log), FALSE);
    g_string_append_printf(log, "%c %s", kind_letter(entry->kind), entry->path);
    if (*entry->linkpath)
      g_string_append_printf(log, " -> %s", entry->linkpath);
    if (entry->kind != ATX_TAR_REGULAR) {
      g_string_append_c(log, '\n');
      continue;
    }
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    guint64 total = 0;
    for (;;) {
      gssize got = atx_tar_reader_read_data(reader, buffer, sizeof buffer, error);
      if (got < 0)
        return NULL;
      if (got == 0)
        break;
      g_checksum_update(sum, buffer, got);
      total += (guint64) got;
    }
    g_assert_cmpuint(total, ==, entry->size);
    g_string_append_printf(log, " %" G_GUINT64_FORMAT " %.8s\n", total, g_checksum_get_string(sum));
  }
}

static char *
list_tar(GBytes *tar, gsize step, GError **error)
{
  Feed feed = { .step = step };
  feed.data = g_bytes_get_data(tar, &feed.len);
  return list_entries(feed_read, &feed, error);
}

static char *
list_compressed(GBytes *data, AtxCompression compression, gsize step, GError **error)
{
  Feed feed = { .step = step };
  feed.data = g_bytes_get_data(data, &feed.len);
  g_autoptr(AtxDecompressor) decompressor = atx_decompressor_new(compression, feed_source, &feed, error);
  if (!decompressor)
    return NULL;
  return list_entries(decompressed_read, decompressor, error);
}

/* Decompresses all of @data (not only up to the tar's end). */
static gboolean
drains_cleanly(GBytes *data, GError **error)
{
  Feed feed = { .step = 333 };
  feed.data = g_bytes_get_data(data, &feed.len);
  g_autoptr(AtxDecompressor) decompressor = atx_decompressor_new(ATX_COMPRESSION_GZIP, feed_source, &feed, error);
  g_assert_nonnull(decompressor);
  guint8 buffer[4096];
  for (;;) {
    gssize got = atx_decompressor_read(decompressor, buffer, sizeof buffer, error);
    if (got <= 0)
      return got == 0;
  }
}

/* ---- archives from GNU tar ---- */

static char *
sha_prefix(const char *text, gsize len)
{
  g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) text, len);
  return g_strndup(sum, 8);
}

static void
run_shell(const char *script, const char *dir)
{
  const char *argv[] = { "sh", "-ec", script, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;
  g_spawn_sync(dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error(error);
  g_spawn_check_wait_status(status, &error);
  g_assert_no_error(error);
}

static GBytes *
read_file(const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;
  g_file_get_contents(path, &data, &len, &error);
  g_assert_no_error(error);
  return g_bytes_new_take(data, len);
}

typedef struct {
  char *dir;         /* a temporary directory: tree/ holds the files */
  char *prefix_path; /* 188 bytes: ustar stores it as prefix + name */
  char *long_path;   /* 352 bytes, its last part 150: beyond ustar */
  char *big;         /* 70000 bytes */
} Tree;

static void
tree_make(Tree *tree, gboolean with_long_path)
{
  g_autoptr(GError) error = NULL;
  tree->dir = g_dir_make_tmp("atx-tar-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *p95 = g_strnfill(95, 'p'), *f90 = g_strnfill(90, 'f');
  g_autofree char *x100 = g_strnfill(100, 'x'), *y150 = g_strnfill(150, 'y');
  tree->prefix_path = g_strdup_printf("./%s/%s", p95, f90);
  tree->long_path = with_long_path ? g_strdup_printf("./%s/%s/%s", x100, x100, y150) : NULL;
  tree->big = g_malloc(70001);
  for (guint i = 0; i < 70000; i++)
    tree->big[i] = (char) ('a' + i % 23);
  tree->big[70000] = '\0';
  g_autofree char *tree_dir = g_build_filename(tree->dir, "tree", NULL);
  g_assert_cmpint(mkdir(tree_dir, 0755), ==, 0);
  g_autofree char *big_path = g_build_filename(tree_dir, "big", NULL);
  g_file_set_contents(big_path, tree->big, 70000, &error);
  g_assert_no_error(error);
  g_autofree char *script = g_strdup_printf(
      "printf 'a = 1\\n' > config.toml; : > empty; ln -s config.toml link; ln config.toml hard; mkfifo fifo;"
      "mkdir %s; printf 'deep\\n' > %s; %s%s%s%s",
      p95, tree->prefix_path + 2, with_long_path ? "mkdir -p " : "", with_long_path ? x100 : "",
      with_long_path ? "/" : "", with_long_path ? x100 : "");
  run_shell(script, tree_dir);
  if (with_long_path) {
    g_autofree char *long_file = g_build_filename(tree_dir, tree->long_path + 2, NULL);
    g_file_set_contents(long_file, "long\n", -1, &error);
    g_assert_no_error(error);
  }
}

static void
tree_clear(Tree *tree)
{
  g_autofree char *script = g_strdup_printf("rm -rf '%s'", tree->dir);
  run_shell(script, "/");
  g_free(tree->dir);
  g_free(tree->prefix_path);
  g_free(tree->long_path);
  g_free(tree->big);
}

/* What every archive of the tree must list, in tar's --sort=name order. */
static char *
expected_listing(const Tree *tree)
{
  g_autofree char *big_sum = sha_prefix(tree->big, 70000);
  g_autofree char *empty_sum = sha_prefix("", 0);
  g_autofree char *config_sum = sha_prefix("a = 1\n", 6);
  g_autofree char *deep_sum = sha_prefix("deep\n", 5);
  g_autofree char *long_sum = sha_prefix("long\n", 5);
  g_autoptr(GString) out = g_string_new("d ./\n");
  g_string_append_printf(out, "f ./big 70000 %s\n", big_sum);
  g_string_append_printf(out, "f ./config.toml 6 %s\n", config_sum);
  g_string_append_printf(out, "f ./empty 0 %s\n", empty_sum);
  g_string_append(out, "o ./fifo\n");
  g_string_append(out, "h ./hard -> ./config.toml\n");
  g_string_append(out, "l ./link -> config.toml\n");
  g_autofree char *p_dir = g_path_get_dirname(tree->prefix_path);
  g_string_append_printf(out, "d %s/\n", p_dir);
  g_string_append_printf(out, "f %s 5 %s\n", tree->prefix_path, deep_sum);
  if (tree->long_path) {
    g_autofree char *x_inner = g_path_get_dirname(tree->long_path);
    g_autofree char *x_outer = g_path_get_dirname(x_inner);
    g_string_append_printf(out, "d %s/\nd %s/\nf %s 5 %s\n", x_outer, x_inner, tree->long_path, long_sum);
  }
  return g_string_free(g_steal_pointer(&out), FALSE);
}

/* tar --create with @options into @name inside the tree's directory. */
static GBytes *
tar_tree(const Tree *tree, const char *options, const char *name)
{
  g_autofree char *script =
      g_strdup_printf("tar --create %s --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 "
                      "--file %s -C tree .",
                      options, name);
  run_shell(script, tree->dir);
  return read_file(tree->dir, name);
}

static void
assert_listing(GBytes *tar, const char *expected)
{
  static const gsize steps[] = { G_MAXSIZE, 1, 511, 513 };
  for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = list_tar(tar, steps[i], &error);
    g_assert_no_error(error);
    g_assert_cmpstr(listing, ==, expected);
  }
}

static void
test_gnu_tar_formats(void)
{
  static const struct {
    const char *format;
    gboolean long_path;
  } formats[] = { { "gnu", TRUE }, { "pax", TRUE }, { "ustar", FALSE }, { "oldgnu", TRUE } };
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
    Tree tree = { 0 };
    tree_make(&tree, formats[i].long_path);
    g_autofree char *options = g_strdup_printf("--format=%s", formats[i].format);
    g_autoptr(GBytes) tar = tar_tree(&tree, options, "out.tar");
    g_autofree char *expected = expected_listing(&tree);
    assert_listing(tar, expected);
    tree_clear(&tree);
  }
}

static void
test_gzip_and_zstd(void)
{
  Tree tree = { 0 };
  tree_make(&tree, TRUE);
  g_autofree char *expected = expected_listing(&tree);
  static const struct {
    const char *options;
    AtxCompression compression;
  } variants[] = {
    { "--format=pax --gzip", ATX_COMPRESSION_GZIP },
    { "--format=gnu --zstd", ATX_COMPRESSION_ZSTD },
    { "--format=gnu --use-compress-program='zstd -19'", ATX_COMPRESSION_ZSTD },
  };
  for (guint i = 0; i < G_N_ELEMENTS(variants); i++) {
    g_autoptr(GBytes) data = tar_tree(&tree, variants[i].options, "out.tar.x");
    static const gsize steps[] = { G_MAXSIZE, 1, 4096 };
    for (guint s = 0; s < G_N_ELEMENTS(steps); s++) {
      g_autoptr(GError) error = NULL;
      g_autofree char *listing = list_compressed(data, variants[i].compression, steps[s], &error);
      g_assert_no_error(error);
      g_assert_cmpstr(listing, ==, expected);
    }
    /* Cut anywhere: refused, never a shorter archive taken as whole. */
    gsize len = g_bytes_get_size(data);
    for (gsize cut = 0; cut < len; cut += MAX(len / 97, 1)) {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes(data, 0, cut);
      g_autoptr(GError) error = NULL;
      g_autofree char *listing = list_compressed(part, variants[i].compression, G_MAXSIZE, &error);
      if (listing) {
        /* The tar may end before the compressed stream does (tar pads to
         * 10 KiB): the entries are all there; bundle.c drains the stream to
         * its end and finds the cut. */
        g_assert_cmpstr(listing, ==, expected);
        continue;
      }
      g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
    }
  }
  tree_clear(&tree);
}

/* Two gzip members one after the other are one stream (gzip(1) reads them so). */
static void
test_concatenated_gzip(void)
{
  Tree tree = { 0 };
  tree_make(&tree, FALSE);
  g_autoptr(GBytes) tar = tar_tree(&tree, "--format=gnu", "out.tar");
  run_shell("head -c 1536 out.tar | gzip -c > two.gz; tail -c +1537 out.tar | gzip -c >> two.gz", tree.dir);
  g_autoptr(GBytes) two = read_file(tree.dir, "two.gz");
  g_autofree char *expected = expected_listing(&tree);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = list_compressed(two, ATX_COMPRESSION_GZIP, 100, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(listing, ==, expected);

  /* Zero padding after the last member is read past (gzip(1) does), bytes
   * after that padding are not. The tar ends early, so drain to the end. */
  run_shell("gzip -c < out.tar > padded.gz; head -c 1000 /dev/zero >> padded.gz", tree.dir);
  g_autoptr(GBytes) padded = read_file(tree.dir, "padded.gz");
  g_assert_true(drains_cleanly(padded, NULL));
  g_autoptr(GByteArray) garbage = g_byte_array_new();
  g_byte_array_append(garbage, g_bytes_get_data(padded, NULL), (guint) g_bytes_get_size(padded));
  g_byte_array_append(garbage, (const guint8 *) "x", 1);
  g_autoptr(GBytes) with_garbage = g_bytes_new(garbage->data, garbage->len);
  g_autoptr(GError) garbage_error = NULL;
  g_assert_false(drains_cleanly(with_garbage, &garbage_error));
  g_assert_cmpstr(garbage_error->message, ==, "gzip stream has bytes after its zero padding");
  tree_clear(&tree);
}

/* Cut at every block boundary before the end-of-archive marker: always the
 * same clear error. */
static void
test_truncated_at_every_block(void)
{
  Tree tree = { 0 };
  tree_make(&tree, TRUE);
  g_autoptr(GBytes) tar = tar_tree(&tree, "--format=pax --blocking-factor=1", "out.tar");
  gsize len = g_bytes_get_size(tar);
  g_assert_cmpuint(len % 512, ==, 0);
  /* --blocking-factor=1: the archive ends with its two zero blocks. */
  for (gsize cut = 0; cut <= len - 1024; cut += 512) {
    g_autoptr(GBytes) part = g_bytes_new_from_bytes(tar, 0, cut);
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = list_tar(part, G_MAXSIZE, &error);
    g_assert_null(listing);
    g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
    g_assert_cmpstr(error->message, ==, "tar archive is truncated");
  }
  /* One zero block ends it too. */
  g_autoptr(GBytes) one_zero_block = g_bytes_new_from_bytes(tar, 0, len - 512);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = list_tar(one_zero_block, G_MAXSIZE, &error);
  g_assert_no_error(error);
  g_autofree char *expected = expected_listing(&tree);
  g_assert_cmpstr(listing, ==, expected);
  tree_clear(&tree);
}

/* ---- crafted headers ---- */

static void
set_checksum(guint8 *header)
{
  memset(header + 148, ' ', 8);
  guint sum = 0;
  for (guint i = 0; i < 512; i++)
    sum += header[i];
  g_snprintf((char *) header + 148, 8, "%06o", sum);
  header[155] = ' ';
}

/* A ustar header block; @size written in octal. */
static void
append_header(GByteArray *out, const char *name, char typeflag, guint64 size)
{
  guint8 header[512] = { 0 };
  memcpy(header, name, MIN(strlen(name), 100));
  memcpy(header + 100, "0000644", 7);
  g_snprintf((char *) header + 124, 12, "%011" G_GINT64_MODIFIER "o", size);
  header[156] = (guint8) typeflag;
  memcpy(header + 257,
         "ustar\0"
         "00",
         8);
  set_checksum(header);
  g_byte_array_append(out, header, 512);
}

static void
append_data(GByteArray *out, const void *data, gsize len)
{
  g_byte_array_append(out, data, (guint) len);
  static const guint8 zeros[512] = { 0 };
  if (len % 512)
    g_byte_array_append(out, zeros, 512 - len % 512);
}

static void
append_end(GByteArray *out)
{
  static const guint8 zeros[1024] = { 0 };
  g_byte_array_append(out, zeros, sizeof zeros);
}

static void
assert_refused(GByteArray *tar, const char *message)
{
  g_autoptr(GBytes) bytes = g_bytes_new(tar->data, tar->len);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = list_tar(bytes, G_MAXSIZE, &error);
  g_assert_null(listing);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  g_assert_cmpstr(error->message, ==, message);
}

static char *
list_array(GByteArray *tar, GError **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new(tar->data, tar->len);
  return list_tar(bytes, 7, error);
}

static void
test_base256_size(void)
{
  g_autoptr(GByteArray) tar = g_byte_array_new();
  append_header(tar, "big", '0', 0);
  guint8 content[1000];
  memset(content, 'z', sizeof content);
  append_data(tar, content, sizeof content);
  append_end(tar);
  guint8 *size = tar->data + 124; /* the array no longer grows */
  memset(size, 0, 12);
  size[0] = 0x80;
  size[10] = 0x03; /* 1000 */
  size[11] = 0xe8;
  set_checksum(tar->data);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = list_array(tar, &error);
  g_assert_no_error(error);
  g_autofree char *sum = sha_prefix((const char *) content, sizeof content);
  g_autofree char *expected = g_strdup_printf("f big 1000 %s\n", sum);
  g_assert_cmpstr(listing, ==, expected);

  size[0] = 0xff; /* negative */
  set_checksum(tar->data);
  assert_refused(tar, "tar header size is negative or malformed");
  size[0] = 0x80;
  memset(size + 1, 0xff, 11); /* beyond 2^63 */
  set_checksum(tar->data);
  assert_refused(tar, "tar header size is too large");
  memcpy(size, "0000000001x\0", 12);
  set_checksum(tar->data);
  assert_refused(tar, "tar header size is not an octal number");
}

static void
test_checksum(void)
{
  g_autoptr(GByteArray) tar = g_byte_array_new();
  append_header(tar, "a", '0', 0);
  append_end(tar);
  g_autofree char *ok = list_array(tar, NULL);
  g_assert_cmpstr(ok, ==, "f a 0 e3b0c442\n");
  tar->data[0] = 'b'; /* checksum no longer matches */
  assert_refused(tar, "tar header checksum mismatch");
  /* Old tars summed signed chars: a byte >= 0x80 makes the sums differ. */
  tar->data[0] = 0xe9;
  memset(tar->data + 148, ' ', 8);
  gint sum = 0;
  for (guint i = 0; i < 512; i++)
    sum += (gint8) tar->data[i];
  g_snprintf((char *) tar->data + 148, 8, "%06o", sum);
  g_autofree char *signed_ok = list_array(tar, NULL);
  g_assert_cmpstr(signed_ok, ==, "f \xe9 0 e3b0c442\n");
  /* Not tar at all. */
  memset(tar->data + 257, 'q', 8);
  set_checksum(tar->data);
  assert_refused(tar, "not a ustar, pax or GNU tar header");
}

static char *
pax_record(const char *key, const char *value)
{
  gsize body = strlen(key) + strlen(value) + 3; /* ' ' '=' '\n' */
  gsize len = body + 1;
  for (;;) {
    char digits[32];
    gsize total = body + (gsize) g_snprintf(digits, sizeof digits, "%" G_GSIZE_FORMAT, len);
    if (total == len)
      break;
    len = total;
  }
  return g_strdup_printf("%" G_GSIZE_FORMAT " %s=%s\n", len, key, value);
}

static void
append_pax(GByteArray *tar, const char *records)
{
  append_header(tar, "PaxHeaders/x", 'x', strlen(records));
  append_data(tar, records, strlen(records));
}

static void
test_pax_records(void)
{
  g_autofree char *path = pax_record("path", "from/pax");
  g_autofree char *size = pax_record("size", "3");
  g_autofree char *mtime = pax_record("mtime", "1234.5678");
  g_autofree char *xattr = pax_record("SCHILY.xattr.user.x", "whatever");
  g_autofree char *records = g_strconcat(mtime, path, xattr, size, NULL);
  g_autoptr(GByteArray) tar = g_byte_array_new();
  append_header(tar, "global", 'g', 19);
  append_data(tar, "19 comment=ignored\n", 19);
  append_pax(tar, records);
  append_header(tar, "short", '0', 0); /* the pax size wins */
  append_data(tar, "abc", 3);
  append_end(tar);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = list_array(tar, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(listing, ==, "f from/pax 3 ba7816bf\n");

  static const char *const lies[] = {
    "30 path=abc\n",                      /* longer than the data */
    "5 path=abc\n",                       /* shorter than its own record */
    "12 path=abc\n12 pat",                /* the second record cut */
    "12 path=abc?",                       /* not ended by a newline */
    "99999999999999999999999 path=abc\n", /* overflow */
    "x12 path=abc\n",                     /* not a number */
    "7 =abc\n",                           /* no key */
    "11 pathabc\n",                       /* no '=' */
  };
  for (guint i = 0; i < G_N_ELEMENTS(lies); i++) {
    g_autoptr(GByteArray) bad = g_byte_array_new();
    append_pax(bad, lies[i]);
    append_header(bad, "x", '0', 0);
    append_end(bad);
    g_autoptr(GBytes) bytes = g_bytes_new(bad->data, bad->len);
    g_autoptr(GError) lie_error = NULL;
    g_autofree char *lie_listing = list_tar(bytes, G_MAXSIZE, &lie_error);
    g_assert_null(lie_listing);
    g_assert_error(lie_error, ATX_ERROR, ATX_ERROR_INVALID);
    g_assert_true(g_str_has_prefix(lie_error->message, "malformed pax record at byte "));
  }
  g_autoptr(GByteArray) bad_size = g_byte_array_new();
  g_autofree char *size_lie = pax_record("size", "12a");
  append_pax(bad_size, size_lie);
  append_header(bad_size, "x", '0', 0);
  append_end(bad_size);
  assert_refused(bad_size, "pax size is not a decimal number");
}

static void
test_gnu_long_names_are_bounded(void)
{
  g_autoptr(GByteArray) tar = g_byte_array_new();
  append_header(tar, "././@LongLink", 'L', 6);
  append_data(tar, "named\0", 6);
  append_header(tar, "cut", '5', 0);
  append_header(tar, "././@LongLink", 'K', 7);
  append_data(tar, "target\0", 7);
  append_header(tar, "sym", '2', 0);
  append_end(tar);
  g_autofree char *listing = list_array(tar, NULL);
  g_assert_cmpstr(listing, ==, "d named\nl sym -> target\n");

  g_autoptr(GByteArray) huge = g_byte_array_new();
  append_header(huge, "././@LongLink", 'L', ATX_TAR_MAX_METADATA + 1);
  append_end(huge);
  assert_refused(huge, "tar extended headers exceed 65536 bytes or 8 headers");
  g_autoptr(GByteArray) many = g_byte_array_new();
  for (guint i = 0; i < 9; i++)
    append_header(many, "g", 'g', 0);
  append_end(many);
  assert_refused(many, "tar extended headers exceed 65536 bytes or 8 headers");
}

/* Every type flag a bundle refuses is reported as what it is. */
static void
test_type_flags(void)
{
  static const char flags[] = { '0', '\0', '7', '5', '1', '2', '3', '4', '6', 'S', 'V', 'D', 'Z' };
  static const char letters[] = { 'f', 'f', 'f', 'd', 'h', 'l', 'o', 'o', 'o', 'o', 'o', 'o', 'o' };
  for (guint i = 0; i < G_N_ELEMENTS(flags); i++) {
    g_autoptr(GByteArray) tar = g_byte_array_new();
    append_header(tar, "m", flags[i], 0);
    append_end(tar);
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = list_array(tar, &error);
    g_assert_no_error(error);
    g_assert_cmpint(listing[0], ==, letters[i]);
  }
}

static void
test_empty_and_end_only(void)
{
  g_autoptr(GByteArray) nothing = g_byte_array_new();
  assert_refused(nothing, "tar archive is truncated");
  g_autoptr(GByteArray) end_only = g_byte_array_new();
  append_end(end_only);
  g_autofree char *listing = list_array(end_only, NULL);
  g_assert_cmpstr(listing, ==, "");
}

/* A frame asking for a 128 MiB window (`zstd --long=27` on a pipe) is refused
 * before anything is allocated for it. */
static void
test_zstd_window_limit(void)
{
  static const guint8 frame[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x88, 0x29, 0x00, 0x00,
                                  0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xa3, 0x6d, 0x9f, 0x88 };
  g_autoptr(GBytes) data = g_bytes_new_static(frame, sizeof frame);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = list_compressed(data, ATX_COMPRESSION_ZSTD, G_MAXSIZE, &error);
  g_assert_null(listing);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  g_assert_cmpstr(error->message, ==,
                  "zstd frame needs a window above 8 MiB, more than bundles may use (compress without --long and "
                  "at level 19 or below)");
  /* The same frame with a 2 MiB window (0x58) decompresses. */
  guint8 small[sizeof frame];
  memcpy(small, frame, sizeof frame);
  small[5] = 0x58;
  g_autoptr(GBytes) small_data = g_bytes_new_static(small, sizeof small);
  g_autoptr(GError) small_error = NULL;
  g_autofree char *small_listing = list_compressed(small_data, ATX_COMPRESSION_ZSTD, G_MAXSIZE, &small_error);
  g_assert_null(small_listing);
  g_assert_cmpstr(small_error->message, ==, "tar archive is truncated"); /* "hello" is not a tar */
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tar-reader/gnu-tar-formats", test_gnu_tar_formats);
  g_test_add_func("/tar-reader/gzip-and-zstd", test_gzip_and_zstd);
  g_test_add_func("/tar-reader/concatenated-gzip", test_concatenated_gzip);
  g_test_add_func("/tar-reader/truncated-at-every-block", test_truncated_at_every_block);
  g_test_add_func("/tar-reader/base256-size", test_base256_size);
  g_test_add_func("/tar-reader/checksum", test_checksum);
  g_test_add_func("/tar-reader/pax-records", test_pax_records);
  g_test_add_func("/tar-reader/gnu-long-names", test_gnu_long_names_are_bounded);
  g_test_add_func("/tar-reader/type-flags", test_type_flags);
  g_test_add_func("/tar-reader/empty", test_empty_and_end_only);
  g_test_add_func("/tar-reader/zstd-window-limit", test_zstd_window_limit);
  return g_test_run();
}
