/* The one way atomixctl shows a list of diagnostics, shared by the offline
 * `validate` and every remote command that gets diagnostics back from the
 * device (422 on apply and validate, a failed job's diagnostics), so an
 * operator sees the same lines whichever side found the problem. */
#pragma once

#include <glib.h>

#include "core/base/diag.h"

/* Prints every diagnostic as FILE:LINE:COLUMN: severity[code]: message (to
 * stderr), then "Invalid: LABEL (N errors, M warnings)" to stderr when @valid
 * is FALSE, or "Valid: LABEL (M warnings)" to stdout. Returns the exit status:
 * 0 valid, ATX_EXIT_FAILED invalid. */
int atx_report_diagnostics(const AtxDiagList *diags, const char *filename, const char *label, gboolean valid);

/* The name diagnostics of @path carry, as `validate` names them: the path for
 * plain TOML and for problems with the bundle itself ("bundle.*" codes),
 * "PATH:config.toml" for problems inside a bundle's config. */
char *atx_report_filename(const char *path, gboolean is_bundle, const AtxDiagList *diags);
