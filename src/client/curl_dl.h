/* libcurl, loaded on first use (core/base/dlopen.h): only the commands that
 * talk to a device need it, and `atomixctl validate` must not pay for its
 * dependency chain at start-up. http_client.c calls the sym_ pointers below,
 * and only after atx_curl_load() succeeded. A curl function missing here is a
 * link error, never a silent fallback: add it here, in curl_symbols.c and in
 * curl_dl.c's table. */
#pragma once

#include <curl/curl.h>
#include <glib.h>

#include "core/base/dlopen.h"

ATX_DLSYM_PROTOTYPE(curl_easy_init);
ATX_DLSYM_PROTOTYPE(curl_easy_setopt);
ATX_DLSYM_PROTOTYPE(curl_easy_perform);
ATX_DLSYM_PROTOTYPE(curl_easy_getinfo);
ATX_DLSYM_PROTOTYPE(curl_easy_strerror);
ATX_DLSYM_PROTOTYPE(curl_easy_cleanup);
ATX_DLSYM_PROTOTYPE(curl_slist_append);
ATX_DLSYM_PROTOTYPE(curl_slist_free_all);

/* Loads libcurl.so.4 once; fails naming the Debian package libcurl4.
 * ATOMIX_TEST_LIBCURL_SONAME replaces the soname (tests only). */
gboolean atx_curl_load(GError **error) G_GNUC_WARN_UNUSED_RESULT;
