/* activation-policy.json (read by activation) and health-required.json (the
 * legacy list read by first boot and OS verification). */
#include "core/render.h"

void
atx_render_activation(const AtxConfig *config, GPtrArray *out)
{
  const AtxActivationPolicy *policy = &config->activation;
  g_ptr_array_add(out, atx_rendered_json_new("health-required.json",
                                             atx_json_string_array(policy->required)));
  json_t *root = json_object();
  json_object_set_new(root, "required", atx_json_string_array(policy->required));
  json_object_set_new(root, "timeout_seconds", json_integer(policy->timeout_seconds));
  json_object_set_new(root, "settle_seconds", json_integer(policy->settle_seconds));
  json_object_set_new(root, "restart", atx_json_string_array(policy->restart));
  json_object_set_new(root, "allow_degraded", atx_json_string_array(policy->allow_degraded));
  json_object_set_new(root, "allow_degraded_configured", json_boolean(policy->allow_degraded_configured));
  json_object_set_new(root, "strategy", json_string(policy->strategy));
  g_ptr_array_add(out, atx_rendered_json_new("activation-policy.json", root));
}
