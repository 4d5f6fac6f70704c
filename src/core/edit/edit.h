/* Partial edits of the active config (reference §1.2, §1.4, §4.6): one user,
 * the network section, or one container, container network or container
 * volume, put, deleted or (network) merge-patched with a JSON body, checked
 * synchronously (DESIGN §6.1) and turned into the canonical TOML of the whole
 * merged document, which then runs through the same job pipeline as a full
 * submission.
 *
 * Outcomes of atx_edit_apply():
 *   text                    the canonical config.toml (toml_write.h) of the
 *                           merged document, valid; warnings in @diags;
 *   ATX_EDIT_ERROR_MALFORMED  the body is not JSON or not a JSON object
 *                           (HTTP 400); the message says where;
 *   ATX_EDIT_ERROR_INVALID  @diags holds every error (HTTP 422): a bad name,
 *                           an unknown or missing key of the body, a value
 *                           TOML cannot hold, or any problem of the merged
 *                           config. Pointers name the place in the full
 *                           config ("/users/alice/shell"); there are no
 *                           lines and columns (unless @diags has a locator):
 *                           the merged text is not something the client wrote;
 *   ATX_EDIT_ERROR_CURRENT  the active config.toml does not parse (HTTP 500).
 * Nothing is written anywhere: the caller decides what to do with the text.
 *
 * Merge semantics of PATCH network (as before): a null deletes the key, an
 * object merged into an object merges recursively, anything else (lists
 * included) replaces the old value. PUT replaces the named entry wholesale;
 * DELETE of an absent entry succeeds and changes nothing.
 *
 * Pure and thread-safe. */
#pragma once

#include <glib.h>

#include "core/base/diag.h"

#define ATX_EDIT_ERROR (atx_edit_error_quark())
GQuark atx_edit_error_quark(void);

typedef enum {
  ATX_EDIT_ERROR_MALFORMED,
  ATX_EDIT_ERROR_INVALID,
  ATX_EDIT_ERROR_CURRENT,
} AtxEditError;

typedef enum {
  ATX_EDIT_USER_PUT,                 /* PUT    /api/config/users/{name} */
  ATX_EDIT_USER_DELETE,              /* DELETE /api/config/users/{name} */
  ATX_EDIT_NETWORK_PATCH,            /* PATCH  /api/config/network */
  ATX_EDIT_CONTAINER_PUT,            /* PUT    /api/config/containers/{name} */
  ATX_EDIT_CONTAINER_DELETE,         /* DELETE /api/config/containers/{name} */
  ATX_EDIT_CONTAINER_NETWORK_PUT,    /* PUT    /api/config/container-networks/{name} */
  ATX_EDIT_CONTAINER_NETWORK_DELETE, /* DELETE /api/config/container-networks/{name} */
  ATX_EDIT_CONTAINER_VOLUME_PUT,     /* PUT    /api/config/container-volumes/{name} */
  ATX_EDIT_CONTAINER_VOLUME_DELETE,  /* DELETE /api/config/container-volumes/{name} */
} AtxEditKind;

typedef struct {
  AtxEditKind kind;
  const char *name; /* the {name} path parameter, decoded; ignored for the network */
  const char *body; /* JSON text of @body_len bytes; ignored for deletes */
  gsize body_len;
} AtxEdit;

/* The edit's kind from the route ("PUT", "users"), collections as in the
 * paths: users, network, containers, container-networks, container-volumes.
 * FALSE when there is no such edit. */
gboolean atx_edit_kind_for_route(const char *method, const char *collection, AtxEditKind *kind_out);

/* Applies @edit to @current (the active config.toml, @current_len bytes).
 * Returns the new config.toml text, or NULL as described above. */
char *atx_edit_apply(const char *current, gsize current_len, const AtxEdit *edit, AtxDiagList *diags,
                     GError **error) G_GNUC_WARN_UNUSED_RESULT;
