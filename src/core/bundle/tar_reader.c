#include "core/bundle/tar_reader.h"

#include <string.h>

#include "core/base/error.h"

#define BLOCK 512u
/* Extended headers in front of one entry: pax 'x' and 'g', GNU 'L' and 'K'. */
#define MAX_EXTENDED_HEADERS 8u

/* Where the fields of a ustar/GNU header are (offset, length). */
enum {
  NAME_AT = 0,
  NAME_LEN = 100,
  SIZE_AT = 124,
  SIZE_LEN = 12,
  CHECKSUM_AT = 148,
  CHECKSUM_LEN = 8,
  TYPEFLAG_AT = 156,
  LINKNAME_AT = 157,
  LINKNAME_LEN = 100,
  MAGIC_AT = 257,
  PREFIX_AT = 345,
  PREFIX_LEN = 155,
};

typedef enum {
  FORMAT_POSIX, /* "ustar\0" "00": name may have a prefix */
  FORMAT_GNU,   /* "ustar  \0": the prefix area holds times */
} HeaderFormat;

/* What extended headers said about the entry that follows them. */
typedef struct {
  char *path;
  char *linkpath;
  gboolean has_size;
  guint64 size;
  guint count;
  gsize bytes;
} Pending;

struct AtxTarReader {
  AtxTarReadFunc read;
  gpointer user_data;
  guint8 block[BLOCK];
  guint64 remaining; /* data bytes of the current entry not read yet */
  guint64 padding;   /* zero bytes after them, up to the next block */
  gboolean ended;
  AtxTarEntry entry;
  char *path;
  char *linkpath;
  Pending pending;
};

AtxTarReader *
atx_tar_reader_new(AtxTarReadFunc read, gpointer user_data)
{
  AtxTarReader *reader = g_new0(AtxTarReader, 1);
  reader->read = read;
  reader->user_data = user_data;
  return reader;
}

static void
pending_clear(Pending *pending)
{
  g_free(pending->path);
  g_free(pending->linkpath);
  *pending = (Pending){ 0 };
}

void
atx_tar_reader_free(AtxTarReader *reader)
{
  if (!reader)
    return;
  pending_clear(&reader->pending);
  g_free(reader->path);
  g_free(reader->linkpath);
  g_free(reader);
}

static void
set_truncated_error(GError **error)
{
  g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "tar archive is truncated");
}

static gboolean
read_exact(AtxTarReader *reader, guint8 *buffer, gsize len, GError **error)
{
  gsize done = 0;
  while (done < len) {
    gssize got = reader->read(buffer + done, len - done, reader->user_data, error);
    if (got < 0)
      return FALSE;
    if (got == 0) {
      set_truncated_error(error);
      return FALSE;
    }
    done += (gsize) got;
  }
  return TRUE;
}

static gboolean
skip(AtxTarReader *reader, guint64 len, GError **error)
{
  guint8 scratch[4096];
  while (len > 0) {
    gsize step = (gsize) MIN(len, (guint64) sizeof scratch);
    if (!read_exact(reader, scratch, step, error))
      return FALSE;
    len -= step;
  }
  return TRUE;
}

static guint64
padding_of(guint64 size)
{
  return (BLOCK - size % BLOCK) % BLOCK;
}

/* An octal field (leading spaces, then digits, ended by NUL or spaces) or, with
 * the top bit of its first byte set, GNU base-256 (0x80: positive). */
static gboolean
parse_number(const guint8 *field, gsize len, const char *what, guint64 *out, GError **error)
{
  guint64 value = 0;
  if (field[0] & 0x80) {
    if (field[0] != 0x80) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "tar header %s is negative or malformed", what);
      return FALSE;
    }
    for (gsize i = 1; i < len; i++) {
      if (value > (guint64) G_MAXINT64 >> 8)
        goto too_large;
      value = value << 8 | field[i];
    }
    *out = value;
    return TRUE;
  }
  gsize i = 0;
  while (i < len && field[i] == ' ')
    i++;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) {
    if (value > (guint64) G_MAXINT64 >> 3)
      goto too_large;
    value = value << 3 | (guint64) (field[i] - '0');
  }
  for (; i < len; i++)
    if (field[i] != ' ' && field[i] != '\0') {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "tar header %s is not an octal number", what);
      return FALSE;
    }
  *out = value;
  return TRUE;
too_large:
  g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "tar header %s is too large", what);
  return FALSE;
}

/* The sum of the header's bytes with the checksum field read as spaces; tar
 * has written it both with signed and with unsigned chars. */
