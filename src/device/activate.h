/* Activation: make the tree that was just promoted (or restored) the running
 * state of the device, and decide whether it is healthy.
 *
 * Sequence, each step an event on the job:
 *   1. read the policy from activation-policy.json (health-required.json for
 *      trees from older versions); deadline = now + timeout_seconds;
 *   2. plan what changed against the tree it replaces (core/change_plan.h);
 *   3. restart the platform appliers whose inputs changed, reload the managers;
 *   4. stop units no longer provisioned, restart changed ones (and the ones in
 *      activation.restart), dependencies first;
 *   5. wait settle_seconds;
 *   6. report the status of every provisioned unit;
 *   7. poll every required unit until it is active, it fails, or the deadline
 *      passes, recording each probe; then check once more, a poll interval
 *      later, that they all stayed active (a unit crashing right after start
 *      can look active to one probe);
 *   8. when allow_degraded is configured, every other unit not listed there
 *      must be running too.
 * The result is the list of failures, each naming the unit and why; empty
 * means healthy. Rolling back is the caller's decision (device/pipeline.h). */
#pragma once

#include <gio/gio.h>

#include "device/jobs/jobs.h"
#include "device/svcmgr/svcmgr.h"

typedef struct {
  AtxSvcMgr *svcmgr;
  AtxJob *job;                  /* receives the events */
  const char *config_dir;       /* the active tree */
  guint poll_interval_ms;       /* between health probes; 0 = 1000 */
  GCancellable *cancellable;    /* wakes every wait (shutdown); NULL = none */
  gboolean restarts_only;       /* apply the plan, skip settle and health (restoring at shutdown) */
} AtxActivation;

/* @old_tree is the owned content of the tree being replaced (NULL when there
 * was none); the active tree is read from @activation->config_dir. Returns the
 * failures (char*), empty when the device is healthy. */
GPtrArray *atx_activate(const AtxActivation *activation, GHashTable *old_tree);

/* One round of `atomixd check-health`: required units of the active tree that
 * are not active, as "<unit> (<mode>): <detail>" (empty when all are). */
GPtrArray *atx_check_required(AtxSvcMgr *svcmgr, const char *config_dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
