#include "device/activate.h"

#include <jansson.h>
#include <string.h>

#include "core/render/change_plan.h"
#include "core/base/defaults.h"
#include "core/base/error.h"
#include "core/render/quadlet_runtime.h"
#include "device/store/store.h"

#define ATX_INTERRUPTED_FAILURE "interrupted: the daemon is stopping"

typedef struct {
  GPtrArray *required; /* char*, service names */
  GPtrArray *restart;
  GPtrArray *allow_degraded;
  gboolean allow_degraded_configured;
  gboolean strict; /* from activation-policy.json (not the legacy list) */
  gint64 timeout_seconds;
  gint64 settle_seconds;
} Policy;

typedef struct {
  const AtxActivation *activation;
  GPtrArray *units;    /* AtxRuntimeUnit* of the active tree */
  Policy policy;
  gint64 deadline;     /* monotonic microseconds */
  GPtrArray *failures; /* char* */
  GHashTable *failed;  /* services already reported as failed */
  gboolean interrupted;
} Run;

static void
policy_clear(Policy *policy)
{
  g_clear_pointer(&policy->required, g_ptr_array_unref);
  g_clear_pointer(&policy->restart, g_ptr_array_unref);
  g_clear_pointer(&policy->allow_degraded, g_ptr_array_unref);
}

static char *
service_name(const char *entry)
{
  return g_str_has_suffix(entry, ".service") ? g_strdup(entry) : g_strconcat(entry, ".service", NULL);
}

static GPtrArray *
policy_list(json_t *policy, const char *key, GPtrArray *units, gboolean strict, GError **error)
{
  GPtrArray *services = g_ptr_array_new_with_free_func(g_free);
  json_t *list = json_object_get(policy, key);
  if (list && !json_is_array(list)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "activation policy %s must be a list", key);
    g_ptr_array_unref(services);
    return NULL;
  }
  for (gsize i = 0; i < json_array_size(list); i++) {
    const char *entry = json_string_value(json_array_get(list, i));
    if (!entry) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "activation policy %s entries must be strings", key);
      g_ptr_array_unref(services);
      return NULL;
    }
    g_autofree char *service = service_name(entry);
    if (strict && !atx_runtime_units_find_service(units, service)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                  "activation policy %s references unknown provisioned service: %s", key, entry);
      g_ptr_array_unref(services);
      return NULL;
    }
    g_ptr_array_add(services, g_steal_pointer(&service));
  }
  return services;
}

static gboolean
policy_integer(json_t *policy, const char *key, gint64 min, gint64 max, gint64 *out, GError **error)
{
  json_t *value = json_object_get(policy, key);
  if (!value)
    return TRUE;
  if (!json_is_integer(value)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "activation policy %s must be an integer", key);
    return FALSE;
  }
  gint64 number = json_integer_value(value);
  if (number < min || number > max) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                "activation policy %s must be in range %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, key, min, max);
    return FALSE;
  }
  *out = number;
  return TRUE;
}

/* *out is NULL when @dir has no @name. */
static gboolean
read_json(const char *dir, const char *name, json_t **out, GError **error)
{
  *out = NULL;
  g_autofree char *path = g_build_filename(dir, name, NULL);
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return TRUE;
  json_error_t json_error;
  *out = json_load_file(path, 0, &json_error);
  if (!*out) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid activation policy: %s: %s", path, json_error.text);
    return FALSE;
  }
  return TRUE;
}

/* Trees rendered by older versions only have health-required.json: a plain
 * list, checked leniently. */
static json_t *
read_policy_document(const char *dir, gboolean *strict, GError **error)
{
  json_t *policy;
  if (!read_json(dir, "activation-policy.json", &policy, error))
    return NULL;
  *strict = policy != NULL;
  if (policy) {
    if (!json_is_object(policy)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "activation policy must be an object");
      json_decref(policy);
      return NULL;
    }
    return policy;
  }
  g_autoptr(GError) legacy_error = NULL;
  json_t *legacy;
  if (!read_json(dir, "health-required.json", &legacy, &legacy_error))
    g_warning("%s, ignoring", legacy_error->message);
  json_t *document = json_object();
  if (json_is_array(legacy))
    json_object_set(document, "required", legacy);
  json_decref(legacy);
  return document;
}

