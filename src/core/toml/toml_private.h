/* Internals shared by the TOML translation units (toml.c, toml_lexer.c,
 * toml_parser.c, toml_json.c, toml_instance.c). Not an API: nothing outside src/core/toml*.c may
 * include this header.
 *
 * A document owns one arena; every value, key, string and container buffer lives
 * in it, so parsing does no per-value malloc and freeing is a walk over a handful
 * of chunks. Keys and strings live in the document's copy of the input text,
 * where the parser terminates (and unescapes) them in place. */
#pragma once

#include <string.h>

#include "core/toml/toml.h"

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

/* The document itself lives at the start of its first arena chunk. Visible here
 * so that the allocations of the parser's inner loops are inlined. */
typedef struct _AtxTomlArenaChunk AtxTomlArenaChunk;
struct _AtxTomlDoc {
  /* Free space of the newest chunk. */
  guint8 *free;
  guint8 *free_end;
  /* Newest chunk first; chunks of large blocks sit behind it. */
  AtxTomlArenaChunk *chunks;
  gsize next_chunk_size;
  guint32 hash_seed;
  AtxTomlValue *root;
};

#define ATX_TOML_ARENA_ALIGN 8u

/* Creates an empty document sized for @input_len bytes of TOML; its root is an
 * empty table. */
AtxTomlDoc *atx_toml_doc_new_for_input(gsize input_len);
AtxTomlValue *atx_toml_doc_root_mutable(AtxTomlDoc *doc);

/* Out of line: a new chunk, or a chunk of its own for a large block. */
gpointer atx_toml_arena_alloc_slow(AtxTomlDoc *doc, gsize size);

/* Arena memory, 8-byte aligned, not zeroed, freed with the document. Never
 * returns NULL. */
static inline gpointer
atx_toml_arena_alloc(AtxTomlDoc *doc, gsize size)
{
  size = (size + ATX_TOML_ARENA_ALIGN - 1) & ~(gsize)(ATX_TOML_ARENA_ALIGN - 1);
  if (G_UNLIKELY((gsize)(doc->free_end - doc->free) < size))
    return atx_toml_arena_alloc_slow(doc, size);
  gpointer p = doc->free;
  doc->free += size;
  return p;
}

/* Copies @len bytes and appends a NUL. */
char *atx_toml_arena_strndup(AtxTomlDoc *doc, const char *str, gsize len);

static inline AtxTomlValue *
atx_toml_value_new(AtxTomlDoc *doc, AtxTomlType type, guint line, guint column)
{
  AtxTomlValue *value = atx_toml_arena_alloc(doc, sizeof(AtxTomlValue));
  *value = (AtxTomlValue){ .type = type, .line = line, .column = column };
  return value;
}

/* Containers start with room for this many entries or items, allocated with
 * them: most tables and arrays of configuration files stay that small. */
#define ATX_TOML_INITIAL_CAPACITY 4u

static inline AtxTomlValue *
atx_toml_table_new(AtxTomlDoc *doc, guint line, guint column)
{
  AtxTomlValue *table = atx_toml_arena_alloc(doc, sizeof(AtxTomlValue) +
                                                      ATX_TOML_INITIAL_CAPACITY * sizeof(AtxTomlEntry));
  *table = (AtxTomlValue){ .type = ATX_TOML_TABLE, .line = line, .column = column };
  table->as.table.entries = (AtxTomlEntry *)(table + 1);
  table->as.table.cap = ATX_TOML_INITIAL_CAPACITY;
  return table;
}

static inline AtxTomlValue *
atx_toml_array_new(AtxTomlDoc *doc, guint line, guint column)
{
  AtxTomlValue *array = atx_toml_arena_alloc(doc, sizeof(AtxTomlValue) +
                                                      ATX_TOML_INITIAL_CAPACITY * sizeof(AtxTomlValue *));
  *array = (AtxTomlValue){ .type = ATX_TOML_ARRAY, .line = line, .column = column };
  array->as.array.items = (AtxTomlValue **)(array + 1);
  array->as.array.cap = ATX_TOML_INITIAL_CAPACITY;
  return array;
}

/* Tables up to this size are scanned linearly: faster than hashing for the small
 * tables configuration files are made of. Larger ones get a hash index, so
 * that duplicate checks stay linear in the number of keys. */
#define ATX_TOML_TABLE_INDEX_THRESHOLD 12u

AtxTomlEntry *atx_toml_table_find_indexed(const AtxTomlValue *table, const char *key, gsize len);

/* Entries by key bytes; NULL when absent. */
static inline AtxTomlEntry *
atx_toml_table_find(const AtxTomlValue *table, const char *key, gsize len)
{
  if (table->as.table.slots)
    return atx_toml_table_find_indexed(table, key, len);
  AtxTomlEntry *entries = table->as.table.entries;
  /* Most keys differ in length or first byte: no memcmp call for those. */
  for (guint32 i = 0; i < table->as.table.len; i++) {
    if (entries[i].key_len == len && (len == 0 || entries[i].key[0] == key[0]) &&
        memcmp(entries[i].key, key, len) == 0)
      return &entries[i];
  }
  return NULL;
}

/* Out of line: growing the entries, building or extending the index. */
void atx_toml_table_insert_slow(AtxTomlDoc *doc, AtxTomlValue *table, const char *key, gsize len,
                                guint line, guint column, AtxTomlValue *value);

/* Appends an entry (the caller has checked the key is new). @key must be owned
 * by the document and NUL-terminated at @len: it is stored, not copied. */
static inline void
atx_toml_table_insert(AtxTomlDoc *doc, AtxTomlValue *table, const char *key, gsize len, guint line,
                      guint column, AtxTomlValue *value)
{
  guint32 n = table->as.table.len;
  if (G_UNLIKELY(n == table->as.table.cap || n >= ATX_TOML_TABLE_INDEX_THRESHOLD)) {
    atx_toml_table_insert_slow(doc, table, key, len, line, column, value);
    return;
  }
  table->as.table.entries[n] = (AtxTomlEntry){ key, (guint32)len, line, column, value };
  table->as.table.len = n + 1;
}

void atx_toml_array_grow(AtxTomlDoc *doc, AtxTomlValue *array);

static inline void
atx_toml_array_append(AtxTomlDoc *doc, AtxTomlValue *array, AtxTomlValue *item)
{
  if (G_UNLIKELY(array->as.array.len == array->as.array.cap))
    atx_toml_array_grow(doc, array);
  array->as.array.items[array->as.array.len++] = item;
}

/* "nan", "inf" or "-inf": how a non-finite float is named as an opaque value,
 * the same in the JSON conversion and the validator's instance class. */
const char *atx_toml_non_finite_text(double d);
