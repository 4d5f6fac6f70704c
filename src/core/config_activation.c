/* [activation]: which containers must come up, how long to wait, and what may
 * stay degraded before the change is rolled back. */
#include "core/config_private.h"

#define DEFAULT_TIMEOUT_SECONDS 300
#define DEFAULT_SETTLE_SECONDS 0

static gboolean
is_container_name(const AtxConfig *config, const char *name)
{
  for (guint i = 0; i < config->resources->len; i++) {
    const AtxQuadletResource *resource = g_ptr_array_index(config->resources, i);
    if (resource->kind == ATX_QUADLET_CONTAINER && g_str_equal(resource->name, name))
      return TRUE;
  }
  return FALSE;
}

static void
report_unknown_unit(AtxConfigBuild *build, const char *key, guint index, const char *name)
{
  AtxCfgPath activation = atx_cfg_at("/activation"), list = atx_cfg_at_key(&activation, key);
  AtxCfgPath at = atx_cfg_at_index(&list, index);
  AtxDiag *diag = atx_cfg_error_at(build, "activation.unknown_unit", &at,
                                   "activation.%s references unknown unit: %s", key, name);
  if (g_str_has_suffix(name, ".service"))
    atx_diag_set_hint(diag, "name the container without the .service suffix");
  else
    atx_diag_set_hint(diag, "entries must be names of [containers.container.<name>] tables");
}

static GPtrArray *
load_unit_list(AtxConfigBuild *build, const AtxTomlValue *activation, const char *key)
{
  const AtxTomlValue *items = atx_cfg_get(activation, key, ATX_TOML_ARRAY);
  guint length = items ? atx_toml_array_length(items) : 0;
  GPtrArray *units = g_ptr_array_new_full(length, g_free);
  for (guint i = 0; i < length; i++) {
    const char *name = atx_cfg_item_string(items, i);
    if (!name)
      continue;
    char *trimmed = atx_cfg_trimmed(name);
    if (!is_container_name(build->config, trimmed))
      report_unknown_unit(build, key, i, trimmed);
    g_ptr_array_add(units, trimmed);
  }
  return units;
}

static void
check_overlap(AtxConfigBuild *build)
{
  AtxActivationPolicy *policy = &build->config->activation;
  g_autoptr(GString) overlap = NULL;
  for (guint i = 0; i < policy->allow_degraded->len; i++) {
    const char *name = g_ptr_array_index(policy->allow_degraded, i);
    if (!g_ptr_array_find_with_equal_func(policy->required, name, g_str_equal, NULL))
      continue;
    if (!overlap)
      overlap = g_string_new(NULL);
    g_string_append_printf(overlap, "%s%s", overlap->len ? ", " : "", name);
  }
  if (overlap && overlap->len)
    atx_cfg_error(build, "activation.degraded_overlaps_required", "/activation/allow_degraded",
                  "activation.allow_degraded must not include required units: %s", overlap->str);
}

void
atx_config_check_activation(AtxConfigBuild *build)
{
  AtxActivationPolicy *policy = &build->config->activation;
  const AtxTomlValue *activation = atx_cfg_get(build->root, "activation", ATX_TOML_TABLE);
  policy->required = load_unit_list(build, activation, "required");
  policy->restart = load_unit_list(build, activation, "restart");
  policy->allow_degraded = load_unit_list(build, activation, "allow_degraded");
  policy->allow_degraded_configured = activation && atx_toml_table_get(activation, "allow_degraded");
  check_overlap(build);

  policy->timeout_seconds = DEFAULT_TIMEOUT_SECONDS;
  policy->settle_seconds = DEFAULT_SETTLE_SECONDS;
  atx_cfg_integer(activation, "timeout_seconds", &policy->timeout_seconds);
  atx_cfg_integer(activation, "settle_seconds", &policy->settle_seconds);
  /* Health checks start after settling; a settle time that uses up the whole
   * deadline makes every activation fail and roll back. Out-of-range values
   * were reported by the schema. */
  gboolean in_range = policy->timeout_seconds >= 1 && policy->timeout_seconds <= 3600 &&
                      policy->settle_seconds >= 0 && policy->settle_seconds <= 300;
  if (in_range && policy->settle_seconds >= policy->timeout_seconds)
    atx_cfg_error(build, "activation.settle_exceeds_timeout", "/activation/settle_seconds",
                  "activation.settle_seconds (%" G_GINT64_FORMAT ") must be less than timeout_seconds (%" G_GINT64_FORMAT ")",
                  policy->settle_seconds, policy->timeout_seconds);
  const char *strategy = atx_cfg_string(activation, "strategy");
  policy->strategy = g_strdup(strategy ? strategy : "rollback");
}
