/* [os_upgrade]: where the device polls for RAUC bundles. */
#include "core/config/config_private.h"

#include "core/base/net.h"

static const char *
url_problem_message(AtxUrlProblem problem)
{
  switch (problem) {
  case ATX_URL_WHITESPACE:
    return "invalid URL at os_upgrade.server_url: whitespace/control characters are not allowed";
  case ATX_URL_NOT_HTTPS:
    return "os_upgrade.server_url must be an https:// URL";
  case ATX_URL_BAD_PORT:
    return "invalid URL port at os_upgrade.server_url";
  case ATX_URL_CREDENTIALS:
    return "os_upgrade.server_url must not include credentials";
  case ATX_URL_QUERY:
    return "os_upgrade.server_url must not include a query string or fragment";
  case ATX_URL_BAD_HOST:
    return "os_upgrade.server_url host must be an IP address or a DNS name";
  case ATX_URL_OK:
    break;
  }
  return NULL;
}

static const char *
url_problem_code(AtxUrlProblem problem)
{
  switch (problem) {
  case ATX_URL_WHITESPACE:
    return "os_upgrade.url_whitespace";
  case ATX_URL_NOT_HTTPS:
    return "os_upgrade.url_not_https";
  case ATX_URL_BAD_PORT:
    return "os_upgrade.url_bad_port";
  case ATX_URL_CREDENTIALS:
    return "os_upgrade.url_credentials";
  case ATX_URL_QUERY:
    return "os_upgrade.url_query";
  case ATX_URL_BAD_HOST:
    return "os_upgrade.url_bad_host";
  case ATX_URL_OK:
    break;
  }
  return NULL;
}

void
atx_config_check_os_upgrade(AtxConfigBuild *build)
{
  const char *url = atx_cfg_string(build, atx_cfg_as(build->os_upgrade, ATX_TOML_TABLE), "server_url");
  if (!url)
    return;
  gsize normalized_len = 0;
  AtxUrlProblem problem = atx_https_url_check_len(url, &normalized_len);
  if (problem != ATX_URL_OK) {
    atx_cfg_error(build, url_problem_code(problem), "/os_upgrade/server_url", "%s",
                  url_problem_message(problem));
    return;
  }
  build->config->os_upgrade_url = atx_cfg_strndup(build, url, normalized_len);
}
