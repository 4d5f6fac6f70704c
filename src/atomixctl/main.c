/* atomixctl: the operator's command line. Argument parsing only; the commands
 * live in src/client. */
#include <glib.h>

#include "cli/command.h"
#include "client/offline.h"
#include "client/remote.h"
#include "core/render/render.h"

#define PROGRAM "atomixctl"
#define EXIT_USAGE ATX_EXIT_USAGE

static gboolean opt_json;
static char *opt_out;
static char *opt_config_dir;
static char *opt_url;

static const GOptionEntry url_entries[] = {
  { "url", 0, 0, G_OPTION_ARG_STRING, &opt_url, "Base URL of the device API, e.g. http://172.20.30.1:8080", "URL" },
  { NULL },
};

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

static int run_validate(const AtxCommand *self, int argc, char **argv);
static int run_render(const AtxCommand *self, int argc, char **argv);
static int run_diff(const AtxCommand *self, int argc, char **argv);
static int run_export(const AtxCommand *self, int argc, char **argv);
static int run_schema(const AtxCommand *self, int argc, char **argv);

static const AtxCommand commands[] = {
  { "validate", "FILE|BUNDLE", "Check a config.toml or bundle exactly as the device would",
    "Runs TOML parsing, the JSON Schema and every semantic rule and prints every problem\n"
    "as FILE:LINE:COLUMN: severity[code]: message.\n\n"
    "Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage or I/O error.", run_validate },
  { "render", "FILE|BUNDLE --out DIR", "Write the derived /data/config tree into a directory",
    "Validates, then writes every file the device would write (JSON state, Quadlet\n"
    "units, authorized keys, bundle files/) with the device's file modes.", run_render },
  { "diff", "OLD NEW", "Show which derived files change and what a re-apply would restart",
    "Renders both configs (files or bundles) and compares the trees.", run_diff },
  { "export", "--url URL", "Print the device's active config.toml",
    "GET /api/config/export. Exit status: 0 printed, 1 refused (404: device is not provisioned),\n"
    "2 usage or connection error.", run_export },
  { "schema", "", "Print the JSON Schema of config.toml", "Prints schemas/config.schema.json as compiled into this binary.",
    run_schema },
};

static const char *
config_dir(void)
{
  return opt_config_dir ? opt_config_dir : ATX_DEFAULT_CONFIG_DIR;
}

static int
run_validate(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 1, json_entries, NULL))
    return EXIT_USAGE;
  return atx_cmd_validate(argv[1], opt_json);
}

static int
run_render(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 1, render_entries, NULL))
    return EXIT_USAGE;
  if (!opt_out) {
    g_printerr("atomixctl render: --out DIR is required\n");
    return EXIT_USAGE;
  }
  return atx_cmd_render(argv[1], opt_out, config_dir());
}

static int
run_diff(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 2, diff_entries, NULL))
    return EXIT_USAGE;
  return atx_cmd_diff(argv[1], argv[2], config_dir(), opt_json);
}

static int
run_schema(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, NULL, NULL))
    return EXIT_USAGE;
  return atx_cmd_schema();
}

static int
run_export(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, url_entries, NULL))
    return EXIT_USAGE;
  if (opt_url == NULL) {
    g_printerr("atomixctl export: --url URL is required\n");
    return EXIT_USAGE;
  }
  return atx_cmd_export(opt_url);
}

int
main(int argc, char **argv)
{
  return atx_cli_main(PROGRAM, commands, G_N_ELEMENTS(commands), argc, argv);
}
