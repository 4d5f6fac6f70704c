#include "client/remote.h"

#include <stdio.h>

#include "core/base/defaults.h"

#define EXIT_FAILED ATX_EXIT_FAILED
#define EXIT_USAGE ATX_EXIT_USAGE
#include "client/http_client.h"

int
atx_cmd_export(const char *base_url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response = atx_http_request(&(AtxHttpRequest){
    .method = "GET", .base_url = base_url, .path = "/api/config/export", .timeout_seconds = 60}, &error);
  if (response == NULL) {
    g_printerr("atomixctl export: cannot reach the device: %s\n", error->message);
    return EXIT_USAGE;
  }
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  if (response->status == 404) {
    g_printerr("atomixctl export: device is not provisioned (%s/api/config/export answered 404)\n", base_url);
    return EXIT_FAILED;
  }
  if (response->status != 200) {
    g_printerr("atomixctl export: %s/api/config/export answered %ld: %.*s\n", base_url, response->status,
               (int)MIN(len, 2000), body != NULL ? body : "");
    return EXIT_FAILED;
  }
  if (len > 0 && fwrite(body, 1, len, stdout) != len) {
    g_printerr("atomixctl export: writing to stdout failed\n");
    return EXIT_USAGE;
  }
  return 0;
}
