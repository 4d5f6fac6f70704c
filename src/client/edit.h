/* atomixctl's partial edits (reference §1.4, issue 10): one section of the
 * device's config changed without sending the whole file.
 *
 *   user set NAME     PUT    /api/config/users/NAME       {"isAdmin", "ssh_key"?, "shell"?}
 *   user rm NAME      DELETE /api/config/users/NAME
 *   container set NAME FILE  PUT /api/config/containers/NAME  (privileged, Unit, Container, Install)
 *   container rm NAME        DELETE /api/config/containers/NAME
 *   container-network set|rm, container-volume set|rm: the same for
 *                            /api/config/container-networks|container-volumes/NAME
 *   network patch FILE       PATCH /api/config/network   (merge: null deletes a key)
 *
 * The device validates the merged config synchronously (422 with diagnostics,
 * printed as validate prints them) and runs an accepted edit as a job like a
 * full apply, which is waited for and shown the same way. Exit statuses as in
 * remote.h. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "client/remote.h"

/* A request body read from @path: a JSON object (.json) or a TOML table (any
 * other name; dates and times are refused, JSON null is only possible in JSON).
 * NULL with an error naming the file otherwise. */
json_t *atx_edit_body_from_file(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* {"isAdmin": admin, "ssh_key": ssh_key?, "shell": shell?}. */
json_t *atx_edit_user_body(gboolean admin, const char *ssh_key, const char *shell);

/* "/api/config/COLLECTION/NAME" with NAME percent-encoded; "" for COLLECTION
 * "network" (no name). */
char *atx_edit_route(const char *collection, const char *name);

/* Sends @body (NULL: none) with @method to @route and waits for the job.
 * @command ("user set") prefixes messages; @label names the edit ("users/alice"). */
int atx_cmd_edit(const char *command, const char *method, const char *route, const json_t *body, const char *label,
                 const AtxRemoteOptions *options);
