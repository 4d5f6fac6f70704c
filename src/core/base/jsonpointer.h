/* JSON Pointers (RFC 6901): the one way every module names a place in a document.
 *
 * Diagnostics, the schema validator and the TOML locator all speak pointers, so a
 * problem found in any stage can be mapped back to a TOML line and column. */
#pragma once

#include <glib.h>

/* Appends "/" + the escaped token ("~" -> "~0", "/" -> "~1") to @pointer. */
void atx_json_pointer_append(GString *pointer, const char *token);
void atx_json_pointer_append_len(GString *pointer, const char *token, gsize len);
void atx_json_pointer_append_index(GString *pointer, gsize index);

/* Returns a new pointer: @base followed by @token, escaped. */
char *atx_json_pointer_join(const char *base, const char *token);

/* Splits @pointer into its unescaped tokens. "" gives an empty array (the whole
 * document). Fails on a pointer that does not start with "/" or holds a "~" that
 * is not "~0" or "~1". */
GStrv atx_json_pointer_split(const char *pointer, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Parses an array index token: digits only, no leading zero, fits in gsize. */
gboolean atx_json_pointer_parse_index(const char *token, gsize *index_out);
