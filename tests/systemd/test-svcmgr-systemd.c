/* The sd-bus service manager backend against a real, private systemd --user
 * manager (tests/systemd/user-manager starts it and sets
 * ATOMIX_TEST_BUS_ADDRESS / ATOMIX_TEST_UNIT_DIR). The fixture units live in
 * tests/systemd/units. Without the environment every test is skipped. */
#include <glib.h>
#include <pwd.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "device/svcmgr/svcmgr.h"

/* Generous compared to what the jobs need, so a slow machine does not fail
 * a test that is not about deadlines. */
#define JOB_DEADLINE_S 20

typedef struct {
  AtxSvcMgr *mgr; /* NULL when there is no test manager */
  const char *bus_address;
  const char *unit_dir;
} Fixture;

static gint64
deadline_in(double seconds)
{
  return g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
}

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
  fixture->bus_address = g_getenv("ATOMIX_TEST_BUS_ADDRESS");
  fixture->unit_dir = g_getenv("ATOMIX_TEST_UNIT_DIR");
  if (!fixture->bus_address || !fixture->unit_dir)
    return;

  AtxSvcMgrSystemdOptions options = {
    .system_bus_address = fixture->bus_address,
    .user_bus_address = fixture->bus_address,
    .system_is_user_manager = TRUE,
  };
  g_autoptr(GError) error = NULL;
  fixture->mgr = atx_svcmgr_systemd_new(&options, &error);
  g_assert_no_error(error);
  g_assert_nonnull(fixture->mgr);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  g_clear_pointer(&fixture->mgr, atx_svcmgr_free);
}

static gboolean
have_manager(const Fixture *fixture)
{
  if (fixture->mgr)
    return TRUE;
  g_test_skip("ATOMIX_TEST_BUS_ADDRESS/ATOMIX_TEST_UNIT_DIR not set (run through tests/systemd/user-manager)");
  return FALSE;
}

static void
assert_status(AtxSvcMgr *mgr, const char *unit, AtxUnitState state, const char *detail)
{
  g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(mgr, unit, ATX_MODE_ROOTFUL);
  g_test_message("%s: %s, %s", unit, atx_unit_state_name(status->state), status->detail);
  g_assert_cmpstr(atx_unit_state_name(status->state), ==, atx_unit_state_name(state));
  g_assert_cmpstr(status->detail, ==, detail);
}

static void
restart_ok(AtxSvcMgr *mgr, const char *unit)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = atx_svcmgr_restart(mgr, unit, ATX_MODE_ROOTFUL, deadline_in(JOB_DEADLINE_S), &error);
  g_assert_no_error(error);
  g_assert_true(ok);
}

static void
stop_ok(AtxSvcMgr *mgr, const char *unit)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = atx_svcmgr_stop(mgr, unit, ATX_MODE_ROOTFUL, deadline_in(JOB_DEADLINE_S), &error);
  g_assert_no_error(error);
  g_assert_true(ok);
}

/* Reads a unit's Description straight from the manager, to see what a
 * daemon-reload changed without going through the code under test. */
static char *
unit_description(const char *bus_address, const char *unit)
{
  sd_bus *bus = NULL;
  sd_bus_message *reply = NULL;
  sd_bus_error bus_error = SD_BUS_ERROR_NULL;
  const char *path = NULL;
  char *description = NULL;

  g_assert_cmpint(sd_bus_new(&bus), >=, 0);
  g_assert_cmpint(sd_bus_set_address(bus, bus_address), >=, 0);
  g_assert_cmpint(sd_bus_set_bus_client(bus, 1), >=, 0);
  g_assert_cmpint(sd_bus_start(bus), >=, 0);
  g_assert_cmpint(sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "LoadUnit", &bus_error, &reply, "s", unit),
                  >=, 0);
  g_assert_cmpint(sd_bus_message_read(reply, "o", &path), >=, 0);
  g_assert_cmpint(sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
                                             "org.freedesktop.systemd1.Unit", "Description", &bus_error,
                                             &description),
                  >=, 0);
  char *copy = g_strdup(description);
  free(description);
  sd_bus_message_unref(reply);
  sd_bus_error_free(&bus_error);
  sd_bus_flush_close_unref(bus);
  return copy;
}

static void
write_unit(const Fixture *fixture, const char *unit, const char *description)
{
  g_autofree char *path = g_build_filename(fixture->unit_dir, unit, NULL);
  g_autofree char *text = g_strdup_printf("[Unit]\nDescription=%s\n\n[Service]\nType=simple\n"
                                          "ExecStart=/bin/sleep 300\n",
                                          description);
  g_autoptr(GError) error = NULL;
  g_file_set_contents(path, text, -1, &error);
  g_assert_no_error(error);
}

