#include "core/edit/edit.h"

#include <string.h>

#include <jansson.h>

#include "core/base/instance.h"
#include "core/base/jsonpointer.h"
#include "core/config/config.h"
#include "core/toml/toml.h"
#include "core/toml/toml_write.h"

/* The quark name is stringified: clang-format would put spaces into it. */
/* clang-format off */
G_DEFINE_QUARK(atx-edit-error-quark, atx_edit_error)
/* clang-format on */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

typedef enum {
  PUT,
  DELETE,
  PATCH,
} Verb;

typedef enum {
  USER_NAME, /* a login name: [a-z_][a-z0-9_-]{0,31} */
  UNIT_NAME, /* becomes a unit file name: [A-Za-z0-9_][A-Za-z0-9_-]*, at most 200 */
  NO_NAME,
} NameRule;

typedef struct {
  Verb verb;
  const char *collection;     /* in the route */
  const char *const table[3]; /* where the entries live in the config, NULL-terminated */
  NameRule name_rule;
  const char *payload;          /* "user" in "user payload missing required key" */
  const char *const allowed[8]; /* keys of the body, NULL-terminated */
  const char *const required[3];
} EditSpec;

#define USER_KEYS                                                                                                 \
  {                                                                                                               \
    "isAdmin", "ssh_key", "shell", NULL                                                                           \
  }
#define CONTAINER_KEYS                                                                                            \
  {                                                                                                               \
    "privileged", "Unit", "Container", "Install", NULL                                                            \
  }
#define NETWORK_KEYS                                                                                              \
  {                                                                                                               \
    "dns_servers", "dns_search_domains", "default_gateway", "interfaces", "dnsmasq", "ntp", "firewall", NULL      \
  }

static const EditSpec specs[] = {
  [ATX_EDIT_USER_PUT] = { PUT, "users", { "users" }, USER_NAME, "user", USER_KEYS, { "isAdmin" } },
  [ATX_EDIT_USER_DELETE] = { DELETE, "users", { "users" }, USER_NAME },
  [ATX_EDIT_NETWORK_PATCH] = { PATCH, "network", { "network" }, NO_NAME, "network", NETWORK_KEYS },
  [ATX_EDIT_CONTAINER_PUT] = { PUT,
                               "containers",
                               { "containers", "container" },
                               UNIT_NAME,
                               "container",
                               CONTAINER_KEYS,
                               { "privileged", "Container" } },
  [ATX_EDIT_CONTAINER_DELETE] = { DELETE, "containers", { "containers", "container" }, UNIT_NAME },
  [ATX_EDIT_CONTAINER_NETWORK_PUT] = { PUT,
                                       "container-networks",
                                       { "containers", "network" },
                                       UNIT_NAME,
                                       "network",
                                       { "Network", NULL },
                                       { "Network" } },
  [ATX_EDIT_CONTAINER_NETWORK_DELETE] = { DELETE, "container-networks", { "containers", "network" }, UNIT_NAME },
  [ATX_EDIT_CONTAINER_VOLUME_PUT] = { PUT,
                                      "container-volumes",
                                      { "containers", "volume" },
                                      UNIT_NAME,
                                      "volume",
                                      { "Volume", NULL },
                                      { "Volume" } },
  [ATX_EDIT_CONTAINER_VOLUME_DELETE] = { DELETE, "container-volumes", { "containers", "volume" }, UNIT_NAME },
};

static const char *const verb_names[] = { [PUT] = "PUT", [DELETE] = "DELETE", [PATCH] = "PATCH" };

gboolean
atx_edit_kind_for_route(const char *method, const char *collection, AtxEditKind *kind_out)
{
  for (guint i = 0; i < G_N_ELEMENTS(specs); i++)
    if (g_str_equal(verb_names[specs[i].verb], method) && g_str_equal(specs[i].collection, collection)) {
      *kind_out = (AtxEditKind) i;
      return TRUE;
    }
  return FALSE;
}

/* ---- names ---- */

static gboolean
name_valid(NameRule rule, const char *name)
{
  gsize len = strlen(name);
  if (rule == USER_NAME) {
    if (len == 0 || len > 32 || !(g_ascii_islower(name[0]) || name[0] == '_'))
      return FALSE;
    for (const char *c = name; *c; c++)
      if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '_' && *c != '-')
        return FALSE;
    return TRUE;
  }
  if (len == 0 || len > 200 || name[0] == '-')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

/* ---- the body ---- */

