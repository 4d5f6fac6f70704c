#include "core/base/diag.h"

struct _AtxDiagList {
  GPtrArray *items; /* AtxDiag*, owned; NULL until the first one: most lists stay empty */
  AtxDiagLocator locator;
  gpointer locator_data;
};

static void
diag_free(gpointer data)
{
  AtxDiag *diag = data;
  g_free(diag->code);
  g_free(diag->pointer);
  g_free(diag->message);
  g_free(diag->hint);
  g_free(diag);
}

AtxDiagList *
atx_diag_list_new(void)
{
  return g_new0(AtxDiagList, 1);
}

void
atx_diag_list_free(AtxDiagList *list)
{
  if (!list)
    return;
  if (list->items)
    g_ptr_array_unref(list->items);
  g_free(list);
}

void
atx_diag_list_set_locator(AtxDiagList *list, AtxDiagLocator locator, gpointer user_data)
{
  list->locator = locator;
  list->locator_data = user_data;
}

static AtxDiag *
append(AtxDiagList *list, AtxSeverity severity, const char *code, const char *pointer,
       guint line, guint column, char *message)
{
  AtxDiag *diag = g_new0(AtxDiag, 1);
  diag->code = g_strdup(code);
  diag->severity = severity;
  diag->pointer = g_strdup(pointer ? pointer : "");
  diag->line = line;
  diag->column = column;
  diag->message = message;
  if (!list->items)
    list->items = g_ptr_array_new_with_free_func(diag_free);
  g_ptr_array_add(list->items, diag);
  return diag;
}

AtxDiag *
atx_diag_list_addv(AtxDiagList *list, AtxSeverity severity, const char *code,
                   const char *pointer, const char *format, va_list args)
{
  guint line = 0, column = 0;
  if (list->locator && pointer && !list->locator(pointer, &line, &column, list->locator_data))
    line = column = 0;
  return append(list, severity, code, pointer, line, column, g_strdup_vprintf(format, args));
}

AtxDiag *
atx_diag_list_add(AtxDiagList *list, AtxSeverity severity, const char *code,
                  const char *pointer, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  AtxDiag *diag = atx_diag_list_addv(list, severity, code, pointer, format, args);
  va_end(args);
  return diag;
}

AtxDiag *
atx_diag_list_add_at(AtxDiagList *list, AtxSeverity severity, const char *code,
                     const char *pointer, guint line, guint column, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  char *message = g_strdup_vprintf(format, args);
  va_end(args);
  return append(list, severity, code, pointer, line, column, message);
}

void
atx_diag_set_hint(AtxDiag *diag, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_free(diag->hint);
  diag->hint = g_strdup_vprintf(format, args);
  va_end(args);
}

guint
atx_diag_list_length(const AtxDiagList *list)
{
  return list->items ? list->items->len : 0;
}

const AtxDiag *
atx_diag_list_index(const AtxDiagList *list, guint index)
{
  g_return_val_if_fail(index < atx_diag_list_length(list), NULL);
  return g_ptr_array_index(list->items, index);
}

guint
atx_diag_list_count(const AtxDiagList *list, AtxSeverity severity)
{
  guint count = 0;
  for (guint i = 0; i < atx_diag_list_length(list); i++) {
    const AtxDiag *diag = g_ptr_array_index(list->items, i);
    if (diag->severity == severity)
      count++;
  }
  return count;
}

gboolean
atx_diag_list_has_errors(const AtxDiagList *list)
{
  return atx_diag_list_count(list, ATX_SEVERITY_ERROR) > 0;
}

gboolean
atx_diag_list_contains(const AtxDiagList *list, const char *code, const char *pointer)
{
  for (guint i = 0; i < atx_diag_list_length(list); i++) {
    const AtxDiag *diag = g_ptr_array_index(list->items, i);
    if (g_strcmp0(diag->code, code) == 0 && (!pointer || g_strcmp0(diag->pointer, pointer) == 0))
      return TRUE;
  }
  return FALSE;
}

static gint
compare_position(gconstpointer a, gconstpointer b)
{
  const AtxDiag *x = *(AtxDiag *const *) a;
  const AtxDiag *y = *(AtxDiag *const *) b;
  /* Unknown positions (0) sort after every known one. */
  guint xl = x->line ? x->line : G_MAXUINT, yl = y->line ? y->line : G_MAXUINT;
  if (xl != yl)
    return xl < yl ? -1 : 1;
  if (x->column != y->column)
    return x->column < y->column ? -1 : 1;
  return 0;
}

void
atx_diag_list_sort(AtxDiagList *list)
{
  /* g_ptr_array_sort is a merge sort in GLib, hence stable. */
  if (list->items)
    g_ptr_array_sort(list->items, compare_position);
}

static const char *
atx_severity_to_string(AtxSeverity severity)
{
  return severity == ATX_SEVERITY_ERROR ? "error" : "warning";
}

char *
atx_diag_format_text(const AtxDiag *diag, const char *filename)
{
  GString *out = g_string_new(filename ? filename : "<input>");
  if (diag->line > 0)
    g_string_append_printf(out, ":%u:%u", diag->line, diag->column);
  g_string_append_printf(out, ": %s[%s]: %s", atx_severity_to_string(diag->severity), diag->code,
                         diag->message);
  if (diag->line == 0 && diag->pointer && *diag->pointer)
    g_string_append_printf(out, " (at %s)", diag->pointer);
  g_string_append_c(out, '\n');
  if (diag->hint)
    g_string_append_printf(out, "  hint: %s\n", diag->hint);
  return g_string_free(out, FALSE);
}

char *
atx_diag_list_format_text(const AtxDiagList *list, const char *filename)
{
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < atx_diag_list_length(list); i++) {
    g_autofree char *line = atx_diag_format_text(g_ptr_array_index(list->items, i), filename);
    g_string_append(out, line);
  }
  return g_string_free(out, FALSE);
}

static json_t *
atx_diag_to_json(const AtxDiag *diag)
{
  json_t *obj = json_object();
  json_object_set_new(obj, "code", json_string(diag->code));
  json_object_set_new(obj, "severity", json_string(atx_severity_to_string(diag->severity)));
  json_object_set_new(obj, "pointer", json_string(diag->pointer));
  if (diag->line > 0) {
    json_object_set_new(obj, "line", json_integer(diag->line));
    json_object_set_new(obj, "column", json_integer(diag->column));
  }
  json_object_set_new(obj, "message", json_string(diag->message));
  if (diag->hint)
    json_object_set_new(obj, "hint", json_string(diag->hint));
  return obj;
}

json_t *
atx_diag_list_to_json(const AtxDiagList *list)
{
  json_t *array = json_array();
  for (guint i = 0; i < atx_diag_list_length(list); i++)
    json_array_append_new(array, atx_diag_to_json(g_ptr_array_index(list->items, i)));
  return array;
}