static void
test_daemon_reload(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  write_unit(fixture, "reloaded.service", "before reload");
  ok = atx_svcmgr_daemon_reload(fixture->mgr, ATX_MODE_ROOTFUL, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  g_autofree char *before = unit_description(fixture->bus_address, "reloaded.service");
  g_assert_cmpstr(before, ==, "before reload");

  /* A loaded unit keeps its old definition until the manager reloads. */
  write_unit(fixture, "reloaded.service", "after reload");
  ok = atx_svcmgr_daemon_reload(fixture->mgr, ATX_MODE_ROOTFUL, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  g_autofree char *after = unit_description(fixture->bus_address, "reloaded.service");
  g_assert_cmpstr(after, ==, "after reload");

  restart_ok(fixture->mgr, "reloaded.service");
  assert_status(fixture->mgr, "reloaded.service", ATX_UNIT_ACTIVE, "active (running)");
  stop_ok(fixture->mgr, "reloaded.service");
}

static void
test_restart_ok(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;

  restart_ok(fixture->mgr, "ok.service");
  assert_status(fixture->mgr, "ok.service", ATX_UNIT_ACTIVE, "active (running)");
  /* Restarting a running unit is the common case during activation. */
  restart_ok(fixture->mgr, "ok.service");
  assert_status(fixture->mgr, "ok.service", ATX_UNIT_ACTIVE, "active (running)");
}

static void
test_restart_job_fails(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) error = NULL;

  gboolean ok = atx_svcmgr_restart(fixture->mgr, "fail.service", ATX_MODE_ROOTFUL, deadline_in(JOB_DEADLINE_S),
                                   &error);
  g_assert_false(ok);
  g_assert_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_FAILED);
  g_assert_cmpstr(error->message, ==, "fail.service: job failed (failed: exit-code, status 1)");

  g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(fixture->mgr, "fail.service", ATX_MODE_ROOTFUL);
  g_assert_cmpint(status->state, ==, ATX_UNIT_FAILED);
  g_assert_cmpstr(status->detail, ==, "failed (exit-code, status 1)");
  g_assert_cmpstr(status->active_state, ==, "failed");
  g_assert_cmpstr(status->result, ==, "exit-code");
}

static void
test_restart_killed_by_signal(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) error = NULL;

  gboolean ok = atx_svcmgr_restart(fixture->mgr, "killed.service", ATX_MODE_ROOTFUL,
                                   deadline_in(JOB_DEADLINE_S), &error);
  g_assert_false(ok);
  g_assert_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_FAILED);
  g_assert_cmpstr(error->message, ==, "killed.service: job failed (failed: signal, SIGKILL)");
  assert_status(fixture->mgr, "killed.service", ATX_UNIT_FAILED, "failed (signal, SIGKILL)");
}

/* Units other than services have no Result or main process. */
static void
test_status_of_target(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;

  assert_status(fixture->mgr, "basic.target", ATX_UNIT_ACTIVE, "active");
}

/* Type=simple: the start job is done once the process is forked, so the
 * failure shows only in the status afterwards. */
static void
test_restart_then_crash(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(AtxUnitStatus) status = NULL;

  restart_ok(fixture->mgr, "crash.service");
  gint64 give_up = deadline_in(5);
  do {
    g_clear_pointer(&status, atx_unit_status_free);
    status = atx_svcmgr_status(fixture->mgr, "crash.service", ATX_MODE_ROOTFUL);
    if (status->state == ATX_UNIT_FAILED)
      break;
    g_usleep(50 * 1000);
  } while (g_get_monotonic_time() < give_up);

  g_test_message("crash.service: %s", status->detail);
  g_assert_cmpint(status->state, ==, ATX_UNIT_FAILED);
  g_assert_cmpstr(status->detail, ==, "failed (exit-code, status 1)");
}

static void
test_restart_deadline(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) error = NULL;

  gint64 started = g_get_monotonic_time();
  gboolean ok = atx_svcmgr_restart(fixture->mgr, "stuck.service", ATX_MODE_ROOTFUL, deadline_in(1), &error);
  double elapsed = (double)(g_get_monotonic_time() - started) / G_USEC_PER_SEC;
  g_test_message("stuck.service: gave up after %.2f s", elapsed);

  g_assert_false(ok);
  g_assert_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_TIMEOUT);
  g_assert_cmpstr(error->message, ==, "stuck.service: restart did not finish within the deadline");
  g_assert_cmpfloat(elapsed, >=, 0.9);
  g_assert_cmpfloat(elapsed, <, 2.0);
  assert_status(fixture->mgr, "stuck.service", ATX_UNIT_ACTIVATING, "activating (start)");

  /* Stopping cancels the pending start job. */
  stop_ok(fixture->mgr, "stuck.service");
  assert_status(fixture->mgr, "stuck.service", ATX_UNIT_INACTIVE, "inactive (dead)");
}

