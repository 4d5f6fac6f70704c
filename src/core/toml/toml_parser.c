/* TOML document structure: key/value lines, [tables], [[arrays of tables]],
 * inline tables and arrays, and the rules about what may be defined where.
 *
 * Definition rules, as TOML 1.0.0 states them:
 * - a [header] defines its table once; tables it only passes through are
 *   created implicitly and may be defined by their own header later;
 * - dotted keys define every table on their way; only the same section (header
 *   body or inline table) may add to those tables with more dotted keys, and no
 *   header may define them again (a header may still pass through them);
 * - inline tables and static arrays are complete when written: nothing extends
 *   them, and headers may only append to arrays created by [[headers]].
 *
 * Recursion happens only for nested inline values, and every nesting level is
 * checked against max_depth before descending, so the stack is bounded. */
#include "core/toml/toml.h"

#include "core/toml/toml_lexer.h"

typedef struct {
  AtxTomlLexer lx;
  AtxTomlDoc *doc;
  guint max_depth;
  guint32 last_section;
  AtxTomlValue *current; /* table that key/value lines go into */
  guint32 current_section;
  /* The key being read: parts in key_inline unless it has more of them. */
  AtxTomlKeyPart *key;
  guint key_len;
  guint key_cap;
  AtxTomlKeyPart key_inline[16];
  const char *key_start;
  const char *key_end;
} Parser;

static gboolean parse_value(Parser *ps, guint depth, AtxTomlValue **out);

/* Longest key quoted in an error message, in bytes. */
#define KEY_EXCERPT_MAX 200

/* A key for an error message: valid UTF-8 even when cut short. */
static char *
key_excerpt(const char *str, gsize len)
{
  return g_utf8_make_valid(str, (gssize)MIN(len, KEY_EXCERPT_MAX));
}

static gboolean
check_depth(Parser *ps, guint depth, guint line, guint column)
{
  if (depth <= ps->max_depth)
    return TRUE;
  return atx_toml_lexer_fail_at(&ps->lx, line, column, ATX_TOML_ERROR_TOO_DEEP,
                                "nesting deeper than %u levels of tables and arrays", ps->max_depth);
}

/* ---- Keys ---- */

static AtxTomlKeyPart *
next_key_part(Parser *ps)
{
  if (ps->key_len == ps->key_cap) {
    ps->key_cap *= 2;
    if (ps->key == ps->key_inline)
      ps->key = g_memdup2(ps->key_inline, sizeof ps->key_inline);
    ps->key = g_renew(AtxTomlKeyPart, ps->key, ps->key_cap);
  }
  return &ps->key[ps->key_len++];
}

/* key ( '.' key )* into ps->key. */
static gboolean
parse_key(Parser *ps)
{
  AtxTomlLexer *lx = &ps->lx;
  ps->key_len = 0;
  ps->key_start = lx->p;
  for (;;) {
    if (!atx_toml_lexer_key_part(lx, next_key_part(ps)))
      return FALSE;
    ps->key_end = lx->p;
    atx_toml_lexer_skip_ws(lx);
    if (atx_toml_lexer_peek(lx) != '.')
      return TRUE;
    lx->p++;
    atx_toml_lexer_skip_ws(lx);
  }
}

static AtxTomlKeyPart *
key_part(Parser *ps, guint index)
{
  return &ps->key[index];
}

static AtxTomlValue *
new_table(Parser *ps, AtxTomlValue *parent, const AtxTomlKeyPart *part, guint line, guint column)
{
  AtxTomlValue *table = atx_toml_table_new(ps->doc, line, column);
  table->depth = parent->depth + 1;
  atx_toml_table_insert(ps->doc, parent, part->str, part->len, part->line, part->column, table);
  return table;
}

static gboolean
fail_not_table(Parser *ps, const AtxTomlKeyPart *part, const AtxTomlValue *existing)
{
  g_autofree char *key = key_excerpt(part->str, part->len);
  const char *type = atx_toml_type_name(existing->type);
  const char *article = strchr("aeiou", type[0]) ? "an" : "a";
  return atx_toml_lexer_fail_at(&ps->lx, part->line, part->column, ATX_TOML_ERROR_DUPLICATE_KEY,
                                "key \"%s\" already holds %s %s, not a table", key, article, type);
}