static gboolean
load_policy(const char *dir, GPtrArray *units, Policy *policy, GError **error)
{
  *policy = (Policy) { .timeout_seconds = 300, .settle_seconds = 0 };
  json_t *document = read_policy_document(dir, &policy->strict, error);
  if (!document)
    return FALSE;
  const char *strategy = json_string_value(json_object_get(document, "strategy"));
  json_t *configured = json_object_get(document, "allow_degraded_configured");
  policy->allow_degraded_configured = json_is_true(configured);
  gboolean ok = (policy->required = policy_list(document, "required", units, policy->strict, error)) &&
                (policy->restart = policy_list(document, "restart", units, policy->strict, error)) &&
                (policy->allow_degraded = policy_list(document, "allow_degraded", units, policy->strict, error)) &&
                policy_integer(document, "timeout_seconds", 1, 3600, &policy->timeout_seconds, error) &&
                policy_integer(document, "settle_seconds", 0, 300, &policy->settle_seconds, error);
  if (ok && strategy && !g_str_equal(strategy, "rollback")) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "activation policy strategy must be rollback");
    ok = FALSE;
  }
  json_decref(document);
  if (!ok)
    policy_clear(policy);
  return ok;
}

static void
add_failure(Run *run, const char *service, const char *format, ...) G_GNUC_PRINTF(3, 4);

static void
add_failure(Run *run, const char *service, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_ptr_array_add(run->failures, g_strdup_vprintf(format, args));
  va_end(args);
  if (service)
    g_hash_table_add(run->failed, g_strdup(service));
}

static gint64
remaining_us(const Run *run)
{
  return run->deadline - g_get_monotonic_time();
}

static void
unit_event(Run *run, AtxStep step, const char *service, AtxRunMode mode, const char *status,
           const char *message)
{
  json_t *event = atx_job_event_begin(run->activation->job, step, "%s", message);
  atx_job_event_set(event, "service", json_string(service));
  atx_job_event_set(event, "mode", json_string(atx_run_mode_name(mode)));
  if (status)
    atx_job_event_set(event, "status", json_string(status));
  atx_job_event_commit(run->activation->job, event);
}

static void
announce_deploys(Run *run, const AtxChangePlan *plan)
{
  for (guint i = 0; i < plan->actions->len; i++) {
    const AtxAction *action = g_ptr_array_index(plan->actions, i);
    if (action->kind != ATX_ACTION_RESTART)
      continue;
    const char *status = g_str_has_suffix(action->filename, ".build") ? "building" : "starting";
    g_autofree char *message = g_strdup_printf("%s (%s) %s", action->unit, atx_run_mode_name(action->mode), status);
    unit_event(run, ATX_STEP_SERVICE_DEPLOY, action->unit, action->mode, status, message);
  }
}

static gboolean
run_action(Run *run, const AtxAction *action)
{
  AtxSvcMgr *svcmgr = run->activation->svcmgr;
  const char *mode = atx_run_mode_name(action->mode);
  AtxStep step = action->kind == ATX_ACTION_STOP ? ATX_STEP_SERVICE_STOP : ATX_STEP_SERVICE_RESTART;
  g_autofree char *message = g_strdup_printf("%s %s (%s): %s", action->kind == ATX_ACTION_STOP ? "stopping" : "restarting",
                                             action->unit, mode, action->reason);
  unit_event(run, step, action->unit, action->mode, NULL, message);
  g_autoptr(GError) error = NULL;
  gboolean ok = action->kind == ATX_ACTION_STOP
                    ? atx_svcmgr_stop(svcmgr, action->unit, action->mode, run->deadline, &error)
                    : atx_svcmgr_restart(svcmgr, action->unit, action->mode, run->deadline, &error);
  if (ok)
    return TRUE;
  /* A unit that will not stop is no reason to keep a broken config; one that
   * will not start is. */
  if (action->kind == ATX_ACTION_STOP) {
    atx_job_event(run->activation->job, ATX_STEP_SERVICE_STOP, "could not stop %s (%s): %s", action->unit, mode, error->message);
    return TRUE;
  }
  /* svcmgr messages start with the unit name; say it once. */
  g_autofree char *prefix = g_strconcat(action->unit, ": ", NULL);
  const char *why = g_str_has_prefix(error->message, prefix) ? error->message + strlen(prefix) : error->message;
  add_failure(run, action->unit, "%s (%s): %s", action->unit, mode, why);
  return FALSE;
}

