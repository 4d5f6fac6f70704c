/* Service manager: the few things activation needs from systemd, behind an
 * interface so the demo and fault-injection tests can use a simulation.
 *
 * Every unit lives in one of two managers: rootful units in the system manager,
 * rootless units in the app user's (appsvc) user manager. Operations that start
 * a job (restart, stop) wait until systemd reports the job finished or the
 * deadline passes. A deadline is a g_get_monotonic_time() value in
 * microseconds; 0 means "no deadline". */
#pragma once

#include <glib.h>

#include "core/config/config.h"

#define ATX_SVCMGR_ERROR (atx_svcmgr_error_quark())
GQuark atx_svcmgr_error_quark(void);

typedef enum {
  ATX_SVCMGR_ERROR_FAILED,    /* the job finished with a result other than "done" */
  ATX_SVCMGR_ERROR_TIMEOUT,   /* the deadline passed first */
  ATX_SVCMGR_ERROR_NO_UNIT,   /* systemd does not know the unit */
  ATX_SVCMGR_ERROR_CONNECT,   /* the manager could not be reached */
} AtxSvcMgrErrorCode;

typedef enum {
  ATX_UNIT_ACTIVE,     /* ActiveState=active (or reloading) */
  ATX_UNIT_ACTIVATING, /* starting, or waiting for an automatic restart */
  ATX_UNIT_INACTIVE,
  ATX_UNIT_FAILED,
  ATX_UNIT_UNKNOWN,    /* not loaded, or the manager could not say */
} AtxUnitState;

typedef struct {
  AtxUnitState state;
  char *active_state; /* systemd's words: "active", "failed", ... */
  char *sub_state;    /* "running", "exited", "auto-restart", ... */
  char *result;       /* "success", "exit-code", "timeout", ... ("" when unknown) */
  char *detail;       /* for humans: "failed (exit-code, status 1)" */
} AtxUnitStatus;

void atx_unit_status_free(AtxUnitStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxUnitStatus, atx_unit_status_free)
const char *atx_unit_state_name(AtxUnitState state); /* "active", "activating", ... */

typedef struct _AtxSvcMgr AtxSvcMgr;

typedef struct {
  const char *name; /* "systemd", "sim" */
  gboolean (*daemon_reload)(AtxSvcMgr *self, AtxRunMode mode, GError **error);
  gboolean (*restart)(AtxSvcMgr *self, const char *unit, AtxRunMode mode, gint64 deadline, GError **error);
  gboolean (*stop)(AtxSvcMgr *self, const char *unit, AtxRunMode mode, gint64 deadline, GError **error);
  AtxUnitStatus *(*status)(AtxSvcMgr *self, const char *unit, AtxRunMode mode);
  void (*free)(AtxSvcMgr *self);
} AtxSvcMgrClass;

struct _AtxSvcMgr {
  const AtxSvcMgrClass *klass;
};

gboolean atx_svcmgr_daemon_reload(AtxSvcMgr *mgr, AtxRunMode mode, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Restarts (or starts) @unit and waits for the job to finish. Success means
 * systemd's job result was "done"; it does not mean the unit stayed up. */
gboolean atx_svcmgr_restart(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode, gint64 deadline, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_svcmgr_stop(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode, gint64 deadline, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Never fails: problems are ATX_UNIT_UNKNOWN with a detail. */
AtxUnitStatus *atx_svcmgr_status(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode);
void atx_svcmgr_free(AtxSvcMgr *mgr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxSvcMgr, atx_svcmgr_free)

/* Shared constructor for the backends' status results. */
AtxUnitStatus *atx_unit_status_new(AtxUnitState state, const char *active_state, const char *sub_state,
                                   const char *result, const char *detail);

/* --- systemd over sd-bus (svcmgr_systemd.c) --- */
typedef struct {
  /* D-Bus addresses of the two managers. NULL: the system bus for rootful units,
   * and unix:path=/run/user/<uid of app_user>/bus for rootless ones. Tests point
   * both at a private `systemd --user` instance. */
  const char *system_bus_address;
  const char *user_bus_address;
  const char *app_user; /* NULL = ATX_APP_USER */
  /* When TRUE the rootful manager is reached as a user manager
   * (org.freedesktop.systemd1 on a session bus), for tests. */
  gboolean system_is_user_manager;
} AtxSvcMgrSystemdOptions;

AtxSvcMgr *atx_svcmgr_systemd_new(const AtxSvcMgrSystemdOptions *options, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* --- simulation (svcmgr_sim.c) --- */
typedef struct {
  const char *const *fail_units; /* these never become active (NULL-terminated) */
  guint delay_ms;                /* every operation takes this long */
  const char *state_file;        /* unit states persist here between processes; NULL = memory only */
} AtxSvcMgrSimOptions;

AtxSvcMgr *atx_svcmgr_sim_new(const AtxSvcMgrSimOptions *options);