static void
test_deadline_already_passed(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) error = NULL;

  gint64 past = g_get_monotonic_time() - 1;
  g_assert_false(atx_svcmgr_restart(fixture->mgr, "ok.service", ATX_MODE_ROOTFUL, past, &error));
  g_assert_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_TIMEOUT);
}

static void
test_stop(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;

  restart_ok(fixture->mgr, "ok.service");
  stop_ok(fixture->mgr, "ok.service");
  assert_status(fixture->mgr, "ok.service", ATX_UNIT_INACTIVE, "inactive (dead)");
  /* Stopping what is already stopped is no error. */
  stop_ok(fixture->mgr, "ok.service");
  /* No deadline at all: waits as long as the job takes. */
  g_autoptr(GError) error = NULL;
  gboolean ok;
  ok = atx_svcmgr_restart(fixture->mgr, "ok.service", ATX_MODE_ROOTFUL, 0, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  ok = atx_svcmgr_stop(fixture->mgr, "ok.service", ATX_MODE_ROOTFUL, 0, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
}

static void
test_unknown_unit(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) restart_error = NULL;
  g_autoptr(GError) stop_error = NULL;
  const char *unit = "atomix-no-such-unit.service";

  g_assert_false(atx_svcmgr_restart(fixture->mgr, unit, ATX_MODE_ROOTFUL, deadline_in(JOB_DEADLINE_S),
                                    &restart_error));
  g_assert_error(restart_error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_NO_UNIT);
  g_assert_nonnull(strstr(restart_error->message, unit));
  g_test_message("restart: %s", restart_error->message);

  g_assert_false(atx_svcmgr_stop(fixture->mgr, unit, ATX_MODE_ROOTFUL, deadline_in(JOB_DEADLINE_S), &stop_error));
  g_assert_error(stop_error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_NO_UNIT);
  g_test_message("stop: %s", stop_error->message);

  assert_status(fixture->mgr, unit, ATX_UNIT_UNKNOWN, "not loaded (not-found)");
}

static void
test_invalid_unit_name(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) error = NULL;

  g_assert_false(atx_svcmgr_restart(fixture->mgr, "not a unit", ATX_MODE_ROOTFUL, deadline_in(JOB_DEADLINE_S),
                                    &error));
  g_assert_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_NO_UNIT);
  g_test_message("restart: %s", error->message);

  g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(fixture->mgr, "not a unit", ATX_MODE_ROOTFUL);
  g_assert_cmpint(status->state, ==, ATX_UNIT_UNKNOWN);
  g_test_message("status: %s", status->detail);
}

/* Names whose object paths need escaping ("-", "@", "."). */
static void
test_escaped_names(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  static const char *const units[] = { "a-b.service", "with-dash@inst.service", "with-dash@x-y_z.service" };

  for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
    restart_ok(fixture->mgr, units[i]);
    assert_status(fixture->mgr, units[i], ATX_UNIT_ACTIVE, "active (running)");
    stop_ok(fixture->mgr, units[i]);
    assert_status(fixture->mgr, units[i], ATX_UNIT_INACTIVE, "inactive (dead)");
  }
}

