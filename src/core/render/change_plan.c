#include "core/render/change_plan.h"

#include <jansson.h>
#include <string.h>

#include "core/base/error.h"
#include "core/render/quadlet_runtime.h"
#include "core/render/render.h"

/* The order rendered_files.h gives; which files each reads is in its table. */
static const char *const appliers[] = {
  ATX_APPLIER_USERS,
  ATX_APPLIER_QUADLET,
  ATX_APPLIER_LAN,
  ATX_APPLIER_FIREWALL,
};

static void
action_free(gpointer data)
{
  AtxAction *action = data;
  g_free(action->unit);
  g_free(action->filename);
  g_free(action->reason);
  g_free(action);
}

void
atx_change_plan_free(AtxChangePlan *plan)
{
  if (!plan)
    return;
  g_ptr_array_unref(plan->added);
  g_ptr_array_unref(plan->removed);
  g_ptr_array_unref(plan->changed);
  g_ptr_array_unref(plan->actions);
  g_free(plan);
}

GHashTable *
atx_tree_new(void)
{
  return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
}

GHashTable *
atx_rendered_files_to_tree(GPtrArray *rendered)
{
  GHashTable *tree = atx_tree_new();
  for (guint i = 0; i < rendered->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(rendered, i);
    g_hash_table_replace(tree, g_strdup(file->path), g_bytes_ref(file->content));
  }
  return tree;
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
diff_trees(AtxChangePlan *plan, GHashTable *old_tree, GHashTable *new_tree)
{
  GHashTableIter iter;
  gpointer path, content;
  g_hash_table_iter_init(&iter, new_tree);
  while (g_hash_table_iter_next(&iter, &path, &content)) {
    GBytes *before = old_tree ? g_hash_table_lookup(old_tree, path) : NULL;
    if (!before)
      g_ptr_array_add(plan->added, g_strdup(path));
    else if (!g_bytes_equal(before, content))
      g_ptr_array_add(plan->changed, g_strdup(path));
    else
      plan->unchanged++;
  }
  if (old_tree) {
    g_hash_table_iter_init(&iter, old_tree);
    while (g_hash_table_iter_next(&iter, &path, NULL))
      if (!g_hash_table_contains(new_tree, path))
        g_ptr_array_add(plan->removed, g_strdup(path));
  }
  g_ptr_array_sort(plan->added, compare_strings);
  g_ptr_array_sort(plan->changed, compare_strings);
  g_ptr_array_sort(plan->removed, compare_strings);
}

/* "users.json changed" for the first touched path @applier reads, or NULL. */
static char *
applier_reason(const AtxChangePlan *plan, const char *applier)
{
  const struct {
    GPtrArray *paths;
    const char *verb;
  } groups[] = { { plan->added, "added" }, { plan->changed, "changed" }, { plan->removed, "removed" } };
  for (guint g = 0; g < G_N_ELEMENTS(groups); g++)
    for (guint i = 0; i < groups[g].paths->len; i++)
      if (atx_rendered_kind_feeds(g_ptr_array_index(groups[g].paths, i), applier))
          return g_strdup_printf("%s %s", (char *) g_ptr_array_index(groups[g].paths, i), groups[g].verb);
  return NULL;
}

static void
add_action(AtxChangePlan *plan, AtxActionKind kind, const char *unit, AtxRunMode mode,
           const char *filename, char *reason)
{
  AtxAction *action = g_new0(AtxAction, 1);
  action->kind = kind;
  action->unit = g_strdup(unit);
  action->mode = mode;
  action->filename = g_strdup(filename);
  action->reason = reason;
  g_ptr_array_add(plan->actions, action);
}

static void
plan_appliers(AtxChangePlan *plan, gboolean initial)
{
  for (guint i = 0; i < G_N_ELEMENTS(appliers); i++) {
    char *reason = initial ? g_strdup("initial apply") : applier_reason(plan, appliers[i]);
    if (reason)
      add_action(plan, ATX_ACTION_RUN_APPLIER, appliers[i], ATX_MODE_ROOTFUL, NULL, reason);
  }
}

/* *out is NULL when the tree has no @path. */
static gboolean
load_json(GHashTable *tree, const char *path, json_t **out, GError **error)
{
  *out = NULL;
  GBytes *bytes = tree ? g_hash_table_lookup(tree, path) : NULL;
  if (!bytes)
    return TRUE;
  gsize len = 0;
  const char *data = g_bytes_get_data(bytes, &len);
  json_error_t json_error;
  *out = json_loadb(data, len, 0, &json_error);
  if (!*out) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid %s: %s", path, json_error.text);
    return FALSE;
  }
  return TRUE;
}

