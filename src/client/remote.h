/* atomixctl's commands that talk to a device over HTTP (src/client/http_client.h).
 * Exit status: 0 success, 1 the device refused or the job failed, 2 usage or
 * connection error (the message names the URL). */
#pragma once

#include <glib.h>

int atx_cmd_export(const char *base_url);
