#include "device/pipeline.h"

#include <jansson.h>
#include <string.h>

#include "core/base/error.h"
#include "core/base/net.h"
#include "core/render/render.h"
#include "core/render/rendered_files.h"
#include "core/bundle/submission.h"
#include "device/activate.h"


typedef struct {
  const AtxPipeline *pipeline;
  AtxJob *job;
  const AtxApplyRequest *request;
  gboolean reapply;
  AtxSubmission *submission;
} Apply;

/* The event each group of rendered files starts (rendered_files.h). */
static void
announce_file(Apply *apply, const char *path, const AtxRenderedKind **last)
{
  const AtxRenderedKind *kind = atx_rendered_kind_find(path);
  if (!kind || (*last && (*last)->step == kind->step))
    return;
  atx_job_event(apply->job, kind->step, "%s", kind->message);
  *last = kind;
}

static void
announce_bundle_files(Apply *apply)
{
  const AtxRenderedKind *kind = atx_rendered_kind_find("files/");
  atx_job_event(apply->job, kind->step, "%s", kind->message);
}

/* The job already failed for a better reason; a leftover candidate is
 * removed by the next candidate_begin or by recovery. */
static void
discard_candidate(AtxStore *store)
{
  g_autoptr(GError) error = NULL;
  if (!atx_store_candidate_discard(store, &error))
    g_warning("cannot discard the candidate tree: %s, ignoring", error->message);
}

static const char *
app_user(const AtxPipeline *pipeline)
{
  return pipeline->app_user ? pipeline->app_user : ATX_APP_USER;
}

static gboolean
write_bundle_files(Apply *apply, GError **error)
{
  const AtxPipeline *pipeline = apply->pipeline;
  const AtxApplyRequest *request = apply->request;
  announce_bundle_files(apply);
  if (request->upload_path)
    return atx_store_candidate_stream_bundle(pipeline->store, request->upload_path, apply->submission->bundle,
                                             request->filename, pipeline->limits, app_user(pipeline), error);
  return atx_store_candidate_write_bundle(pipeline->store, apply->submission->bundle, app_user(pipeline), error);
}

static gboolean
write_candidate(Apply *apply, GError **error)
{
  AtxStore *store = apply->pipeline->store;
  atx_job_event(apply->job, ATX_STEP_WRITE_CANDIDATE, "rendering provisioned state");
  AtxRenderOptions options = { .config_dir = atx_store_config_dir(store) };
  g_autoptr(GPtrArray) files = atx_render_config(apply->submission->config, &options);
  if (!atx_store_candidate_begin(store, error))
    return FALSE;
  const AtxRenderedKind *last = NULL;
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    announce_file(apply, file->path, &last);
    if (!atx_store_candidate_write(store, file, error))
      return FALSE;
    if (i == 0 && apply->submission->bundle->has_files) {
      if (!write_bundle_files(apply, error))
        return FALSE;
    } else if (i == 0 && apply->request->keep_active_files) {
      if (!atx_store_candidate_keep_files(store, error))
        return FALSE;
    }
  }
  return atx_store_candidate_finish(store, error);
}

static json_t *
warnings_json(const AtxDiagList *diags)
{
  json_t *warnings = json_array();
  for (guint i = 0; i < atx_diag_list_length(diags); i++) {
    const AtxDiag *diag = atx_diag_list_index(diags, i);
    if (diag->severity == ATX_SEVERITY_WARNING)
      json_array_append_new(warnings, json_string(diag->message));
  }
  return warnings;
}

static json_t *
success_result(const Apply *apply)
{
  json_t *result = json_object();
  json_object_set_new(result, "warnings", warnings_json(apply->submission->diags));
  json_object_set_new(result, "reapply", json_boolean(apply->reapply));
  if (apply->reapply)
    json_object_set_new(result, "rolled_back", json_false());
  g_autofree char *gateway = atx_ipv4_format(apply->submission->config->lan.gateway_ip);
  g_autofree char *url = g_strdup_printf("http://%s:%d", gateway, ATX_BOOTSTRAP_PORT);
  json_object_set_new(result, "forwarding_url", json_string(url));
  return result;
}

