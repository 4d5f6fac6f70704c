/* The serve loop: listeners, the narrowing to the LAN gateway address after
 * provisioning, SSE heartbeats, readiness notification and signals. */
#include "http/server.h"

#include <glib-unix.h>
#include <unistd.h>
#include <jansson.h>

#include "core/base/defaults.h"
#include "core/base/error.h"
#include "device/fs/fsutil.h"
#include "http/listener.h"
#include "http/systemd_daemon.h"

#define DEFAULT_HEARTBEAT_SECONDS 15

typedef struct {
  const AtxHttpServeOptions *options;
  AtxHttpContext context;
  char *upload_dir;
  guint16 port;
  GPtrArray *listeners; /* AtxListener* */
  char *narrowed_to;    /* the gateway address once listening there only */
  GMainLoop *loop;
  GMainContext *main_context;
  guint rebind_source;
  gboolean socket_activated; /* the listeners are sockets systemd passed */
  char *narrow_error;        /* the last reason narrowing failed, logged once */
} Server;

static void
narrowing_failed(Server *server, const char *reason)
{
  if (g_strcmp0(reason, server->narrow_error) == 0)
    return;
  g_warning("cannot move the API to the LAN gateway yet: %s; still listening on the old addresses", reason);
  g_free(server->narrow_error);
  server->narrow_error = g_strdup(reason);
}

/* The LAN gateway address the active config puts the API on, or NULL. */
static char *
gateway_address(Server *server, GError **error)
{
  AtxStore *store = atx_device_store(server->context.device);
  g_autofree char *path = g_build_filename(atx_store_config_dir(store), "lan-settings.json", NULL);
  json_error_t json_error;
  json_t *settings = json_load_file(path, 0, &json_error);
  const char *ip = json_string_value(json_object_get(settings, "gateway_ip"));
  char *address = ip ? g_strdup_printf("%s:%u", ip, server->port) : NULL;
  if (!address)
    g_set_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND, "%s has no gateway_ip: %s", path,
                settings ? "missing key" : json_error.text);
  json_decref(settings);
  return address;
}

static gboolean
add_listener(Server *server, int fd, GError **error)
{
  AtxListener *listener =
      atx_listener_new(&server->context, fd, server->upload_dir, &server->options->limits, error);
  if (!listener)
    return FALSE;
  g_message("listening on http://%s", atx_listener_address(listener));
  g_ptr_array_add(server->listeners, listener);
  return TRUE;
}

/* Opens the old addresses again after a failed move; the API must stay reachable. */
static void
reopen_listeners(Server *server, GStrv addresses)
{
  for (guint i = 0; addresses[i]; i++) {
    g_autoptr(GError) error = NULL;
    int fd = atx_listen_socket_open(addresses[i], &error);
    if (fd < 0 || !add_listener(server, fd, &error))
      g_warning("cannot listen on %s again: %s", addresses[i], error->message);
  }
}

/* A wildcard listener (0.0.0.0 or [::] on the port) covers the gateway
 * address, so the kernel refuses binding it until the old listeners are
 * closed: closes them, binds, and on failure opens the old addresses again. */
static int
listen_in_place_of_old(Server *server, const char *address, GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
  for (guint i = 0; i < server->listeners->len; i++)
    g_strv_builder_add(builder, atx_listener_address(g_ptr_array_index(server->listeners, i)));
  g_auto(GStrv) old_addresses = g_strv_builder_end(builder);
  g_ptr_array_set_size(server->listeners, 0);
  g_clear_error(error);
  int fd = atx_listen_socket_open(address, error);
  if (fd < 0)
    reopen_listeners(server, old_addresses);
  return fd;
}

/* Listens on the gateway address only. Keeps (or restores) the current
 * listeners when it cannot bind (the address may not be configured yet);
 * FALSE then. */
