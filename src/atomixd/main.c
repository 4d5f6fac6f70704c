/* atomixd: the device side. Argument parsing only; the work is in src/device. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomixd/apply_cmds.h"
#include "atomixd/manager_options.h"
#include "cli/command.h"
#include "core/base/error.h"
#include "core/base/json_writer.h"
#include "core/render/render.h"
#include "core/bundle/submission.h"
#include "device/activate.h"
#include "device/device.h"
#include "http/openapi.h"
#include "http/server.h"

#define PROGRAM "atomixd"
#define EXIT_FAILED ATX_EXIT_FAILED
#define EXIT_USAGE ATX_EXIT_USAGE

static char *opt_root;
static int opt_poll_interval_ms;
static char **opt_listen;
static int opt_heartbeat_seconds;
static int opt_rebind_delay_seconds = 10;
static int opt_connection_timeout_seconds;
static int opt_connections_per_address;
static int opt_nonce_ttl_seconds;

static const GOptionEntry root_entries[] = {
  { "root", 0, 0, G_OPTION_ARG_FILENAME, &opt_root, "State root holding config/ (default /data)", "DIR" },
  { NULL },
};

static const GOptionEntry poll_entries[] = {
  { "poll-interval-ms", 0, 0, G_OPTION_ARG_INT, &opt_poll_interval_ms,
    "Time between health probes (default " G_STRINGIFY(ATX_DEFAULT_POLL_INTERVAL_MS) ")", "N" },
  { NULL },
};

static const GOptionEntry serve_entries[] = {
  { "listen", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_listen,
    "Listen on ADDR:PORT or [ADDR]:PORT before provisioning (repeatable; default 0.0.0.0:" G_STRINGIFY(
        ATX_BOOTSTRAP_PORT) "; sockets passed by systemd win)",
    "ADDR:PORT" },
  { "heartbeat-seconds", 0, 0, G_OPTION_ARG_INT, &opt_heartbeat_seconds,
    "Keepalive comment interval of event streams (default 15)", "N" },
  { "rebind-delay-seconds", 0, 0, G_OPTION_ARG_INT, &opt_rebind_delay_seconds,
    "After provisioning, keep the old addresses this long so clients see the job end (default 10)", "N" },
  { "connection-timeout-seconds", 0, 0, G_OPTION_ARG_INT, &opt_connection_timeout_seconds,
    "Close a connection idle this long, so slow clients cannot hold it (default 120)", "N" },
  { "connections-per-address", 0, 0, G_OPTION_ARG_INT, &opt_connections_per_address,
    "Refuse more connections than this at once from one client address (default 128)", "N" },
  { "nonce-ttl-seconds", 0, 0, G_OPTION_ARG_INT, &opt_nonce_ttl_seconds,
    "A nonce from GET /api/nonce expires after this (default 300)", "N" },
  { NULL },
};

static int run_serve(const AtxCommand *self, int argc, char **argv);
static int run_openapi(const AtxCommand *self, int argc, char **argv);
static int run_import(const AtxCommand *self, int argc, char **argv);
static int run_recover(const AtxCommand *self, int argc, char **argv);
static int run_check_health(const AtxCommand *self, int argc, char **argv);

static const AtxCommand commands[] = {
  { "serve", "", "Serve the bootstrap API (HTTP) until SIGTERM",
    "Listens on every --listen address (or the sockets systemd passes) until the device is\n"
    "provisioned, then on the LAN gateway address of config/lan-settings.json only.\n"
    "Submitted configs run as jobs on a worker thread; GET /schema/openapi.json describes\n"
    "every route. SIGTERM stops accepting, lets a running job reach a safe point, exits 0.",
    run_serve },
  { "openapi", "", "Print the API's OpenAPI 3.1 document", "The same document GET /schema/openapi.json serves.",
    run_openapi },
  { "import", "SOURCE", "Apply a config.toml or bundle through the full job pipeline",
    "Validates SOURCE, writes the candidate tree, promotes it, activates it and waits\n"
    "for the required units; rolls back when they do not come up. Prints every step.\n\n"
    "Exit status: 0 applied, 1 refused or rolled back, 2 usage or I/O error.",
    run_import },
  { "recover", "", "Finish or undo a change a crash interrupted",
    "Returns ROOT/config to a consistent tree and marks jobs that were running as interrupted.", run_recover },
  { "check-health", "", "Check once that every required unit of the active config is active",
    "Exit status: 0 all active, 1 some are not.", run_check_health },
  { "apply-firewall", "", "Load the firewall of ROOT/config as one nftables transaction",
    "Replaces the table inet atomix atomically: platform base, provisioned ports, bootstrap\n"
    "port on WAN until provisioned, SSH on WAN while ROOT/config/ssh-wan-enabled exists.",
    atx_cmd_apply_firewall },
  { "apply-lan", "", "Write dnsmasq, chrony, networkd and hosts files for the LAN gateway",
    "From ROOT/config/lan-settings.json and host-network.json; refuses inconsistent input before\n"
    "writing anything; restarts only the services whose files changed.",
    atx_cmd_apply_lan },
  { "apply-users", "", "Create, refresh and lock the managed accounts of ROOT/config/users.json",
    "Never touches root or appsvc; refuses an existing account it did not create.", atx_cmd_apply_users },
  { "sync-quadlet", "", "Copy ROOT/config/quadlet into the Quadlet search paths and restart what changed",
    "Manifest-based: unmanaged files are never touched, stale units are stopped and removed.\n"
    "Exit status: 0 synced, 1 a unit failed (named) or the metadata is invalid.",
    atx_cmd_sync_quadlet },
};

static const char *
root_dir(void)
{
  return opt_root ? opt_root : "/data";
}

/* The device every command works on; @with_manager FALSE for commands that
 * never start units (recovery only moves files). */
