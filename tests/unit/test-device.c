/* The device object end to end: the whole pipeline through submit/wait/list
 * with the simulated service manager in a scratch root, single flight, a
 * rollback, listeners, and shutdown while a job waits for health. */
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "core/base/error.h"
#include "device/device.h"
#include "device/fs/fsutil.h"
#include "testutil.h"

typedef struct {
  char *root;
  AtxDevice *device;
} Fixture;

static void
open_device(Fixture *fixture, const char *const *fail_units, guint delay_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = g_build_filename(fixture->root, "sim-units.json", NULL);
  AtxSvcMgrSimOptions sim = { .fail_units = fail_units, .delay_ms = delay_ms, .state_file = state };
  AtxDeviceOptions options = { .root = fixture->root, .svcmgr = atx_svcmgr_sim_new(&sim), .poll_interval_ms = 20 };
  fixture->device = atx_device_open(&options, &error);
  g_assert_no_error(error);
  g_assert_nonnull(fixture->device);
}

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
  fixture->root = g_dir_make_tmp("atomix-device-XXXXXX", NULL);
  open_device(fixture, NULL, 0);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  atx_device_close(fixture->device);
  g_assert_true(atx_fs_remove_tree(fixture->root, NULL, NULL));
  g_free(fixture->root);
}

static void
reopen(Fixture *fixture, const char *const *fail_units, guint delay_ms)
{
  g_clear_pointer(&fixture->device, atx_device_close);
  open_device(fixture, fail_units, delay_ms);
}

static AtxJob *
submit(Fixture *fixture, const char *toml, GError **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new(toml, strlen(toml));
  AtxApplyRequest request = { .data = bytes, .filename = "config.toml", .allow_reapply = TRUE };
  return atx_device_submit(fixture->device, "api", &request, error);
}

static json_t *
resource(AtxJob *job)
{
  return atx_job_to_json(job, 0);
}

static const char *
field(json_t *object, const char *key)
{
  return json_string_value(json_object_get(object, key));
}

static void
count_terminal(AtxJob *job, const json_t *event, gpointer user_data)
{
  const char *step = json_string_value(json_object_get(event, "step"));
  if (g_str_equal(step, "completed") || g_str_equal(step, "failed"))
    g_atomic_int_inc((gint *) user_data);
}

static void
test_provision_then_reapply(Fixture *fixture, gconstpointer data)
{
  g_assert_cmpstr(atx_device_recovery_message(fixture->device), !=, NULL);
  g_assert_false(atx_device_is_provisioned(fixture->device));
  gint terminal = 0;
  guint listener = atx_device_listen(fixture->device, count_terminal, &terminal);

  const char *apps[] = { "web", NULL };
  g_autofree char *toml = atx_test_config(apps, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) first = submit(fixture, toml, &error);
  g_assert_no_error(error);
  g_assert_true(atx_device_wait(fixture->device, first));
  g_assert_true(atx_device_is_provisioned(fixture->device));
  json_t *done = resource(first);
  g_assert_cmpstr(field(done, "state"), ==, "succeeded");
  g_assert_cmpstr(field(done, "current_step"), ==, "completed");
  g_assert_false(json_is_true(json_object_get(json_object_get(done, "result"), "reapply")));
  json_decref(done);

  const char *more[] = { "web", "db", NULL };
  g_autofree char *bigger = atx_test_config(more, NULL);
  g_autoptr(AtxJob) second = submit(fixture, bigger, &error);
  g_assert_no_error(error);
  g_assert_true(atx_device_wait(fixture->device, second));

  g_autoptr(GPtrArray) jobs = atx_device_list(fixture->device, 0);
  g_assert_cmpuint(jobs->len, ==, 2);
  g_assert_true(g_ptr_array_index(jobs, 0) == second); /* newest first */
  g_autoptr(GPtrArray) one = atx_device_list(fixture->device, 1);
  g_assert_cmpuint(one->len, ==, 1);
  g_autoptr(AtxJob) found = atx_device_get(fixture->device, atx_job_id(first));
  g_assert_true(found == first);
  g_assert_null(atx_device_get(fixture->device, "no-such-job"));
  atx_device_unlisten(fixture->device, listener);
  g_assert_cmpint(g_atomic_int_get(&terminal), ==, 2);
}