static gboolean
fail_inline_extended(Parser *ps, const AtxTomlKeyPart *part)
{
  g_autofree char *key = key_excerpt(part->str, part->len);
  return atx_toml_lexer_fail_at(&ps->lx, part->line, part->column, ATX_TOML_ERROR_DUPLICATE_KEY,
                                "inline table \"%s\" cannot be extended", key);
}

/* ---- Key/value pairs ---- */

/* One component of a dotted key before the last: finds or creates the table it
 * names inside @table. */
static gboolean
descend_dotted(Parser *ps, AtxTomlValue *table, const AtxTomlKeyPart *part, guint32 section,
               AtxTomlValue **out)
{
  AtxTomlEntry *e = atx_toml_table_find(table, part->str, part->len);
  if (!e) {
    if (!check_depth(ps, table->depth + 1, part->line, part->column))
      return FALSE;
    *out = new_table(ps, table, part, part->line, part->column);
    (*out)->section = section;
    return TRUE;
  }
  AtxTomlValue *v = e->value;
  if (v->type != ATX_TOML_TABLE)
    return fail_not_table(ps, part, v);
  if (v->flags & ATX_TOML_FLAG_FROZEN)
    return fail_inline_extended(ps, part);
  if ((v->flags & ATX_TOML_FLAG_EXPLICIT) || (v->section && v->section != section)) {
    g_autofree char *key = key_excerpt(part->str, part->len);
    return atx_toml_lexer_fail_at(&ps->lx, part->line, part->column, ATX_TOML_ERROR_DUPLICATE_KEY,
                                  "table \"%s\" was already defined %s; dotted keys cannot add to it", key,
                                  (v->flags & ATX_TOML_FLAG_EXPLICIT) ? "by a header" : "in another section");
  }
  v->section = section;
  *out = v;
  return TRUE;
}

/* key = value, into @table (the current section or an inline table). */
static gboolean
parse_keyval(Parser *ps, AtxTomlValue *table, guint32 section)
{
  AtxTomlLexer *lx = &ps->lx;
  char buf[32];

  if (!parse_key(ps))
    return FALSE;
  if (atx_toml_lexer_peek(lx) != '=')
    return atx_toml_lexer_fail(lx, lx->p, ATX_TOML_ERROR_SYNTAX, "expected '=' after key, found %s",
                               atx_toml_lexer_describe(lx, lx->p, buf));
  lx->p++;
  atx_toml_lexer_skip_ws(lx);

  guint n = ps->key_len;
  for (guint i = 0; i + 1 < n; i++) {
    if (!descend_dotted(ps, table, key_part(ps, i), section, &table))
      return FALSE;
  }
  /* Nested inline tables reuse ps->key while the value is read. */
  AtxTomlKeyPart last = *key_part(ps, n - 1);
  if (atx_toml_table_find(table, last.str, last.len)) {
    g_autofree char *key = key_excerpt(last.str, last.len);
    return atx_toml_lexer_fail_at(lx, last.line, last.column, ATX_TOML_ERROR_DUPLICATE_KEY,
                                  "duplicate key \"%s\"", key);
  }
  AtxTomlValue *value;
  if (!parse_value(ps, table->depth + 1, &value))
    return FALSE;
  atx_toml_table_insert(ps->doc, table, last.str, last.len, last.line, last.column, value);
  return TRUE;
}

/* ---- Inline values ---- */

/* After a comma in an inline table: another key must follow on the same line. */
static gboolean
check_inline_table_continues(Parser *ps)
{
  AtxTomlLexer *lx = &ps->lx;
  char c = atx_toml_lexer_peek(lx);
  if (c == '}')
    return atx_toml_lexer_fail(lx, lx->p, ATX_TOML_ERROR_SYNTAX, "trailing comma is not allowed in an inline table");
  if (c == '\n' || c == '\r')
    return atx_toml_lexer_fail(lx, lx->p, ATX_TOML_ERROR_SYNTAX, "inline tables must be on one line");
  return TRUE;
}