static gboolean
reload_managers(Run *run, GPtrArray *old_units)
{
  gboolean rootless = FALSE;
  GPtrArray *lists[] = { run->units, old_units };
  for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
    for (guint i = 0; lists[l] && i < lists[l]->len; i++)
      rootless |= ((AtxRuntimeUnit *) g_ptr_array_index(lists[l], i))->mode == ATX_MODE_ROOTLESS;
  for (AtxRunMode mode = ATX_MODE_ROOTFUL; mode <= (rootless ? ATX_MODE_ROOTLESS : ATX_MODE_ROOTFUL); mode++) {
    g_autoptr(GError) error = NULL;
    atx_job_event(run->activation->job, ATX_STEP_DAEMON_RELOAD, "reloading the %s service manager", atx_run_mode_name(mode));
    if (!atx_svcmgr_daemon_reload(run->activation->svcmgr, mode, &error)) {
      add_failure(run, NULL, "daemon-reload (%s): %s", atx_run_mode_name(mode), error->message);
      return FALSE;
    }
  }
  return TRUE;
}

/* Appliers first; only when they all succeeded are units touched. */
static void
apply_plan(Run *run, const AtxChangePlan *plan, GPtrArray *old_units)
{
  gboolean quadlet_changed = FALSE, ok = TRUE;
  atx_job_event(run->activation->job, ATX_STEP_ACTIVATE, "applying %u change%s", plan->actions->len,
                plan->actions->len == 1 ? "" : "s");
  for (guint i = 0; i < plan->actions->len; i++) {
    const AtxAction *action = g_ptr_array_index(plan->actions, i);
    if (action->kind != ATX_ACTION_RUN_APPLIER)
      continue;
    ok &= run_action(run, action);
    quadlet_changed |= g_str_equal(action->unit, ATX_APPLIER_QUADLET);
  }
  if (!ok || (quadlet_changed && !reload_managers(run, old_units)))
    return;
  for (guint i = 0; i < plan->actions->len; i++) {
    const AtxAction *action = g_ptr_array_index(plan->actions, i);
    if (action->kind != ATX_ACTION_RUN_APPLIER)
      run_action(run, action);
  }
}

static guint
poll_interval(const Run *run)
{
  return run->activation->poll_interval_ms ? run->activation->poll_interval_ms : ATX_DEFAULT_POLL_INTERVAL_MS;
}

/* Sleeps @us unless the activation is cancelled first; FALSE (and the failure
 * recorded once) when it was, so shutdown never waits out a health timeout. */
static gboolean
pause_for(Run *run, gint64 us)
{
  GCancellable *cancellable = run->activation->cancellable;
  GPollFD poll_fd;
  if (cancellable && g_cancellable_make_pollfd(cancellable, &poll_fd)) {
    (void) g_poll(&poll_fd, 1, (gint) MIN(us / 1000, G_MAXINT));
    g_cancellable_release_fd(cancellable);
  } else {
    g_usleep((gulong) MAX(us, 0)); /* nothing to wake us: sleep rather than spin */
  }
  gboolean cancelled = g_cancellable_is_cancelled(cancellable);
  if (cancelled && !run->interrupted) {
    run->interrupted = TRUE;
    add_failure(run, NULL, ATX_INTERRUPTED_FAILURE);
  }
  return !cancelled;
}

static gboolean
settle(Run *run)
{
  gint64 settle_us = run->policy.settle_seconds * G_USEC_PER_SEC;
  if (settle_us == 0)
    return TRUE;
  if (settle_us > remaining_us(run)) {
    add_failure(run, NULL, "activation timed out before health checks");
    return FALSE;
  }
  atx_job_event(run->activation->job, ATX_STEP_SETTLE, "waiting %" G_GINT64_FORMAT "s before health checks",
                run->policy.settle_seconds);
  return pause_for(run, settle_us);
}

