#include "client/problem.h"

#include <string.h>

#define MAX_RAW_MESSAGE 2000

static AtxSeverity
severity_of(const char *name)
{
  return g_strcmp0(name, "warning") == 0 ? ATX_SEVERITY_WARNING : ATX_SEVERITY_ERROR;
}

static guint
position_of(const json_t *value)
{
  if (!json_is_integer(value))
    return 0;
  json_int_t n = json_integer_value(value);
  return n > 0 && n <= G_MAXUINT ? (guint) n : 0;
}

/* Network text on the operator's terminal: control characters become spaces. */
static char *
make_printable(char *text)
{
  for (char *c = text; c != NULL && *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      *c = ' ';
  return text;
}

static char *
printable_member(const json_t *entry, const char *key)
{
  return make_printable(g_strdup(json_string_value(json_object_get(entry, key))));
}

static void
add_entry(AtxDiagList *list, const json_t *entry)
{
  g_autofree char *code = printable_member(entry, "code");
  g_autofree char *message = printable_member(entry, "message");
  if (code == NULL || message == NULL)
    return;
  g_autofree char *pointer = printable_member(entry, "pointer");
  guint line = position_of(json_object_get(entry, "line"));
  guint column = line > 0 ? position_of(json_object_get(entry, "column")) : 0;
  AtxDiag *diag = atx_diag_list_add_at(list, severity_of(json_string_value(json_object_get(entry, "severity"))),
                                       code, pointer != NULL ? pointer : "", line, column, "%s", message);
  g_autofree char *hint = printable_member(entry, "hint");
  if (hint != NULL)
    atx_diag_set_hint(diag, "%s", hint);
}

AtxDiagList *
atx_problem_diagnostics(const json_t *problem)
{
  AtxDiagList *list = atx_diag_list_new();
  const json_t *entries = json_object_get(problem, "diagnostics");
  size_t index;
  const json_t *entry;
  json_array_foreach (entries, index, entry)
    add_entry(list, entry);
  return list;
}

char *
atx_problem_message(const char *body, gsize len)
{
  if (body == NULL || len == 0)
    return NULL;
  json_t *root = json_loadb(body, len, 0, NULL);
  static const char *const keys[] = { "error", "detail", "title" };
  for (guint i = 0; json_is_object(root) && i < G_N_ELEMENTS(keys); i++) {
    char *message = printable_member(root, keys[i]);
    if (message != NULL && *message != '\0') {
      json_decref(root);
      return message;
    }
    g_free(message);
  }
  json_decref(root);
  char *raw = make_printable(g_strndup(body, MIN(len, MAX_RAW_MESSAGE)));
  g_strstrip(raw);
  if (*raw == '\0') {
    g_free(raw);
    return NULL;
  }
  return raw;
}
