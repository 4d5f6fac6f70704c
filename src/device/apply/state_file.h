/* Reading the appliers' input files from ROOT/config: a missing file is an
 * answer (NULL text), not an error; any other failure names the path. */
#pragma once

#include <glib.h>

/* *@text_out is NULL when @path does not exist; @len_out may be NULL. */
gboolean atx_apply_read_state_file(const char *path, char **text_out, gsize *len_out,
                                   GError **error) G_GNUC_WARN_UNUSED_RESULT;
