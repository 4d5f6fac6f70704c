/* The TOML document tree: arena, tables with a hash index, accessors, JSON Pointer
 * lookups. Parsing lives in toml_parser.c, conversions in toml_json.c. */
#include "core/toml/toml.h"

#include "core/base/jsonpointer.h"
#include "core/toml/toml_private.h"

G_DEFINE_QUARK(atx-toml-error-quark, atx_toml_error)

struct _AtxTomlArenaChunk {
  AtxTomlArenaChunk *next;
  gsize padding; /* keeps data[] 16-byte aligned on 64-bit */
  guint8 data[];
};

#define ARENA_MIN_CHUNK 4096u
#define ARENA_MAX_CHUNK (1024u * 1024u)

static AtxTomlArenaChunk *
arena_chunk_new(gsize size)
{
  /* Not zeroed: every allocation is written before it is read. */
  AtxTomlArenaChunk *chunk = g_malloc(sizeof(AtxTomlArenaChunk) + size);
  chunk->next = NULL;
  return chunk;
}

AtxTomlDoc *
atx_toml_doc_new_for_input(gsize input_len)
{
  /* A document holds a copy of its input (keys and strings live there) and
   * typically four to five times its size in nodes and entries; starting there
   * spares configuration files a second chunk. */
  gsize size = CLAMP(input_len * 6 + 1024, ARENA_MIN_CHUNK, ARENA_MAX_CHUNK);
  AtxTomlArenaChunk *first = arena_chunk_new(size);
  AtxTomlDoc *doc = (AtxTomlDoc *)first->data;
  gsize header = (sizeof(AtxTomlDoc) + ATX_TOML_ARENA_ALIGN - 1) & ~(gsize)(ATX_TOML_ARENA_ALIGN - 1);

  doc->free = first->data + header;
  doc->free_end = first->data + size;
  doc->chunks = first;
  doc->next_chunk_size = MIN(size * 2, ARENA_MAX_CHUNK);
  /* The address differs between runs (ASLR), which is enough to keep crafted
   * keys from colliding on purpose in every process. */
  doc->hash_seed = (guint32)(((guintptr)doc >> 4) * 2654435761u) ^ 0x9e3779b9u;
  doc->root = atx_toml_table_new(doc, 1, 1);
  doc->root->flags = ATX_TOML_FLAG_EXPLICIT;
  return doc;
}

void
atx_toml_doc_free(AtxTomlDoc *doc)
{
  if (!doc)
    return;
  AtxTomlArenaChunk *chunk = doc->chunks;
  while (chunk) {
    AtxTomlArenaChunk *next = chunk->next;
    g_free(chunk);
    chunk = next;
  }
}

gpointer
atx_toml_arena_alloc_slow(AtxTomlDoc *doc, gsize size)
{
  if (size > doc->next_chunk_size / 2) {
    /* A large block gets a chunk of its own behind the current one, so the
     * current chunk's free space is not abandoned. */
    AtxTomlArenaChunk *big = arena_chunk_new(size);
    big->next = doc->chunks->next;
    doc->chunks->next = big;
    return big->data;
  }
  AtxTomlArenaChunk *chunk = arena_chunk_new(doc->next_chunk_size);
  chunk->next = doc->chunks;
  doc->chunks = chunk;
  doc->free = chunk->data + size;
  doc->free_end = chunk->data + doc->next_chunk_size;
  doc->next_chunk_size = MIN(doc->next_chunk_size * 2, ARENA_MAX_CHUNK);
  return chunk->data;
}

char *
atx_toml_arena_strndup(AtxTomlDoc *doc, const char *str, gsize len)
{
  char *copy = atx_toml_arena_alloc(doc, len + 1);
  if (len)
    memcpy(copy, str, len);
  copy[len] = '\0';
  return copy;
}

AtxTomlValue *
atx_toml_doc_root_mutable(AtxTomlDoc *doc)
{
  return doc->root;
}

static guint32
hash_key(guint32 seed, const char *key, gsize len)
{
  guint32 h = seed ^ 2166136261u;
  for (gsize i = 0; i < len; i++) {
    h ^= (guint8)key[i];
    h *= 16777619u;
  }
  return h ^ (h >> 15);
}

/* A value cannot reach its document, so the mask and the hash seed are stored
 * just before a table's slots: lookups through a const table need no document. */
#define SLOTS_MASK(slots) ((slots)[-2])
#define SLOTS_SEED(slots) ((slots)[-1])

static void
table_index_build(AtxTomlDoc *doc, AtxTomlValue *table, guint32 capacity)
{
  guint32 *block = atx_toml_arena_alloc(doc, (capacity + 2) * sizeof(guint32));
  memset(block, 0, (capacity + 2) * sizeof(guint32));
  guint32 *slots = block + 2;
  SLOTS_MASK(slots) = capacity - 1;
  SLOTS_SEED(slots) = doc->hash_seed;
  for (guint32 i = 0; i < table->as.table.len; i++) {
    const AtxTomlEntry *e = &table->as.table.entries[i];
    guint32 s = hash_key(doc->hash_seed, e->key, e->key_len) & (capacity - 1);
    while (slots[s])
      s = (s + 1) & (capacity - 1);
    slots[s] = i + 1;
  }
  table->as.table.slots = slots;
}

