/* curl_dl.h for the statically linked atomixctl, which cannot load libcurl:
 * a static program has no dynamic loader. Its commands that talk to a device
 * run in atomixctl-remote before they get here (src/atomixctl/main.c,
 * remote_options()); should one ever get here all the same, it fails with a
 * clear error instead of calling dlopen in a static program.
 *
 * Only the static atomixctl builds this file, as one of its own sources, so
 * the linker never takes curl_dl.o from the client library (the pointers
 * themselves come from curl_symbols.c, which has no loader). */
#include "client/curl_dl.h"

#include "core/base/error.h"

gboolean
atx_curl_load(GError **error)
{
  g_set_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND,
              "this atomixctl is statically linked and cannot load libcurl; commands that talk to a device run "
              "in atomixctl-remote");
  return FALSE;
}
