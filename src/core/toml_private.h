/* Internals shared by the TOML translation units (toml.c, toml_lexer.c,
 * toml_parser.c, toml_json.c, toml_instance.c). Not an API: nothing outside src/core/toml*.c may
 * include this header.
 *
 * A document owns one arena; every value, key, string and container buffer lives
 * in it, so parsing does no per-value malloc and freeing is a walk over a handful
 * of chunks. */
#pragma once

#include "core/toml.h"

/* Value flags. */
enum {
  /* Table defined by a [header] (or an array-of-tables element): no second header
   * and no dotted key may define it again. */
  ATX_TOML_FLAG_EXPLICIT = 1 << 0,
  /* Inline table or static array: complete once written, nothing may extend it. */
  ATX_TOML_FLAG_FROZEN = 1 << 1,
  /* Array created by [[header]]; only those may be appended to by headers. */
  ATX_TOML_FLAG_TABLE_ARRAY = 1 << 2,
};

typedef struct {
  const char *key; /* NUL-terminated copy; may also contain NUL, hence key_len */
  guint32 key_len;
  guint32 line;
  guint32 column;
  AtxTomlValue *value;
} AtxTomlEntry;

struct _AtxTomlValue {
  guint8 type;  /* AtxTomlType */
  guint8 flags; /* ATX_TOML_FLAG_* */
  guint16 depth; /* containers between the root and this value; the root is 0 */
  guint32 line;
  guint32 column;
  /* Tables only: the section (header body or inline table) whose dotted keys
   * defined this table, 0 when no dotted key did. Dotted keys may keep adding to
   * such a table only from that same section. */
  guint32 section;
  union {
    struct {
      AtxTomlEntry *entries;
      /* Hash index (entry index + 1, 0 = empty) behind a two-word header holding
       * the mask and the hash seed; NULL for small tables. */
      guint32 *slots;
      guint32 len;
      guint32 cap;
    } table;
    struct {
      AtxTomlValue **items;
      guint32 len;
      guint32 cap;
    } array;
    struct {
      const char *str; /* NUL-terminated; date/times use it for their RFC 3339 text */
      gsize len;
    } string;
    gint64 integer;
    double floating;
    gboolean boolean;
  } as;
};

/* Documents are made of these: every byte counts on inputs of tiny values. */
G_STATIC_ASSERT(GLIB_SIZEOF_VOID_P != 8 || sizeof(AtxTomlValue) == 40);

/* Creates an empty document sized for @input_len bytes of TOML; its root is an
 * empty table. */
AtxTomlDoc *atx_toml_doc_new_for_input(gsize input_len);
AtxTomlValue *atx_toml_doc_root_mutable(AtxTomlDoc *doc);

/* Arena memory, 8-byte aligned, freed with the document. Never returns NULL. */
gpointer atx_toml_arena_alloc(AtxTomlDoc *doc, gsize size);
/* Copies @len bytes and appends a NUL. */
char *atx_toml_arena_strndup(AtxTomlDoc *doc, const char *str, gsize len);

AtxTomlValue *atx_toml_value_new(AtxTomlDoc *doc, AtxTomlType type, guint line, guint column);

/* Entries by key bytes; NULL when absent. */
AtxTomlEntry *atx_toml_table_find(const AtxTomlValue *table, const char *key, gsize len);
/* Appends an entry (the caller has checked the key is new); the key is copied. */
void atx_toml_table_insert(AtxTomlDoc *doc, AtxTomlValue *table, const char *key, gsize len,
                           guint line, guint column, AtxTomlValue *value);
void atx_toml_array_append(AtxTomlDoc *doc, AtxTomlValue *array, AtxTomlValue *item);

/* "nan", "inf" or "-inf": how a non-finite float is named as an opaque value,
 * the same in the JSON conversion and the validator's instance class. */
const char *atx_toml_non_finite_text(double d);
