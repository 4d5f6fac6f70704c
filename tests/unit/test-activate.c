/* Activation against the simulated service manager and a scripted one: plan,
 * restarts, settle, status, polling with recorded probes, degraded rules,
 * policy errors. */
#include "core/base/error.h"
#include "device/activate.h"
#include "device/fs/fsutil.h"
#include "device/store/store.h"
#include "testutil.h"

/* A service manager whose units report the states scripted for them, one per
 * status call, repeating the last; restarts always succeed. */
typedef struct {
  AtxSvcMgr parent;
  GHashTable *scripts; /* service -> GArray of AtxUnitState */
  GHashTable *calls;   /* service -> number of status calls */
} Scripted;

static gboolean
scripted_reload(AtxSvcMgr *self, AtxRunMode mode, GError **error)
{
  return TRUE;
}

static gboolean
scripted_restart(AtxSvcMgr *self, const char *unit, AtxRunMode mode, gint64 deadline, GError **error)
{
  return TRUE;
}

static AtxUnitStatus *
scripted_status(AtxSvcMgr *self, const char *unit, AtxRunMode mode)
{
  Scripted *scripted = (Scripted *) self;
  GArray *script = g_hash_table_lookup(scripted->scripts, unit);
  guint call = GPOINTER_TO_UINT(g_hash_table_lookup(scripted->calls, unit));
  g_hash_table_replace(scripted->calls, g_strdup(unit), GUINT_TO_POINTER(call + 1));
  AtxUnitState state = ATX_UNIT_ACTIVE;
  if (script)
    state = g_array_index(script, AtxUnitState, MIN(call, script->len - 1));
  return atx_unit_status_new(state, atx_unit_state_name(state), "", "", atx_unit_state_name(state));
}

static void
scripted_free(AtxSvcMgr *self)
{
  Scripted *scripted = (Scripted *) self;
  g_hash_table_unref(scripted->scripts);
  g_hash_table_unref(scripted->calls);
  g_free(scripted);
}

static const AtxSvcMgrClass scripted_class = {
  "scripted", scripted_reload, scripted_restart, scripted_restart, scripted_status, scripted_free,
};

static Scripted *
scripted_new(void)
{
  Scripted *scripted = g_new0(Scripted, 1);
  scripted->parent.klass = &scripted_class;
  scripted->scripts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  scripted->calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return scripted;
}

static void
script(Scripted *scripted, const char *unit, guint count, ...)
{
  GArray *states = g_array_new(FALSE, FALSE, sizeof(AtxUnitState));
  va_list args;
  va_start(args, count);
  for (guint i = 0; i < count; i++) {
    AtxUnitState state = va_arg(args, AtxUnitState);
    g_array_append_val(states, state);
  }
  va_end(args);
  g_hash_table_replace(scripted->scripts, g_strdup(unit), states);
}

typedef struct {
  char *root;
  AtxStore *store;
  AtxJournal *journal;
  AtxJob *job;
  AtxSvcMgr *svcmgr;
} Fixture;

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  fixture->root = g_dir_make_tmp("atomix-activate-XXXXXX", &error);
  fixture->store = atx_store_open(fixture->root, &error);
  g_autofree char *jobs = g_build_filename(fixture->root, "jobs", NULL);
  fixture->journal = atx_journal_open(jobs, NULL, &error);
  fixture->job = atx_journal_submit(fixture->journal, "test", &error);
  g_assert_no_error(error);
  atx_job_start(fixture->job);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  atx_svcmgr_free(fixture->svcmgr);
  atx_job_unref(fixture->job);
  atx_journal_free(fixture->journal);
  atx_store_free(fixture->store);
  g_assert_true(atx_fs_remove_tree(fixture->root, NULL, NULL));
  g_free(fixture->root);
}

static void
use_sim(Fixture *fixture, const char *const *fail_units, guint delay_ms)
{
  AtxSvcMgrSimOptions options = { fail_units, delay_ms, NULL };
  fixture->svcmgr = atx_svcmgr_sim_new(&options);
}

static void
provision(Fixture *fixture, const char *const *apps, const char *activation_extra)
{
  g_autofree char *toml = atx_test_config(apps, activation_extra);
  atx_test_provision(fixture->store, toml);
}