static void
report_status(Run *run)
{
  for (guint i = 0; i < run->units->len; i++) {
    const AtxRuntimeUnit *unit = g_ptr_array_index(run->units, i);
    g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(run->activation->svcmgr, unit->service, unit->mode);
    g_autofree char *message = g_strdup_printf("%s (%s) is %s", unit->service, atx_run_mode_name(unit->mode),
                                               status->detail);
    unit_event(run, ATX_STEP_SERVICE_STATUS, unit->service, unit->mode, atx_unit_state_name(status->state), message);
  }
}

static void
probe_event(Run *run, const AtxRuntimeUnit *unit, guint attempt, const AtxUnitStatus *status)
{
  json_t *event = atx_job_event_begin(run->activation->job, ATX_STEP_HEALTH_CHECK, "checking %s (%s): %s",
                                      unit->service, atx_run_mode_name(unit->mode), status->detail);
  atx_job_event_set(event, "service", json_string(unit->service));
  atx_job_event_set(event, "mode", json_string(atx_run_mode_name(unit->mode)));
  atx_job_event_set(event, "status", json_string(atx_unit_state_name(status->state)));
  atx_job_event_set(event, "probe", json_pack("{s:i, s:s, s:s, s:s, s:s}", "attempt", attempt,
                                              "active_state", status->active_state, "sub_state", status->sub_state,
                                              "result", status->result, "detail", status->detail));
  atx_job_event_commit(run->activation->job, event);
}

/* Polls until active (healthy), failed for good, or out of time. */
static void
await_required(Run *run, const AtxRuntimeUnit *unit)
{
  guint interval_ms = poll_interval(run);
  for (guint attempt = 1;; attempt++) {
    g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(run->activation->svcmgr, unit->service, unit->mode);
    probe_event(run, unit, attempt, status);
    if (status->state == ATX_UNIT_ACTIVE)
      return;
    /* systemd shows a pending automatic restart as activating, so failed is final. */
    if (status->state == ATX_UNIT_FAILED) {
      add_failure(run, unit->service, "%s (%s): %s", unit->service, atx_run_mode_name(unit->mode), status->detail);
      return;
    }
    gint64 left = remaining_us(run);
    if (left <= 0) {
      add_failure(run, unit->service, "%s (%s): not active within %" G_GINT64_FORMAT "s (last state: %s)",
                  unit->service, atx_run_mode_name(unit->mode), run->policy.timeout_seconds, status->detail);
      return;
    }
    if (!pause_for(run, MIN(left, (gint64) interval_ms * 1000)))
      return;
  }
}

static void
check_required(Run *run)
{
  for (guint i = 0; i < run->policy.required->len; i++) {
    const char *service = g_ptr_array_index(run->policy.required, i);
    const AtxRuntimeUnit *unit = atx_runtime_units_find_service(run->units, service);
    if (!unit)
      add_failure(run, service, "%s: required but not provisioned", service);
    else if (!run->interrupted && !g_hash_table_contains(run->failed, service))
      await_required(run, unit);
  }
}

/* A unit that crashes right after starting can look active to one probe;
 * every required unit must still be active one poll interval later. */
static void
confirm_required(Run *run)
{
  guint interval_ms = poll_interval(run);
  if (run->failures->len > 0 || run->policy.required->len == 0)
    return;
  gint64 wait = MIN(remaining_us(run), (gint64) interval_ms * 1000);
  if (wait > 0 && !pause_for(run, wait))
    return;
  for (guint i = 0; i < run->policy.required->len; i++) {
    const AtxRuntimeUnit *unit = atx_runtime_units_find_service(run->units, g_ptr_array_index(run->policy.required, i));
    g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(run->activation->svcmgr, unit->service, unit->mode);
    if (status->state == ATX_UNIT_ACTIVE)
      continue;
    g_autofree char *message = g_strdup_printf("%s (%s) did not stay active: %s", unit->service,
                                               atx_run_mode_name(unit->mode), status->detail);
    unit_event(run, ATX_STEP_HEALTH_CHECK, unit->service, unit->mode, atx_unit_state_name(status->state), message);
    add_failure(run, unit->service, "%s (%s): active, then %s (unstable)", unit->service,
                atx_run_mode_name(unit->mode), status->detail);
  }
}

static gboolean
listed(GPtrArray *services, const char *service)
{
  return g_ptr_array_find_with_equal_func(services, service, g_str_equal, NULL);
}