static AtxDevice *
open_device(gboolean with_manager, GError **error)
{
  AtxSvcMgr *svcmgr =
      with_manager ? atx_manager_open(root_dir(), error) : atx_svcmgr_sim_new(&(AtxSvcMgrSimOptions){ 0 });
  if (!svcmgr)
    return NULL;
  AtxDeviceOptions options = {
    .root = root_dir(),
    .svcmgr = svcmgr,
    .app_user = atx_manager_app_user(),
    .poll_interval_ms = (guint) MAX(opt_poll_interval_ms, 0),
  };
  return atx_device_open(&options, error);
}

/* Another job holding the store is a refusal, not a usage error. */
static int
open_failure_status(const GError *error)
{
  return g_error_matches(error, ATX_ERROR, ATX_ERROR_BUSY) ? EXIT_FAILED : EXIT_USAGE;
}

static void
print_event(AtxJob *job, const json_t *event, gpointer user_data)
{
  const char *message = json_string_value(json_object_get(event, "message"));
  g_print("%7.2fs  %-22s %s\n", json_number_value(json_object_get(event, "elapsed_seconds")),
          json_string_value(json_object_get(event, "step")), message ? message : "");
  fflush(stdout);
}

static void
print_outcome(AtxJob *job)
{
  json_t *resource = atx_job_to_json(job, 0);
  const char *state = json_string_value(json_object_get(resource, "state"));
  const char *error = json_string_value(json_object_get(resource, "error"));
  const char *rollback = json_string_value(json_object_get(resource, "rollback_status"));
  json_t *warnings = json_object_get(json_object_get(resource, "result"), "warnings");
  g_print("job %s %s\n", atx_job_id(job), state);
  for (gsize i = 0; i < json_array_size(warnings); i++)
    g_print("warning: %s\n", json_string_value(json_array_get(warnings, i)));
  if (error)
    g_printerr("error: %s\n", error);
  if (rollback)
    g_printerr("rollback status: %s\n", rollback);
  json_decref(resource);
}

/* The source is read twice by the job (validated, then streamed into the
 * candidate), never whole into memory: it must be a regular file. Only its
 * first bytes are read here, to tell a bundle from a config by content. */
static gboolean
check_source(const char *path, GError **error)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    int saved = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot read %s: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  if (!S_ISREG(st.st_mode)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not a regular file", path);
    return FALSE;
  }
  guint8 head[4] = { 0 };
  gssize got = -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd >= 0) {
    got = read(fd, head, sizeof head);
    close(fd);
  }
  if (got < 0) {
    int saved = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot read %s: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  g_autoptr(GBytes) bytes = g_bytes_new(head, (gsize) got);
  return atx_submission_path_supported(path, bytes, error);
}