static void
test_invalid_and_busy(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) invalid = submit(fixture, "version = \"one\"\n", &error);
  g_assert_false(atx_device_wait(fixture->device, invalid));
  json_t *failed = resource(invalid);
  g_assert_nonnull(strstr(field(failed, "error"), "invalid config"));
  g_assert_nonnull(json_object_get(failed, "diagnostics"));
  g_assert_null(json_object_get(failed, "rollback_status"));
  json_decref(failed);
  g_assert_false(atx_device_is_provisioned(fixture->device));

  /* Slow units keep the first job running while the second is submitted. */
  reopen(fixture, NULL, 300);
  const char *apps[] = { "web", NULL };
  g_autofree char *toml = atx_test_config(apps, NULL);
  g_autoptr(AtxJob) running = submit(fixture, toml, &error);
  g_assert_no_error(error);
  g_autoptr(AtxJob) refused = submit(fixture, toml, &error);
  g_assert_null(refused);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_BUSY);
  g_assert_nonnull(strstr(error->message, atx_job_id(running)));
  g_assert_true(atx_device_wait(fixture->device, running));
}

static void
test_unhealthy_reapply_rolls_back(Fixture *fixture, gconstpointer data)
{
  const char *apps[] = { "web", NULL };
  g_autofree char *toml = atx_test_config(apps, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) first = submit(fixture, toml, &error);
  g_assert_true(atx_device_wait(fixture->device, first));

  const char *fail[] = { "db.service", NULL };
  reopen(fixture, fail, 0);
  const char *more[] = { "web", "db", NULL };
  g_autofree char *bigger = atx_test_config(more, "timeout_seconds = 2");
  g_autoptr(AtxJob) second = submit(fixture, bigger, &error);
  g_assert_false(atx_device_wait(fixture->device, second));
  json_t *failed = resource(second);
  g_assert_cmpstr(field(failed, "rollback_status"), ==, "completed");
  g_assert_nonnull(strstr(field(failed, "error"), "db.service"));
  json_decref(failed);
  g_autofree char *active = g_build_filename(fixture->root, "config", "config.toml", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(active, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, toml);
}

/* Closing while a job waits before its health checks must not wait out the
 * 60 s settle time: the job is interrupted, its change undone. */
static void
test_close_interrupts_health_wait(Fixture *fixture, gconstpointer data)
{
  const char *apps[] = { "web", NULL };
  g_autofree char *toml = atx_test_config(apps, "settle_seconds = 60\ntimeout_seconds = 120");
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) job = submit(fixture, toml, &error);
  g_assert_no_error(error);
  for (guint i = 0; i < 500 && atx_job_state(job) != ATX_JOB_RUNNING; i++)
    g_usleep(10 * 1000);
  g_usleep(200 * 1000);
  /* A job must not be read once its device is closed: read the record the
   * reopened device loads instead. */
  g_autofree char *id = g_strdup(atx_job_id(job));
  g_clear_pointer(&job, atx_job_unref);
  gint64 start = g_get_monotonic_time();
  g_clear_pointer(&fixture->device, atx_device_close);
  g_assert_cmpint(g_get_monotonic_time() - start, <, 60 * G_USEC_PER_SEC);
  open_device(fixture, NULL, 0);
  g_autoptr(AtxJob) recorded = atx_device_get(fixture->device, id);
  g_assert_nonnull(recorded);
  json_t *failed = resource(recorded);
  g_assert_cmpstr(field(failed, "state"), ==, "failed");
  g_assert_nonnull(strstr(field(failed, "error"), "interrupted"));
  g_assert_cmpstr(field(failed, "rollback_status"), ==, "discarded");
  json_decref(failed);
  g_assert_false(atx_device_is_provisioned(fixture->device));
}

/* A failure while writing the candidate names the step and the file: an
 * operator's FIFO in the config root cannot be carried over. */
