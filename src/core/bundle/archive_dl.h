/* libarchive, loaded on first use (core/base/dlopen.h): only bundles need it,
 * and its dependency chain (libxml2, ICU, libstdc++ ...) would otherwise cost
 * every start of atomixctl and atomixd. Code in core/bundle calls the sym_
 * pointers below, and only after atx_archive_load() succeeded. */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include "core/base/dlopen.h"

ATX_DLSYM_PROTOTYPE(archive_read_new);
ATX_DLSYM_PROTOTYPE(archive_read_free);
ATX_DLSYM_PROTOTYPE(archive_read_support_filter_gzip);
ATX_DLSYM_PROTOTYPE(archive_read_support_filter_zstd);
ATX_DLSYM_PROTOTYPE(archive_read_support_format_tar);
ATX_DLSYM_PROTOTYPE(archive_read_open);
ATX_DLSYM_PROTOTYPE(archive_read_next_header);
ATX_DLSYM_PROTOTYPE(archive_read_data);
ATX_DLSYM_PROTOTYPE(archive_error_string);
ATX_DLSYM_PROTOTYPE(archive_entry_pathname);
ATX_DLSYM_PROTOTYPE(archive_entry_filetype);
ATX_DLSYM_PROTOTYPE(archive_entry_hardlink);
ATX_DLSYM_PROTOTYPE(archive_entry_size);

/* Loads libarchive.so.13 once; fails naming the Debian package libarchive13.
 * ATOMIX_TEST_LIBARCHIVE_SONAME replaces the soname (tests only). */
gboolean atx_archive_load(GError **error) G_GNUC_WARN_UNUSED_RESULT;