/* Units of a tree's quadlet-runtime.json; an absent file means no units. */
static GPtrArray *
load_runtime_units(GHashTable *tree, GError **error)
{
  GBytes *bytes = tree ? g_hash_table_lookup(tree, "quadlet-runtime.json") : NULL;
  if (!bytes)
    return g_ptr_array_new_with_free_func((GDestroyNotify) atx_runtime_unit_free);
  return atx_runtime_units_parse(bytes, error);
}

static gboolean
has_unit(GPtrArray *units, const char *service, AtxRunMode mode)
{
  return atx_runtime_units_find(units, service, mode) != NULL;
}

static gboolean
touched(const AtxChangePlan *plan, const char *path)
{
  return g_ptr_array_find_with_equal_func(plan->added, path, g_str_equal, NULL) ||
         g_ptr_array_find_with_equal_func(plan->changed, path, g_str_equal, NULL);
}

static char *
unit_text(GHashTable *tree, const char *filename)
{
  g_autofree char *path = g_strconcat("quadlet/", filename, NULL);
  GBytes *bytes = g_hash_table_lookup(tree, path);
  if (!bytes)
    return g_strdup("");
  gsize len = 0;
  const char *data = g_bytes_get_data(bytes, &len);
  return g_strndup(data, len);
}

/* Values of every "Key=" line of a unit text. */
static GPtrArray *
directive_values(const char *text, const char *key)
{
  GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  gsize key_len = strlen(key);
  for (guint i = 0; lines[i]; i++)
    if (strncmp(lines[i], key, key_len) == 0 && lines[i][key_len] == '=')
      g_ptr_array_add(values, g_strdup(lines[i] + key_len + 1));
  return values;
}

static gboolean
container_uses(GHashTable *tree, const char *container_text, const AtxRuntimeUnit *dependency)
{
  const char *key = dependency->kind == ATX_QUADLET_VOLUME ? "Volume"
                    : dependency->kind == ATX_QUADLET_BUILD ? "Image"
                                                            : "Network";
  g_autoptr(GPtrArray) values = directive_values(container_text, key);
  g_autofree char *dependency_text = unit_text(tree, dependency->filename);
  g_autoptr(GPtrArray) tags = directive_values(dependency_text, "ImageTag");
  for (guint i = 0; i < values->len; i++) {
    const char *value = g_ptr_array_index(values, i);
    if (atx_quadlet_reference_matches(value, dependency->name, dependency->kind))
      return TRUE;
    g_autofree char *trimmed = g_strstrip(g_strdup(value));
    if (dependency->kind == ATX_QUADLET_BUILD && tags->len > 0 &&
        g_str_equal(trimmed, g_strstrip((char *) g_ptr_array_index(tags, 0))))
      return TRUE;
  }
  return FALSE;
}

static char *
dependency_reason(const AtxChangePlan *plan, GHashTable *tree, GPtrArray *units, const AtxRuntimeUnit *unit)
{
  if (unit->kind != ATX_QUADLET_CONTAINER)
    return NULL;
  g_autofree char *text = unit_text(tree, unit->filename);
  for (guint i = 0; i < units->len; i++) {
    const AtxRuntimeUnit *dependency = g_ptr_array_index(units, i);
    g_autofree char *path = g_strconcat("quadlet/", dependency->filename, NULL);
    if (dependency->kind != ATX_QUADLET_CONTAINER && dependency->mode == unit->mode &&
        touched(plan, path) && container_uses(tree, text, dependency))
      return g_strdup_printf("uses %s which changed", dependency->filename);
  }
  return NULL;
}

static gboolean
bundle_files_touched(const AtxChangePlan *plan)
{
  GPtrArray *lists[] = { plan->added, plan->changed, plan->removed };
  for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      if (g_str_has_prefix(g_ptr_array_index(lists[l], i), "files/"))
        return TRUE;
  return FALSE;
}