static gboolean
narrow_to_gateway(Server *server)
{
  if (server->socket_activated) {
    /* A socket unit keeps listening on its sockets whatever the daemon closes. */
    narrowing_failed(server, "the listeners are systemd's sockets (LISTEN_FDS), which stay open in the socket "
                             "unit; narrowing needs atomixd.service started without a socket unit");
    return FALSE;
  }
  g_autoptr(GError) error = NULL;
  g_autofree char *address = gateway_address(server, &error);
  if (address && g_strcmp0(address, server->narrowed_to) == 0)
    return TRUE;
  int fd = address ? atx_listen_socket_open(address, &error) : -1;
  if (fd < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE) && server->listeners->len > 0)
    fd = listen_in_place_of_old(server, address, &error);
  if (fd < 0) {
    narrowing_failed(server, error->message);
    return FALSE;
  }
  g_autoptr(GPtrArray) old = g_steal_pointer(&server->listeners);
  server->listeners = g_ptr_array_new_with_free_func((GDestroyNotify) atx_listener_free);
  if (!add_listener(server, fd, &error)) {
    narrowing_failed(server, error->message);
    g_ptr_array_unref(server->listeners);
    server->listeners = g_steal_pointer(&old);
    return FALSE;
  }
  for (guint i = 0; i < old->len; i++)
    g_message("closing http://%s: the device is provisioned", atx_listener_address(g_ptr_array_index(old, i)));
  g_free(server->narrowed_to);
  server->narrowed_to = g_steal_pointer(&address);
  return TRUE;
}

static gboolean
on_rebind_due(gpointer data)
{
  Server *server = data;
  server->rebind_source = 0;
  (void) narrow_to_gateway(server);
  return G_SOURCE_REMOVE;
}

static gboolean
on_job_succeeded(gpointer data)
{
  Server *server = data;
  if (server->rebind_source == 0)
    server->rebind_source = g_timeout_add_seconds(server->options->rebind_delay_seconds, on_rebind_due, server);
  return G_SOURCE_REMOVE;
}

/* Worker thread: a job ended; the main loop decides about listeners. */
static void
on_job_event(AtxJob *job, const json_t *event, gpointer user_data)
{
  Server *server = user_data;
  if (g_strcmp0(json_string_value(json_object_get(event, "step")), "completed") == 0)
    g_main_context_invoke(server->main_context, on_job_succeeded, server);
}