AtxTomlEntry *
atx_toml_table_find_indexed(const AtxTomlValue *table, const char *key, gsize len)
{
  AtxTomlEntry *entries = table->as.table.entries;
  const guint32 *slots = table->as.table.slots;
  guint32 mask = SLOTS_MASK(slots);
  for (guint32 s = hash_key(SLOTS_SEED(slots), key, len) & mask; slots[s]; s = (s + 1) & mask) {
    AtxTomlEntry *e = &entries[slots[s] - 1];
    if (e->key_len == len && memcmp(e->key, key, len) == 0)
      return e;
  }
  return NULL;
}

static void
table_reserve(AtxTomlDoc *doc, AtxTomlValue *table)
{
  guint32 cap = table->as.table.cap ? table->as.table.cap * 2 : 4;
  AtxTomlEntry *entries = atx_toml_arena_alloc(doc, cap * sizeof(AtxTomlEntry));
  if (table->as.table.len)
    memcpy(entries, table->as.table.entries, table->as.table.len * sizeof(AtxTomlEntry));
  table->as.table.entries = entries;
  table->as.table.cap = cap;
}

void
atx_toml_table_insert_slow(AtxTomlDoc *doc, AtxTomlValue *table, const char *key, gsize len,
                           guint line, guint column, AtxTomlValue *value)
{
  if (table->as.table.len == table->as.table.cap)
    table_reserve(doc, table);
  guint32 index = table->as.table.len++;
  AtxTomlEntry *e = &table->as.table.entries[index];
  *e = (AtxTomlEntry){ key, (guint32)len, line, column, value };

  guint32 n = table->as.table.len;
  if (n <= ATX_TOML_TABLE_INDEX_THRESHOLD)
    return;
  /* Keep the index at most half full; rebuilding doubles it, so the total work
   * and memory stay linear in the number of keys. */
  guint32 *slots = table->as.table.slots;
  if (!slots || n * 2 > SLOTS_MASK(slots) + 1) {
    guint32 capacity = 32;
    while (capacity < n * 4)
      capacity *= 2;
    table_index_build(doc, table, capacity);
    return;
  }
  guint32 mask = SLOTS_MASK(slots);
  guint32 s = hash_key(doc->hash_seed, e->key, len) & mask;
  while (slots[s])
    s = (s + 1) & mask;
  slots[s] = index + 1;
}

void
atx_toml_array_grow(AtxTomlDoc *doc, AtxTomlValue *array)
{
  guint32 cap = array->as.array.cap ? array->as.array.cap * 2 : 4;
  AtxTomlValue **items = atx_toml_arena_alloc(doc, cap * sizeof(AtxTomlValue *));
  if (array->as.array.len)
    memcpy(items, array->as.array.items, array->as.array.len * sizeof(AtxTomlValue *));
  array->as.array.items = items;
  array->as.array.cap = cap;
}

/* ---- Public accessors ---- */

const AtxTomlValue *
atx_toml_doc_root(const AtxTomlDoc *doc)
{
  g_return_val_if_fail(doc != NULL, NULL);
  return doc->root;
}

AtxTomlType
atx_toml_value_type(const AtxTomlValue *value)
{
  return value->type;
}

const char *
atx_toml_type_name(AtxTomlType type)
{
  switch (type) {
  case ATX_TOML_TABLE: return "table";
  case ATX_TOML_ARRAY: return "array";
  case ATX_TOML_STRING: return "string";
  case ATX_TOML_INTEGER: return "integer";
  case ATX_TOML_FLOAT: return "float";
  case ATX_TOML_BOOLEAN: return "boolean";
  case ATX_TOML_OFFSET_DATETIME: return "offset date-time";
  case ATX_TOML_LOCAL_DATETIME: return "local date-time";
  case ATX_TOML_LOCAL_DATE: return "local date";
  case ATX_TOML_LOCAL_TIME: return "local time";
  }
  return "unknown";
}

guint
atx_toml_value_line(const AtxTomlValue *value)
{
  return value->line;
}

guint
atx_toml_value_column(const AtxTomlValue *value)
{
  return value->column;
}

#define RETURN_IF_NOT_TABLE(table, index, val)                                            \
  g_return_val_if_fail((table) != NULL && (table)->type == ATX_TOML_TABLE, (val));        \
  g_return_val_if_fail((index) < (table)->as.table.len, (val))

guint
atx_toml_table_size(const AtxTomlValue *table)
{
  g_return_val_if_fail(table != NULL && table->type == ATX_TOML_TABLE, 0);
  return table->as.table.len;
}

const char *
atx_toml_table_key(const AtxTomlValue *table, guint index)
{
  RETURN_IF_NOT_TABLE(table, index, NULL);
  return table->as.table.entries[index].key;
}

