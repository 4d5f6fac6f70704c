/* The two systemd protocols a service speaks, without libsystemd: readiness
 * notification and socket activation. Linking libsystemd for them kept it and
 * its chain (libgcrypt, liblz4, libzstd, liblzma, libcap: about 1 MiB
 * resident) in every idle `atomixd serve`; the service manager backend loads
 * it on first use instead (device/svcmgr).
 *
 * systemd documents both protocols as stable interfaces meant to be
 * reimplemented: sd_notify(3) ("NOTES": a single datagram carrying the
 * newline-separated assignments, sent to the AF_UNIX socket named by
 * $NOTIFY_SOCKET; a leading '@' names an abstract socket), sd_listen_fds(3)
 * ("NOTES": the fds start at 3, $LISTEN_FDS counts them, $LISTEN_PID names
 * the process they are meant for, $LISTEN_FDNAMES holds colon-separated
 * names) and systemd's docs/PORTABILITY_AND_STABILITY.md.
 *
 * Both read the environment; atx_daemon_listen_fds() also changes it
 * (unsetenv, so children do not inherit the sockets' description): call it
 * before starting threads that read the environment. */
#pragma once

#include <glib.h>

/* The first fd the manager passes (SD_LISTEN_FDS_START). */
#define ATX_LISTEN_FDS_START 3

/* Sends @state ("READY=1", "STOPPING=1") to $NOTIFY_SOCKET. TRUE when it was
 * sent, and when $NOTIFY_SOCKET is unset (no manager waits for it); FALSE
 * with @error naming the socket when the variable is malformed or the send
 * fails. */
gboolean atx_daemon_notify(const char *state, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The number of sockets the manager passed to this process (0: none, or
 * $LISTEN_PID names another process), at fds ATX_LISTEN_FDS_START onwards,
 * each marked FD_CLOEXEC. @names (may be NULL) receives one name per fd
 * ("unknown" each when $LISTEN_FDNAMES is unset; an empty vector for 0 fds).
 * Unsets $LISTEN_PID, $LISTEN_FDS and $LISTEN_FDNAMES whatever the outcome.
 * -1 with @error when a variable is malformed or an fd is not open. */
int atx_daemon_listen_fds(GStrv *names, GError **error) G_GNUC_WARN_UNUSED_RESULT;
