#include "device/apply/nft_dl.h"

ATX_DLSYM_DEFINE(nft_ctx_new);
ATX_DLSYM_DEFINE(nft_ctx_free);
ATX_DLSYM_DEFINE(nft_ctx_buffer_output);
ATX_DLSYM_DEFINE(nft_ctx_buffer_error);
ATX_DLSYM_DEFINE(nft_ctx_set_dry_run);
ATX_DLSYM_DEFINE(nft_ctx_get_error_buffer);
ATX_DLSYM_DEFINE(nft_run_cmd_from_buffer);

static const AtxDlSymbol nft_symbols[] = {
  ATX_DLSYM_ARG(nft_ctx_new),
  ATX_DLSYM_ARG(nft_ctx_free),
  ATX_DLSYM_ARG(nft_ctx_buffer_output),
  ATX_DLSYM_ARG(nft_ctx_buffer_error),
  ATX_DLSYM_ARG(nft_ctx_set_dry_run),
  ATX_DLSYM_ARG(nft_ctx_get_error_buffer),
  ATX_DLSYM_ARG(nft_run_cmd_from_buffer),
  { NULL, NULL },
};

static AtxDlLibrary libnftables = {
  .soname = "libnftables.so.1",
  .package = "libnftables1",
  .purpose = "to apply the firewall",
  .soname_override_env = "ATOMIX_TEST_LIBNFTABLES_SONAME",
  .symbols = nft_symbols,
};

gboolean
atx_nft_load(GError **error)
{
  return atx_dl_library_load(&libnftables, error);
}
