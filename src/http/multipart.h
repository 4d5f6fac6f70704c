/* multipart/form-data (RFC 7578) as browsers send it for the Boot UI's form:
 * the body split into named parts. Only what a form needs is read: each
 * part's name and optional filename from Content-Disposition; other part
 * headers are skipped. Refuses (FALSE with a message fit for a 400) a body
 * that is not well formed, more than ATX_MULTIPART_MAX_PARTS parts, or a
 * part header block over 8 KiB.
 *
 * Pure and thread-safe; the parts reference @body (no copy). */
#pragma once

#include <glib.h>

#define ATX_MULTIPART_MAX_PARTS 16

typedef struct {
  char *name;     /* form field name */
  char *filename; /* NULL for a plain field; "" when a file input sent no file */
  GBytes *data;
} AtxFormPart;

void atx_form_part_free(AtxFormPart *part);

/* The boundary of a "multipart/form-data; boundary=..." Content-Type, or
 * NULL with @error when @content_type is anything else. */
char *atx_multipart_boundary(const char *content_type, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The parts of @body in order (AtxFormPart, owned by the array). */
GPtrArray *atx_multipart_parse(GBytes *body, const char *boundary, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The first part named @name, or NULL. */
const AtxFormPart *atx_multipart_find(GPtrArray *parts, const char *name);