static gboolean
on_heartbeat(gpointer data)
{
  Server *server = data;
  atx_event_hub_heartbeat(server->context.events);
  if (server->narrowed_to == NULL && server->rebind_source == 0 &&
      atx_device_is_provisioned(server->context.device))
    (void) narrow_to_gateway(server);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_signal(gpointer data)
{
  Server *server = data;
  g_main_loop_quit(server->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_port(const char *address, guint16 *port, GError **error)
{
  g_autoptr(GSocketConnectable) connectable = g_network_address_parse(address, 0, error);
  if (!connectable)
    return FALSE;
  *port = g_network_address_get_port(G_NETWORK_ADDRESS(connectable));
  return TRUE;
}

/* Before provisioning (or when socket-activated): every configured address,
 * or systemd's sockets. */
static gboolean
open_initial_listeners(Server *server, int passed, GError **error)
{
  for (int i = 0; i < passed; i++)
    if (!add_listener(server, ATX_LISTEN_FDS_START + i, error))
      return FALSE;
  if (passed > 0)
    return TRUE;
  const char *const default_listen[] = { "0.0.0.0:" G_STRINGIFY(ATX_BOOTSTRAP_PORT), NULL };
  const char *const *listen =
      server->options->listen && server->options->listen[0] ? server->options->listen : default_listen;
  for (guint i = 0; listen[i]; i++) {
    int fd = atx_listen_socket_open(listen[i], error);
    if (fd < 0 || !add_listener(server, fd, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
prepare_upload_dir(Server *server, GError **error)
{
  server->upload_dir = g_build_filename(server->options->root, "uploads", NULL);
  /* Bodies of requests a dead process was receiving: never part of any job. */
  if (!atx_fs_remove_tree(server->upload_dir, NULL, error))
    return FALSE;
  if (g_mkdir_with_parents(server->upload_dir, 0700) < 0) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot create %s: %s", server->upload_dir, g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

/* Whether admin-signers held a key at startup decides, for the life of the
 * process, that first-boot access is over (fail closed, reference §7.2). */
static AtxAuth *
new_auth(const AtxHttpServeOptions *options)
{
  AtxDevice *device = options->device;
  g_autofree char *path = g_build_filename(atx_store_config_dir(atx_device_store(device)), "admin-signers", NULL);
  g_autofree char *signers = NULL;
  (void) g_file_get_contents(path, &signers, NULL, NULL);
  return atx_auth_new(&(AtxAuthOptions){ .signers_seen = atx_auth_signers_present(signers),
                                         .nonce_ttl_seconds = options->nonce_ttl_seconds });
}

/* The manager waits for READY=1 only with Type=notify; a failed send must not
 * stop the API, so it is logged. */
static void
notify_manager(const char *state)
{
  g_autoptr(GError) error = NULL;
  if (!atx_daemon_notify(state, &error))
    g_warning("%s", error->message);
}

static void
server_shutdown(Server *server)
{
  notify_manager("STOPPING=1");
  for (guint i = 0; i < server->listeners->len; i++)
    atx_listener_quiesce(g_ptr_array_index(server->listeners, i));
  g_ptr_array_set_size(server->listeners, 0);
  /* The upload directory stays: a queued or running job still reads the
   * upload it was handed and removes it when it ends (the device closes after
   * this); whatever a crash leaves is removed at the next start. */
}

gboolean
atx_http_serve(const AtxHttpServeOptions *options, GError **error)
{
  Server server = {
    .options = options,
    .context = { .device = options->device, .job_cache = atx_job_cache_new() },
    .listeners = g_ptr_array_new_with_free_func((GDestroyNotify) atx_listener_free),
    .port = ATX_BOOTSTRAP_PORT,
    .main_context = g_main_context_default(),
  };
  if (options->listen && options->listen[0] && !parse_port(options->listen[0], &server.port, error))
    return FALSE;
  server.context.ui = atx_boot_ui_new(error);
  if (!server.context.ui || !prepare_upload_dir(&server, error)) {
    atx_boot_ui_free(server.context.ui);
    atx_job_cache_free(server.context.job_cache);
    return FALSE;
  }
  server.context.events = atx_event_hub_new(options->device);
  int passed = options->socket_activation ? atx_daemon_listen_fds(NULL, error) : 0;
  server.socket_activated = passed > 0;
  server.context.auth = new_auth(options);
  gboolean ok = passed >= 0;
  if (ok && !(atx_device_is_provisioned(options->device) && narrow_to_gateway(&server)))
    ok = open_initial_listeners(&server, passed, error);
  if (ok) {
    guint listener_id = atx_device_listen(options->device, on_job_event, &server);
    server.loop = g_main_loop_new(server.main_context, FALSE);
    guint heartbeat =
        g_timeout_add_seconds(options->heartbeat_seconds ? options->heartbeat_seconds : DEFAULT_HEARTBEAT_SECONDS,
                              on_heartbeat, &server);
    guint term = g_unix_signal_add(SIGTERM, on_stop_signal, &server);
    guint interrupt = g_unix_signal_add(SIGINT, on_stop_signal, &server);
    notify_manager("READY=1");
    g_main_loop_run(server.loop);
    g_message("stopping: no new connections; a running job stops at its next safe point");
    atx_device_unlisten(options->device, listener_id);
    g_source_remove(heartbeat);
    g_source_remove(term);
    g_source_remove(interrupt);
    if (server.rebind_source)
      g_source_remove(server.rebind_source);
    g_main_loop_unref(server.loop);
  }
  server_shutdown(&server);
  g_ptr_array_unref(server.listeners);
  atx_event_hub_free(server.context.events);
  atx_job_cache_free(server.context.job_cache);
  atx_auth_free(server.context.auth);
  atx_boot_ui_free(server.context.ui);
  g_free(server.upload_dir);
  g_free(server.narrowed_to);
  g_free(server.narrow_error);
  return ok;
}