static char *
join_failures(const char *prefix, GPtrArray *failures)
{
  g_autoptr(GString) text = g_string_new(prefix);
  for (guint i = 0; i < failures->len; i++)
    g_string_append_printf(text, "%s%s", i ? "; " : "", (char *) g_ptr_array_index(failures, i));
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static gboolean
stopping(const Apply *apply)
{
  return apply->pipeline->cancellable && g_cancellable_is_cancelled(apply->pipeline->cancellable);
}

/* At shutdown the restored tree is only restarted: waiting for its health
 * would hold the daemon past its stop timeout, and boot checks it again. */
static GPtrArray *
activate(const Apply *apply, GHashTable *old_tree)
{
  AtxActivation activation = {
    .svcmgr = apply->pipeline->svcmgr,
    .job = apply->job,
    .config_dir = atx_store_config_dir(apply->pipeline->store),
    .poll_interval_ms = apply->pipeline->poll_interval_ms,
    .cancellable = apply->pipeline->cancellable,
    .restarts_only = stopping(apply),
  };
  return atx_activate(&activation, old_tree);
}

/* The new tree is unhealthy: put the old one back and make it run again. */
static void
roll_back(Apply *apply, GPtrArray *failures)
{
  AtxStore *store = apply->pipeline->store;
  atx_job_event(apply->job, ATX_STEP_ROLLBACK, "restoring previous config");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) failed_tree = atx_store_read_tree(atx_store_config_dir(store), &error);
  g_autofree char *message = stopping(apply) ? g_strdup("interrupted: the daemon stopped during activation")
                                             : join_failures("activation failed: ", failures);
  if (!failed_tree || !atx_store_rollback(store, &error)) {
    g_autofree char *full = g_strdup_printf("%s; rollback failed: %s", message, error->message);
    atx_job_fail(apply->job, full, "failed", NULL);
    return;
  }
  g_autoptr(GPtrArray) again = activate(apply, failed_tree);
  const char *status = again->len ? "failed" : apply->reapply ? "completed" : "discarded";
  if (again->len == 0) {
    atx_job_fail(apply->job, message, status, NULL);
    return;
  }
  g_autofree char *rollback_failures = join_failures("; rollback activation/health failed: ", again);
  g_autofree char *full = g_strconcat(message, rollback_failures, NULL);
  atx_job_fail(apply->job, full, status, NULL);
}

static void
promote_and_activate(Apply *apply)
{
  AtxStore *store = apply->pipeline->store;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) old_tree =
      apply->reapply ? atx_store_read_tree(atx_store_config_dir(store), &error) : NULL;
  if (apply->reapply && !old_tree) {
    discard_candidate(store);
    g_prefix_error(&error, "reading the active config: ");
    atx_job_fail(apply->job, error->message, NULL, NULL);
    return;
  }
  atx_job_event(apply->job, ATX_STEP_PROMOTE, apply->reapply ? "swapping active config root" : "activating initial config root");
  if (!atx_store_promote(store, &error)) {
    /* Whatever part of the promotion happened, recovery undoes it (and the
     * next start's recovery again if this one fails). */
    g_autoptr(GError) recovery_error = NULL;
    if (!atx_store_recover(store, NULL, &recovery_error))
      g_warning("recovery after a failed promotion: %s, ignoring", recovery_error->message);
    g_prefix_error(&error, "promoting the candidate config: ");
    atx_job_fail(apply->job, error->message, NULL, NULL);
    return;
  }
  g_autoptr(GPtrArray) failures = activate(apply, old_tree);
  if (failures->len > 0) {
    roll_back(apply, failures);
    return;
  }
  atx_job_event(apply->job, ATX_STEP_CLEANUP, "removing rollback state");
  if (!atx_store_commit(store, &error)) {
    g_prefix_error(&error, "removing rollback state: ");
    atx_job_fail(apply->job, error->message, NULL, NULL);
    return;
  }
  if (!apply->reapply)
    atx_job_event(apply->job, ATX_STEP_COMPLETE, "initial provisioning complete");
  atx_job_succeed(apply->job, success_result(apply));
}

