/* TOML 1.0.0 parser: UTF-8 text -> an immutable document tree in which every key
 * and value remembers its line and column.
 *
 * Promises:
 * - Everything the TOML 1.0.0 specification forbids is an error with the line and
 *   column where it was found (invalid UTF-8, control characters, integer overflow,
 *   duplicate keys, redefined tables, ...). No partial document is ever returned.
 * - Input size and nesting depth are bounded (AtxTomlLimits); exceeding a bound is
 *   a named error (ATX_TOML_ERROR_TOO_LARGE / ATX_TOML_ERROR_TOO_DEEP), never a crash.
 * - Tables keep their keys in document order.
 * - Date/time values keep their own types; atx_toml_to_json() turns them into
 *   opaque JSON values (see core/base/instance.h) that never validate as strings, and
 *   atx_toml_instance_class() shows them to the validator the same way.
 *
 * Lines and columns are 1-based; columns count Unicode code points (a leading
 * byte order mark takes none). A value's position is that of its first
 * character; a table's is its [header] (or [[header]] for each element of an
 * array of tables) or, for a table created implicitly by a dotted key or a
 * longer header, the place it was first mentioned. A key's position is where it
 * was first written. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "core/base/instance.h"

#define ATX_TOML_ERROR (atx_toml_error_quark())
GQuark atx_toml_error_quark(void);

typedef enum {
  ATX_TOML_ERROR_SYNTAX,        /* anything the grammar does not allow */
  ATX_TOML_ERROR_ENCODING,      /* invalid UTF-8 or a forbidden control character */
  ATX_TOML_ERROR_DUPLICATE_KEY, /* a key or table defined twice */
  ATX_TOML_ERROR_OVERFLOW,      /* an integer outside the signed 64-bit range */
  ATX_TOML_ERROR_TOO_LARGE,     /* input longer than AtxTomlLimits.max_bytes */
  ATX_TOML_ERROR_TOO_DEEP,      /* nesting deeper than AtxTomlLimits.max_depth */
} AtxTomlErrorCode;

typedef enum {
  ATX_TOML_TABLE,
  ATX_TOML_ARRAY,
  ATX_TOML_STRING,
  ATX_TOML_INTEGER,
  ATX_TOML_FLOAT,
  ATX_TOML_BOOLEAN,
  ATX_TOML_OFFSET_DATETIME, /* 1979-05-27T07:32:00Z */
  ATX_TOML_LOCAL_DATETIME,  /* 1979-05-27T07:32:00 */
  ATX_TOML_LOCAL_DATE,      /* 1979-05-27 */
  ATX_TOML_LOCAL_TIME,      /* 07:32:00 */
} AtxTomlType;

typedef struct {
  gsize max_bytes; /* 0 = ATX_TOML_DEFAULT_MAX_BYTES */
  guint max_depth; /* 0 = ATX_TOML_DEFAULT_MAX_DEPTH; tables and arrays both count,
                     the root table does not: "a = [[1]]" is 2 deep, "[[a.b]]" 3 */
} AtxTomlLimits;

#define ATX_TOML_DEFAULT_MAX_BYTES (32u * 1024u * 1024u)
#define ATX_TOML_DEFAULT_MAX_DEPTH 64u
/* Larger limits are lowered to these: nesting is parsed recursively and the
 * stack must stay small whatever the caller asks for, and counts of keys and
 * elements are 32-bit. */
#define ATX_TOML_MAX_DEPTH_CAP 1024u
#define ATX_TOML_MAX_BYTES_CAP (2u * 1024u * 1024u * 1024u)

/* Where a parse failed. */
typedef struct {
  guint line;
  guint column;
} AtxTomlPosition;

typedef struct _AtxTomlDoc AtxTomlDoc;
typedef struct _AtxTomlValue AtxTomlValue; /* owned by its document */

/* Parses @len bytes of @data (NUL bytes inside are an encoding error). On failure
 * returns NULL, sets @error (message without position) and, if @where is given,
 * the position of the problem. @limits may be NULL for the defaults. */
AtxTomlDoc *atx_toml_parse(const char *data, gsize len, const AtxTomlLimits *limits,
                           AtxTomlPosition *where, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_toml_doc_free(AtxTomlDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxTomlDoc, atx_toml_doc_free)

const AtxTomlValue *atx_toml_doc_root(const AtxTomlDoc *doc);

AtxTomlType atx_toml_value_type(const AtxTomlValue *value);
/* "table", "array", "string", "integer", "float", "boolean", "offset date-time",
 * "local date-time", "local date", "local time". */
const char *atx_toml_type_name(AtxTomlType type);
guint atx_toml_value_line(const AtxTomlValue *value);
guint atx_toml_value_column(const AtxTomlValue *value);

/* Tables: keys in document order. */
guint atx_toml_table_size(const AtxTomlValue *table);
const char *atx_toml_table_key(const AtxTomlValue *table, guint index);
/* Length in bytes of that key: quoted keys may contain U+0000 ("\u0000"). */
gsize atx_toml_table_key_length(const AtxTomlValue *table, guint index);
const AtxTomlValue *atx_toml_table_value(const AtxTomlValue *table, guint index);
/* Position of the key itself (where it was first written). */
guint atx_toml_table_key_line(const AtxTomlValue *table, guint index);
guint atx_toml_table_key_column(const AtxTomlValue *table, guint index);
const AtxTomlValue *atx_toml_table_get(const AtxTomlValue *table, const char *key);

/* Arrays (including arrays of tables). */
guint atx_toml_array_length(const AtxTomlValue *array);
const AtxTomlValue *atx_toml_array_get(const AtxTomlValue *array, guint index);

/* Scalars. Strings are UTF-8 and may contain U+0000, hence the length. */
const char *atx_toml_value_string(const AtxTomlValue *value, gsize *len_out);
gint64 atx_toml_value_integer(const AtxTomlValue *value);
double atx_toml_value_float(const AtxTomlValue *value);
gboolean atx_toml_value_boolean(const AtxTomlValue *value);
/* Date/time values as RFC 3339 text normalised as toml-test expects: "T"
 * separator, upper-case "Z", seconds always present, fractional seconds kept. */
const char *atx_toml_value_datetime(const AtxTomlValue *value);

/* Follows a JSON Pointer from the root; NULL when it names nothing. */
const AtxTomlValue *atx_toml_doc_lookup(const AtxTomlDoc *doc, const char *pointer);

/* Position of the value named by @pointer, or of its nearest existing ancestor.
 * Has the signature of an AtxDiagLocator (user_data = the document). */
gboolean atx_toml_doc_locate(const char *pointer, guint *line, guint *column, gpointer doc);

/* Plain JSON for schema validation: tables -> objects (key order kept), arrays ->
 * arrays, strings -> strings, integers -> integers, floats -> reals (nan/inf become
 * opaque "float" values), booleans -> booleans, date/times -> opaque values naming
 * their TOML type. */
json_t *atx_toml_to_json(const AtxTomlValue *value);

/* The validator's view of a document without a jansson copy: handles are
 * const AtxTomlValue *, read as atx_toml_to_json would convert them (the same
 * kinds, opaque values and key order), so
 *   atx_json_schema_validate_instance(schema, atx_toml_instance_class(), root, &errors)
 * gives the same result and errors as validating atx_toml_to_json(root). */
const AtxJsonInstanceClass *atx_toml_instance_class(void);

/* toml-test's tagged JSON ({"type":"integer","value":"42"} for every scalar). */
json_t *atx_toml_to_tagged_json(const AtxTomlValue *value);
