/* curl_dl.h for the statically linked atomixctl, which cannot load libcurl:
 * a static program has no dynamic loader. Its commands that talk to a device
 * run in atomixctl-remote before they get here (src/atomixctl/main.c,
 * remote_options()); should one ever get here all the same, it fails with a
 * clear error instead of calling dlopen in a static program.
 *
 * Only the static atomixctl builds this file, as one of its own sources, so
 * the linker never takes curl_dl.o from the client library: a symbol added to
 * curl_dl.h but not here ends the link with "multiple definition". */
#include "client/curl_dl.h"

#include "core/base/error.h"

ATX_DLSYM_DEFINE(curl_easy_init);
ATX_DLSYM_DEFINE(curl_easy_setopt);
ATX_DLSYM_DEFINE(curl_easy_perform);
ATX_DLSYM_DEFINE(curl_easy_getinfo);
ATX_DLSYM_DEFINE(curl_easy_strerror);
ATX_DLSYM_DEFINE(curl_easy_cleanup);
ATX_DLSYM_DEFINE(curl_slist_append);
ATX_DLSYM_DEFINE(curl_slist_free_all);

gboolean
atx_curl_load(GError **error)
{
  g_set_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND,
              "this atomixctl is statically linked and cannot load libcurl; commands that talk to a device run "
              "in atomixctl-remote");
  return FALSE;
}