static GPtrArray *
activate(Fixture *fixture, GHashTable *old_tree)
{
  AtxActivation activation = {
    .svcmgr = fixture->svcmgr,
    .job = fixture->job,
    .config_dir = atx_store_config_dir(fixture->store),
    .poll_interval_ms = 20,
  };
  return atx_activate(&activation, old_tree);
}

/* Events of the job with @step, in order. */
static GPtrArray *
events_with_step(Fixture *fixture, const char *step)
{
  GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify) json_decref);
  json_t *resource = atx_job_to_json(fixture->job, 0);
  size_t index;
  json_t *event;
  json_array_foreach(json_object_get(resource, "events"), index, event)
  {
    if (g_strcmp0(json_string_value(json_object_get(event, "step")), step) == 0)
      g_ptr_array_add(found, json_incref(event));
  }
  json_decref(resource);
  return found;
}

static gboolean
failures_mention(GPtrArray *failures, const char *text)
{
  for (guint i = 0; i < failures->len; i++)
    if (strstr(g_ptr_array_index(failures, i), text))
      return TRUE;
  return FALSE;
}

static void
test_healthy_initial(Fixture *fixture, gconstpointer data)
{
  use_sim(fixture, NULL, 0);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, NULL);
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, ==, 0);
  g_autoptr(GPtrArray) restarts = events_with_step(fixture, "service-restart");
  /* Four platform appliers, then the container. */
  g_assert_cmpuint(restarts->len, ==, 5);
  g_assert_cmpstr(json_string_value(json_object_get(g_ptr_array_index(restarts, 4), "service")), ==, "web.service");
  g_autoptr(GPtrArray) deploys = events_with_step(fixture, "service-deploy");
  g_assert_cmpuint(deploys->len, ==, 1);
  g_assert_cmpstr(json_string_value(json_object_get(g_ptr_array_index(deploys, 0), "status")), ==, "starting");
  g_autoptr(GPtrArray) probes = events_with_step(fixture, "health-check");
  g_assert_cmpuint(probes->len, ==, 1);
  json_t *probe = json_object_get(g_ptr_array_index(probes, 0), "probe");
  g_assert_cmpint(json_integer_value(json_object_get(probe, "attempt")), ==, 1);
  g_assert_cmpstr(json_string_value(json_object_get(probe, "active_state")), ==, "active");
}

static void
test_unchanged_reapply_restarts_nothing(Fixture *fixture, gconstpointer data)
{
  use_sim(fixture, NULL, 0);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, NULL);
  g_autoptr(GHashTable) same = atx_store_read_tree(atx_store_config_dir(fixture->store), NULL);
  g_autoptr(GPtrArray) first = activate(fixture, NULL); /* start it */
  g_assert_cmpuint(first->len, ==, 0);
  g_autoptr(GPtrArray) failures = activate(fixture, same);
  g_assert_cmpuint(failures->len, ==, 0);
  g_autoptr(GPtrArray) restarts = events_with_step(fixture, "service-restart");
  g_assert_cmpuint(restarts->len, ==, 5); /* all from the first activation */
}

static void
test_failing_unit(Fixture *fixture, gconstpointer data)
{
  const char *fail[] = { "db", NULL };
  use_sim(fixture, fail, 0);
  const char *apps[] = { "web", "db", NULL };
  provision(fixture, apps, NULL);
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, ==, 1);
  g_assert_true(failures_mention(failures, "db.service (rootless)"));
  g_assert_true(failures_mention(failures, "exit-code"));
}

static void
test_restart_timeout(Fixture *fixture, gconstpointer data)
{
  use_sim(fixture, NULL, 700);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, "timeout_seconds = 1");
  gint64 start = g_get_monotonic_time();
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, >=, 1);
  g_assert_true(failures_mention(failures, "within the deadline"));
  /* Bounded by the deadline, not by the number of operations. */
  g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_polls_until_active(Fixture *fixture, gconstpointer data)
{
  Scripted *scripted = scripted_new();
  fixture->svcmgr = &scripted->parent;
  /* status report, then three probes: activating, activating, active */
  script(scripted, "web.service", 4, ATX_UNIT_ACTIVATING, ATX_UNIT_ACTIVATING, ATX_UNIT_ACTIVATING, ATX_UNIT_ACTIVE);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, NULL);
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, ==, 0);
  g_autoptr(GPtrArray) probes = events_with_step(fixture, "health-check");
  g_assert_cmpuint(probes->len, ==, 3);
  json_t *last = json_object_get(g_ptr_array_index(probes, 2), "probe");
  g_assert_cmpint(json_integer_value(json_object_get(last, "attempt")), ==, 3);
  g_assert_cmpstr(json_string_value(json_object_get(g_ptr_array_index(probes, 0), "status")), ==, "activating");
}

