/* apply-users: makes the accounts of ROOT/config/users.json real on a system
 * (core/platform/users_plan.h decides), with shadow's useradd/usermod/gpasswd,
 * optionally inside another root (--root DIR), and gives each user's
 * ROOT/config/ssh-authorized-keys/<user> to that user, mode 0600. Saves the
 * managed set in ROOT/config/managed-users.json atomically. A failing command
 * stops the run and is named in the error. */
#pragma once

#include <glib.h>

typedef struct {
  const char *root;        /* state root; ROOT/config */
  const char *sysroot;     /* NULL: the running system */
  const char *admin_shell; /* NULL: /bin/bash */
  const char *user_shell;  /* NULL: /bin/bash */
} AtxUsersApply;

/* @log_out (optional) gets one line per command run and per warning. Without
 * users.json nothing is done. */
gboolean atx_apply_users(const AtxUsersApply *options, GPtrArray **log_out,
                         GError **error) G_GNUC_WARN_UNUSED_RESULT;
