#include "client/offline.h"

#include "core/base/defaults.h"
#include "core/base/error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "client/report.h"
#include "core/base/json_writer.h"
#include "core/render/change_plan.h"
#include "core/render/render.h"
#include "core/bundle/submission.h"

#define EXIT_INVALID 1
#define EXIT_USAGE ATX_EXIT_USAGE

/* Reads @path and validates it. Returns NULL (after printing why) only for I/O
 * problems; an invalid config is a submission with error diagnostics. */
static AtxSubmission *
load_path(const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, &error)) {
    g_printerr("atomixctl: %s\n", error->message);
    return NULL;
  }
  g_autoptr(GBytes) bytes = g_bytes_new_take(data, len);
  if (!atx_submission_path_supported(path, bytes, &error)) {
    g_printerr("atomixctl: %s: %s\n", path, error->message);
    return NULL;
  }
  return atx_submission_load(bytes, path, NULL);
}

static void
print_diagnostics(const AtxSubmission *submission)
{
  g_autofree char *text = atx_diag_list_format_text(submission->diags, submission->filename);
  g_printerr("%s", text);
}

static int
validate_json(const AtxSubmission *submission)
{
  json_t *root = json_object();
  json_object_set_new(root, "valid", json_boolean(atx_submission_is_valid(submission)));
  json_object_set_new(root, "diagnostics", atx_diag_list_to_json(submission->diags));
  g_autofree char *text = atx_json_text(root);
  json_decref(root);
  g_print("%s", text);
  return atx_submission_is_valid(submission) ? 0 : EXIT_INVALID;
}

int
atx_cmd_validate(const char *path, gboolean json)
{
  g_autoptr(AtxSubmission) submission = load_path(path);
  if (!submission)
    return EXIT_USAGE;
  if (json)
    return validate_json(submission);
  return atx_report_diagnostics(submission->diags, submission->filename, path,
                                atx_submission_is_valid(submission));
}

int
atx_cmd_schema(void)
{
  g_print("%s", atx_config_schema_text());
  return 0;
}

static gboolean
write_file(const char *root, const char *relative, guint dir_mode, guint mode, GBytes *content,
           GError **error)
{
  g_autofree char *path = g_build_filename(root, relative, NULL);
  g_autofree char *parent = g_path_get_dirname(path);
  if (g_mkdir_with_parents(parent, (int) dir_mode) != 0)
    return atx_set_errno_error(error, errno, "cannot create %s", parent);
  gsize len = 0;
  const char *data = g_bytes_get_data(content, &len);
  if (!g_file_set_contents_full(path, data ? data : "", (gssize) len, G_FILE_SET_CONTENTS_NONE,
                                (int) mode, error))
    return FALSE;
  /* The umask applied at creation; the device's modes are exact. */
  if (g_chmod(path, (int) mode) != 0)
    return atx_set_errno_error(error, errno, "cannot chmod %s", path);
  return TRUE;
}