static gboolean
parse_inline_table(Parser *ps, guint depth, AtxTomlValue **out)
{
  AtxTomlLexer *lx = &ps->lx;
  guint line, column;
  char buf[32];

  atx_toml_lexer_here(lx, &line, &column);
  if (!check_depth(ps, depth, line, column))
    return FALSE;
  AtxTomlValue *table = atx_toml_table_new(ps->doc, line, column);
  table->depth = depth;
  guint32 section = ++ps->last_section;
  lx->p++;
  atx_toml_lexer_skip_ws(lx);
  if (atx_toml_lexer_peek(lx) == '}') {
    lx->p++;
  } else if (atx_toml_lexer_peek(lx) == '\n' || atx_toml_lexer_peek(lx) == '\r') {
    return atx_toml_lexer_fail(lx, lx->p, ATX_TOML_ERROR_SYNTAX, "inline tables must be on one line");
  } else {
    for (;;) {
      if (!parse_keyval(ps, table, section))
        return FALSE;
      atx_toml_lexer_skip_ws(lx);
      char c = atx_toml_lexer_peek(lx);
      lx->p++;
      if (c == '}')
        break;
      if (c != ',')
        return atx_toml_lexer_fail(lx, lx->p - 1, ATX_TOML_ERROR_SYNTAX,
                                   "expected ',' or '}' in inline table, found %s%s",
                                   atx_toml_lexer_describe(lx, lx->p - 1, buf),
                                   c == '\n' || c == '\r' ? " (inline tables must be on one line)" : "");
      atx_toml_lexer_skip_ws(lx);
      if (!check_inline_table_continues(ps))
        return FALSE;
    }
  }
  table->flags |= ATX_TOML_FLAG_FROZEN;
  *out = table;
  return TRUE;
}

static gboolean
parse_array(Parser *ps, guint depth, AtxTomlValue **out)
{
  AtxTomlLexer *lx = &ps->lx;
  guint line, column;
  char buf[32];

  atx_toml_lexer_here(lx, &line, &column);
  if (!check_depth(ps, depth, line, column))
    return FALSE;
  AtxTomlValue *array = atx_toml_array_new(ps->doc, line, column);
  array->depth = depth;
  array->flags = ATX_TOML_FLAG_FROZEN;
  lx->p++;
  for (;;) {
    atx_toml_lexer_skip_blank(lx);
    if (atx_toml_lexer_peek(lx) == ']')
      break;
    AtxTomlValue *item;
    if (!parse_value(ps, depth + 1, &item))
      return FALSE;
    atx_toml_array_append(ps->doc, array, item);
    atx_toml_lexer_skip_blank(lx);
    char c = atx_toml_lexer_peek(lx);
    if (c == ']')
      break;
    if (c != ',')
      return atx_toml_lexer_fail(lx, lx->p, ATX_TOML_ERROR_SYNTAX, "expected ',' or ']' in array, found %s",
                                 atx_toml_lexer_describe(lx, lx->p, buf));
    lx->p++;
  }
  lx->p++;
  *out = array;
  return TRUE;
}

/* @depth is the nesting level the value would have if it is a container. */
static gboolean
parse_value(Parser *ps, guint depth, AtxTomlValue **out)
{
  switch (atx_toml_lexer_peek(&ps->lx)) {
  case '[':
    return parse_array(ps, depth, out);
  case '{':
    return parse_inline_table(ps, depth, out);
  default:
    return atx_toml_lexer_scalar(&ps->lx, out);
  }
}

/* ---- Headers ---- */

/* A component of a header before the last: passes through (or implicitly
 * creates) a table; arrays of tables lead to their last element. */
static gboolean
descend_header(Parser *ps, AtxTomlValue *table, const AtxTomlKeyPart *part, AtxTomlValue **out)
{
  AtxTomlEntry *e = atx_toml_table_find(table, part->str, part->len);
  if (!e) {
    if (!check_depth(ps, table->depth + 1, part->line, part->column))
      return FALSE;
    *out = new_table(ps, table, part, part->line, part->column);
    return TRUE;
  }
  AtxTomlValue *v = e->value;
  if (v->type == ATX_TOML_ARRAY && (v->flags & ATX_TOML_FLAG_TABLE_ARRAY)) {
    *out = v->as.array.items[v->as.array.len - 1];
    return TRUE;
  }
  if (v->type != ATX_TOML_TABLE)
    return fail_not_table(ps, part, v);
  if (v->flags & ATX_TOML_FLAG_FROZEN)
    return fail_inline_extended(ps, part);
  *out = v;
  return TRUE;
}