static gboolean
checksum_matches(const guint8 *block, guint64 stored)
{
  guint64 unsigned_sum = 0;
  gint64 signed_sum = 0;
  for (guint i = 0; i < BLOCK; i++) {
    guint8 byte = (i >= CHECKSUM_AT && i < CHECKSUM_AT + CHECKSUM_LEN) ? ' ' : block[i];
    unsigned_sum += byte;
    signed_sum += (gint8) byte;
  }
  return stored == unsigned_sum || (gint64) stored == signed_sum;
}

static gboolean
is_zero_block(const guint8 *block)
{
  for (guint i = 0; i < BLOCK; i++)
    if (block[i])
      return FALSE;
  return TRUE;
}

static gboolean
check_header(const guint8 *block, HeaderFormat *format, GError **error)
{
  guint64 stored = 0;
  if (!parse_number(block + CHECKSUM_AT, CHECKSUM_LEN, "checksum", &stored, error))
    return FALSE;
  if (!checksum_matches(block, stored)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "tar header checksum mismatch");
    return FALSE;
  }
  static const char posix_magic[8] = { 'u', 's', 't', 'a', 'r', '\0', '0', '0' };
  static const char gnu_magic[8] = { 'u', 's', 't', 'a', 'r', ' ', ' ', '\0' };
  if (memcmp(block + MAGIC_AT, posix_magic, 8) == 0)
    *format = FORMAT_POSIX;
  else if (memcmp(block + MAGIC_AT, gnu_magic, 8) == 0)
    *format = FORMAT_GNU;
  else {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "not a ustar, pax or GNU tar header");
    return FALSE;
  }
  return TRUE;
}

static char *
field_string(const guint8 *field, gsize len)
{
  return g_strndup((const char *) field, strnlen((const char *) field, len));
}

/* Reads an extended header's data (and its padding) whole: it is small. */
static guint8 *
read_extended(AtxTarReader *reader, guint64 size, GError **error)
{
  Pending *pending = &reader->pending;
  if (++pending->count > MAX_EXTENDED_HEADERS || size > ATX_TAR_MAX_METADATA - pending->bytes) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "tar extended headers exceed %u bytes or %u headers",
                ATX_TAR_MAX_METADATA, MAX_EXTENDED_HEADERS);
    return NULL;
  }
  pending->bytes += (gsize) size;
  g_autofree guint8 *data = g_malloc((gsize) size + 1);
  if (!read_exact(reader, data, (gsize) size, error) || !skip(reader, padding_of(size), error))
    return NULL;
  data[size] = '\0';
  return g_steal_pointer(&data);
}

static gboolean
parse_decimal(const char *text, gsize len, guint64 *out)
{
  guint64 value = 0;
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit(text[i]) || value > ((guint64) G_MAXINT64 - 9) / 10)
      return FALSE;
    value = value * 10 + (guint64) (text[i] - '0');
  }
  *out = value;
  return TRUE;
}

static gboolean
apply_pax_record(Pending *pending, const char *key, gsize key_len, const char *value, gsize value_len,
                 GError **error)
{
  char **target = NULL;
  if (key_len == 4 && memcmp(key, "path", 4) == 0)
    target = &pending->path;
  else if (key_len == 8 && memcmp(key, "linkpath", 8) == 0)
    target = &pending->linkpath;
  else if (key_len == 4 && memcmp(key, "size", 4) == 0) {
    if (!parse_decimal(value, value_len, &pending->size)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "pax size is not a decimal number");
      return FALSE;
    }
    pending->has_size = TRUE;
    return TRUE;
  } else
    return TRUE; /* times, owners, SCHILY.* ...: nothing a bundle uses */
  if (memchr(value, '\0', value_len)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "pax %.*s contains a NUL byte", (int) key_len, key);
    return FALSE;
  }
  g_free(*target);
  *target = g_strndup(value, value_len);
  return TRUE;
}

/* Records "LEN key=value\n", LEN counting the whole record in decimal. */
static gboolean
parse_pax(Pending *pending, const char *data, gsize len, GError **error)
{
  gsize at = 0;
  while (at < len) {
    gsize digits_end = at;
    while (digits_end < len && g_ascii_isdigit(data[digits_end]))
      digits_end++;
    guint64 record_len = 0;
    if (digits_end >= len || data[digits_end] != ' ' || !parse_decimal(data + at, digits_end - at, &record_len) ||
        record_len > len - at || record_len < digits_end - at + 4 || data[at + record_len - 1] != '\n') {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "malformed pax record at byte %" G_GSIZE_FORMAT, at);
      return FALSE;
    }
    const char *key = data + digits_end + 1;
    const char *end = data + at + record_len - 1;
    const char *equals = memchr(key, '=', (gsize) (end - key));
    if (!equals || equals == key) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "malformed pax record at byte %" G_GSIZE_FORMAT, at);
      return FALSE;
    }
    if (!apply_pax_record(pending, key, (gsize) (equals - key), equals + 1, (gsize) (end - equals - 1), error))
      return FALSE;
    at += (gsize) record_len;
  }
  return TRUE;
}