/* The test manager also stands in for the app user's manager. */
static void
test_rootless_mode(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = atx_svcmgr_daemon_reload(fixture->mgr, ATX_MODE_ROOTLESS, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  ok = atx_svcmgr_restart(fixture->mgr, "a-b.service", ATX_MODE_ROOTLESS, deadline_in(JOB_DEADLINE_S),
                                   &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(fixture->mgr, "a-b.service", ATX_MODE_ROOTLESS);
  g_assert_cmpint(status->state, ==, ATX_UNIT_ACTIVE);
  ok = atx_svcmgr_stop(fixture->mgr, "a-b.service", ATX_MODE_ROOTLESS, deadline_in(JOB_DEADLINE_S),
                                &error);
  g_assert_no_error(error);
  g_assert_true(ok);
}

/* A missing app user only matters once a rootless unit is touched. */
static void
test_missing_app_user(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  AtxSvcMgrSystemdOptions options = {
    .system_bus_address = fixture->bus_address,
    .app_user = "atomix-no-such-user",
    .system_is_user_manager = TRUE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxSvcMgr) mgr = atx_svcmgr_systemd_new(&options, &error);
  g_assert_no_error(error);

  gboolean ok = atx_svcmgr_daemon_reload(mgr, ATX_MODE_ROOTFUL, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  g_assert_false(atx_svcmgr_restart(mgr, "ok.service", ATX_MODE_ROOTLESS, deadline_in(JOB_DEADLINE_S), &error));
  g_assert_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT);
  g_assert_cmpstr(error->message, ==, "runtime user not found: atomix-no-such-user");

  g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(mgr, "ok.service", ATX_MODE_ROOTLESS);
  g_assert_cmpint(status->state, ==, ATX_UNIT_UNKNOWN);
  g_assert_cmpstr(status->detail, ==, "runtime user not found: atomix-no-such-user");
}

/* Without user_bus_address the app user's bus is /run/user/<uid>/bus. Only
 * status is asked (read-only), and of a user that has no manager running. */
static void
test_rootless_default_address(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  struct passwd *nobody = getpwnam("nobody");
  if (!nobody) {
    g_test_skip("no user \"nobody\"");
    return;
  }
  g_autofree char *expected = g_strdup_printf("unix:path=/run/user/%u/bus", (unsigned)nobody->pw_uid);
  g_autofree char *bus_path = g_strdup_printf("/run/user/%u/bus", (unsigned)nobody->pw_uid);
  if (g_file_test(bus_path, G_FILE_TEST_EXISTS)) {
    g_test_skip("nobody has a session bus on this machine");
    return;
  }
  AtxSvcMgrSystemdOptions options = { .system_bus_address = fixture->bus_address, .app_user = "nobody" };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxSvcMgr) mgr = atx_svcmgr_systemd_new(&options, &error);
  g_assert_no_error(error);

  g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(mgr, "ok.service", ATX_MODE_ROOTLESS);
  g_test_message("status: %s", status->detail);
  g_assert_cmpint(status->state, ==, ATX_UNIT_UNKNOWN);
  g_assert_nonnull(strstr(status->detail, expected));
}

static void
test_unreachable_manager(Fixture *fixture, gconstpointer data)
{
  if (!have_manager(fixture))
    return;
  g_autofree char *missing = g_build_filename(fixture->unit_dir, "no-such-bus-socket", NULL);
  g_autofree char *address = g_strdup_printf("unix:path=%s", missing);
  AtxSvcMgrSystemdOptions options = { .system_bus_address = address, .system_is_user_manager = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxSvcMgr) mgr = atx_svcmgr_systemd_new(&options, &error);
  g_assert_no_error(error);

  g_assert_false(atx_svcmgr_restart(mgr, "ok.service", ATX_MODE_ROOTFUL, deadline_in(JOB_DEADLINE_S), &error));
  g_assert_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT);
  g_test_message("restart: %s", error->message);
  g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(mgr, "ok.service", ATX_MODE_ROOTFUL);
  g_assert_cmpint(status->state, ==, ATX_UNIT_UNKNOWN);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD("/svcmgr-systemd/daemon-reload", test_daemon_reload);
  ADD("/svcmgr-systemd/restart/ok", test_restart_ok);
  ADD("/svcmgr-systemd/restart/job-fails", test_restart_job_fails);
  ADD("/svcmgr-systemd/restart/then-crash", test_restart_then_crash);
  ADD("/svcmgr-systemd/restart/killed-by-signal", test_restart_killed_by_signal);
  ADD("/svcmgr-systemd/restart/deadline", test_restart_deadline);
  ADD("/svcmgr-systemd/restart/deadline-already-passed", test_deadline_already_passed);
  ADD("/svcmgr-systemd/stop", test_stop);
  ADD("/svcmgr-systemd/status-of-target", test_status_of_target);
  ADD("/svcmgr-systemd/unknown-unit", test_unknown_unit);
  ADD("/svcmgr-systemd/invalid-unit-name", test_invalid_unit_name);
  ADD("/svcmgr-systemd/escaped-names", test_escaped_names);
  ADD("/svcmgr-systemd/rootless-mode", test_rootless_mode);
  ADD("/svcmgr-systemd/missing-app-user", test_missing_app_user);
  ADD("/svcmgr-systemd/rootless-default-address", test_rootless_default_address);
  ADD("/svcmgr-systemd/unreachable-manager", test_unreachable_manager);
#undef ADD

  return g_test_run();
}
