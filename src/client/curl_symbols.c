/* The sym_ pointers of curl_dl.h, apart from the loader that fills them
 * (curl_dl.c), so that the static atomixctl can take them with its own
 * loader, curl_absent.c. */
#include "client/curl_dl.h"

ATX_DLSYM_DEFINE(curl_easy_init);
ATX_DLSYM_DEFINE(curl_easy_setopt);
ATX_DLSYM_DEFINE(curl_easy_perform);
ATX_DLSYM_DEFINE(curl_easy_getinfo);
ATX_DLSYM_DEFINE(curl_easy_strerror);
ATX_DLSYM_DEFINE(curl_easy_cleanup);
ATX_DLSYM_DEFINE(curl_slist_append);
ATX_DLSYM_DEFINE(curl_slist_free_all);
