/* libFuzzer target for the HTTP layer: the input is a request —
 *   METHOD SP TARGET LF (NAME ":" VALUE LF)* LF BODY
 * — dispatched in-process through the router, admission, signature
 * authentication and the handlers (http.h: no socket), against a real
 * device on a scratch root, provisioned with one admin key, with the
 * simulated service manager. Event streams are drained once. Every response
 * must be well formed: a status, and for JSON content types a body that
 * parses. Any crash, leak or sanitizer report is a bug.
 *
 * So the fuzzer gets past the nonce to the signature's decoding and the
 * signed message, a nonce header "@nonce" is replaced by a freshly issued
 * nonce. A METHOD starting with '!' runs the route's handler without
 * authorisation (no input can make a signature verify), so the partial-edit
 * handlers see arbitrary names and bodies against the active config. */
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/fs/fsutil.h"
#include "http/http.h"

#define ADMIN_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example"
#define PROVISIONING_CONFIG                                                                                       \
  "version = 1\n[users.admin]\nisAdmin = true\nssh_key = \"" ADMIN_KEY "\"\n"                                     \
  "[activation]\nrequired = [\"web\"]\n"                                                                          \
  "[containers.container.web]\nprivileged = false\n"                                                              \
  "[containers.container.web.Container]\nImage = \"docker.io/library/web:1\"\n"

static AtxHttpContext context;
static char *root;
static char *body_path;

/* At exit: close the device (after the event hub listening to it) before
 * removing the root, so its worker is joined and no job is still writing
 * below the root while it is removed. */
static void
remove_root(void)
{
  g_clear_pointer(&context.events, atx_event_hub_free);
  g_clear_pointer(&context.device, atx_device_close);
  g_clear_pointer(&context.job_cache, atx_job_cache_free);
  g_clear_pointer(&context.ui, atx_boot_ui_free);
  g_clear_pointer(&context.auth, atx_auth_free);
  g_clear_pointer(&body_path, g_free);
  g_autoptr(GError) error = NULL;
  if (!atx_fs_remove_tree(root, NULL, &error))
    g_printerr("fuzz-http: cannot remove %s: %s\n", root, error->message);
  g_clear_pointer(&root, g_free);
}

static void
setup(void)
{
  root = g_dir_make_tmp("fuzz-http-XXXXXX", NULL);
  g_assert_nonnull(root);
  atexit(remove_root);
  body_path = g_build_filename(root, "body", NULL);
  AtxDeviceOptions options = {
    .root = root,
    .svcmgr = atx_svcmgr_sim_new(&(AtxSvcMgrSimOptions){ 0 }),
    .app_user = g_get_user_name(),
    .poll_interval_ms = 10,
  };
  g_autoptr(GError) error = NULL;
  context.device = atx_device_open(&options, &error);
  g_assert_no_error(error);
  context.events = atx_event_hub_new(context.device);
  context.job_cache = atx_job_cache_new();
  context.ui = atx_boot_ui_new(&error);
  g_assert_no_error(error);
  /* No rate limit: every input is a new attempt from the same address. */
  context.auth = atx_auth_new(&(AtxAuthOptions){ .failures_allowed = G_MAXUINT, .signers_seen = TRUE });
  g_autoptr(GBytes) config = g_bytes_new_static(PROVISIONING_CONFIG, strlen(PROVISIONING_CONFIG));
  AtxApplyRequest request = { .data = config, .filename = "config.toml", .allow_reapply = TRUE };
  g_autoptr(AtxJob) job = atx_device_submit(context.device, "import", &request, &error);
  g_assert_no_error(error);
  g_assert_true(atx_device_wait(context.device, job));
}

/* A request without authorisation: the route's handler, straight. */
static void
run_handler_directly(AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  const AtxHttpRoute *route = atx_http_route_find(request->method, request->path, params, NULL);
  if (!route) {
    atx_http_response_error(response, 404, "no route");
    return;
  }
  request->params = params;
  route->handler(&context, request, response);
  request->params = NULL;
}

static const char *
lookup_header(gpointer data, const char *name)
{
  GPtrArray *headers = data;
  for (guint i = 0; i + 1 < headers->len; i += 2)
    if (g_ascii_strcasecmp(g_ptr_array_index(headers, i), name) == 0)
      return g_ptr_array_index(headers, i + 1);
  return NULL;
}

static void
ignore(gpointer data)
{
}

static void
check_response(AtxHttpResponse *response)
{
  g_assert_cmpuint(response->status, >=, 200);
  g_assert_cmpuint(response->status, <, 600);
  if (response->stream) {
    char buffer[4096];
    gboolean ended = FALSE;
    while (atx_event_stream_read(response->stream, buffer, sizeof buffer, &ended, ignore, ignore, NULL) > 0)
      ;
    return;
  }
  if (response->body && response->content_type && g_str_has_suffix(response->content_type, "json")) {
    gsize len = 0;
    const char *data = g_bytes_get_data(response->body, &len);
    json_t *json = json_loadb(data, len, 0, NULL);
    g_assert_nonnull(json);
    json_decref(json);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!context.device)
    setup();
  const uint8_t *end_of_head = NULL;
  for (size_t i = 0; i + 1 < size && !end_of_head; i++)
    if (data[i] == '\n' && data[i + 1] == '\n')
      end_of_head = data + i;
  gsize head_len = end_of_head ? (gsize) (end_of_head - data) : size;
  g_autofree char *head = g_strndup((const char *) data, head_len);
  g_auto(GStrv) lines = g_strsplit(head, "\n", -1);
  if (!lines[0])
    return 0;
  g_auto(GStrv) request_line = g_strsplit(lines[0], " ", 2);
  if (!request_line[0] || !request_line[1])
    return 0;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 1; lines[i]; i++) {
    char *colon = strchr(lines[i], ':');
    if (!colon)
      continue;
    char *name = g_strndup(lines[i], (gsize) (colon - lines[i]));
    char *value = g_strstrip(g_strdup(colon + 1));
    if (g_ascii_strcasecmp(name, "X-AtomixOS-Nonce") == 0 && g_str_equal(value, "@nonce")) {
      g_free(value);
      value = atx_auth_issue_nonce(context.auth, "fuzz", NULL);
      g_assert_nonnull(value);
    }
    g_ptr_array_add(headers, name);
    g_ptr_array_add(headers, value);
  }
  char *query = strchr(request_line[1], '?');
  if (query)
    *query++ = '\0';
  const uint8_t *body = end_of_head ? end_of_head + 2 : data + size;
  FILE *file = fopen(body_path, "wb"); /* not g_file_set_contents: no fsync per input */
  g_assert_nonnull(file);
  g_assert_cmpuint(fwrite(body, 1, (size_t) (data + size - body), file), ==, (size_t) (data + size - body));
  g_assert_cmpint(fclose(file), ==, 0);
  gboolean direct = request_line[0][0] == '!';
  AtxHttpRequest request = {
    .method = request_line[0] + (direct ? 1 : 0),
    .path = request_line[1],
    .query = query,
    .body_path = body_path,
    .header = lookup_header,
    .header_data = headers,
    .client_address = "fuzz",
  };
  AtxHttpResponse response;
  atx_http_response_init(&response);
  if (direct)
    run_handler_directly(&request, &response);
  else
    atx_http_dispatch(&context, &request, &response);
  check_response(&response);
  atx_http_response_clear(&response);
  return 0;
}
