/* Every step name a job event can carry, in the order a full apply emits
 * them (reference §2.3). Events store the name; code passes the enum, so a
 * misspelt step is a compile error and "complete" (the initial provisioning
 * finished) cannot be confused with "completed" (the job succeeded). */
#pragma once

#include <glib.h>

typedef enum {
  ATX_STEP_SUBMITTED,           /* current_step of a job not started yet */
  ATX_STEP_RUNNING,             /* the worker picked the job up */
  ATX_STEP_PREPARE,             /* unpacking the submission */
  ATX_STEP_RECOVER,             /* crash recovery before the change */
  ATX_STEP_VALIDATE,            /* TOML, schema, semantic checks */
  ATX_STEP_WRITE_CANDIDATE,     /* rendering into the candidate tree */
  ATX_STEP_WRITE_CONFIG,
  ATX_STEP_COPY_FILES,          /* a bundle's files/ */
  ATX_STEP_WRITE_ADMIN_SIGNERS,
  ATX_STEP_WRITE_USERS,
  ATX_STEP_WRITE_FIREWALL,
  ATX_STEP_WRITE_LAN,
  ATX_STEP_WRITE_NETWORK,
  ATX_STEP_WRITE_OS_UPGRADE,
  ATX_STEP_WRITE_HEALTH,
  ATX_STEP_WRITE_QUADLETS,
  ATX_STEP_WRITE_RUNTIME_METADATA,
  ATX_STEP_PROMOTE,             /* the candidate becomes the active tree */
  ATX_STEP_SERVICE_DEPLOY,      /* one per runtime unit about to start */
  ATX_STEP_DAEMON_RELOAD,
  ATX_STEP_SERVICE_STOP,
  ATX_STEP_SERVICE_RESTART,
  ATX_STEP_ACTIVATE,            /* platform appliers */
  ATX_STEP_SETTLE,
  ATX_STEP_SERVICE_STATUS,
  ATX_STEP_HEALTH_CHECK,
  ATX_STEP_CLEANUP,             /* healthy: rollback state removed */
  ATX_STEP_ROLLBACK,            /* unhealthy: the previous tree restored */
  ATX_STEP_COMPLETE,            /* initial provisioning finished (before the terminal event) */
  ATX_STEP_COMPLETED,           /* terminal: the job succeeded */
  ATX_STEP_FAILED,              /* terminal: the job failed */
  ATX_STEP_COUNT_
} AtxStep;

/* The name events carry ("write-config"); "unknown" outside the enum. */
const char *atx_step_name(AtxStep step);
