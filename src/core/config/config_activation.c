/* [activation]: which containers must come up, how long to wait, and what may
 * stay degraded before the change is rolled back. */
#include "core/config/config_private.h"

#include <string.h>

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
load_unit_list(AtxConfigBuild *build, const AtxTomlValue *value, const char *key)
{
  const AtxTomlValue *items = atx_cfg_as(value, ATX_TOML_ARRAY);
  guint length = items ? atx_toml_array_length(items) : 0;
  GPtrArray *units = atx_cfg_list_new(length);
  for (guint i = 0; i < length; i++) {
    const char *name = atx_cfg_item_string(build, items, i);
    if (!name)
      continue;
    char *trimmed = atx_cfg_strdup_trimmed(build, name);
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
    if (!atx_cfg_list_contains(policy->required, name))
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
  enum { REQUIRED, RESTART, ALLOW_DEGRADED, TIMEOUT_SECONDS, SETTLE_SECONDS, STRATEGY };
  static const AtxCfgField names[] = {
    ATX_CFG_FIELD("required"), ATX_CFG_FIELD("restart"), ATX_CFG_FIELD("allow_degraded"),
    ATX_CFG_FIELD("timeout_seconds"), ATX_CFG_FIELD("settle_seconds"), ATX_CFG_FIELD("strategy"),
  };
  const AtxTomlValue *fields[G_N_ELEMENTS(names)];
  atx_cfg_fields(build->activation, names, G_N_ELEMENTS(names), fields);
  policy->required = load_unit_list(build, fields[REQUIRED], "required");
  policy->restart = load_unit_list(build, fields[RESTART], "restart");
  policy->allow_degraded = load_unit_list(build, fields[ALLOW_DEGRADED], "allow_degraded");
  policy->allow_degraded_configured = fields[ALLOW_DEGRADED] != NULL;
  check_overlap(build);

  const AtxTomlValue *timeout = atx_cfg_as(fields[TIMEOUT_SECONDS], ATX_TOML_INTEGER);
  const AtxTomlValue *settle = atx_cfg_as(fields[SETTLE_SECONDS], ATX_TOML_INTEGER);
  policy->timeout_seconds = timeout ? atx_toml_value_integer(timeout) : DEFAULT_TIMEOUT_SECONDS;
  policy->settle_seconds = settle ? atx_toml_value_integer(settle) : DEFAULT_SETTLE_SECONDS;
  /* Health checks start after settling; a settle time that uses up the whole
   * deadline makes every activation fail and roll back. Out-of-range values
   * were reported by the schema. */
  gboolean in_range = policy->timeout_seconds >= 1 && policy->timeout_seconds <= 3600 &&
                      policy->settle_seconds >= 0 && policy->settle_seconds <= 300;
  if (in_range && policy->settle_seconds >= policy->timeout_seconds)
    atx_cfg_error(build, "activation.settle_exceeds_timeout", "/activation/settle_seconds",
                  "activation.settle_seconds (%" G_GINT64_FORMAT ") must be less than timeout_seconds (%" G_GINT64_FORMAT ")",
                  policy->settle_seconds, policy->timeout_seconds);
  const char *strategy = atx_cfg_as_string(build, fields[STRATEGY]);
  policy->strategy = atx_cfg_strdup(build, strategy ? strategy : "rollback");
}
