/* atomixctl: the operator's command line. Argument parsing only; the commands
 * live in src/client. */
#include <glib.h>
#include <stdlib.h>

#include "cli/command.h"
#include "cli/companion.h"
#include "client/edit.h"
#include "client/offline.h"
#include "client/remote.h"
#include "core/render/render.h"

#define PROGRAM "atomixctl"

#ifdef ATX_HAVE_OPENAPI
/* Generated at build time from `atomixd openapi` (src/atomixctl/meson.build). */
extern const char atx_openapi_json[];
#endif
#define EXIT_USAGE ATX_EXIT_USAGE

/* Every string option is G_OPTION_ARG_FILENAME: GOption passes it on as it
 * is. G_OPTION_ARG_STRING would convert it from the locale's character set,
 * and atomixctl never calls setlocale() (start-up; bench/startup), so in every
 * locale an "é" in an SSH key's comment would be refused. Text is taken as
 * UTF-8 and checked where it goes into a JSON body (require_utf8). */
static gboolean opt_json;
static gboolean opt_watch;
static char *opt_out;
static char *opt_config_dir;
static char *opt_url;
static char *opt_key;
static gboolean opt_bind_method;
static int opt_limit;
static gboolean opt_admin;
static char *opt_ssh_key;
static char *opt_ssh_key_file;
static char *opt_shell;

static const GOptionEntry url_entries[] = {
  { "url", 0, 0, G_OPTION_ARG_FILENAME, &opt_url, "Base URL of the device API, e.g. http://172.20.30.1:8080",
    "URL" },
  { NULL },
};

static const GOptionEntry key_entries[] = {
  { "key", 0, 0, G_OPTION_ARG_FILENAME, &opt_key,
    "Sign the request with this admin SSH private key (ssh-keygen -Y sign; needed once the device is provisioned)",
    "SSH_PRIVATE_KEY" },
  { "bind-method", 0, 0, G_OPTION_ARG_NONE, &opt_bind_method,
    "With --key: sign the HTTP method too (atomixos-reapply-v2; devices that only know v1 refuse it)", NULL },
  { NULL },
};

static const GOptionEntry watch_entries[] = {
  { "watch", 'w', 0, G_OPTION_ARG_NONE, &opt_watch, "Show the job's steps live as they happen", NULL },
  { NULL },
};

static const GOptionEntry limit_entries[] = {
  { "limit", 'n', 0, G_OPTION_ARG_INT, &opt_limit, "Show at most N jobs (default: the device's)", "N" },
  { NULL },
};

static const GOptionEntry user_entries[] = {
  { "admin", 0, 0, G_OPTION_ARG_NONE, &opt_admin, "The user is an admin (sudo, and may sign requests)", NULL },
  { "ssh-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_ssh_key,
    "The user's SSH public key, e.g. \"ssh-ed25519 AAAA... me\"", "KEY" },
  { "ssh-key-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_ssh_key_file,
    "Read the SSH public key from this file (.pub)", "PATH" },
  { "shell", 0, 0, G_OPTION_ARG_FILENAME, &opt_shell, "Login shell", "SHELL" },
  { NULL },
};

static const GOptionEntry validate_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print machine-readable JSON", NULL },
  { "url", 0, 0, G_OPTION_ARG_FILENAME, &opt_url,
    "Validate on the device instead (POST /api/validate: its checks and a dry-run render, nothing changed)",
    "URL" },
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
static int run_apply(const AtxCommand *self, int argc, char **argv);
static int run_jobs(const AtxCommand *self, int argc, char **argv);
static int run_job(const AtxCommand *self, int argc, char **argv);
static int run_openapi(const AtxCommand *self, int argc, char **argv);
static int run_user(const AtxCommand *self, int argc, char **argv);
static int run_container(const AtxCommand *self, int argc, char **argv);
static int run_network(const AtxCommand *self, int argc, char **argv);

#define EDIT_HELP                                                                                                 \
  "The device checks the merged config at once (an invalid edit is reported like validate\n"                      \
  "reports it and changes nothing) and runs the change as a job like apply; --watch, --json\n"                    \
  "and the exit status are those of apply. Sign with --key once the device is provisioned."

