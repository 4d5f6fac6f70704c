/* zlib and libzstd, each loaded on first use (core/base/dlopen.h): only
 * bundles need them, so a plain config.toml or an idle daemon never maps
 * them. Code in core/bundle calls the sym_ pointers below, and only after the
 * matching load function succeeded. */
#pragma once

#include <glib.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "core/base/dlopen.h"

ATX_DLSYM_PROTOTYPE(inflateInit2_);
ATX_DLSYM_PROTOTYPE(inflate);
ATX_DLSYM_PROTOTYPE(inflateReset);
ATX_DLSYM_PROTOTYPE(inflateEnd);

ATX_DLSYM_PROTOTYPE(ZSTD_createDCtx);
ATX_DLSYM_PROTOTYPE(ZSTD_freeDCtx);
ATX_DLSYM_PROTOTYPE(ZSTD_DCtx_setParameter);
ATX_DLSYM_PROTOTYPE(ZSTD_decompressStream);
ATX_DLSYM_PROTOTYPE(ZSTD_isError);
ATX_DLSYM_PROTOTYPE(ZSTD_getErrorCode);
ATX_DLSYM_PROTOTYPE(ZSTD_getErrorName);

/* Load libz.so.1 / libzstd.so.1 once; fail naming the Debian package (zlib1g,
 * libzstd1). ATOMIX_TEST_LIBZ_SONAME and ATOMIX_TEST_LIBZSTD_SONAME replace
 * the sonames (tests only). */
gboolean atx_zlib_load(GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_zstd_load(GError **error) G_GNUC_WARN_UNUSED_RESULT;
