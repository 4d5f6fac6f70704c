#include "device/device.h"

#include <errno.h>
#include <unistd.h>

#include "core/base/defaults.h"
#include "core/base/error.h"

typedef struct {
  AtxJob *job;
  GBytes *data;
  char *upload_path;
  gboolean remove_upload;
  char *filename;
  gboolean allow_reapply;
  char *expect_active_sha256;
  gboolean keep_active_files;
} Pending;

struct _AtxDevice {
  char *root;
  AtxStore *store;
  AtxJournal *journal;
  AtxSvcMgr *svcmgr;
  char *app_user;
  guint poll_interval_ms;
  const AtxBundleLimits *limits;
  char *recovery_message;
  GCancellable *stopping; /* cancelled by close: wakes activation waits */

  GMutex lock;        /* guards the queue and `closing` */
  GCond changed;      /* a job was queued or finished, or the device is closing */
  GQueue queue;       /* Pending* */
  gboolean closing;
  GThread *worker;
};

static void
pending_free(Pending *pending)
{
  atx_job_unref(pending->job);
  g_clear_pointer(&pending->data, g_bytes_unref);
  if (pending->remove_upload && pending->upload_path && unlink(pending->upload_path) != 0 && errno != ENOENT)
    g_warning("cannot remove the upload %s: %s, ignoring", pending->upload_path, g_strerror(errno));
  g_free(pending->upload_path);
  g_free(pending->filename);
  g_free(pending->expect_active_sha256);
  g_free(pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Pending, pending_free)

static void
run_pending(AtxDevice *device, Pending *pending)
{
  AtxPipeline pipeline = {
    .store = device->store,
    .svcmgr = device->svcmgr,
    .app_user = device->app_user,
    .poll_interval_ms = device->poll_interval_ms,
    .limits = device->limits,
    .cancellable = device->stopping,
  };
  AtxApplyRequest request = {
    .data = pending->data,
    .upload_path = pending->upload_path,
    .filename = pending->filename,
    .allow_reapply = pending->allow_reapply,
    .expect_active_sha256 = pending->expect_active_sha256,
    .keep_active_files = pending->keep_active_files,
  };
  (void) atx_pipeline_apply(&pipeline, pending->job, &request);
}

static gpointer
worker_main(gpointer data)
{
  AtxDevice *device = data;
  g_mutex_lock(&device->lock);
  for (;;) {
    while (!device->closing && g_queue_is_empty(&device->queue))
      g_cond_wait(&device->changed, &device->lock);
    g_autoptr(Pending) pending = g_queue_pop_head(&device->queue);
    if (!pending)
      break; /* closing with nothing queued */
    gboolean closing = device->closing;
    g_mutex_unlock(&device->lock);
    if (closing)
      atx_job_fail(pending->job, "interrupted: the daemon stopped before the job started", NULL, NULL);
    else
      run_pending(device, pending);
    g_mutex_lock(&device->lock);
    g_cond_broadcast(&device->changed);
  }
  g_mutex_unlock(&device->lock);
  return NULL;
}

static void
device_free(AtxDevice *device)
{
  g_clear_pointer(&device->journal, atx_journal_free);
  g_clear_pointer(&device->store, atx_store_free);
  g_clear_pointer(&device->svcmgr, atx_svcmgr_free);
  g_clear_object(&device->stopping);
  g_queue_clear_full(&device->queue, (GDestroyNotify) pending_free);
  g_mutex_clear(&device->lock);
  g_cond_clear(&device->changed);
  g_free(device->recovery_message);
  g_free(device->app_user);
  g_free(device->root);
  g_free(device);
}

AtxDevice *
atx_device_open(const AtxDeviceOptions *options, GError **error)
{
  AtxDevice *device = g_new0(AtxDevice, 1);
  device->root = g_strdup(options->root ? options->root : "/data");
  device->svcmgr = options->svcmgr;
  device->app_user = g_strdup(options->app_user ? options->app_user : ATX_APP_USER);
  device->poll_interval_ms = options->poll_interval_ms ? options->poll_interval_ms : ATX_DEFAULT_POLL_INTERVAL_MS;
  device->limits = options->limits;
  device->stopping = g_cancellable_new();
  g_mutex_init(&device->lock);
  g_cond_init(&device->changed);
  g_queue_init(&device->queue);

  g_autofree char *jobs_dir = g_build_filename(device->root, "jobs", NULL);
  device->store = atx_store_open(device->root, error);
  device->journal = device->store ? atx_journal_open(jobs_dir, options->clock, error) : NULL;
  if (!device->journal ||
      !atx_pipeline_recover(device->store, device->journal, &device->recovery_message, error)) {
    g_prefix_error(error, "cannot open the device at %s: ", device->root);
    device_free(device);
    return NULL;
  }
  device->worker = g_thread_new("atomix-jobs", worker_main, device);
  return device;
}

void
atx_device_close(AtxDevice *device)
{
  if (!device)
    return;
  g_mutex_lock(&device->lock);
  device->closing = TRUE;
  g_cond_broadcast(&device->changed);
  g_mutex_unlock(&device->lock);
  g_cancellable_cancel(device->stopping);
  g_thread_join(device->worker);
  device_free(device);
}

const char *
atx_device_recovery_message(AtxDevice *device)
{
  return device->recovery_message;
}

AtxStore *
atx_device_store(AtxDevice *device)
{
  return device->store;
}

AtxSvcMgr *
atx_device_svcmgr(AtxDevice *device)
{
  return device->svcmgr;
}

gboolean
atx_device_is_provisioned(AtxDevice *device)
{
  return atx_store_is_provisioned(device->store);
}

AtxJob *
atx_device_submit(AtxDevice *device, const char *kind, const AtxApplyRequest *request, GError **error)
{
  g_mutex_lock(&device->lock);
  if (device->closing) {
    g_mutex_unlock(&device->lock);
    g_set_error(error, ATX_ERROR, ATX_ERROR_BUSY, "the daemon is shutting down");
    return NULL;
  }
  AtxJob *job = atx_journal_submit(device->journal, kind, error);
  if (job) {
    Pending *pending = g_new0(Pending, 1);
    *pending = (Pending) {
      .job = atx_job_ref(job),
      .data = request->data ? g_bytes_ref(request->data) : NULL,
      .upload_path = g_strdup(request->upload_path),
      .remove_upload = request->remove_upload,
      .filename = g_strdup(request->filename),
      .allow_reapply = request->allow_reapply,
      .expect_active_sha256 = g_strdup(request->expect_active_sha256),
      .keep_active_files = request->keep_active_files,
    };
    g_queue_push_tail(&device->queue, pending);
    g_cond_broadcast(&device->changed);
  }
  g_mutex_unlock(&device->lock);
  return job;
}

AtxJob *
atx_device_get(AtxDevice *device, const char *id)
{
  return atx_journal_get(device->journal, id);
}

GPtrArray *
atx_device_list(AtxDevice *device, guint limit)
{
  g_autoptr(GPtrArray) ids = atx_journal_list(device->journal);
  GPtrArray *jobs = g_ptr_array_new_with_free_func((GDestroyNotify) atx_job_unref);
  for (guint i = ids->len; i > 0 && (limit == 0 || jobs->len < limit); i--) {
    AtxJob *job = atx_journal_get(device->journal, g_ptr_array_index(ids, i - 1));
    if (job) /* pruned in between */
      g_ptr_array_add(jobs, job);
  }
  return jobs;
}

static gboolean
is_finished(AtxJob *job)
{
  AtxJobState state = atx_job_state(job);
  return state == ATX_JOB_SUCCEEDED || state == ATX_JOB_FAILED;
}

gboolean
atx_device_wait(AtxDevice *device, AtxJob *job)
{
  g_mutex_lock(&device->lock);
  while (!is_finished(job))
    g_cond_wait(&device->changed, &device->lock);
  g_mutex_unlock(&device->lock);
  return atx_job_state(job) == ATX_JOB_SUCCEEDED;
}

guint
atx_device_listen(AtxDevice *device, AtxJobListener listener, gpointer user_data)
{
  return atx_journal_listen(device->journal, listener, user_data);
}

void
atx_device_unlisten(AtxDevice *device, guint listener_id)
{
  atx_journal_unlisten(device->journal, listener_id);
}
