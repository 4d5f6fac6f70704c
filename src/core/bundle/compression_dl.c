#include "core/bundle/compression_dl.h"

ATX_DLSYM_DEFINE(inflateInit2_);
ATX_DLSYM_DEFINE(inflate);
ATX_DLSYM_DEFINE(inflateReset);
ATX_DLSYM_DEFINE(inflateEnd);

static const AtxDlSymbol zlib_symbols[] = {
  ATX_DLSYM_ARG(inflateInit2_), ATX_DLSYM_ARG(inflate), ATX_DLSYM_ARG(inflateReset),
  ATX_DLSYM_ARG(inflateEnd),    { NULL, NULL },
};

static AtxDlLibrary zlib_library = {
  .soname = "libz.so.1",
  .package = "zlib1g",
  .purpose = "to read .tar.gz bundles",
  .soname_override_env = "ATOMIX_TEST_LIBZ_SONAME",
  .symbols = zlib_symbols,
};

ATX_DLSYM_DEFINE(ZSTD_createDCtx);
ATX_DLSYM_DEFINE(ZSTD_freeDCtx);
ATX_DLSYM_DEFINE(ZSTD_DCtx_setParameter);
ATX_DLSYM_DEFINE(ZSTD_decompressStream);
ATX_DLSYM_DEFINE(ZSTD_isError);
ATX_DLSYM_DEFINE(ZSTD_getErrorCode);
ATX_DLSYM_DEFINE(ZSTD_getErrorName);

static const AtxDlSymbol zstd_symbols[] = {
  ATX_DLSYM_ARG(ZSTD_createDCtx),        ATX_DLSYM_ARG(ZSTD_freeDCtx),
  ATX_DLSYM_ARG(ZSTD_DCtx_setParameter), ATX_DLSYM_ARG(ZSTD_decompressStream),
  ATX_DLSYM_ARG(ZSTD_isError),           ATX_DLSYM_ARG(ZSTD_getErrorCode),
  ATX_DLSYM_ARG(ZSTD_getErrorName),      { NULL, NULL },
};

static AtxDlLibrary zstd_library = {
  .soname = "libzstd.so.1",
  .package = "libzstd1",
  .purpose = "to read .tar.zst bundles",
  .soname_override_env = "ATOMIX_TEST_LIBZSTD_SONAME",
  .symbols = zstd_symbols,
};

gboolean
atx_zlib_load(GError **error)
{
  return atx_dl_library_load(&zlib_library, error);
}

gboolean
atx_zstd_load(GError **error)
{
  return atx_dl_library_load(&zstd_library, error);
}
