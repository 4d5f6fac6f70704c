/* Simulated service manager for the demo and for fault injection: units start
 * instantly (or after --sim-delay-ms), except the ones named by --sim-fail,
 * which fail like a container whose process exits 1. With a state file, unit
 * states survive between `atomixd` invocations (import, then check-health). */
#include "device/svcmgr/svcmgr.h"

#include <jansson.h>
#include <string.h>

#include "device/fs/fsutil.h"

typedef struct {
  AtxSvcMgr parent;
  GStrv fail_units;
  guint delay_ms;
  char *state_file;
  GHashTable *states; /* "rootful:web.service" -> "active" | "failed" | "inactive" */
} SimMgr;

static char *
state_key(const char *unit, AtxRunMode mode)
{
  return g_strconcat(atx_run_mode_name(mode), ":", unit, NULL);
}

static gboolean
is_fail_unit(const SimMgr *sim, const char *unit)
{
  for (guint i = 0; sim->fail_units && sim->fail_units[i]; i++) {
    g_autofree char *with_suffix = g_strconcat(sim->fail_units[i], ".service", NULL);
    if (g_str_equal(unit, sim->fail_units[i]) || g_str_equal(unit, with_suffix))
      return TRUE;
  }
  return FALSE;
}

static void
load_states(SimMgr *sim)
{
  json_t *root = sim->state_file ? json_load_file(sim->state_file, 0, NULL) : NULL;
  const char *key;
  json_t *value;
  json_object_foreach(root, key, value)
  {
    if (json_is_string(value))
      g_hash_table_replace(sim->states, g_strdup(key), g_strdup(json_string_value(value)));
  }
  json_decref(root);
}

static void
save_states(SimMgr *sim)
{
  if (!sim->state_file)
    return;
  json_t *root = json_object();
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init(&iter, sim->states);
  while (g_hash_table_iter_next(&iter, &key, &value))
    json_object_set_new(root, key, json_string(value));
  char *text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
  json_decref(root);
  g_autoptr(GBytes) bytes = g_bytes_new_take(text, strlen(text));
  /* Best effort and never flushed: the simulation's memory is a convenience,
   * not device state, and must not inflate the store's fsync counts. */
  if (!atx_fs_write_file(sim->state_file, bytes, 0644, (uid_t) -1, (gid_t) -1, ATX_FS_SYNC_LATER, NULL))
    g_warning("cannot save simulated unit states to %s", sim->state_file);
}

/* Sleeps the configured delay; FALSE when the deadline passes first. */
static gboolean
simulate_delay(const SimMgr *sim, gint64 deadline)
{
  gint64 delay_us = (gint64) sim->delay_ms * 1000;
  gint64 now = g_get_monotonic_time();
  if (deadline > 0 && now + delay_us > deadline) {
    if (deadline > now)
      g_usleep((gulong) (deadline - now));
    return FALSE;
  }
  if (delay_us > 0)
    g_usleep((gulong) delay_us);
  return TRUE;
}

static gboolean
sim_daemon_reload(AtxSvcMgr *self, AtxRunMode mode, GError **error)
{
  simulate_delay((SimMgr *) self, 0);
  return TRUE;
}

static gboolean
sim_restart(AtxSvcMgr *self, const char *unit, AtxRunMode mode, gint64 deadline, GError **error)
{
  SimMgr *sim = (SimMgr *) self;
  if (!simulate_delay(sim, deadline)) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_TIMEOUT,
                "%s: restart did not finish within the deadline", unit);
    return FALSE;
  }
  gboolean fails = is_fail_unit(sim, unit);
  g_hash_table_replace(sim->states, state_key(unit, mode), g_strdup(fails ? "failed" : "active"));
  save_states(sim);
  if (fails) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_FAILED,
                "%s: job failed (failed: exit-code, status 1)", unit);
    return FALSE;
  }
  return TRUE;
}

static gboolean
sim_stop(AtxSvcMgr *self, const char *unit, AtxRunMode mode, gint64 deadline, GError **error)
{
  SimMgr *sim = (SimMgr *) self;
  if (!simulate_delay(sim, deadline)) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_TIMEOUT,
                "%s: stop did not finish within the deadline", unit);
    return FALSE;
  }
  g_hash_table_replace(sim->states, state_key(unit, mode), g_strdup("inactive"));
  save_states(sim);
  return TRUE;
}

static AtxUnitStatus *
sim_status(AtxSvcMgr *self, const char *unit, AtxRunMode mode)
{
  SimMgr *sim = (SimMgr *) self;
  g_autofree char *key = state_key(unit, mode);
  const char *state = g_hash_table_lookup(sim->states, key);
  if (g_strcmp0(state, "active") == 0)
    return atx_unit_status_new(ATX_UNIT_ACTIVE, "active", "running", "success", "active (running)");
  if (g_strcmp0(state, "failed") == 0)
    return atx_unit_status_new(ATX_UNIT_FAILED, "failed", "failed", "exit-code", "failed (exit-code, status 1)");
  return atx_unit_status_new(ATX_UNIT_INACTIVE, "inactive", "dead", "success", "inactive (dead)");
}

static void
sim_free(AtxSvcMgr *self)
{
  SimMgr *sim = (SimMgr *) self;
  g_strfreev(sim->fail_units);
  g_free(sim->state_file);
  g_hash_table_unref(sim->states);
  g_free(sim);
}

static const AtxSvcMgrClass sim_class = {
  .name = "sim",
  .daemon_reload = sim_daemon_reload,
  .restart = sim_restart,
  .stop = sim_stop,
  .status = sim_status,
  .free = sim_free,
};

AtxSvcMgr *
atx_svcmgr_sim_new(const AtxSvcMgrSimOptions *options)
{
  SimMgr *sim = g_new0(SimMgr, 1);
  sim->parent.klass = &sim_class;
  sim->fail_units = g_strdupv((char **) options->fail_units);
  sim->delay_ms = options->delay_ms;
  sim->state_file = g_strdup(options->state_file);
  sim->states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  load_states(sim);
  return &sim->parent;
}
