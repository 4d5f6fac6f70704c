#include "client/curl_dl.h"

static const AtxDlSymbol curl_symbols[] = {
  ATX_DLSYM_ARG(curl_easy_init),    ATX_DLSYM_ARG(curl_easy_setopt),    ATX_DLSYM_ARG(curl_easy_perform),
  ATX_DLSYM_ARG(curl_easy_getinfo), ATX_DLSYM_ARG(curl_easy_strerror),  ATX_DLSYM_ARG(curl_easy_cleanup),
  ATX_DLSYM_ARG(curl_slist_append), ATX_DLSYM_ARG(curl_slist_free_all), { NULL, NULL },
};

static AtxDlLibrary libcurl = {
  .soname = "libcurl.so.4",
  .package = "libcurl4",
  .purpose = "to talk to a device over HTTP",
  .soname_override_env = "ATOMIX_TEST_LIBCURL_SONAME",
  .symbols = curl_symbols,
};

gboolean
atx_curl_load(GError **error)
{
  return atx_dl_library_load(&libcurl, error);
}
