/* apply-users' decisions (provisioning-service.md §4.7), as the account
 * commands to run: users.json's users created or refreshed (password locked,
 * expiry cleared, admin groups), users managed before but gone now locked and
 * expired, the protected system users never touched, and an existing account
 * that was never managed refused before any command runs. Pure: the caller
 * passes the files' text and runs the commands.
 *
 * The managed set written back is every user this applier created, including
 * locked ones, so a user removed and later re-added is re-enabled rather than
 * refused as foreign. */
#pragma once

#include <glib.h>

typedef struct {
  const char *users_json;   /* users.json text (required) */
  const char *managed_json; /* managed-users.json text, NULL when absent */
  const char *passwd;       /* the target system's etc/passwd text */
  const char *group;        /* its etc/group text */
  const char *sysroot;      /* NULL or "/": the running system; else commands get --root DIR */
  const char *admin_shell;  /* shell for admins without a "shell" key */
  const char *user_shell;   /* the same for everyone else */
} AtxUsersInputs;

typedef struct {
  GPtrArray *commands; /* GStrv argv each (owning), in order */
  GPtrArray *managed;  /* sorted user names to save in managed-users.json */
  GPtrArray *keys;     /* user names whose authorized-keys file gets their ownership */
  GPtrArray *warnings; /* skipped invalid names */
} AtxUsersPlan;

void atx_users_plan_free(AtxUsersPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxUsersPlan, atx_users_plan_free)

AtxUsersPlan *atx_users_plan(const AtxUsersInputs *inputs, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* root and appsvc: never created, modified or locked. */
gboolean atx_users_is_protected(const char *name);
/* The managed set as managed-users.json content (sorted JSON list + newline). */
char *atx_users_managed_json(GPtrArray *managed);
