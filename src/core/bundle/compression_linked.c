/* compression_dl.h for a statically linked program: zlib and libzstd are
 * linked in, so there is nothing to load and nothing that can be missing.
 *
 * Only the static atomixctl (src/atomixctl/meson.build) builds this file, as
 * one of its own sources. The linker then finds atx_zlib_load, atx_zstd_load
 * and every sym_ pointer already defined when it reaches the archive of the
 * libraries' objects, and never takes compression_dl.o from it, so no dlopen
 * is attempted in a process that has no dynamic loader. A symbol added to
 * compression_dl.h but not here ends the link with "multiple definition".
 * Everyone else links compression_dl.c. */
#include "core/bundle/compression_dl.h"

#define ATX_LINKED_SYMBOL(symbol) __typeof__(symbol) *sym_##symbol = symbol

ATX_LINKED_SYMBOL(inflateInit2_);
ATX_LINKED_SYMBOL(inflate);
ATX_LINKED_SYMBOL(inflateReset);
ATX_LINKED_SYMBOL(inflateEnd);

ATX_LINKED_SYMBOL(ZSTD_createDCtx);
ATX_LINKED_SYMBOL(ZSTD_freeDCtx);
ATX_LINKED_SYMBOL(ZSTD_DCtx_setParameter);
ATX_LINKED_SYMBOL(ZSTD_decompressStream);
ATX_LINKED_SYMBOL(ZSTD_isError);
ATX_LINKED_SYMBOL(ZSTD_getErrorCode);
ATX_LINKED_SYMBOL(ZSTD_getErrorName);

gboolean
atx_zlib_load(GError **error)
{
  (void) error;
  return TRUE;
}

gboolean
atx_zstd_load(GError **error)
{
  (void) error;
  return TRUE;
}
