/* os-upgrade.json: exists only when [os_upgrade] is configured; its absence is
 * what tells the upgrade poller to stay idle. */
#include "core/render.h"

void
atx_render_os_upgrade(const AtxConfig *config, GPtrArray *out)
{
  if (!config->os_upgrade_url)
    return;
  json_t *root = json_object();
  json_object_set_new(root, "server_url", json_string(config->os_upgrade_url));
  g_ptr_array_add(out, atx_rendered_json_new("os-upgrade.json", root));
}
