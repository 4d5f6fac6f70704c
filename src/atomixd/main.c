/* atomixd: the device side. Argument parsing only; the work is in src/device. */
#include <glib.h>
#include <stdio.h>

#include "cli/command.h"
#include "core/base/error.h"
#include "core/render/render.h"
#include "core/bundle/submission.h"
#include "device/activate.h"
#include "device/pipeline.h"

#define PROGRAM "atomixd"
#define EXIT_FAILED ATX_EXIT_FAILED
#define EXIT_USAGE ATX_EXIT_USAGE

static char *opt_root;
static char *opt_service_manager;
static char **opt_sim_fail;
static int opt_sim_delay_ms;
static char *opt_app_user;
static int opt_poll_interval_ms;
static char *opt_system_bus;
static char *opt_user_bus;
static gboolean opt_system_is_user_manager;

static const GOptionEntry root_entries[] = {
  { "root", 0, 0, G_OPTION_ARG_FILENAME, &opt_root, "State root holding config/ (default /data)", "DIR" },
  { NULL },
};

static const GOptionEntry manager_entries[] = {
  { "service-manager", 0, 0, G_OPTION_ARG_STRING, &opt_service_manager,
    "systemd (default) or sim, the simulation for demos and fault injection", "NAME" },
  { "sim-fail", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_sim_fail,
    "With sim: this unit never becomes active (repeatable)", "UNIT" },
  { "sim-delay-ms", 0, 0, G_OPTION_ARG_INT, &opt_sim_delay_ms, "With sim: every operation takes N ms", "N" },
  { "app-user", 0, 0, G_OPTION_ARG_STRING, &opt_app_user, "Owner of bundle files and rootless units (default appsvc)", "USER" },
  { "poll-interval-ms", 0, 0, G_OPTION_ARG_INT, &opt_poll_interval_ms, "Time between health probes (default 1000)", "N" },
  { "system-bus", 0, 0, G_OPTION_ARG_STRING, &opt_system_bus, "D-Bus address of the rootful manager (testing)", "ADDRESS" },
  { "user-bus", 0, 0, G_OPTION_ARG_STRING, &opt_user_bus, "D-Bus address of the rootless manager (testing)", "ADDRESS" },
  { "system-is-user-manager", 0, 0, G_OPTION_ARG_NONE, &opt_system_is_user_manager,
    "The rootful manager is a user manager (testing with a private systemd --user)", NULL },
  { NULL },
};

static int run_import(const AtxCommand *self, int argc, char **argv);
static int run_recover(const AtxCommand *self, int argc, char **argv);
static int run_check_health(const AtxCommand *self, int argc, char **argv);

static const AtxCommand commands[] = {
  { "import", "SOURCE", "Apply a config.toml or bundle through the full job pipeline",
    "Validates SOURCE, writes the candidate tree, promotes it, activates it and waits\n"
    "for the required units; rolls back when they do not come up. Prints every step.\n\n"
    "Exit status: 0 applied, 1 refused or rolled back, 2 usage or I/O error.", run_import },
  { "recover", "", "Finish or undo a change a crash interrupted",
    "Returns ROOT/config to a consistent tree and marks jobs that were running as interrupted.", run_recover },
  { "check-health", "", "Check once that every required unit of the active config is active",
    "Exit status: 0 all active, 1 some are not.", run_check_health },
};

static const char *
root_dir(void)
{
  return opt_root ? opt_root : "/data";
}

static AtxSvcMgr *
open_service_manager(const char *root, GError **error)
{
  const char *name = opt_service_manager ? opt_service_manager : "systemd";
  if (g_str_equal(name, "sim")) {
    g_autofree char *state = g_build_filename(root, "sim-units.json", NULL);
    AtxSvcMgrSimOptions options = { (const char *const *) opt_sim_fail, (guint) MAX(opt_sim_delay_ms, 0), state };
    return atx_svcmgr_sim_new(&options);
  }
  if (g_str_equal(name, "systemd")) {
    AtxSvcMgrSystemdOptions options = { opt_system_bus, opt_user_bus, opt_app_user, opt_system_is_user_manager };
    return atx_svcmgr_systemd_new(&options, error);
  }
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown service manager '%s' (systemd or sim)", name);
  return NULL;
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

static GBytes *
read_source(const char *path, GError **error)
{
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, error))
    return NULL;
  GBytes *bytes = g_bytes_new_take(data, len);
  if (!atx_submission_path_supported(path, bytes, error)) {
    g_bytes_unref(bytes);
    return NULL;
  }
  return bytes;
}

static int
run_import(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 1, root_entries, manager_entries, NULL))
    return EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) source = read_source(argv[1], &error);
  g_autoptr(AtxStore) store = source ? atx_store_open(root_dir(), &error) : NULL;
  g_autofree char *jobs_dir = g_build_filename(root_dir(), "jobs", NULL);
  g_autoptr(AtxJournal) journal = store ? atx_journal_open(jobs_dir, NULL, &error) : NULL;
  g_autoptr(AtxSvcMgr) svcmgr = journal ? open_service_manager(root_dir(), &error) : NULL;
  if (!svcmgr || !atx_pipeline_recover(store, journal, NULL, &error)) {
    g_printerr("atomixd import: %s\n", error->message);
    /* Another job holding the store is a refusal, not a usage error. */
    return g_error_matches(error, ATX_ERROR, ATX_ERROR_BUSY) ? EXIT_FAILED : EXIT_USAGE;
  }
  g_autoptr(AtxJob) job = atx_journal_submit(journal, "import", &error);
  if (!job) {
    g_printerr("atomixd import: %s\n", error->message);
    return EXIT_FAILED;
  }
  atx_journal_listen(journal, print_event, NULL);
  g_autofree char *filename = g_path_get_basename(argv[1]);
  AtxPipeline pipeline = { store, svcmgr, opt_app_user, (guint) MAX(opt_poll_interval_ms, 0), NULL };
  AtxApplyRequest request = { source, filename, TRUE };
  gboolean ok = atx_pipeline_apply(&pipeline, job, &request);
  print_outcome(job);
  return ok ? 0 : EXIT_FAILED;
}

static int
run_recover(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, NULL))
    return EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxStore) store = atx_store_open(root_dir(), &error);
  g_autofree char *jobs_dir = g_build_filename(root_dir(), "jobs", NULL);
  g_autoptr(AtxJournal) journal = store ? atx_journal_open(jobs_dir, NULL, &error) : NULL;
  g_autofree char *message = NULL;
  if (!journal || !atx_pipeline_recover(store, journal, &message, &error)) {
    g_printerr("atomixd recover: %s\n", error->message);
    return EXIT_FAILED;
  }
  g_print("%s\n", message);
  return 0;
}

static int
run_check_health(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, root_entries, manager_entries, NULL))
    return EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxStore) store = atx_store_open(root_dir(), &error);
  g_autoptr(AtxSvcMgr) svcmgr = store ? open_service_manager(root_dir(), &error) : NULL;
  g_autoptr(GPtrArray) failures = svcmgr ? atx_check_required(svcmgr, atx_store_config_dir(store), &error) : NULL;
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

int
main(int argc, char **argv)
{
  return atx_cli_main(PROGRAM, commands, G_N_ELEMENTS(commands), argc, argv);
}