/* Only when the operator wrote allow_degraded do other units have to run. */
static void
check_degraded(Run *run)
{
  if (!run->policy.strict || !run->policy.allow_degraded_configured)
    return;
  for (guint i = 0; i < run->units->len; i++) {
    const AtxRuntimeUnit *unit = g_ptr_array_index(run->units, i);
    if (listed(run->policy.required, unit->service) || listed(run->policy.allow_degraded, unit->service) ||
        g_hash_table_contains(run->failed, unit->service))
      continue;
    g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(run->activation->svcmgr, unit->service, unit->mode);
    if (status->state != ATX_UNIT_ACTIVE)
      add_failure(run, unit->service, "%s (%s): %s and not listed in activation.allow_degraded", unit->service,
                  atx_run_mode_name(unit->mode), status->detail);
  }
}

static GPtrArray *
load_units(const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename(dir, "quadlet-runtime.json", NULL);
  g_autoptr(GMappedFile) mapped = g_mapped_file_new(path, FALSE, NULL);
  if (!mapped)
    return g_ptr_array_new_with_free_func((GDestroyNotify) atx_runtime_unit_free);
  g_autoptr(GBytes) bytes = g_mapped_file_get_bytes(mapped);
  return atx_runtime_units_parse(bytes, error);
}

static void
activate_tree(Run *run, GHashTable *old_tree)
{
  const char *dir = run->activation->config_dir;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) new_tree = atx_store_read_tree(dir, &error);
  g_autofree char *files_dir = g_build_filename(dir, "files", NULL);
  g_autoptr(AtxChangePlan) plan = new_tree ? atx_change_plan_compute(old_tree, new_tree, files_dir, &error) : NULL;
  if (!plan) {
    add_failure(run, NULL, "cannot plan activation: %s", error->message);
    return;
  }
  GBytes *old_runtime = old_tree ? g_hash_table_lookup(old_tree, "quadlet-runtime.json") : NULL;
  g_autoptr(GPtrArray) old_units = old_runtime ? atx_runtime_units_parse(old_runtime, NULL) : NULL;
  announce_deploys(run, plan);
  apply_plan(run, plan, old_units);
  if (run->activation->restarts_only)
    return;
  if (run->failures->len == 0 && settle(run)) {
    report_status(run);
    check_required(run);
    confirm_required(run);
    check_degraded(run);
  } else {
    report_status(run);
  }
}

GPtrArray *
atx_activate(const AtxActivation *activation, GHashTable *old_tree)
{
  Run run = { .activation = activation };
  run.failures = g_ptr_array_new_with_free_func(g_free);
  run.failed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  run.units = load_units(activation->config_dir, &error);
  if (!run.units || !load_policy(activation->config_dir, run.units, &run.policy, &error)) {
    add_failure(&run, NULL, "%s", error->message);
  } else {
    run.deadline = g_get_monotonic_time() + run.policy.timeout_seconds * G_USEC_PER_SEC;
    activate_tree(&run, old_tree);
  }
  policy_clear(&run.policy);
  g_clear_pointer(&run.units, g_ptr_array_unref);
  g_hash_table_unref(run.failed);
  return run.failures;
}

GPtrArray *
atx_check_required(AtxSvcMgr *svcmgr, const char *config_dir, GError **error)
{
  g_autoptr(GPtrArray) units = load_units(config_dir, error);
  Policy policy;
  if (!units || !load_policy(config_dir, units, &policy, error))
    return NULL;
  GPtrArray *failures = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < policy.required->len; i++) {
    const char *service = g_ptr_array_index(policy.required, i);
    const AtxRuntimeUnit *unit = atx_runtime_units_find_service(units, service);
    if (!unit) {
      g_ptr_array_add(failures, g_strdup_printf("%s: required but not provisioned", service));
      continue;
    }
    g_autoptr(AtxUnitStatus) status = atx_svcmgr_status(svcmgr, unit->service, unit->mode);
    if (status->state != ATX_UNIT_ACTIVE)
      g_ptr_array_add(failures, g_strdup_printf("%s (%s): %s", service, atx_run_mode_name(unit->mode), status->detail));
  }
  policy_clear(&policy);
  return failures;
}
