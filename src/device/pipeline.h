/* The one mutation engine: every change to /data/config (CLI import, the API's
 * full submit, the Boot UI, partial edits) runs as a job through here.
 *
 *   prepare -> recover -> validate -> write candidate -> promote -> activate
 *     -> commit                                  (healthy)
 *     -> roll back and re-activate the old tree  (unhealthy: rollback_status
 *        "completed" or "failed"; "discarded" for an initial provisioning)
 *
 * Invalid input fails the job before anything is written (no rollback_status).
 * The store lock is held from recovery to the end, so no other process can
 * change the store in between. */
#pragma once

#include <gio/gio.h>

#include "core/bundle/bundle.h"
#include "device/jobs/jobs.h"
#include "device/store/store.h"
#include "device/svcmgr/svcmgr.h"

typedef struct {
  AtxStore *store;
  AtxSvcMgr *svcmgr;
  const char *app_user;            /* owner of bundle files; NULL = "appsvc" */
  guint poll_interval_ms;          /* health probes; 0 = 1000 */
  const AtxBundleLimits *limits;   /* NULL = defaults */
  /* Cancelled at shutdown: activation stops waiting, the change is rolled
   * back without waiting for health again, and the job fails "interrupted". */
  GCancellable *cancellable;
} AtxPipeline;

/* The payload is either in memory (@data) or in a file (@upload_path), which
 * is read twice with bounded memory: validated, then its files/ members
 * inflated straight into the candidate tree. The file must not change while
 * the job runs (a changed config.toml fails the job); the caller removes it
 * afterwards, unless it handed the file over to the device (@remove_upload). */
typedef struct {
  GBytes *data;            /* config.toml or bundle bytes; NULL with @upload_path */
  const char *upload_path; /* the payload in a file; NULL with @data */
  gboolean remove_upload;  /* the device removes @upload_path when the job ends (it owns the file) */
  const char *filename;    /* the client's name for it; NULL = "config.toml" */
  gboolean allow_reapply; /* FALSE for unauthenticated first-boot submissions */
  /* A partial edit, computed from the active config.toml with this lowercase
   * hex SHA-256: the job fails, changing nothing, when under the store lock
   * the active config is another one (a change landed in between). NULL =
   * no such condition. */
  const char *expect_active_sha256;
  gboolean keep_active_files; /* a partial edit: the active files/ stay (plain TOML would drop them) */
} AtxApplyRequest;

/* Runs @job (submitted) to its end in the calling thread. Returns TRUE when the
 * job succeeded; the outcome and its reasons are on the job either way. */
gboolean atx_pipeline_apply(const AtxPipeline *pipeline, AtxJob *job, const AtxApplyRequest *request);

/* Locks the store, runs crash recovery, and marks jobs a dead process left
 * running as interrupted with what recovery did. @message_out (optional)
 * receives that text. */
gboolean atx_pipeline_recover(AtxStore *store, AtxJournal *journal, char **message_out,
                              GError **error) G_GNUC_WARN_UNUSED_RESULT;
