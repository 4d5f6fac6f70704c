#include "device/svcmgr/svcmgr.h"

G_DEFINE_QUARK(atx-svcmgr-error-quark, atx_svcmgr_error)

void
atx_unit_status_free(AtxUnitStatus *status)
{
  if (!status)
    return;
  g_free(status->active_state);
  g_free(status->sub_state);
  g_free(status->result);
  g_free(status->detail);
  g_free(status);
}

AtxUnitStatus *
atx_unit_status_new(AtxUnitState state, const char *active_state, const char *sub_state,
                    const char *result, const char *detail)
{
  AtxUnitStatus *status = g_new0(AtxUnitStatus, 1);
  status->state = state;
  status->active_state = g_strdup(active_state ? active_state : "unknown");
  status->sub_state = g_strdup(sub_state ? sub_state : "");
  status->result = g_strdup(result ? result : "");
  status->detail = g_strdup(detail ? detail : status->active_state);
  return status;
}

const char *
atx_unit_state_name(AtxUnitState state)
{
  static const char *const names[] = {
    [ATX_UNIT_ACTIVE] = "active",
    [ATX_UNIT_ACTIVATING] = "activating",
    [ATX_UNIT_INACTIVE] = "inactive",
    [ATX_UNIT_FAILED] = "failed",
    [ATX_UNIT_UNKNOWN] = "unknown",
  };
  if ((guint) state >= G_N_ELEMENTS(names))
    return "unknown";
  return names[state];
}

gboolean
atx_svcmgr_daemon_reload(AtxSvcMgr *mgr, AtxRunMode mode, GError **error)
{
  return mgr->klass->daemon_reload(mgr, mode, error);
}

gboolean
atx_svcmgr_restart(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode, gint64 deadline, GError **error)
{
  return mgr->klass->restart(mgr, unit, mode, deadline, error);
}

gboolean
atx_svcmgr_stop(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode, gint64 deadline, GError **error)
{
  return mgr->klass->stop(mgr, unit, mode, deadline, error);
}

AtxUnitStatus *
atx_svcmgr_status(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode)
{
  return mgr->klass->status(mgr, unit, mode);
}

void
atx_svcmgr_free(AtxSvcMgr *mgr)
{
  if (mgr)
    mgr->klass->free(mgr);
}
