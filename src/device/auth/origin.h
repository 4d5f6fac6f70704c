/* The browser-origin policy of the first boot (reference §7.3): before any
 * admin exists, unauthenticated submissions (GET /, POST /apply, unsigned
 * POST /api/config) must come from a page served by this device, so a web
 * page elsewhere cannot make a visitor's browser provision it (DNS
 * rebinding, cross-site form posts).
 *
 * Host must be a name a LAN client uses for the device: localhost, gateway,
 * atomixos, *.local, or an IPv4/IPv6 literal (with an optional port). Origin
 * and then Referer, when present and non-empty, must be http(s) URLs whose
 * (scheme, host, port) equals ("http", Host's host, Host's port or 80). Absent
 * headers pass: curl and other non-browser clients send no Origin.
 *
 * Pure and thread-safe. */
#pragma once

#include <glib.h>

#define ATX_ORIGIN_ERROR (atx_origin_error_quark())
GQuark atx_origin_error_quark(void);

typedef enum {
  ATX_ORIGIN_ERROR_HOST,    /* "bootstrap host is not allowed" */
  ATX_ORIGIN_ERROR_ORIGIN,  /* "bootstrap origin is not allowed" */
  ATX_ORIGIN_ERROR_REFERER, /* "bootstrap referer is not allowed" */
} AtxOriginError;

/* Header values, NULL when absent. FALSE with the 401 detail as message. */
gboolean atx_browser_origin_check(const char *host, const char *origin, const char *referer,
                                  GError **error) G_GNUC_WARN_UNUSED_RESULT;
