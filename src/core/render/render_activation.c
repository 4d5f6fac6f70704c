/* activation-policy.json (read by activation) and health-required.json (the
 * legacy list read by first boot and OS verification). */
#include "core/render/render_private.h"

void
atx_render_activation(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  const AtxActivationPolicy *policy = &config->activation;
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_string_array(writer, policy->required);
  atx_render_add_json(out, "health-required.json");

  writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  atx_json_writer_known_string_array(writer, ATX_JSON_KEY("required"), policy->required);
  atx_json_writer_known_integer(writer, ATX_JSON_KEY("timeout_seconds"), policy->timeout_seconds);
  atx_json_writer_known_integer(writer, ATX_JSON_KEY("settle_seconds"), policy->settle_seconds);
  atx_json_writer_known_string_array(writer, ATX_JSON_KEY("restart"), policy->restart);
  atx_json_writer_known_string_array(writer, ATX_JSON_KEY("allow_degraded"), policy->allow_degraded);
  atx_json_writer_known_boolean(writer, ATX_JSON_KEY("allow_degraded_configured"), policy->allow_degraded_configured);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("strategy"), policy->strategy);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "activation-policy.json");
}
