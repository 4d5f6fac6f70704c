#include "cli/command.h"

#include <stdio.h>
#include <string.h>

static void
print_usage(FILE *out, const char *program, const AtxCommand *commands, guint n_commands)
{
  int width = 13;
  for (guint i = 0; i < n_commands; i++)
    width = MAX(width, (int) strlen(commands[i].name));
  fprintf(out, "Usage: %s COMMAND [OPTIONS] [ARGS]\n\nCommands:\n", program);
  for (guint i = 0; i < n_commands; i++)
    fprintf(out, "  %-*s %s\n", width, commands[i].name, commands[i].summary);
  fprintf(out, "\nRun '%s COMMAND --help' for a command's options.\n", program);
}

/* g_print/g_printerr write UTF-8 as it is, whatever the locale. Messages
 * quote the operator's config, which TOML requires to be UTF-8; GLib's default
 * handlers would convert it to the locale's character set and print '?' for
 * whatever that lacks (everything but ASCII in the C locale). Like GLib's own
 * handler, stdout is flushed at once, so a line such as apply's "Accepted: ...
 * as job ID" reaches a pipe before the job ends. */
static void
print_utf8(const char *text)
{
  fputs(text, stdout);
  fflush(stdout);
}

static void
printerr_utf8(const char *text)
{
  fputs(text, stderr);
}

int
atx_cli_main(const char *program, const AtxCommand *commands, guint n_commands, int argc, char **argv)
{
  g_set_print_handler(print_utf8);
  g_set_printerr_handler(printerr_utf8);
  if (argc < 2) {
    print_usage(stderr, program, commands, n_commands);
    return ATX_EXIT_USAGE;
  }
  if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") || g_str_equal(argv[1], "help")) {
    print_usage(stdout, program, commands, n_commands);
    return 0;
  }
  for (guint i = 0; i < n_commands; i++)
    if (g_str_equal(argv[1], commands[i].name))
      return commands[i].run(&commands[i], argc - 1, argv + 1);
  g_printerr("%s: unknown command '%s'\n\n", program, argv[1]);
  print_usage(stderr, program, commands, n_commands);
  return ATX_EXIT_USAGE;
}

gboolean
atx_cli_parse(const char *program, const AtxCommand *command, int *argc, char ***argv, int wanted_args,
              const GOptionEntry *entries, ...)
{
  g_autofree char *parameter = g_strdup_printf("%s - %s", command->args, command->summary);
  g_autoptr(GOptionContext) context = g_option_context_new(parameter);
  g_autofree char *prgname = g_strdup_printf("%s %s", program, command->name);
  g_set_prgname(prgname);
  g_option_context_set_description(context, command->description);
  va_list groups;
  va_start(groups, entries);
  for (const GOptionEntry *group = entries; group; group = va_arg(groups, const GOptionEntry *))
    g_option_context_add_main_entries(context, group, NULL);
  va_end(groups);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(context, argc, argv, &error)) {
    g_printerr("%s %s: %s\n", program, command->name, error->message);
    return FALSE;
  }
  if (*argc != wanted_args + 1) {
    g_printerr("Usage: %s %s [OPTIONS] %s\n", program, command->name, command->args);
    return FALSE;
  }
  return TRUE;
}