static void
test_write_failure_names_step_and_file(Fixture *fixture, gconstpointer data)
{
  const char *apps[] = { "web", NULL };
  g_autofree char *toml = atx_test_config(apps, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) first = submit(fixture, toml, &error);
  g_assert_true(atx_device_wait(fixture->device, first));
  g_autofree char *fifo = g_build_filename(fixture->root, "config", "operator.fifo", NULL);
  g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);

  g_autoptr(AtxJob) second = submit(fixture, toml, &error);
  g_assert_no_error(error);
  g_assert_false(atx_device_wait(fixture->device, second));
  json_t *failed = resource(second);
  g_assert_true(g_str_has_prefix(field(failed, "error"), "writing the candidate config: "));
  g_assert_nonnull(strstr(field(failed, "error"), fifo));
  json_decref(failed);
}

static AtxJob *
submit_edit(Fixture *fixture, const char *toml, const char *base_toml, GError **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new(toml, strlen(toml));
  g_autofree char *base = g_compute_checksum_for_string(G_CHECKSUM_SHA256, base_toml, -1);
  AtxApplyRequest request = { .data = bytes, .filename = "config.toml", .allow_reapply = TRUE,
                              .expect_active_sha256 = base, .keep_active_files = TRUE };
  return atx_device_submit(fixture->device, "partial", &request, error);
}

/* A partial edit computed from config A applies while A is active (keeping
 * the active files/), and changes nothing when another change made B active
 * in between. */
static void
test_edit_of_a_superseded_config_changes_nothing(Fixture *fixture, gconstpointer data)
{
  const char *one[] = { "web", NULL };
  const char *two[] = { "web", "db", NULL };
  const char *three[] = { "web", "cache", NULL };
  g_autofree char *a = atx_test_config(one, NULL);
  g_autofree char *b = atx_test_config(two, NULL);
  g_autofree char *c = atx_test_config(three, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) first = submit(fixture, a, &error);
  g_assert_true(atx_device_wait(fixture->device, first));
  /* What a bundle left in files/ survives the edit. */
  g_autofree char *files = g_build_filename(fixture->root, "config", "files", NULL);
  g_autofree char *blob = g_build_filename(files, "blob.txt", NULL);
  g_assert_cmpint(g_mkdir_with_parents(files, 0755), ==, 0);
  g_assert_true(g_file_set_contents(blob, "bundle data\n", -1, NULL));
  g_autoptr(AtxJob) edit = submit_edit(fixture, b, a, &error);
  g_assert_no_error(error);
  g_assert_true(atx_device_wait(fixture->device, edit));
  g_autofree char *kept = NULL;
  g_assert_true(g_file_get_contents(blob, &kept, NULL, NULL));
  g_assert_cmpstr(kept, ==, "bundle data\n");
  g_autoptr(AtxJob) stale = submit_edit(fixture, c, a, &error);
  g_assert_no_error(error);
  g_assert_false(atx_device_wait(fixture->device, stale));
  json_t *failed = resource(stale);
  g_assert_nonnull(strstr(field(failed, "error"), "the active config changed since this edit was checked"));
  json_decref(failed);
  g_autofree char *active = g_build_filename(fixture->root, "config", "config.toml", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(active, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, b);
}

static void
test_open_refused_while_store_locked(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxStore) other = atx_store_open(fixture->root, &error);
  g_assert_true(atx_store_lock(other, "job-elsewhere", &error));
  AtxSvcMgrSimOptions sim = { 0 };
  AtxDeviceOptions options = { .root = fixture->root, .svcmgr = atx_svcmgr_sim_new(&sim) };
  AtxDevice *second = atx_device_open(&options, &error);
  g_assert_null(second);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_BUSY);
  g_assert_nonnull(strstr(error->message, "job-elsewhere"));
  atx_store_unlock(other);
}

#define ADD(name, func) g_test_add(name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  ADD("/device/provision-then-reapply", test_provision_then_reapply);
  ADD("/device/invalid-and-busy", test_invalid_and_busy);
  ADD("/device/unhealthy-reapply-rolls-back", test_unhealthy_reapply_rolls_back);
  ADD("/device/close-interrupts-health-wait", test_close_interrupts_health_wait);
  ADD("/device/write-failure-names-step-and-file", test_write_failure_names_step_and_file);
  ADD("/device/open-refused-while-store-locked", test_open_refused_while_store_locked);
  ADD("/device/edit-of-a-superseded-config-changes-nothing", test_edit_of_a_superseded_config_changes_nothing);
  return g_test_run();
}