static void
test_never_active_before_deadline(Fixture *fixture, gconstpointer data)
{
  Scripted *scripted = scripted_new();
  fixture->svcmgr = &scripted->parent;
  script(scripted, "web.service", 1, ATX_UNIT_ACTIVATING);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, "timeout_seconds = 1");
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, ==, 1);
  g_assert_true(failures_mention(failures, "web.service (rootless): not active within 1s (last state: activating)"));
  g_autoptr(GPtrArray) probes = events_with_step(fixture, "health-check");
  g_assert_cmpuint(probes->len, >, 2); /* polled, not checked once */
}

static void
test_failed_is_final(Fixture *fixture, gconstpointer data)
{
  Scripted *scripted = scripted_new();
  fixture->svcmgr = &scripted->parent;
  script(scripted, "web.service", 1, ATX_UNIT_FAILED);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, "timeout_seconds = 60");
  gint64 start = g_get_monotonic_time();
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, ==, 1);
  g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_settle_longer_than_deadline(Fixture *fixture, gconstpointer data)
{
  use_sim(fixture, NULL, 0);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, NULL);
  /* The schema forbids settle >= timeout, so edit the rendered policy as an
   * older or hand-edited tree might have it. */
  g_autofree char *policy = g_build_filename(atx_store_config_dir(fixture->store), "activation-policy.json", NULL);
  g_assert_true(g_file_set_contents(policy, "{\"required\": [\"web\"], \"timeout_seconds\": 1, \"settle_seconds\": 2}", -1, NULL));
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(failures, 0), ==, "activation timed out before health checks");
}

typedef struct {
  GCancellable *cancellable;
  guint delay_ms;
} CancelLater;

static gpointer
cancel_later(gpointer data)
{
  CancelLater *later = data;
  g_usleep(later->delay_ms * 1000);
  g_cancellable_cancel(later->cancellable);
  return NULL;
}

/* Shutdown must not wait out a settle period or a unit that never comes up:
 * cancelling wakes every wait, and activation reports the interruption. */
static void
test_cancel_wakes_waits(Fixture *fixture, gconstpointer data)
{
  const char *extras[] = { "settle_seconds = 60\ntimeout_seconds = 120", "timeout_seconds = 120" };
  for (guint i = 0; i < G_N_ELEMENTS(extras); i++) {
    Scripted *scripted = scripted_new();
    script(scripted, "web.service", 1, ATX_UNIT_ACTIVATING);
    atx_svcmgr_free(fixture->svcmgr);
    fixture->svcmgr = &scripted->parent;
    const char *apps[] = { "web", NULL };
    provision(fixture, apps, extras[i]);
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    CancelLater later = { cancellable, 100 };
    GThread *canceller = g_thread_new("cancel", cancel_later, &later);
    AtxActivation activation = {
      .svcmgr = fixture->svcmgr,
      .job = fixture->job,
      .config_dir = atx_store_config_dir(fixture->store),
      .poll_interval_ms = 20,
      .cancellable = cancellable,
    };
    gint64 start = g_get_monotonic_time();
    g_autoptr(GPtrArray) failures = atx_activate(&activation, NULL);
    g_thread_join(canceller);
    /* Generous: the point is not waiting the 60 s settle or 120 s deadline. */
    g_assert_cmpint(g_get_monotonic_time() - start, <, 30 * G_USEC_PER_SEC);
    g_assert_true(failures_mention(failures, "interrupted"));
  }
}

