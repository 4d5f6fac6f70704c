/* The device: one object that owns everything a running atomixd needs to change
 * /data/config — the state store, the job journal, the service manager — runs
 * crash recovery when it opens, and runs submitted jobs one at a time on its
 * own worker thread. `atomixd import|recover|check-health` and `atomixd serve`
 * all go through it, so nothing is wired twice.
 *
 * Ownership: atx_device_open() takes the service manager (also on failure).
 * Jobs returned by submit/get/list are new references (g_autoptr(AtxJob));
 * they may be unreferenced after close but not read.
 *
 * Threads: every function may be called from any thread, except that
 * atx_device_close() must not be called from a listener. Listeners run on the
 * worker thread, under the journal's listener lock only (never under a lock
 * that readers take), and never again once atx_device_unlisten() has
 * returned; unlisten waits for a listener that is running, so do not call it
 * while holding a lock that listener takes. A listener sees the terminal event
 * only after the job's final state and result are visible to
 * atx_job_to_json() from every thread. */
#pragma once

#include <gio/gio.h>

#include "core/bundle/bundle.h"
#include "device/jobs/jobs.h"
#include "device/pipeline.h"
#include "device/store/store.h"
#include "device/svcmgr/svcmgr.h"

typedef struct _AtxDevice AtxDevice;

typedef struct {
  const char *root;              /* state root holding config/ and jobs/; NULL = "/data" */
  AtxSvcMgr *svcmgr;             /* taken */
  const char *app_user;          /* NULL = ATX_APP_USER */
  guint poll_interval_ms;        /* 0 = ATX_DEFAULT_POLL_INTERVAL_MS */
  const AtxBundleLimits *limits; /* NULL = defaults; must outlive the device */
  const AtxClock *clock;         /* NULL = the system clock; must outlive the device */
} AtxDeviceOptions;

/* Opens the store and the journal, runs crash recovery (marking jobs a dead
 * process left running as interrupted) and starts the worker thread. Fails
 * with ATX_ERROR_BUSY when another process holds the store. */
AtxDevice *atx_device_open(const AtxDeviceOptions *options, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Wakes a running job's waits (health polling, settle) so it reaches a safe
 * point quickly — it then fails with an "interrupted" error and its change is
 * rolled back — fails a job that had not started yet as "interrupted", joins
 * the worker and frees everything. */
void atx_device_close(AtxDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxDevice, atx_device_close)

/* What recovery at open did, for logs ("clean", "restored previous config"...). */
const char *atx_device_recovery_message(AtxDevice *device);
AtxStore *atx_device_store(AtxDevice *device);
AtxSvcMgr *atx_device_svcmgr(AtxDevice *device);
gboolean atx_device_is_provisioned(AtxDevice *device);

/* Queues @request (copied; its bytes are referenced, its upload file must
 * stay in place until the job has ended) as a new job of @kind
 * ("import", "api", "ui", "partial") and returns it at once, state submitted.
 * Fails with ATX_ERROR_BUSY, message naming the job that is submitted or
 * running, when there is one, and with ATX_ERROR_BUSY when the device is
 * closing. */
AtxJob *atx_device_submit(AtxDevice *device, const char *kind, const AtxApplyRequest *request,
                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The job with @id, or NULL. */
AtxJob *atx_device_get(AtxDevice *device, const char *id);
/* Up to @limit jobs (0 = all retained), newest first (AtxJob*, owned by the array). */
GPtrArray *atx_device_list(AtxDevice *device, guint limit);
/* Blocks until @job has finished; TRUE when it succeeded. */
gboolean atx_device_wait(AtxDevice *device, AtxJob *job);

guint atx_device_listen(AtxDevice *device, AtxJobListener listener, gpointer user_data);
void atx_device_unlisten(AtxDevice *device, guint listener_id);