static void
fail_invalid(Apply *apply)
{
  AtxDiagList *diags = apply->submission->diags;
  guint errors = atx_diag_list_count(diags, ATX_SEVERITY_ERROR);
  const AtxDiag *first = NULL;
  for (guint i = 0; !first && i < atx_diag_list_length(diags); i++)
    if (atx_diag_list_index(diags, i)->severity == ATX_SEVERITY_ERROR)
      first = atx_diag_list_index(diags, i);
  g_autofree char *text = atx_diag_format_text(first, apply->submission->filename);
  g_strchomp(text);
  g_autofree char *message = errors > 1 ? g_strdup_printf("invalid config: %s (and %u more)", text, errors - 1)
                                        : g_strdup_printf("invalid config: %s", text);
  atx_job_fail(apply->job, message, NULL, atx_diag_list_to_json(diags));
}

/* Does the active config.toml (absent: never) hash to @sha256? */
static gboolean
active_config_is(AtxStore *store, const char *sha256)
{
  g_autofree char *path = g_build_filename(atx_store_config_dir(store), "config.toml", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &text, &len, NULL))
    return FALSE;
  g_autofree char *actual = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) text, len);
  return g_ascii_strcasecmp(actual, sha256) == 0;
}

static void
run_locked(Apply *apply)
{
  AtxStore *store = apply->pipeline->store;
  const AtxApplyRequest *request = apply->request;
  atx_job_event(apply->job, ATX_STEP_RECOVER, "checking for interrupted promotion");
  AtxRecoveryResult recovered;
  g_autoptr(GError) error = NULL;
  if (!atx_store_recover(store, &recovered, &error)) {
    g_prefix_error(&error, "recovering an interrupted promotion: ");
    atx_job_fail(apply->job, error->message, NULL, NULL);
    return;
  }
  if (recovered != ATX_RECOVERY_CLEAN)
    atx_job_event(apply->job, ATX_STEP_RECOVER, "%s", atx_recovery_result_message(recovered));
  apply->reapply = atx_store_is_provisioned(store);
  if (apply->reapply && !request->allow_reapply) {
    atx_job_fail(apply->job, "config already provisioned; reapply requires authenticated API access", NULL, NULL);
    return;
  }
  if (request->expect_active_sha256 && !active_config_is(store, request->expect_active_sha256)) {
    atx_job_fail(apply->job,
                 "the active config changed since this edit was checked; nothing was changed, resubmit the edit",
                 NULL, NULL);
    return;
  }
  atx_job_event(apply->job, ATX_STEP_VALIDATE, "parsing config");
  apply->submission = request->upload_path
                          ? atx_submission_load_file(request->upload_path, request->filename, apply->pipeline->limits)
                          : atx_submission_load(request->data, request->filename, apply->pipeline->limits);
  if (!atx_submission_is_valid(apply->submission)) {
    fail_invalid(apply);
    return;
  }
  if (!write_candidate(apply, &error)) {
    discard_candidate(store);
    g_prefix_error(&error, "writing the candidate config: ");
    atx_job_fail(apply->job, error->message, NULL, NULL);
    return;
  }
  promote_and_activate(apply);
}

gboolean
atx_pipeline_apply(const AtxPipeline *pipeline, AtxJob *job, const AtxApplyRequest *request)
{
  Apply apply = { .pipeline = pipeline, .job = job, .request = request };
  atx_job_start(job);
  atx_job_event(job, ATX_STEP_PREPARE, "unpacking %s", request->filename ? request->filename : "config.toml");
  g_autoptr(GError) error = NULL;
  if (!atx_store_lock(pipeline->store, atx_job_id(job), &error)) {
    atx_job_fail(job, error->message, NULL, NULL);
    return FALSE;
  }
  run_locked(&apply);
  atx_store_unlock(pipeline->store);
  atx_submission_free(apply.submission);
  return atx_job_state(job) == ATX_JOB_SUCCEEDED;
}

gboolean
atx_pipeline_recover(AtxStore *store, AtxJournal *journal, char **message_out, GError **error)
{
  if (!atx_store_lock(store, "recovery", error))
    return FALSE;
  AtxRecoveryResult result;
  gboolean ok = atx_store_recover(store, &result, error);
  atx_store_unlock(store);
  if (!ok)
    return FALSE;
  const char *message = atx_recovery_result_message(result);
  if (journal)
    atx_journal_mark_interrupted(journal, message);
  if (message_out)
    *message_out = g_strdup(message);
  return TRUE;
}
