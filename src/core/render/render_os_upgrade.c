/* os-upgrade.json: exists only when [os_upgrade] is configured; its absence is
 * what tells the upgrade poller to stay idle. */
#include "core/render/render_private.h"

void
atx_render_os_upgrade(const AtxConfig *config, const AtxRenderOptions *options, AtxRenderOut *out)
{
  if (!config->os_upgrade_url)
    return;
  AtxJsonWriter *writer = atx_render_begin_json(out);
  atx_json_writer_begin_object(writer);
  atx_json_writer_known_string(writer, ATX_JSON_KEY("server_url"), config->os_upgrade_url);
  atx_json_writer_end_object(writer);
  atx_render_add_json(out, "os-upgrade.json");
}
