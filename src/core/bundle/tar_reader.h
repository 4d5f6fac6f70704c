/* A streaming reader of tar archives (POSIX ustar and pax, GNU), as much of
 * tar as a bundle needs: it reports every entry with its path, link target,
 * kind and size, and hands out regular files' data; it never writes anything.
 *
 * It pulls decompressed bytes from a read callback and does no I/O of its
 * own. Memory is bounded: extended headers (pax 'x'/'g', GNU 'L'/'K') above
 * ATX_TAR_MAX_METADATA bytes are refused, sizes are checked before any data
 * is read, and a truncated archive, a header with a bad checksum or an
 * unknown format is an ATX_ERROR_INVALID error. Errors from the callback are
 * passed on unchanged. Entry kinds a bundle refuses (links, devices, FIFOs,
 * sparse files, volume labels, unknown type flags) are reported, not
 * dropped, so the caller refuses them by name. One reader per thread. */
#pragma once

#include <glib.h>

/* Extended header data per entry (pax records, GNU long names). */
#define ATX_TAR_MAX_METADATA (64u * 1024)

/* Fills up to @len bytes of @buffer with the archive's next bytes; returns
 * how many, 0 at the end of input, -1 with @error set. */
typedef gssize (*AtxTarReadFunc)(guint8 *buffer, gsize len, gpointer user_data, GError **error);

typedef enum {
  ATX_TAR_REGULAR,   /* '0', '\0', '7' (contiguous) */
  ATX_TAR_DIRECTORY, /* '5' */
  ATX_TAR_HARD_LINK, /* '1' */
  ATX_TAR_SYMLINK,   /* '2' */
  ATX_TAR_OTHER,     /* devices, FIFOs, GNU sparse/volume/dumpdir, unknown flags */
} AtxTarKind;

typedef struct {
  const char *path;     /* as stored (pax path > GNU long name > prefix/name) */
  const char *linkpath; /* "" when there is none */
  AtxTarKind kind;
  char typeflag;      /* the header's own flag */
  guint64 size;       /* data bytes that follow the header */
  gsize header_bytes; /* header blocks and extended header data of this entry */
} AtxTarEntry;

typedef struct AtxTarReader AtxTarReader;

AtxTarReader *atx_tar_reader_new(AtxTarReadFunc read, gpointer user_data);
void atx_tar_reader_free(AtxTarReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxTarReader, atx_tar_reader_free)

/* Skips what is left of the current entry's data and reads the next header.
 * Sets *@entry (owned by the reader, valid until the next call) or NULL at the
 * end-of-archive marker. */
gboolean atx_tar_reader_next(AtxTarReader *reader, const AtxTarEntry **entry,
                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads up to @len bytes of the current entry's data: the count, 0 when it is
 * all read, -1 with @error set. */
gssize atx_tar_reader_read_data(AtxTarReader *reader, guint8 *buffer, gsize len,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;