static void
test_policy_errors(Fixture *fixture, gconstpointer data)
{
  use_sim(fixture, NULL, 0);
  const char *apps[] = { "web", NULL };
  provision(fixture, apps, NULL);
  g_autofree char *policy = g_build_filename(atx_store_config_dir(fixture->store), "activation-policy.json", NULL);
  struct {
    const char *json, *message;
  } cases[] = {
    { "{\"required\": [\"web\"], \"timeout_seconds\": \"300\"}", "activation policy timeout_seconds must be an integer" },
    { "{\"required\": [\"web\"], \"timeout_seconds\": 0}", "activation policy timeout_seconds must be in range 1..3600" },
    { "{\"required\": [\"nope\"]}", "activation policy required references unknown provisioned service: nope" },
    { "{\"required\": \"web\"}", "activation policy required must be a list" },
    { "{\"required\": [\"web\"], \"strategy\": \"keep\"}", "activation policy strategy must be rollback" },
    { "[1]", "activation policy must be an object" },
    { "{", "invalid activation policy" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_assert_true(g_file_set_contents(policy, cases[i].json, -1, NULL));
    g_autoptr(GPtrArray) failures = activate(fixture, NULL);
    g_assert_cmpuint(failures->len, ==, 1);
    g_assert_true(failures_mention(failures, cases[i].message));
  }
}

static void
test_allow_degraded(Fixture *fixture, gconstpointer data)
{
  struct {
    const char *extra;
    gboolean fails;
  } cases[] = {
    { NULL, FALSE },                             /* not configured: report only */
    { "allow_degraded = []", TRUE },             /* configured, not listed */
    { "allow_degraded = [\"metrics\"]", FALSE }, /* listed */
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    Scripted *scripted = scripted_new();
    script(scripted, "metrics.service", 1, ATX_UNIT_FAILED);
    atx_svcmgr_free(fixture->svcmgr);
    fixture->svcmgr = &scripted->parent;
    /* metrics is declared but not required. */
    g_autofree char *toml = atx_test_config((const char *[]) { "web", NULL }, cases[i].extra);
    g_autofree char *with_metrics = g_strconcat(toml,
                                                "[containers.container.metrics]\nprivileged = false\n"
                                                "[containers.container.metrics.Container]\nImage = \"m:1\"\n",
                                                NULL);
    atx_test_provision(fixture->store, with_metrics);
    g_autoptr(GPtrArray) failures = activate(fixture, NULL);
    g_assert_cmpuint(failures->len, ==, cases[i].fails ? 1 : 0);
    if (cases[i].fails)
      g_assert_true(failures_mention(failures, "metrics.service (rootless): failed and not listed in activation.allow_degraded"));
  }
}

static void
test_check_required(Fixture *fixture, gconstpointer data)
{
  const char *fail[] = { "db", NULL };
  use_sim(fixture, fail, 0);
  const char *apps[] = { "web", "db", NULL };
  provision(fixture, apps, NULL);
  g_autoptr(GPtrArray) failures = activate(fixture, NULL);
  g_assert_cmpuint(failures->len, ==, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) down = atx_check_required(fixture->svcmgr, atx_store_config_dir(fixture->store), &error);
  g_assert_no_error(error);
  g_assert_cmpuint(down->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(down, 0), ==, "db.service (rootless): failed (exit-code, status 1)");
}

/* An out-of-range state is "unknown", not a read past the table. */
static void
test_unit_state_names_bounded(void)
{
  g_assert_cmpstr(atx_unit_state_name(ATX_UNIT_ACTIVE), ==, "active");
  g_assert_cmpstr(atx_unit_state_name(ATX_UNIT_UNKNOWN), ==, "unknown");
  g_assert_cmpstr(atx_unit_state_name((AtxUnitState) 99), ==, "unknown");
  g_assert_cmpstr(atx_unit_state_name((AtxUnitState) -1), ==, "unknown");
}

#define ADD(name, func) g_test_add(name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  ADD("/activate/healthy-initial", test_healthy_initial);
  ADD("/activate/unchanged-reapply-restarts-nothing", test_unchanged_reapply_restarts_nothing);
  ADD("/activate/failing-unit", test_failing_unit);
  ADD("/activate/restart-timeout", test_restart_timeout);
  ADD("/activate/polls-until-active", test_polls_until_active);
  ADD("/activate/never-active-before-deadline", test_never_active_before_deadline);
  ADD("/activate/failed-is-final", test_failed_is_final);
  ADD("/activate/settle-longer-than-deadline", test_settle_longer_than_deadline);
  ADD("/activate/policy-errors", test_policy_errors);
  ADD("/activate/allow-degraded", test_allow_degraded);
  ADD("/activate/check-required", test_check_required);
  ADD("/activate/cancel-wakes-waits", test_cancel_wakes_waits);
  g_test_add_func("/activate/unit-state-names-bounded", test_unit_state_names_bounded);
  return g_test_run();
}
