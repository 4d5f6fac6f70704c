/* The service-manager options every atomixd command that starts or stops
 * units shares (--service-manager, the sim's fault injection, test buses,
 * --app-user) and the manager they select, so import, serve and the appliers
 * cannot drift apart. Parsing fills process-wide option storage: for the
 * main thread, before any other thread starts. */
#pragma once

#include <glib.h>

#include "device/svcmgr/svcmgr.h"

extern const GOptionEntry atx_manager_entries[];
/* --app-user alone, for commands that group it with other options. */
extern const GOptionEntry atx_app_user_entries[];

/* --app-user, or NULL for the default (ATX_APP_USER). */
const char *atx_manager_app_user(void);

/* The manager the options name; the sim keeps its unit states in ROOT. */
AtxSvcMgr *atx_manager_open(const char *root, GError **error) G_GNUC_WARN_UNUSED_RESULT;