static gboolean
write_bundle_files(const char *out_dir, const AtxBundle *bundle, GError **error)
{
  if (!bundle->has_files)
    return TRUE;
  g_autofree char *files_root = g_build_filename(out_dir, "files", NULL);
  if (g_mkdir_with_parents(files_root, 0700) != 0 || g_chmod(files_root, 0700) != 0)
    return atx_set_errno_error(error, errno, "cannot create %s", files_root);
  for (guint i = 0; i < bundle->files->len; i++) {
    const AtxBundleFile *file = g_ptr_array_index(bundle->files, i);
    g_autofree char *path = g_build_filename(files_root, file->path, NULL);
    if (file->is_directory) {
      if (g_mkdir_with_parents(path, 0700) != 0)
        return atx_set_errno_error(error, errno, "cannot create %s", path);
    } else if (!write_file(files_root, file->path, 0700, 0600, file->content, error)) {
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
check_output_dir(const char *out_dir, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open(out_dir, 0, NULL);
  if (dir && g_dir_read_name(dir)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "%s is not empty; render writes a complete tree into an empty or new directory", out_dir);
    return FALSE;
  }
  return TRUE;
}

int
atx_cmd_render(const char *path, const char *out_dir, const char *config_dir)
{
  g_autoptr(AtxSubmission) submission = load_path(path);
  if (!submission)
    return EXIT_USAGE;
  print_diagnostics(submission);
  if (!atx_submission_is_valid(submission)) {
    g_printerr("Invalid: %s; nothing rendered\n", path);
    return EXIT_INVALID;
  }
  g_autoptr(GError) error = NULL;
  if (!check_output_dir(out_dir, &error)) {
    g_printerr("atomixctl: %s\n", error->message);
    return EXIT_USAGE;
  }
  AtxRenderOptions options = { .config_dir = config_dir };
  g_autoptr(GPtrArray) files = atx_render_config(submission->config, &options);
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    if (!write_file(out_dir, file->path, 0755, file->mode, file->content, &error)) {
      g_printerr("atomixctl: %s\n", error->message);
      return EXIT_USAGE;
    }
  }
  if (!write_bundle_files(out_dir, submission->bundle, &error)) {
    g_printerr("atomixctl: %s\n", error->message);
    return EXIT_USAGE;
  }
  g_print("Rendered %u files into %s\n", files->len, out_dir);
  return 0;
}

static GHashTable *
render_tree(const AtxSubmission *submission, const char *config_dir)
{
  AtxRenderOptions options = { .config_dir = config_dir };
  g_autoptr(GPtrArray) files = atx_render_config(submission->config, &options);
  GHashTable *tree = atx_rendered_files_to_tree(files);
  for (guint i = 0; i < submission->bundle->files->len; i++) {
    const AtxBundleFile *file = g_ptr_array_index(submission->bundle->files, i);
    if (!file->is_directory)
      g_hash_table_replace(tree, g_strconcat("files/", file->path, NULL), g_bytes_ref(file->content));
  }
  return tree;
}

static const char *
action_verb(AtxActionKind kind)
{
  return kind == ATX_ACTION_STOP ? "stop" : kind == ATX_ACTION_RUN_APPLIER ? "run" : "restart";
}

static void
print_plan_text(const AtxChangePlan *plan)
{
  struct {
    const char *label;
    GPtrArray *paths;
  } groups[] = { { "added", plan->added }, { "changed", plan->changed }, { "removed", plan->removed } };
  for (guint g = 0; g < G_N_ELEMENTS(groups); g++)
    for (guint i = 0; i < groups[g].paths->len; i++)
      g_print("%-8s %s\n", groups[g].label, (char *) g_ptr_array_index(groups[g].paths, i));
  g_print("%u file%s unchanged\n", plan->unchanged, plan->unchanged == 1 ? "" : "s");
  if (plan->actions->len == 0) {
    g_print("\nA re-apply would restart nothing.\n");
    return;
  }
  g_print("\nA re-apply would:\n");
  for (guint i = 0; i < plan->actions->len; i++) {
    const AtxAction *action = g_ptr_array_index(plan->actions, i);
    g_print("  %-7s %s (%s): %s\n", action_verb(action->kind), action->unit,
            atx_run_mode_name(action->mode), action->reason);
  }
}

static void
print_plan_json(const AtxChangePlan *plan)
{
  json_t *root = json_object();
  json_object_set_new(root, "added", atx_json_string_array(plan->added));
  json_object_set_new(root, "changed", atx_json_string_array(plan->changed));
  json_object_set_new(root, "removed", atx_json_string_array(plan->removed));
  json_object_set_new(root, "unchanged", json_integer(plan->unchanged));
  json_t *actions = json_array();
  for (guint i = 0; i < plan->actions->len; i++) {
    const AtxAction *action = g_ptr_array_index(plan->actions, i);
    json_array_append_new(actions, json_pack("{s:s, s:s, s:s, s:s}", "action", action_verb(action->kind),
                                             "unit", action->unit, "mode", atx_run_mode_name(action->mode),
                                             "reason", action->reason));
  }
  json_object_set_new(root, "actions", actions);
  g_autofree char *text = atx_json_text(root);
  json_decref(root);
  g_print("%s", text);
}

int
atx_cmd_diff(const char *old_path, const char *new_path, const char *config_dir, gboolean json)
{
  g_autoptr(AtxSubmission) old_submission = load_path(old_path);
  g_autoptr(AtxSubmission) new_submission = old_submission ? load_path(new_path) : NULL;
  if (!new_submission)
    return EXIT_USAGE;
  AtxSubmission *both[] = { old_submission, new_submission };
  gboolean valid = TRUE;
  for (guint i = 0; i < 2; i++) {
    if (!atx_submission_is_valid(both[i])) {
      print_diagnostics(both[i]);
      valid = FALSE;
    }
  }
  if (!valid) {
    g_printerr("Invalid input; nothing compared\n");
    return EXIT_INVALID;
  }
  g_autoptr(GHashTable) old_tree = render_tree(old_submission, config_dir);
  g_autoptr(GHashTable) new_tree = render_tree(new_submission, config_dir);
  g_autofree char *files_dir = g_build_filename(config_dir, "files", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxChangePlan) plan = atx_change_plan_compute(old_tree, new_tree, files_dir, &error);
  if (!plan) {
    g_printerr("atomixctl: %s\n", error->message);
    return EXIT_USAGE;
  }
  if (json)
    print_plan_json(plan);
  else
    print_plan_text(plan);
  return 0;
}