static json_t *
parse_body(const AtxEdit *edit, GError **error)
{
  json_error_t problem;
  json_t *body = json_loadb(edit->body ? edit->body : "", edit->body ? edit->body_len : 0,
                            JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &problem);
  if (!body) {
    g_set_error(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_MALFORMED,
                "request body is not valid JSON: %s (line %d, column %d)", problem.text, problem.line,
                problem.column);
    return NULL;
  }
  if (!json_is_object(body)) {
    json_decref(body);
    g_set_error_literal(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_MALFORMED,
                        "partial request body must be a JSON object");
    return NULL;
  }
  return body;
}

/* Values TOML cannot hold: null (except where a patch deletes with it) and
 * the marker of this program's opaque date/time values, which a client must
 * not be able to smuggle in. */
static void
check_values(const json_t *value, GString *pointer, gboolean null_deletes, AtxDiagList *diags)
{
  gsize mark = pointer->len;
  if (json_is_null(value) && !null_deletes) {
    atx_diag_list_add(diags, ATX_SEVERITY_ERROR, "edit.null_value", pointer->str,
                      "null is not a value a config can hold");
  } else if (json_is_object(value)) {
    const char *key;
    json_t *member;
    json_object_foreach ((json_t *) value, key, member) {
      atx_json_pointer_append(pointer, key);
      if (g_str_equal(key, ATX_JSON_OPAQUE_KEY))
        atx_diag_list_add(diags, ATX_SEVERITY_ERROR, "edit.invalid_key", pointer->str, "key is not allowed");
      else
        check_values(member, pointer, null_deletes, diags);
      g_string_truncate(pointer, mark);
    }
  } else if (json_is_array(value)) {
    gsize index;
    json_t *element;
    json_array_foreach ((json_t *) value, index, element) {
      atx_json_pointer_append_index(pointer, index);
      check_values(element, pointer, FALSE, diags);
      g_string_truncate(pointer, mark);
    }
  }
}

static void
check_keys(const EditSpec *spec, const json_t *body, const char *entry, AtxDiagList *diags)
{
  const char *key;
  json_t *member;
  json_object_foreach ((json_t *) body, key, member) {
    if (g_strv_contains(spec->allowed, key))
      continue;
    g_autofree char *pointer = atx_json_pointer_join(entry, key);
    g_autofree char *allowed = g_strjoinv(", ", (char **) spec->allowed);
    AtxDiag *diag = atx_diag_list_add(diags, ATX_SEVERITY_ERROR, "edit.unknown_key", pointer,
                                      "unsupported partial request key: %s", key);
    atx_diag_set_hint(diag, "a %s body may hold: %s", spec->payload, allowed);
  }
  for (guint i = 0; spec->required[i]; i++)
    if (!json_object_get(body, spec->required[i]))
      atx_diag_list_add(diags, ATX_SEVERITY_ERROR, "edit.missing_key", entry,
                        "%s payload missing required key: %s", spec->payload, spec->required[i]);
  g_autoptr(GString) pointer = g_string_new(entry);
  check_values(body, pointer, spec->verb == PATCH, diags);
}

/* ---- the merge ---- */

/* RFC 7396 merge patch, which is the reference's deep merge: a null deletes,
 * object into object recurses, anything else replaces (an object replacing a
 * non-object is merged into an empty one, so its nulls vanish). */
static void
merge_patch(json_t *target, const json_t *patch)
{
  const char *key;
  json_t *value;
  json_object_foreach ((json_t *) patch, key, value) {
    if (json_is_null(value)) {
      json_object_del(target, key);
    } else if (json_is_object(value)) {
      json_t *old = json_object_get(target, key);
      if (!json_is_object(old) || atx_json_opaque_type(old)) {
        old = json_object();
        json_object_set_new(target, key, old);
      }
      merge_patch(old, value);
    } else {
      json_object_set_new(target, key, json_deep_copy(value));
    }
  }
}

/* The object holding the entries (users, containers.container, ...),
 * created when absent; NULL (with a diagnostic) when something else is there. */
static json_t *
entries_table(json_t *document, const EditSpec *spec, gboolean create, AtxDiagList *diags)
{
  json_t *table = document;
  g_autoptr(GString) pointer = g_string_new("");
  for (guint i = 0; spec->table[i]; i++) {
    atx_json_pointer_append(pointer, spec->table[i]);
    json_t *next = json_object_get(table, spec->table[i]);
    if (!next && !create)
      return NULL;
    if (!next) {
      next = json_object();
      json_object_set_new(table, spec->table[i], next);
    } else if (!json_is_object(next) || atx_json_opaque_type(next)) {
      atx_diag_list_add(diags, ATX_SEVERITY_ERROR, "edit.not_a_table", pointer->str,
                        "the current config has no table here, so the edit cannot be applied");
      return NULL;
    }
    table = next;
  }
  return table;
}

