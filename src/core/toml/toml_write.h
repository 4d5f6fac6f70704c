/* Canonical TOML writer: a JSON document (as atx_toml_to_json() makes it,
 * opaque values for dates, times and non-finite floats) back to TOML text.
 *
 * Used by partial edits: the active config is parsed, edited as JSON, and
 * written back. The output is deterministic and round-trips: parsing it gives
 * the same document. Canonical form, per table:
 *   - `key = value` lines for every value that is not a table or an array of
 *     tables, in document order;
 *   - then each sub-table as a `[dotted.header]` section (a header is written
 *     for a table with plain keys, or an empty one, so empty tables survive);
 *   - then each array of tables as repeated `[[dotted.header]]` sections.
 * Keys are bare when they match [A-Za-z0-9_-]+ and quoted otherwise. Strings
 * are basic strings; only quotes, backslashes and control characters are
 * escaped, so any other character (including outside the BMP) is written as
 * UTF-8. Comments and the original layout are not kept. */
#pragma once

#include <glib.h>
#include <jansson.h>

/* Fails for what TOML cannot hold: a root that is not an object, null, or an
 * opaque value of unknown type; and for nesting deeper than the TOML parser
 * could ever produce (ATX_TOML_MAX_DEPTH_CAP). */
char *atx_toml_write(const json_t *document, GError **error) G_GNUC_WARN_UNUSED_RESULT;
