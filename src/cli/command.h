/* Subcommand plumbing shared by the two thin mains (atomixd, atomixctl):
 * dispatch by name, usage listing, per-command option parsing with --help. */
#pragma once

#include <glib.h>

#include "core/base/defaults.h"


typedef struct AtxCommand AtxCommand;
struct AtxCommand {
  const char *name;
  const char *args;        /* "SOURCE", "OLD NEW", "" */
  const char *summary;     /* one line, for the command list */
  const char *description; /* shown by COMMAND --help */
  int (*run)(const AtxCommand *self, int argc, char **argv);
};

/* Runs the command named by argv[1] with argv shifted so argv[0] is its name;
 * prints the command list for --help (exit 0) or a missing/unknown command
 * (ATX_EXIT_USAGE). */
int atx_cli_main(const char *program, const AtxCommand *commands, guint n_commands, int argc, char **argv);

/* Parses @command's options (any number of NULL-terminated entry groups, the
 * list ending with NULL) and checks it got exactly @wanted_args arguments.
 * Prints why and returns FALSE when not. */
gboolean atx_cli_parse(const char *program, const AtxCommand *command, int *argc, char ***argv, int wanted_args,
                       const GOptionEntry *entries, ...) G_GNUC_NULL_TERMINATED;
