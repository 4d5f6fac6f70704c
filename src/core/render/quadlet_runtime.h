/* quadlet-runtime.json: which Quadlet file becomes which systemd service, in
 * which mode. Written by render_quadlet.c; read back by change planning,
 * activation and quadlet sync, which must all agree on it. */
#pragma once

#include <glib.h>

#include "core/config/config.h"

typedef struct {
  char *name;     /* "web" */
  char *filename; /* "web.container" */
  char *service;  /* "web.service" */
  AtxRunMode mode;
  AtxQuadletKind kind;
} AtxRuntimeUnit;

void atx_runtime_unit_free(AtxRuntimeUnit *unit);

/* Units in file order (AtxRuntimeUnit*). A filename must be a bare name with a
 * Quadlet suffix; anything else is refused. */
GPtrArray *atx_runtime_units_parse(GBytes *json_text, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The unit with @service in @mode, or NULL. */
const AtxRuntimeUnit *atx_runtime_units_find(GPtrArray *units, const char *service, AtxRunMode mode);
/* The first unit with @service in any mode, or NULL. */
const AtxRuntimeUnit *atx_runtime_units_find_service(GPtrArray *units, const char *service);
