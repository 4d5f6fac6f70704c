/* Reading the device's error bodies, whatever shape they have (reference §1.1):
 * RFC 9457 problem details (422: title, detail, a `diagnostics` array and an
 * `error` string), `{"error": ...}` (404, 409), `{"ok": false, "error": ...}`
 * and `{"status_code", "detail"}`.
 *
 * Pure: no I/O. Malformed entries are skipped rather than trusted; nothing
 * here fails on hostile input. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "core/base/diag.h"

/* The diagnostics of a problem document, in the order the device sent them.
 * Never NULL; empty when @problem has none. */
AtxDiagList *atx_problem_diagnostics(const json_t *problem);

/* The one-line message of an error body: `error`, else `detail`, else `title`;
 * when the body is not JSON, its text (trimmed, at most 2000 bytes); NULL when
 * the body is empty. */
char *atx_problem_message(const char *body, gsize len);