/* Why a header cannot define its table, naming the header as written. */
static gboolean
fail_header(Parser *ps, guint line, guint column, const char *open, const char *close, const char *why)
{
  g_autofree char *name = key_excerpt(ps->key_start, ps->key_end - ps->key_start);
  return atx_toml_lexer_fail_at(&ps->lx, line, column, ATX_TOML_ERROR_DUPLICATE_KEY, "%s%s%s %s", open, name,
                                close, why);
}

/* [a.b.c]: the last component names the table being defined. */
static gboolean
define_table(Parser *ps, AtxTomlValue *parent, guint line, guint column)
{
  const AtxTomlKeyPart *part = key_part(ps, ps->key_len - 1);
  AtxTomlEntry *e = atx_toml_table_find(parent, part->str, part->len);
  if (!e) {
    if (!check_depth(ps, parent->depth + 1, line, column))
      return FALSE;
    ps->current = new_table(ps, parent, part, line, column);
    ps->current->flags = ATX_TOML_FLAG_EXPLICIT;
    return TRUE;
  }
  AtxTomlValue *v = e->value;
  if (v->type == ATX_TOML_ARRAY && (v->flags & ATX_TOML_FLAG_TABLE_ARRAY))
    return fail_header(ps, line, column, "[", "]", "is already an array of tables");
  if (v->type != ATX_TOML_TABLE)
    return fail_not_table(ps, part, v);
  if (v->flags & ATX_TOML_FLAG_EXPLICIT)
    return fail_header(ps, line, column, "table [", "]", "is defined twice");
  if (v->flags & ATX_TOML_FLAG_FROZEN)
    return fail_header(ps, line, column, "table [", "]", "was already defined as an inline table");
  if (v->section)
    return fail_header(ps, line, column, "table [", "]", "was already defined with dotted keys");
  /* Implicitly created so far: this header is its definition. */
  v->flags |= ATX_TOML_FLAG_EXPLICIT;
  v->line = line;
  v->column = column;
  ps->current = v;
  return TRUE;
}

/* [[a.b.c]]: appends a table to the array the last component names. */
static gboolean
append_table(Parser *ps, AtxTomlValue *parent, guint line, guint column)
{
  const AtxTomlKeyPart *part = key_part(ps, ps->key_len - 1);
  AtxTomlEntry *e = atx_toml_table_find(parent, part->str, part->len);
  AtxTomlValue *array;
  if (!e) {
    if (!check_depth(ps, parent->depth + 2, line, column))
      return FALSE;
    array = atx_toml_array_new(ps->doc, line, column);
    array->depth = parent->depth + 1;
    array->flags = ATX_TOML_FLAG_TABLE_ARRAY;
    atx_toml_table_insert(ps->doc, parent, part->str, part->len, part->line, part->column, array);
  } else if (e->value->type == ATX_TOML_ARRAY && (e->value->flags & ATX_TOML_FLAG_TABLE_ARRAY)) {
    array = e->value;
  } else if (e->value->type == ATX_TOML_ARRAY) {
    return fail_header(ps, line, column, "[[", "]]", "cannot append to a static array");
  } else if (e->value->type == ATX_TOML_TABLE) {
    return fail_header(ps, line, column, "[[", "]]", "names a table, not an array of tables");
  } else {
    return fail_not_table(ps, part, e->value);
  }
  AtxTomlValue *table = atx_toml_table_new(ps->doc, line, column);
  table->depth = array->depth + 1;
  table->flags = ATX_TOML_FLAG_EXPLICIT;
  atx_toml_array_append(ps->doc, array, table);
  ps->current = table;
  return TRUE;
}

