#include "core/base/steps.h"

static const char *const step_names[] = {
  [ATX_STEP_SUBMITTED] = "submitted",
  [ATX_STEP_RUNNING] = "running",
  [ATX_STEP_PREPARE] = "prepare",
  [ATX_STEP_RECOVER] = "recover",
  [ATX_STEP_VALIDATE] = "validate",
  [ATX_STEP_WRITE_CANDIDATE] = "write-candidate",
  [ATX_STEP_WRITE_CONFIG] = "write-config",
  [ATX_STEP_COPY_FILES] = "copy-files",
  [ATX_STEP_WRITE_ADMIN_SIGNERS] = "write-admin-signers",
  [ATX_STEP_WRITE_USERS] = "write-users",
  [ATX_STEP_WRITE_FIREWALL] = "write-firewall",
  [ATX_STEP_WRITE_LAN] = "write-lan",
  [ATX_STEP_WRITE_NETWORK] = "write-network",
  [ATX_STEP_WRITE_OS_UPGRADE] = "write-os-upgrade",
  [ATX_STEP_WRITE_HEALTH] = "write-health",
  [ATX_STEP_WRITE_QUADLETS] = "write-quadlets",
  [ATX_STEP_WRITE_RUNTIME_METADATA] = "write-runtime-metadata",
  [ATX_STEP_PROMOTE] = "promote",
  [ATX_STEP_SERVICE_DEPLOY] = "service-deploy",
  [ATX_STEP_DAEMON_RELOAD] = "daemon-reload",
  [ATX_STEP_SERVICE_STOP] = "service-stop",
  [ATX_STEP_SERVICE_RESTART] = "service-restart",
  [ATX_STEP_ACTIVATE] = "activate",
  [ATX_STEP_SETTLE] = "settle",
  [ATX_STEP_SERVICE_STATUS] = "service-status",
  [ATX_STEP_HEALTH_CHECK] = "health-check",
  [ATX_STEP_CLEANUP] = "cleanup",
  [ATX_STEP_ROLLBACK] = "rollback",
  [ATX_STEP_COMPLETE] = "complete",
  [ATX_STEP_COMPLETED] = "completed",
  [ATX_STEP_FAILED] = "failed",
};

G_STATIC_ASSERT(G_N_ELEMENTS(step_names) == ATX_STEP_COUNT_);

const char *
atx_step_name(AtxStep step)
{
  if ((guint) step >= G_N_ELEMENTS(step_names))
    return "unknown";
  return step_names[step];
}
