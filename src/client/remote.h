/* atomixctl's commands that talk to a device over HTTP (src/client/http_client.h).
 *
 * Exit status: 0 success; 1 the device refused, the input is invalid, or the
 * job failed or rolled back; 2 usage, I/O or connection error (the message
 * names the URL). Results go to stdout, problems to stderr; with --json stdout
 * carries exactly one JSON document. */
#pragma once

#include <glib.h>

typedef struct {
  const char *base_url; /* "http://172.20.30.1:8080" */
  const char *key_path; /* sign mutating requests with this SSH key; NULL: unsigned */
  gboolean bind_method; /* sign the v2 message, which binds the HTTP method too */
  gboolean json;
  gboolean watch; /* live progress lines (to stderr with --json) */
} AtxRemoteOptions;

int atx_cmd_export(const AtxRemoteOptions *options);

/* POST /api/config, then waits for the job to end (reference §1.3). */
int atx_cmd_apply(const char *path, const AtxRemoteOptions *options);

/* POST /api/validate: the device's checks and dry-run render, nothing changed. */
int atx_cmd_validate_remote(const char *path, const AtxRemoteOptions *options);

/* GET /api/jobs?limit=N (0 = the device's default), newest first. */
int atx_cmd_jobs(const AtxRemoteOptions *options, guint limit);

/* GET /api/jobs/{id}; with watch, follows it until it ends. */
int atx_cmd_job(const char *job_id, const AtxRemoteOptions *options);