static gboolean
parse_header(Parser *ps)
{
  AtxTomlLexer *lx = &ps->lx;
  const char *header = lx->p;
  gboolean is_array = header + 1 < lx->end && header[1] == '[';
  guint line, column;

  atx_toml_lexer_here(lx, &line, &column);
  lx->p += is_array ? 2 : 1;
  atx_toml_lexer_skip_ws(lx);
  if (!parse_key(ps))
    return FALSE;
  if (atx_toml_lexer_peek(lx) != ']' || (is_array && (lx->p + 1 >= lx->end || lx->p[1] != ']'))) {
    char buf[32];
    return atx_toml_lexer_fail(lx, lx->p, ATX_TOML_ERROR_SYNTAX, "expected '%s' to close the header, found %s",
                               is_array ? "]]" : "]", atx_toml_lexer_describe(lx, lx->p, buf));
  }
  lx->p += is_array ? 2 : 1;

  AtxTomlValue *table = atx_toml_doc_root_mutable(ps->doc);
  for (guint i = 0; i + 1 < ps->key_len; i++) {
    if (!descend_header(ps, table, key_part(ps, i), &table))
      return FALSE;
  }
  ps->current_section = ++ps->last_section;
  if (is_array)
    return append_table(ps, table, line, column);
  return define_table(ps, table, line, column);
}

/* ---- Document ---- */

/* After a key/value pair or header: only a comment may follow on the line. */
static gboolean
expect_line_end(Parser *ps, const char *after)
{
  AtxTomlLexer *lx = &ps->lx;
  atx_toml_lexer_skip_ws(lx);
  atx_toml_lexer_skip_comment(lx);
  if (atx_toml_lexer_at_end(lx) || atx_toml_lexer_newline(lx))
    return TRUE;
  char buf[32];
  return atx_toml_lexer_fail(lx, lx->p, ATX_TOML_ERROR_SYNTAX, "expected a new line after %s, found %s", after,
                             atx_toml_lexer_describe(lx, lx->p, buf));
}

static gboolean
parse_document(Parser *ps)
{
  AtxTomlLexer *lx = &ps->lx;
  while (!atx_toml_lexer_at_end(lx)) {
    atx_toml_lexer_skip_ws(lx);
    atx_toml_lexer_skip_comment(lx);
    if (atx_toml_lexer_newline(lx) || atx_toml_lexer_at_end(lx))
      continue;
    gboolean header = atx_toml_lexer_peek(lx) == '[';
    if (header ? !parse_header(ps) : !parse_keyval(ps, ps->current, ps->current_section))
      return FALSE;
    if (!expect_line_end(ps, header ? "the table header" : "the value"))
      return FALSE;
  }
  return TRUE;
}

AtxTomlDoc *
atx_toml_parse(const char *data, gsize len, const AtxTomlLimits *limits, AtxTomlPosition *where,
               GError **error)
{
  gsize max_bytes = limits && limits->max_bytes ? limits->max_bytes : ATX_TOML_DEFAULT_MAX_BYTES;
  max_bytes = MIN(max_bytes, (gsize)ATX_TOML_MAX_BYTES_CAP);
  guint max_depth = limits && limits->max_depth ? limits->max_depth : ATX_TOML_DEFAULT_MAX_DEPTH;
  max_depth = MIN(max_depth, ATX_TOML_MAX_DEPTH_CAP);

  g_return_val_if_fail(data != NULL || len == 0, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  if (len > max_bytes) {
    g_set_error(error, ATX_TOML_ERROR, ATX_TOML_ERROR_TOO_LARGE,
                "document is %" G_GSIZE_FORMAT " bytes, more than the limit of %" G_GSIZE_FORMAT, len,
                max_bytes);
    if (where)
      *where = (AtxTomlPosition){ 1, 1 };
    return NULL;
  }

  g_autoptr(AtxTomlDoc) doc = atx_toml_doc_new_for_input(len);
  Parser ps = { 0 };
  atx_toml_lexer_init(&ps.lx, data, len, doc, where, error);
  ps.doc = doc;
  ps.max_depth = max_depth;
  ps.current = atx_toml_doc_root_mutable(doc);
  ps.current_section = ps.last_section = 1;
  ps.key = ps.key_inline;
  ps.key_cap = G_N_ELEMENTS(ps.key_inline);

  gboolean ok = atx_toml_lexer_check_encoding(&ps.lx) && parse_document(&ps);
  if (ps.key != ps.key_inline)
    g_free(ps.key);
  atx_toml_lexer_clear(&ps.lx);
  return ok ? g_steal_pointer(&doc) : NULL;
}