static char *
restart_reason(const AtxChangePlan *plan, GHashTable *new_tree, GPtrArray *new_units,
               GPtrArray *old_units, const AtxRuntimeUnit *unit, json_t *restart_list,
               const char *files_dir)
{
  if (!old_units)
    return g_strdup("initial apply");
  g_autofree char *path = g_strconcat("quadlet/", unit->filename, NULL);
  if (g_ptr_array_find_with_equal_func(plan->added, path, g_str_equal, NULL))
    return g_strdup_printf("%s added", unit->filename);
  if (g_ptr_array_find_with_equal_func(plan->changed, path, g_str_equal, NULL))
    return g_strdup_printf("%s changed", unit->filename);
  if (!has_unit(old_units, unit->service, unit->mode))
    return g_strdup_printf("now runs %s", atx_run_mode_name(unit->mode));
  char *reason = dependency_reason(plan, new_tree, new_units, unit);
  if (reason)
    return reason;
  g_autofree char *text = unit_text(new_tree, unit->filename);
  if (unit->kind == ATX_QUADLET_CONTAINER && bundle_files_touched(plan) && strstr(text, files_dir))
    return g_strdup("bundle files changed");
  for (gsize i = 0; unit->kind == ATX_QUADLET_CONTAINER && i < json_array_size(restart_list); i++)
    if (g_strcmp0(json_string_value(json_array_get(restart_list, i)), unit->name) == 0)
      return g_strdup("listed in activation.restart");
  return NULL;
}

/* Dependencies first: builds, networks and volumes before the containers. */
static const AtxQuadletKind start_order[] = {
  ATX_QUADLET_BUILD, ATX_QUADLET_NETWORK, ATX_QUADLET_VOLUME, ATX_QUADLET_CONTAINER,
};

static void
plan_units(AtxChangePlan *plan, GHashTable *new_tree, GPtrArray *new_units, GPtrArray *old_units,
           json_t *restart_list, const char *files_dir)
{
  for (gint k = G_N_ELEMENTS(start_order) - 1; old_units && k >= 0; k--) {
    for (guint i = 0; i < old_units->len; i++) {
      const AtxRuntimeUnit *unit = g_ptr_array_index(old_units, i);
      if (unit->kind == start_order[k] && !has_unit(new_units, unit->service, unit->mode))
        add_action(plan, ATX_ACTION_STOP, unit->service, unit->mode, unit->filename,
                   g_strdup_printf("%s (%s) is no longer provisioned", unit->filename,
                                   atx_run_mode_name(unit->mode)));
    }
  }
  for (guint k = 0; k < G_N_ELEMENTS(start_order); k++) {
    for (guint i = 0; i < new_units->len; i++) {
      const AtxRuntimeUnit *unit = g_ptr_array_index(new_units, i);
      if (unit->kind != start_order[k])
        continue;
      char *reason = restart_reason(plan, new_tree, new_units, old_units, unit, restart_list, files_dir);
      if (reason)
        add_action(plan, ATX_ACTION_RESTART, unit->service, unit->mode, unit->filename, reason);
    }
  }
}

AtxChangePlan *
atx_change_plan_compute(GHashTable *old_tree, GHashTable *new_tree, const char *files_dir,
                        GError **error)
{
  g_autoptr(AtxChangePlan) plan = g_new0(AtxChangePlan, 1);
  plan->added = g_ptr_array_new_with_free_func(g_free);
  plan->removed = g_ptr_array_new_with_free_func(g_free);
  plan->changed = g_ptr_array_new_with_free_func(g_free);
  plan->actions = g_ptr_array_new_with_free_func(action_free);
  diff_trees(plan, old_tree, new_tree);
  plan_appliers(plan, old_tree == NULL);

  g_autoptr(GPtrArray) new_units = load_runtime_units(new_tree, error);
  if (!new_units)
    return NULL;
  g_autoptr(GPtrArray) old_units = NULL;
  if (old_tree) {
    /* An unreadable old tree only loses the stops; the new units still start. */
    old_units = load_runtime_units(old_tree, NULL);
    if (!old_units)
      old_units = g_ptr_array_new_with_free_func((GDestroyNotify) atx_runtime_unit_free);
  }
  json_t *policy;
  if (!load_json(new_tree, "activation-policy.json", &policy, error))
    return NULL;
  plan_units(plan, new_tree, new_units, old_units, json_object_get(policy, "restart"), files_dir);
  json_decref(policy);
  return g_steal_pointer(&plan);
}