static void
apply(const EditSpec *spec, json_t *document, const char *name, const json_t *body, AtxDiagList *diags)
{
  json_t *table = entries_table(document, spec, spec->verb != DELETE, diags);
  if (!table)
    return;
  if (spec->verb == PATCH)
    merge_patch(table, body);
  else if (spec->verb == PUT)
    json_object_set_new(table, name, json_deep_copy(body));
  else
    json_object_del(table, name);
}

/* ---- the whole edit ---- */

static json_t *
parse_current(const char *current, gsize len, GError **error)
{
  AtxTomlPosition where = { 0 };
  g_autoptr(GError) local = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(current, len, NULL, &where, &local);
  if (!doc) {
    g_set_error(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_CURRENT, "invalid current config.toml: %u:%u: %s",
                where.line, where.column, local->message);
    return NULL;
  }
  return atx_toml_to_json(atx_toml_doc_root(doc));
}

/* The message is the first error, for clients that only show one string. */
static char *
invalid(const AtxDiagList *diags, GError **error)
{
  guint errors = atx_diag_list_count(diags, ATX_SEVERITY_ERROR);
  for (guint i = 0; i < atx_diag_list_length(diags); i++) {
    const AtxDiag *diag = atx_diag_list_index(diags, i);
    if (diag->severity != ATX_SEVERITY_ERROR)
      continue;
    if (errors > 1)
      g_set_error(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_INVALID, "%s (and %u more problems)", diag->message,
                  errors - 1);
    else
      g_set_error_literal(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_INVALID, diag->message);
    return NULL;
  }
  g_set_error_literal(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_INVALID, "the edited config is not valid");
  return NULL;
}

/* Lines and columns in the canonical text would point into a document the
 * client never saw; the pointers say where. */
static void
copy_without_positions(const AtxDiagList *from, AtxDiagList *to)
{
  for (guint i = 0; i < atx_diag_list_length(from); i++) {
    const AtxDiag *diag = atx_diag_list_index(from, i);
    AtxDiag *copy = atx_diag_list_add(to, diag->severity, diag->code, diag->pointer, "%s", diag->message);
    if (diag->hint)
      atx_diag_set_hint(copy, "%s", diag->hint);
  }
}

/* The merged document as canonical TOML, checked like a full submission. */
static char *
write_and_validate(json_t *document, const char *entry, AtxDiagList *diags, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *text = atx_toml_write(document, &local);
  if (!text) {
    atx_diag_list_add(diags, ATX_SEVERITY_ERROR, "edit.unwritable", entry, "%s", local->message);
    return invalid(diags, error);
  }
  g_autoptr(GBytes) source = g_bytes_new(text, strlen(text));
  g_autoptr(AtxDiagList) found = atx_diag_list_new();
  g_autoptr(AtxConfig) config = atx_config_load(source, found);
  copy_without_positions(found, diags);
  if (!config || atx_diag_list_has_errors(diags))
    return invalid(diags, error);
  return g_steal_pointer(&text);
}

char *
atx_edit_apply(const char *current, gsize current_len, const AtxEdit *edit, AtxDiagList *diags, GError **error)
{
  g_return_val_if_fail((guint) edit->kind < G_N_ELEMENTS(specs), NULL);
  const EditSpec *spec = &specs[edit->kind];
  g_autoptr(json_t) document = parse_current(current, current_len, error);
  if (!document)
    return NULL;
  g_autoptr(json_t) body = spec->verb == DELETE ? NULL : parse_body(edit, error);
  if (spec->verb != DELETE && !body)
    return NULL;

  g_autoptr(GString) entry = g_string_new("");
  for (guint i = 0; spec->table[i]; i++)
    atx_json_pointer_append(entry, spec->table[i]);
  const char *name = edit->name ? edit->name : "";
  if (spec->name_rule != NO_NAME) {
    atx_json_pointer_append(entry, name);
    if (!name_valid(spec->name_rule, name))
      atx_diag_list_add(diags, ATX_SEVERITY_ERROR, "edit.invalid_name", entry->str, "invalid %s name: '%s'",
                        spec->name_rule == USER_NAME ? "user" : "quadlet unit", name);
  }
  if (body)
    check_keys(spec, body, entry->str, diags);
  if (atx_diag_list_has_errors(diags))
    return invalid(diags, error);
  apply(spec, document, name, body, diags);
  if (atx_diag_list_has_errors(diags))
    return invalid(diags, error);
  return write_and_validate(document, entry->str, diags, error);
}