gsize
atx_toml_table_key_length(const AtxTomlValue *table, guint index)
{
  RETURN_IF_NOT_TABLE(table, index, 0);
  return table->as.table.entries[index].key_len;
}

const AtxTomlValue *
atx_toml_table_value(const AtxTomlValue *table, guint index)
{
  RETURN_IF_NOT_TABLE(table, index, NULL);
  return table->as.table.entries[index].value;
}

guint
atx_toml_table_key_line(const AtxTomlValue *table, guint index)
{
  RETURN_IF_NOT_TABLE(table, index, 0);
  return table->as.table.entries[index].line;
}

guint
atx_toml_table_key_column(const AtxTomlValue *table, guint index)
{
  RETURN_IF_NOT_TABLE(table, index, 0);
  return table->as.table.entries[index].column;
}

const AtxTomlValue *
atx_toml_table_get(const AtxTomlValue *table, const char *key)
{
  g_return_val_if_fail(table != NULL && table->type == ATX_TOML_TABLE, NULL);
  g_return_val_if_fail(key != NULL, NULL);
  const AtxTomlEntry *e = atx_toml_table_find(table, key, strlen(key));
  return e ? e->value : NULL;
}

guint
atx_toml_array_length(const AtxTomlValue *array)
{
  g_return_val_if_fail(array != NULL && array->type == ATX_TOML_ARRAY, 0);
  return array->as.array.len;
}

const AtxTomlValue *
atx_toml_array_get(const AtxTomlValue *array, guint index)
{
  g_return_val_if_fail(array != NULL && array->type == ATX_TOML_ARRAY, NULL);
  g_return_val_if_fail(index < array->as.array.len, NULL);
  return array->as.array.items[index];
}

const char *
atx_toml_value_string(const AtxTomlValue *value, gsize *len_out)
{
  g_return_val_if_fail(value != NULL && value->type == ATX_TOML_STRING, NULL);
  if (len_out)
    *len_out = value->as.string.len;
  return value->as.string.str;
}

gint64
atx_toml_value_integer(const AtxTomlValue *value)
{
  g_return_val_if_fail(value != NULL && value->type == ATX_TOML_INTEGER, 0);
  return value->as.integer;
}

double
atx_toml_value_float(const AtxTomlValue *value)
{
  g_return_val_if_fail(value != NULL && value->type == ATX_TOML_FLOAT, 0.0);
  return value->as.floating;
}

gboolean
atx_toml_value_boolean(const AtxTomlValue *value)
{
  g_return_val_if_fail(value != NULL && value->type == ATX_TOML_BOOLEAN, FALSE);
  return value->as.boolean;
}

const char *
atx_toml_value_datetime(const AtxTomlValue *value)
{
  g_return_val_if_fail(value != NULL, NULL);
  g_return_val_if_fail(value->type >= ATX_TOML_OFFSET_DATETIME && value->type <= ATX_TOML_LOCAL_TIME, NULL);
  return value->as.string.str;
}

/* ---- JSON Pointer navigation ---- */

static const AtxTomlValue *
child_by_token(const AtxTomlValue *value, const char *token)
{
  if (value->type == ATX_TOML_TABLE) {
    const AtxTomlEntry *e = atx_toml_table_find(value, token, strlen(token));
    return e ? e->value : NULL;
  }
  gsize index;
  if (value->type == ATX_TOML_ARRAY && atx_json_pointer_parse_index(token, &index) &&
      index < value->as.array.len)
    return value->as.array.items[index];
  return NULL;
}

/* Follows @pointer as far as it leads; returns the deepest value reached and
 * whether the whole pointer was resolved. NULL for a malformed pointer. */
static const AtxTomlValue *
walk_pointer(const AtxTomlDoc *doc, const char *pointer, gboolean *complete)
{
  g_auto(GStrv) tokens = atx_json_pointer_split(pointer, NULL);
  *complete = FALSE;
  if (!tokens)
    return NULL;
  const AtxTomlValue *value = doc->root;
  for (guint i = 0; tokens[i]; i++) {
    const AtxTomlValue *next = child_by_token(value, tokens[i]);
    if (!next)
      return value;
    value = next;
  }
  *complete = TRUE;
  return value;
}

const AtxTomlValue *
atx_toml_doc_lookup(const AtxTomlDoc *doc, const char *pointer)
{
  g_return_val_if_fail(doc != NULL && pointer != NULL, NULL);
  gboolean complete;
  const AtxTomlValue *value = walk_pointer(doc, pointer, &complete);
  return complete ? value : NULL;
}

gboolean
atx_toml_doc_locate(const char *pointer, guint *line, guint *column, gpointer doc)
{
  g_return_val_if_fail(doc != NULL && pointer != NULL, FALSE);
  gboolean complete;
  const AtxTomlValue *value = walk_pointer(doc, pointer, &complete);
  if (!value)
    return FALSE;
  if (line)
    *line = value->line;
  if (column)
    *column = value->column;
  return TRUE;
}