static const AtxCommand commands[] = {
  { "validate", "FILE|BUNDLE", "Check a config.toml or bundle exactly as the device would",
    "Runs TOML parsing, the JSON Schema and every semantic rule and prints every problem\n"
    "as FILE:LINE:COLUMN: severity[code]: message.\n"
    "With --url URL the device checks it instead (POST /api/validate, --key to sign).\n\n"
    "Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage, I/O or connection error.",
    run_validate },
  { "render", "FILE|BUNDLE --out DIR", "Write the derived /data/config tree into a directory",
    "Validates, then writes every file the device would write (JSON state, Quadlet\n"
    "units, authorized keys, bundle files/) with the device's file modes.",
    run_render },
  { "diff", "OLD NEW", "Show which derived files change and what a re-apply would restart",
    "Renders both configs (files or bundles) and compares the trees.", run_diff },
  { "apply", "FILE|BUNDLE --url URL", "Submit a config.toml or bundle to the device and wait for its job",
    "POST /api/config, then follows the job (GET /api/jobs/ID/events, reconnecting with\n"
    "Last-Event-ID when the stream drops) until it succeeds or fails. Always waits; --watch\n"
    "also prints one line per step with its elapsed time as it happens (a spinner only on a\n"
    "terminal). An invalid input (422) is reported exactly as `atomixctl validate` reports it.\n"
    "--json prints the final job resource (or the 422 problem document) on stdout; progress\n"
    "lines then go to stderr. --key signs the submission (needed once the device is provisioned).\n\n"
    "Exit status: 0 the job succeeded, 1 invalid input, device busy (409), refused, or the job\n"
    "failed or rolled back, 2 usage, I/O or connection error.",
    run_apply },
  { "jobs", "--url URL", "List the device's jobs, newest first",
    "GET /api/jobs[?limit=N]. Exit status: 0 listed, 1 refused, 2 usage or connection error.", run_jobs },
  { "job", "ID --url URL", "Show one job, or follow it with --watch",
    "GET /api/jobs/ID: its steps and outcome. With --watch, follows the job until it ends.\n\n"
    "Exit status: without --watch 0 when the job was shown (whatever its state); with --watch\n"
    "0 the job succeeded, 1 it failed or rolled back; 1 unknown job; 2 usage or connection error.",
    run_job },
  { "user", "set|rm NAME --url URL", "Add, replace or remove one user on the device",
    "user set NAME [--admin] [--ssh-key KEY|--ssh-key-file PATH] [--shell SHELL]:\n"
    "  PUT /api/config/users/NAME (the user is replaced as a whole).\n"
    "user rm NAME: DELETE /api/config/users/NAME (removing an absent user succeeds).\n\n" EDIT_HELP,
    run_user },
  { "container", "set NAME FILE|rm NAME --url URL", "Add, replace or remove one container on the device",
    "container set NAME FILE: PUT /api/config/containers/NAME with the container's table from\n"
    "FILE (TOML, or JSON when it ends in .json): privileged, [Unit], [Container], [Install].\n"
    "container rm NAME: DELETE /api/config/containers/NAME.\n\n" EDIT_HELP,
    run_container },
  { "container-network", "set NAME FILE|rm NAME --url URL", "Add, replace or remove one container network",
    "container-network set NAME FILE: PUT /api/config/container-networks/NAME with the table\n"
    "from FILE (TOML, or JSON when it ends in .json): [Network].\n"
    "container-network rm NAME: DELETE /api/config/container-networks/NAME.\n\n" EDIT_HELP,
    run_container },
  { "container-volume", "set NAME FILE|rm NAME --url URL", "Add, replace or remove one container volume",
    "container-volume set NAME FILE: PUT /api/config/container-volumes/NAME with the table\n"
    "from FILE (TOML, or JSON when it ends in .json): [Volume].\n"
    "container-volume rm NAME: DELETE /api/config/container-volumes/NAME.\n\n" EDIT_HELP,
    run_container },
  { "network", "patch FILE --url URL", "Change part of the device's network settings",
    "network patch FILE: PATCH /api/config/network with FILE (TOML, or JSON when it ends in\n"
    ".json) merged into [network]: tables merge key by key, anything else replaces, and a JSON\n"
    "null removes a key.\n\n" EDIT_HELP,
    run_network },
  { "export", "--url URL", "Print the device's active config.toml",
    "GET /api/config/export (--key signs it). Exit status: 0 printed, 1 refused (404: device is\n"
    "not provisioned), 2 usage or connection error.",
    run_export },
  { "schema", "", "Print the JSON Schema of config.toml",
    "Prints schemas/config.schema.json as compiled into this binary.", run_schema },
  { "openapi", "", "Print the device API's OpenAPI document",
    "Prints the OpenAPI 3.1 document `atomixd openapi` generated from the daemon's route table\n"
    "when this atomixctl was built (no device needed).",
    run_openapi },
};