/* Handles one extended header; FALSE with @error on a malformed one. */
static gboolean
read_extended_header(AtxTarReader *reader, char typeflag, guint64 size, GError **error)
{
  g_autofree guint8 *data = read_extended(reader, size, error);
  if (!data)
    return FALSE;
  Pending *pending = &reader->pending;
  switch (typeflag) {
  case 'x':
    return parse_pax(pending, (const char *) data, (gsize) size, error);
  case 'L':
    g_free(pending->path);
    pending->path = g_strdup((const char *) data); /* up to its NUL */
    return TRUE;
  case 'K':
    g_free(pending->linkpath);
    pending->linkpath = g_strdup((const char *) data);
    return TRUE;
  default: /* 'g': global pax records, none of which a bundle uses */
    return TRUE;
  }
}

static AtxTarKind
kind_of(char typeflag)
{
  switch (typeflag) {
  case '0':
  case '\0':
  case '7':
    return ATX_TAR_REGULAR;
  case '5':
    return ATX_TAR_DIRECTORY;
  case '1':
    return ATX_TAR_HARD_LINK;
  case '2':
    return ATX_TAR_SYMLINK;
  default:
    return ATX_TAR_OTHER;
  }
}

static char *
header_path(const guint8 *block, HeaderFormat format)
{
  g_autofree char *name = field_string(block + NAME_AT, NAME_LEN);
  if (format == FORMAT_POSIX && block[PREFIX_AT]) {
    g_autofree char *prefix = field_string(block + PREFIX_AT, PREFIX_LEN);
    return g_strconcat(prefix, "/", name, NULL);
  }
  return g_steal_pointer(&name);
}

static void
make_entry(AtxTarReader *reader, HeaderFormat format, guint64 size)
{
  Pending *pending = &reader->pending;
  const guint8 *block = reader->block;
  g_free(reader->path);
  g_free(reader->linkpath);
  reader->path = pending->path ? g_steal_pointer(&pending->path) : header_path(block, format);
  reader->linkpath =
      pending->linkpath ? g_steal_pointer(&pending->linkpath) : field_string(block + LINKNAME_AT, LINKNAME_LEN);
  char typeflag = (char) block[TYPEFLAG_AT];
  reader->entry = (AtxTarEntry){
    .path = reader->path,
    .linkpath = reader->linkpath,
    .kind = kind_of(typeflag),
    .typeflag = typeflag,
    .size = pending->has_size ? pending->size : size,
    .header_bytes = BLOCK * (pending->count + 1) + pending->bytes,
  };
  reader->remaining = reader->entry.size;
  reader->padding = padding_of(reader->entry.size);
  pending_clear(pending);
}

gboolean
atx_tar_reader_next(AtxTarReader *reader, const AtxTarEntry **entry, GError **error)
{
  *entry = NULL;
  if (reader->ended)
    return TRUE;
  if (!skip(reader, reader->remaining, error) || !skip(reader, reader->padding, error))
    return FALSE;
  reader->remaining = reader->padding = 0;
  for (;;) {
    if (!read_exact(reader, reader->block, BLOCK, error))
      return FALSE;
    if (is_zero_block(reader->block)) {
      reader->ended = TRUE; /* a second zero block may follow; nothing after it matters */
      pending_clear(&reader->pending);
      return TRUE;
    }
    HeaderFormat format;
    guint64 size = 0;
    if (!check_header(reader->block, &format, error) ||
        !parse_number(reader->block + SIZE_AT, SIZE_LEN, "size", &size, error))
      return FALSE;
    char typeflag = (char) reader->block[TYPEFLAG_AT];
    if (typeflag == 'x' || typeflag == 'g' || typeflag == 'L' || typeflag == 'K') {
      if (!read_extended_header(reader, typeflag, size, error))
        return FALSE;
      continue;
    }
    make_entry(reader, format, size);
    *entry = &reader->entry;
    return TRUE;
  }
}

gssize
atx_tar_reader_read_data(AtxTarReader *reader, guint8 *buffer, gsize len, GError **error)
{
  if (reader->remaining == 0 || len == 0)
    return 0;
  gsize want = (gsize) MIN((guint64) len, reader->remaining);
  gssize got = reader->read(buffer, want, reader->user_data, error);
  if (got < 0)
    return -1;
  if (got == 0) {
    set_truncated_error(error);
    return -1;
  }
  reader->remaining -= (guint64) got;
  return got;
}
