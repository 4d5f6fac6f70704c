/* Running a command in a companion executable: the statically linked
 * atomixctl cannot load libcurl (a static program has no dynamic loader), so
 * the commands that talk to a device run in atomixctl-remote, the same program
 * linked dynamically, the way git hands https to git-remote-https.
 *
 * The companion replaces this process (execv): same PID, standard streams,
 * signals and exit status, so a caller cannot tell the two apart. It is looked
 * up next to this executable first (/proc/self/exe: the build tree, or both
 * installed in one directory), then in @libexec_dir, which the environment
 * variable ATOMIX_TEST_LIBEXECDIR replaces (tests only: a test must not find
 * a companion some install left on the machine). */
#pragma once

#include <glib.h>

/* Returns only when no companion could be run, after printing why (naming
 * every place it looked); the caller exits with the returned status
 * (ATX_EXIT_USAGE: nothing was done). @argv is the command line as main()
 * received it. */
int atx_cli_exec_companion(const char *program, const char *companion, const char *libexec_dir,
                           char **argv) G_GNUC_WARN_UNUSED_RESULT;
