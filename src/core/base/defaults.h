/* The one definition of each value several layers agree on. Change one here
 * and every component (renderers, firewall checks, pipeline, daemon, client)
 * follows. */
#pragma once

/* The bootstrap API's TCP port: WAN before provisioning, LAN gateway after. */
#define ATX_BOOTSTRAP_PORT 8080

/* Owner of bundle files and of the rootless Podman units. */
#define ATX_APP_USER "appsvc"

/* Time between health probes while activation waits for required units. */
#define ATX_DEFAULT_POLL_INTERVAL_MS 1000

/* Exit status of every atomixd and atomixctl command. */
#define ATX_EXIT_OK 0
#define ATX_EXIT_FAILED 1 /* the operation was refused or did not succeed */
#define ATX_EXIT_USAGE 2  /* bad arguments, or an I/O or connection error before anything was done */