static const char *
config_dir(void)
{
  return opt_config_dir ? opt_config_dir : ATX_DEFAULT_CONFIG_DIR;
}

#ifdef ATX_REMOTE_COMPANION
/* main()'s argv as received, before GOption rearranged it. */
static char **command_line;
#endif

/* Every command that talks to a device calls this once its options parsed,
 * before it reads any input: in the statically linked atomixctl
 * (-Dstatic_atomixctl, src/atomixctl/meson.build) it is where the command
 * moves to the companion that can load libcurl (cli/companion.h). Usage
 * errors and --help never get this far, so both binaries answer them alike. */
static AtxRemoteOptions
remote_options(void)
{
#ifdef ATX_REMOTE_COMPANION
  exit(atx_cli_exec_companion(PROGRAM, ATX_REMOTE_COMPANION, ATX_LIBEXECDIR, command_line));
#endif
  return (AtxRemoteOptions){
    .base_url = opt_url, .key_path = opt_key, .bind_method = opt_bind_method, .json = opt_json, .watch = opt_watch
  };
}

static gboolean
require_url(const char *command)
{
  if (opt_url != NULL)
    return TRUE;
  g_printerr("atomixctl %s: --url URL is required\n", command);
  return FALSE;
}

static int
run_validate(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 1, validate_entries, key_entries, NULL))
    return EXIT_USAGE;
  if (opt_url != NULL) {
    AtxRemoteOptions options = remote_options();
    return atx_cmd_validate_remote(argv[1], &options);
  }
  if (opt_key != NULL) {
    g_printerr("atomixctl validate: --key signs a request to the device; it needs --url URL\n");
    return EXIT_USAGE;
  }
  return atx_cmd_validate(argv[1], opt_json);
}

static int
run_apply(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 1, url_entries, key_entries, watch_entries, json_entries,
                     NULL) ||
      !require_url("apply"))
    return EXIT_USAGE;
  AtxRemoteOptions options = remote_options();
  return atx_cmd_apply(argv[1], &options);
}

static int
run_jobs(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, url_entries, limit_entries, json_entries, NULL) ||
      !require_url("jobs"))
    return EXIT_USAGE;
  if (opt_limit < 0) {
    g_printerr("atomixctl jobs: --limit must be a positive number\n");
    return EXIT_USAGE;
  }
  AtxRemoteOptions options = remote_options();
  return atx_cmd_jobs(&options, (guint) opt_limit);
}

static int
run_job(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 1, url_entries, watch_entries, json_entries, NULL) ||
      !require_url("job"))
    return EXIT_USAGE;
  AtxRemoteOptions options = remote_options();
  return atx_cmd_job(argv[1], &options);
}

static int
run_openapi(const AtxCommand *self, int argc, char **argv)
{
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, NULL, NULL))
    return EXIT_USAGE;
#ifdef ATX_HAVE_OPENAPI
  g_print("%s", atx_openapi_json);
  return 0;
#else
  g_printerr("atomixctl openapi: this atomixctl was built without the OpenAPI document; configure the build "
             "with -Dembed_openapi=true (it runs `atomixd openapi` at build time)\n");
  return ATX_EXIT_FAILED;
#endif
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
  if (!atx_cli_parse(PROGRAM, self, &argc, &argv, 0, url_entries, key_entries, NULL) || !require_url("export"))
    return EXIT_USAGE;
  AtxRemoteOptions options = remote_options();
  return atx_cmd_export(&options);
}

static gboolean
require_utf8(const char *command, const char *what, const char *text)
{
  if (text == NULL || g_utf8_validate(text, -1, NULL))
    return TRUE;
  g_printerr("atomixctl %s: %s is not valid UTF-8\n", command, what);
  return FALSE;
}

/* "user set ..." runs as the sub-command "user set" with argv shifted past the verb. */
static gboolean
parse_edit(const AtxCommand *self, const char *verb, const char *args, int *argc, char ***argv, int wanted_args,
           const GOptionEntry *extra)
{
  g_autofree char *name = g_strdup_printf("%s %s", self->name, verb);
  AtxCommand sub = *self;
  sub.name = name;
  sub.args = args;
  (*argc)--;
  (*argv)++;
  if (!atx_cli_parse(PROGRAM, &sub, argc, argv, wanted_args, url_entries, key_entries, watch_entries, json_entries,
                     extra, NULL))
    return FALSE;
  return require_url(name);
}

