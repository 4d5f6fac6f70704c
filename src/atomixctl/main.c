/* atomixctl: the operator's command line. Argument parsing only; the commands
 * live in src/client. */
#include <glib.h>
#include <locale.h>
#include <stdio.h>

#include "client/offline.h"
#include "core/render.h"

#define EXIT_USAGE 2

typedef struct Command Command;
struct Command {
  const char *name;
  const char *args;
  const char *summary;
  const char *description;
  int (*run)(const Command *self, int argc, char **argv);
};

static gboolean opt_json;
static char *opt_out;
static char *opt_config_dir;

static const GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print machine-readable JSON", NULL },
  { NULL },
};

static const GOptionEntry render_entries[] = {
  { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "Directory to write the tree into (new or empty)", "DIR" },
  { "config-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_config_dir,
    "Path the tree will have on the device, for ${CONFIG_DIR}/${FILES_DIR} (default " ATX_DEFAULT_CONFIG_DIR ")", "PATH" },
  { NULL },
};

static const GOptionEntry diff_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print machine-readable JSON", NULL },
  { "config-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_config_dir,
    "Path of the tree on the device (default " ATX_DEFAULT_CONFIG_DIR ")", "PATH" },
  { NULL },
};

static int run_validate(const Command *self, int argc, char **argv);
static int run_render(const Command *self, int argc, char **argv);
static int run_diff(const Command *self, int argc, char **argv);
static int run_schema(const Command *self, int argc, char **argv);

static const Command commands[] = {
  { "validate", "FILE|BUNDLE", "Check a config.toml or bundle exactly as the device would",
    "Runs TOML parsing, the JSON Schema and every semantic rule and prints every problem\n"
    "as FILE:LINE:COLUMN: severity[code]: message.\n\n"
    "Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage or I/O error.", run_validate },
  { "render", "FILE|BUNDLE --out DIR", "Write the derived /data/config tree into a directory",
    "Validates, then writes every file the device would write (JSON state, Quadlet\n"
    "units, authorized keys, bundle files/) with the device's file modes.", run_render },
  { "diff", "OLD NEW", "Show which derived files change and what a re-apply would restart",
    "Renders both configs (files or bundles) and compares the trees.", run_diff },
  { "schema", "", "Print the JSON Schema of config.toml", "Prints schemas/config.schema.json as compiled into this binary.",
    run_schema },
};

static void
print_usage(FILE *out)
{
  fprintf(out, "Usage: atomixctl COMMAND [OPTIONS] [ARGS]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nRun 'atomixctl COMMAND --help' for a command's options.\n");
}

/* Parses options for @command; returns FALSE (after printing why) on error. */
static gboolean
parse_options(const Command *command, const GOptionEntry *entries, int *argc, char ***argv)
{
  g_autofree char *parameter = g_strdup_printf("%s - %s", command->args, command->summary);
  g_autoptr(GOptionContext) context = g_option_context_new(parameter);
  g_autofree char *prgname = g_strdup_printf("atomixctl %s", command->name);
  g_set_prgname(prgname);
  g_option_context_set_description(context, command->description);
  if (entries)
    g_option_context_add_main_entries(context, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(context, argc, argv, &error)) {
    g_printerr("atomixctl %s: %s\n", command->name, error->message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
expect_args(const Command *command, int argc, int wanted)
{
  if (argc == wanted + 1)
    return TRUE;
  g_printerr("Usage: atomixctl %s %s\n", command->name, command->args);
  return FALSE;
}

static const char *
config_dir(void)
{
  return opt_config_dir ? opt_config_dir : ATX_DEFAULT_CONFIG_DIR;
}

static int
run_validate(const Command *self, int argc, char **argv)
{
  if (!parse_options(self, json_entries, &argc, &argv) || !expect_args(self, argc, 1))
    return EXIT_USAGE;
  return atx_cmd_validate(argv[1], opt_json);
}

static int
run_render(const Command *self, int argc, char **argv)
{
  if (!parse_options(self, render_entries, &argc, &argv) || !expect_args(self, argc, 1))
    return EXIT_USAGE;
  if (!opt_out) {
    g_printerr("atomixctl render: --out DIR is required\n");
    return EXIT_USAGE;
  }
  return atx_cmd_render(argv[1], opt_out, config_dir());
}

static int
run_diff(const Command *self, int argc, char **argv)
{
  if (!parse_options(self, diff_entries, &argc, &argv) || !expect_args(self, argc, 2))
    return EXIT_USAGE;
  return atx_cmd_diff(argv[1], argv[2], config_dir(), opt_json);
}

static int
run_schema(const Command *self, int argc, char **argv)
{
  if (!parse_options(self, NULL, &argc, &argv) || !expect_args(self, argc, 0))
    return EXIT_USAGE;
  return atx_cmd_schema();
}

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  if (argc < 2) {
    print_usage(stderr);
    return EXIT_USAGE;
  }
  if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") || g_str_equal(argv[1], "help")) {
    print_usage(stdout);
    return 0;
  }
  for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
    if (g_str_equal(argv[1], commands[i].name))
      return commands[i].run(&commands[i], argc - 1, argv + 1);
  g_printerr("atomixctl: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return EXIT_USAGE;
}
