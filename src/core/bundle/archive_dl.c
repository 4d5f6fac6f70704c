#include "core/bundle/archive_dl.h"

ATX_DLSYM_DEFINE(archive_read_new);
ATX_DLSYM_DEFINE(archive_read_free);
ATX_DLSYM_DEFINE(archive_read_support_filter_gzip);
ATX_DLSYM_DEFINE(archive_read_support_filter_zstd);
ATX_DLSYM_DEFINE(archive_read_support_format_tar);
ATX_DLSYM_DEFINE(archive_read_open);
ATX_DLSYM_DEFINE(archive_read_next_header);
ATX_DLSYM_DEFINE(archive_read_data);
ATX_DLSYM_DEFINE(archive_error_string);
ATX_DLSYM_DEFINE(archive_entry_pathname);
ATX_DLSYM_DEFINE(archive_entry_filetype);
ATX_DLSYM_DEFINE(archive_entry_hardlink);
ATX_DLSYM_DEFINE(archive_entry_size);

static const AtxDlSymbol archive_symbols[] = {
  ATX_DLSYM_ARG(archive_read_new),
  ATX_DLSYM_ARG(archive_read_free),
  ATX_DLSYM_ARG(archive_read_support_filter_gzip),
  ATX_DLSYM_ARG(archive_read_support_filter_zstd),
  ATX_DLSYM_ARG(archive_read_support_format_tar),
  ATX_DLSYM_ARG(archive_read_open),
  ATX_DLSYM_ARG(archive_read_next_header),
  ATX_DLSYM_ARG(archive_read_data),
  ATX_DLSYM_ARG(archive_error_string),
  ATX_DLSYM_ARG(archive_entry_pathname),
  ATX_DLSYM_ARG(archive_entry_filetype),
  ATX_DLSYM_ARG(archive_entry_hardlink),
  ATX_DLSYM_ARG(archive_entry_size),
  { NULL, NULL },
};

static AtxDlLibrary libarchive = {
  .soname = "libarchive.so.13",
  .package = "libarchive13",
  .purpose = "to read .tar.gz/.tar.zst bundles",
  .soname_override_env = "ATOMIX_TEST_LIBARCHIVE_SONAME",
  .symbols = archive_symbols,
};

gboolean
atx_archive_load(GError **error)
{
  return atx_dl_library_load(&libarchive, error);
}