static const char *
edit_verb(const AtxCommand *self, int argc, char **argv, const char *const *verbs)
{
  for (guint i = 0; argc > 1 && verbs[i] != NULL; i++)
    if (g_str_equal(argv[1], verbs[i]))
      return verbs[i];
  if (argc > 1 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h"))) {
    (void) atx_cli_parse(PROGRAM, self, &argc, &argv, 0, NULL, NULL); /* prints the help and exits */
    return NULL;
  }
  g_printerr("Usage: atomixctl %s %s\n", self->name, self->args);
  return NULL;
}

static char *
user_ssh_key(void)
{
  if (opt_ssh_key_file == NULL)
    return g_strdup(opt_ssh_key);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  if (!g_file_get_contents(opt_ssh_key_file, &text, NULL, &error)) {
    g_printerr("atomixctl user set: %s\n", error->message);
    return NULL;
  }
  return g_strdup(g_strstrip(text));
}

static int
run_user(const AtxCommand *self, int argc, char **argv)
{
  static const char *const verbs[] = { "set", "rm", NULL };
  const char *verb = edit_verb(self, argc, argv, verbs);
  if (verb == NULL ||
      !parse_edit(self, verb, "NAME --url URL", &argc, &argv, 1, g_str_equal(verb, "set") ? user_entries : NULL))
    return EXIT_USAGE;
  if (opt_ssh_key != NULL && opt_ssh_key_file != NULL) {
    g_printerr("atomixctl user set: give --ssh-key or --ssh-key-file, not both\n");
    return EXIT_USAGE;
  }
  AtxRemoteOptions options = remote_options();
  g_autofree char *route = atx_edit_route("users", argv[1]);
  g_autofree char *label = g_strdup_printf("users/%s", argv[1]);
  if (g_str_equal(verb, "rm"))
    return atx_cmd_edit("user rm", "DELETE", route, NULL, label, &options);
  g_autofree char *key = user_ssh_key();
  if ((opt_ssh_key_file != NULL && key == NULL) || !require_utf8("user set", "the SSH key", key) ||
      !require_utf8("user set", "--shell", opt_shell))
    return EXIT_USAGE;
  json_t *body = atx_edit_user_body(opt_admin, key, opt_shell);
  int status = atx_cmd_edit("user set", "PUT", route, body, label, &options);
  json_decref(body);
  return status;
}

static int
edit_with_file(const char *command, const char *method, const char *route, const char *label, const char *path,
               const AtxRemoteOptions *options)
{
  g_autoptr(GError) error = NULL;
  json_t *body = atx_edit_body_from_file(path, &error);
  if (body == NULL) {
    g_printerr("atomixctl %s: %s\n", command, error->message);
    return EXIT_USAGE;
  }
  int status = atx_cmd_edit(command, method, route, body, label, options);
  json_decref(body);
  return status;
}

static int
run_container(const AtxCommand *self, int argc, char **argv)
{
  static const char *const verbs[] = { "set", "rm", NULL };
  const char *verb = edit_verb(self, argc, argv, verbs);
  if (verb == NULL || !parse_edit(self, verb, g_str_equal(verb, "set") ? "NAME FILE --url URL" : "NAME --url URL",
                                  &argc, &argv, g_str_equal(verb, "set") ? 2 : 1, NULL))
    return EXIT_USAGE;
  AtxRemoteOptions options = remote_options();
  /* container -> containers, container-network -> container-networks, ... */
  g_autofree char *collection = g_strconcat(self->name, "s", NULL);
  g_autofree char *command = g_strdup_printf("%s %s", self->name, verb);
  g_autofree char *route = atx_edit_route(collection, argv[1]);
  g_autofree char *label = g_strdup_printf("%s/%s", collection, argv[1]);
  if (g_str_equal(verb, "set"))
    return edit_with_file(command, "PUT", route, label, argv[2], &options);
  return atx_cmd_edit(command, "DELETE", route, NULL, label, &options);
}

static int
run_network(const AtxCommand *self, int argc, char **argv)
{
  static const char *const verbs[] = { "patch", NULL };
  const char *verb = edit_verb(self, argc, argv, verbs);
  if (verb == NULL || !parse_edit(self, verb, "FILE --url URL", &argc, &argv, 1, NULL))
    return EXIT_USAGE;
  AtxRemoteOptions options = remote_options();
  g_autofree char *route = atx_edit_route("network", NULL);
  return edit_with_file("network patch", "PATCH", route, "network", argv[1], &options);
}

int
main(int argc, char **argv)
{
#ifdef ATX_REMOTE_COMPANION
  command_line = g_memdup2(argv, (gsize) (argc + 1) * sizeof *argv);
#endif
  return atx_cli_main(PROGRAM, commands, G_N_ELEMENTS(commands), argc, argv);
}
