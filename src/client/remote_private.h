/* What the remote commands (remote.c, submit.c, edit.c) share: how a
 * refusal, an invalid input or an unreachable device is reported, and how a
 * job is waited for and shown. Not for use outside src/client. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "client/http_client.h"
#include "client/remote.h"
#include "client/signer.h"

/* A request that got no answer (connection error, or signing failed before it
 * was sent): prints why and returns ATX_EXIT_USAGE. */
int atx_remote_unreachable(const char *command, const GError *error);

/* Prints what the device said when it answered something else than expected
 * ("METHOD URL answered 409: ..." plus advice for 401) and returns ATX_EXIT_FAILED. */
int atx_remote_refused(const char *command, const AtxRemoteOptions *options, const char *method, const char *path,
                       const AtxHttpResponse *response);

/* 409: prints "atomixctl COMMAND: the device is busy: MESSAGE" (the message
 * names the running job) and returns ATX_EXIT_FAILED. */
int atx_remote_busy(const char *command, const AtxHttpResponse *response);

/* What a 422 answered, for atx_remote_invalid(). */
typedef struct {
  const char *label;       /* names the input in messages: the file sent, or the edit */
  const char *upload_path; /* the file sent, whose diagnostics are named as `validate` names them
                            * (atx_report_filename()); NULL for an edit: its pointers name the
                            * merged config.toml, which has no file here */
  gboolean is_bundle;      /* upload_path is a bundle */
  const char *refusal;     /* the message when the body has neither diagnostics nor one of its own */
} AtxRemoteInput;

/* 422: with --json the problem document as it came (stdout); otherwise its
 * diagnostics as the offline validate prints them (stderr), preceded by
 * "LABEL: error: MESSAGE" when there are none. Returns ATX_EXIT_FAILED. */
int atx_remote_invalid(const AtxRemoteOptions *options, const AtxHttpResponse *response,
                       const AtxRemoteInput *input);

/* The job id of a 202: the body's job_id, else the last segment of Location. */
char *atx_remote_accepted_job_id(const AtxHttpResponse *response);

/* The response body as JSON, or NULL when it is not JSON. */
json_t *atx_remote_body_json(const AtxHttpResponse *response);

/* Prints @json (one document, trailing newline) to stdout. */
void atx_remote_print_json(const json_t *json);

/* The signer for options->key_path, filled into @signer; NULL when unsigned. */
AtxHttpSignFunc atx_remote_signer(const AtxRemoteOptions *options, AtxSigner *signer);

/* Waits for the job to end (printing progress when options->watch), prints the
 * final job (summary, or the resource with --json) and returns the exit status. */
int atx_remote_wait_job(const char *command, const AtxRemoteOptions *options, const char *job_id);

/* The answer to a request that submits a job (METHOD ROUTE), turned into the
 * command's exit status: 422 through atx_remote_invalid(), 409 busy, anything
 * but 202 refused; a 202 prints "Accepted" and waits for the job. */
int atx_remote_follow_submission(const char *command, const AtxRemoteOptions *options, const char *method,
                                 const char *route, const AtxHttpResponse *response, const AtxRemoteInput *input);