static int
run_import(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 1, root_entries, atx_manager_entries, atx_app_user_entries,
                     poll_entries, NULL))
    return EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxDevice) device = check_source(argv[1], &error) ? open_device(TRUE, &error) : NULL;
  if (!device) {
    g_printerr("atomixd import: %s\n", error->message);
    return open_failure_status(error);
  }
  g_autofree char *filename = g_path_get_basename(argv[1]);
  AtxApplyRequest request = { .upload_path = argv[1], .filename = filename, .allow_reapply = TRUE };
  guint listener = atx_device_listen(device, print_event, NULL);
  g_autoptr(AtxJob) job = atx_device_submit(device, "import", &request, &error);
  if (!job) {
    atx_device_unlisten(device, listener);
    g_printerr("atomixd import: %s\n", error->message);
    return EXIT_FAILED;
  }
  gboolean ok = atx_device_wait(device, job);
  atx_device_unlisten(device, listener);
  print_outcome(job);
  return ok ? 0 : EXIT_FAILED;
}

static int
run_recover(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, NULL))
    return EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxDevice) device = open_device(FALSE, &error);
  if (!device) {
    g_printerr("atomixd recover: %s\n", error->message);
    return EXIT_FAILED;
  }
  g_print("%s\n", atx_device_recovery_message(device));
  return 0;
}

static int
run_check_health(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, atx_manager_entries, atx_app_user_entries,
                     poll_entries, NULL))
    return EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxDevice) device = open_device(TRUE, &error);
  g_autoptr(GPtrArray) failures =
      device ? atx_check_required(atx_device_svcmgr(device), atx_store_config_dir(atx_device_store(device)), &error)
             : NULL;
  if (!failures) {
    g_printerr("atomixd check-health: %s\n", error->message);
    return EXIT_USAGE;
  }
  if (failures->len == 0) {
    g_print("All required services are active\n");
    return 0;
  }
  g_ptr_array_add(failures, NULL);
  g_autofree char *list = g_strjoinv(", ", (char **) failures->pdata);
  g_printerr("Required services failed: %s\n", list);
  return EXIT_FAILED;
}

static int
run_serve(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, atx_manager_entries, atx_app_user_entries,
                     poll_entries, serve_entries, NULL))
    return EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxDevice) device = open_device(TRUE, &error);
  if (!device) {
    g_printerr("atomixd serve: %s\n", error->message);
    return open_failure_status(error);
  }
  g_message("%s", atx_device_recovery_message(device));
  AtxHttpServeOptions options = {
    .device = device,
    .root = root_dir(),
    .listen = (const char *const *) opt_listen,
    .socket_activation = TRUE,
    .heartbeat_seconds = (guint) MAX(opt_heartbeat_seconds, 0),
    .rebind_delay_seconds = (guint) MAX(opt_rebind_delay_seconds, 0),
    .limits = { .connection_timeout_seconds = (guint) MAX(opt_connection_timeout_seconds, 0),
                .connections_per_address = (guint) MAX(opt_connections_per_address, 0) },
    .nonce_ttl_seconds = (guint) MAX(opt_nonce_ttl_seconds, 0),
  };
  if (!atx_http_serve(&options, &error)) {
    g_printerr("atomixd serve: %s\n", error->message);
    return EXIT_USAGE;
  }
  return 0;
}

static int
run_openapi(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, NULL, NULL))
    return EXIT_USAGE;
  json_t *document = atx_openapi_document();
  g_autofree char *text = atx_json_text(document);
  json_decref(document);
  g_print("%s", text);
  return 0;
}

int
main(int argc, char **argv)
{
  /* GLib's log writer (g_warning, g_message) converts to the locale's
   * character set when stderr is not the journal, and the options are read in
   * it. atomixctl does without (src/atomixctl/main.c); a daemon's start-up is
   * not worth the difference. */
  setlocale(LC_CTYPE, "");
  return atx_cli_main(PROGRAM, commands, G_N_ELEMENTS(commands), argc, argv);
}
