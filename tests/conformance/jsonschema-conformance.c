/* JSON-Schema-Test-Suite, draft 2020-12, against the project's validator.
 *
 * Reads $ATOMIX_CONFORMANCE_DIR/json-schema-test-suite (default: the build's
 * conformance_dir) and runs every test of every file in tests/draft2020-12/.
 * Without the data it prints a TAP skip plan naming the path it looked at.
 * One TAP line per test group. A group whose schema the validator refuses for
 * an unsupported keyword is skipped by name; a file all of whose groups are
 * skipped is reported as one skipped line. Every other test must pass.
 *
 * Each test is validated twice, for validity only and collecting errors, and
 * both answers must agree (and an invalid answer must come with errors).
 *
 * The suite's remotes/ are added as http://localhost:1234/... resources. The
 * draft 2020-12 meta-schemas, which a few tests $ref, are not part of the
 * suite; they are read from $ATOMIX_JSON_METASCHEMA_DIR (default: where Debian's
 * python3-jsonschema installs them) when present, and the groups that need
 * them are skipped otherwise. */
#include "core/jsonschema/jsonschema.h"

#include <stdio.h>
#include <string.h>

#define REMOTES_BASE "http://localhost:1234/"
#define DEFAULT_METASCHEMA_DIR "/usr/lib/python3/dist-packages/jsonschema/schemas"
#define META_PREFIX "https://json-schema.org/draft/2020-12/"

typedef struct {
  GPtrArray *uris;      /* char * */
  GPtrArray *documents; /* json_t * */
  guint tap_number;
  guint files;
  guint passed;
  guint failed;
  guint skipped_groups;
  GPtrArray *skipped_files; /* char * */
  GString *skip_reasons;    /* keyword summary */
  gboolean informational;   /* optional/: count and comment, never fail */
  gboolean have_metaschema;
} Run;

static void
add_document(Run *run, const char *uri, json_t *document)
{
  g_ptr_array_add(run->uris, g_strdup(uri));
  g_ptr_array_add(run->documents, document);
}

static void
load_remotes_under(Run *run, const char *root, const char *relative)
{
  g_autofree char *dir_path = g_build_filename(root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    g_autofree char *child = *relative ? g_strdup_printf("%s/%s", relative, name) : g_strdup(name);
    g_autofree char *path = g_build_filename(root, child, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
      load_remotes_under(run, root, child);
      continue;
    }
    json_t *document = g_str_has_suffix(name, ".json") ? json_load_file(path, JSON_DECODE_ANY, NULL) : NULL;
    if (document) {
      g_autofree char *uri = g_strconcat(REMOTES_BASE, child, NULL);
      add_document(run, uri, document);
    }
  }
}

/* The meta-schema documents, in the layout python3-jsonschema ships. */
static void
load_metaschemas(Run *run)
{
  const char *dir = g_getenv("ATOMIX_JSON_METASCHEMA_DIR");
  if (!dir)
    dir = DEFAULT_METASCHEMA_DIR;
  g_autofree char *main_path = g_build_filename(dir, "draft2020-12.json", NULL);
  g_autofree char *vocab_path = g_build_filename(dir, "vocabularies.json", NULL);
  json_t *main_schema = json_load_file(main_path, 0, NULL);
  json_t *vocabularies = json_load_file(vocab_path, 0, NULL);
  if (!main_schema || !vocabularies) {
    printf("# draft 2020-12 meta-schema not found in %s (set ATOMIX_JSON_METASCHEMA_DIR); groups that $ref it are "
           "skipped\n", dir);
    json_decref(main_schema);
    json_decref(vocabularies);
    return;
  }
  printf("# meta-schemas from %s\n", dir);
  run->have_metaschema = TRUE;
  add_document(run, META_PREFIX "schema", main_schema);
  const char *uri;
  json_t *document;
  json_object_foreach (vocabularies, uri, document)
    if (g_str_has_prefix(uri, META_PREFIX))
      add_document(run, uri, json_incref(document));
  json_decref(vocabularies);
}

/* The keyword named by an UNSUPPORTED_KEYWORD message: unsupported keyword "X" ... */
static char *
unsupported_keyword(const GError *error)
{
  const char *start = strchr(error->message, '"');
  const char *end = start ? strchr(start + 1, '"') : NULL;
  return end ? g_strndup(start + 1, (gsize) (end - start - 1)) : g_strdup(error->message);
}

/* Compiles a group's schema with every remote available. NULL with @error
 * set when the validator refuses it. */
static AtxJsonSchema *
compile_group(Run *run, json_t *schema_json, GError **error)
{
  g_autoptr(AtxJsonSchema) schema = atx_json_schema_compile(schema_json, NULL, error);
  if (!schema)
    return NULL;
  for (guint i = 0; i < run->uris->len; i++)
    if (!atx_json_schema_add_resource(schema, g_ptr_array_index(run->uris, i), g_ptr_array_index(run->documents, i),
                                      error))
      return NULL;
  if (!atx_json_schema_check_references(schema, error))
    return NULL;
  return g_steal_pointer(&schema);
}

/* Returns NULL when the test passes, else what went wrong. */
static char *
run_test(const AtxJsonSchema *schema, json_t *test)
{
  const json_t *data = json_object_get(test, "data");
  gboolean expected = json_is_true(json_object_get(test, "valid"));
  gboolean quick = atx_json_schema_validate(schema, data, NULL);
  g_autoptr(GPtrArray) errors = NULL;
  gboolean full = atx_json_schema_validate(schema, data, &errors);
  if (quick != full)
    return g_strdup_printf("validity-only says %s, error collection says %s", quick ? "valid" : "invalid",
                           full ? "valid" : "invalid");
  if (full != (errors->len == 0))
    return g_strdup_printf("%s with %u errors", full ? "valid" : "invalid", errors->len);
  if (full != expected) {
    const AtxJsonSchemaError *first = errors->len ? g_ptr_array_index(errors, 0) : NULL;
    return g_strdup_printf("expected %s, got %s%s%s%s", expected ? "valid" : "invalid", full ? "valid" : "invalid",
                           first ? " (" : "", first ? first->message : "", first ? ")" : "");
  }
  return NULL;
}

static void
print_failure(const char *what, const char *detail)
{
  printf("#   %s: %s\n", what, detail);
}

/* Runs one group; returns FALSE when it was skipped (@skip_reason set). */
static gboolean
run_group(Run *run, const char *file, json_t *group, char **skip_reason)
{
  const char *description = json_string_value(json_object_get(group, "description"));
  json_t *tests = json_object_get(group, "tests");
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJsonSchema) schema = compile_group(run, json_object_get(group, "schema"), &error);
  if (!schema && g_error_matches(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_UNSUPPORTED_KEYWORD)) {
    g_autofree char *keyword = unsupported_keyword(error);
    *skip_reason = g_strdup_printf("unsupported keyword %s", keyword);
    return FALSE;
  }
  if (!schema && !run->have_metaschema &&
      g_error_matches(error, ATX_JSON_SCHEMA_ERROR, ATX_JSON_SCHEMA_ERROR_BAD_REFERENCE) &&
      strstr(error->message, "\"" META_PREFIX)) {
    *skip_reason = g_strdup("needs the draft 2020-12 meta-schema (not found)");
    return FALSE;
  }
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
  gsize i;
  json_t *test;
  json_array_foreach (tests, i, test) {
    const char *name = json_string_value(json_object_get(test, "description"));
    g_autofree char *problem = schema ? run_test(schema, test) : g_strdup(error->message);
    if (problem)
      g_ptr_array_add(failures, g_strdup_printf("%s: %s", name, problem));
    if (problem)
      run->failed++;
    else
      run->passed++;
  }
  if (run->informational) {
    for (guint f = 0; f < failures->len; f++)
      printf("# optional/%s: %s: %s\n", file, description, (char *) g_ptr_array_index(failures, f));
    return TRUE;
  }
  printf("%s %u - %s: %s\n", failures->len ? "not ok" : "ok", ++run->tap_number, file, description);
  for (guint f = 0; f < failures->len; f++)
    print_failure("failed", g_ptr_array_index(failures, f));
  return TRUE;
}

static void
run_file(Run *run, const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename(dir, file, NULL);
  json_error_t json_error;
  json_t *groups = json_load_file(path, JSON_ALLOW_NUL, &json_error);
  if (!groups) /* bignums beyond 64 bits: read them as doubles */
    groups = json_load_file(path, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &json_error);
  run->files++;
  if (!json_is_array(groups)) {
    if (run->informational)
      printf("# optional/%s: cannot read: %s\n", file, json_error.text);
    else
      printf("not ok %u - %s: cannot read: %s\n", ++run->tap_number, file, json_error.text);
    run->failed++;
    json_decref(groups);
    return;
  }
  g_autoptr(GPtrArray) skips = g_ptr_array_new_with_free_func(g_free);
  guint ran = 0;
  gsize i;
  json_t *group;
  json_array_foreach (groups, i, group) {
    g_autofree char *reason = NULL;
    if (run_group(run, file, group, &reason)) {
      ran++;
      continue;
    }
    const char *description = json_string_value(json_object_get(group, "description"));
    g_ptr_array_add(skips, g_strdup_printf("%s: %s # SKIP %s", file, description, reason));
    if (run->informational)
      continue;
    g_string_append_printf(run->skip_reasons, "%s%s (%s)", run->skip_reasons->len ? ", " : "", reason, file);
    run->skipped_groups++;
  }
  if (run->informational) {
    json_decref(groups);
    return;
  }
  if (ran == 0 && skips->len > 0) {
    g_ptr_array_add(run->skipped_files, g_strdup(file));
    const char *reason = strstr(g_ptr_array_index(skips, 0), "# SKIP");
    printf("ok %u - %s %s\n", ++run->tap_number, file, reason);
  } else {
    for (guint s = 0; s < skips->len; s++)
      printf("ok %u - %s\n", ++run->tap_number, (char *) g_ptr_array_index(skips, s));
  }
  json_decref(groups);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
list_test_files(const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
  const char *name;
  while (handle && (name = g_dir_read_name(handle)))
    if (g_str_has_suffix(name, ".json"))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_names);
  return names;
}

/* optional/ is not required by the suite: its results are printed as
 * comments and never fail the run. */
static void
run_optional(Run *run, const char *tests_dir)
{
  g_autofree char *dir = g_build_filename(tests_dir, "optional", NULL);
  g_autoptr(GPtrArray) files = list_test_files(dir);
  guint passed = run->passed, failed = run->failed;
  run->informational = TRUE;
  for (guint i = 0; i < files->len; i++)
    run_file(run, dir, g_ptr_array_index(files, i));
  run->informational = FALSE;
  printf("# optional (informational): passed %u, failed %u\n", run->passed - passed, run->failed - failed);
  run->passed = passed;
  run->failed = failed;
}

static void
print_summary(const Run *run)
{
  g_autoptr(GString) files = g_string_new(NULL);
  for (guint i = 0; i < run->skipped_files->len; i++)
    g_string_append_printf(files, "%s%s", i ? ", " : "", (char *) g_ptr_array_index(run->skipped_files, i));
  printf("1..%u\n", run->tap_number);
  printf("# draft2020-12: %u files, passed %u, failed %u, skipped groups %u (files: %s)\n", run->files, run->passed,
         run->failed, run->skipped_groups, files->len ? files->str : "none");
  if (run->skip_reasons->len)
    printf("# skipped for: %s\n", run->skip_reasons->str);
}

int
main(int argc, char **argv)
{
  const char *base = g_getenv("ATOMIX_CONFORMANCE_DIR");
  if (!base || !*base)
    base = ATX_CONFORMANCE_DIR_DEFAULT;
  g_autofree char *suite = g_build_filename(base, "json-schema-test-suite", NULL);
  g_autofree char *tests_dir = g_build_filename(suite, "tests", "draft2020-12", NULL);
  if (!g_file_test(tests_dir, G_FILE_TEST_IS_DIR)) {
    /* TAP's skip plan: meson's TAP runner reports exit status 77 as an error. */
    g_autofree char *why = g_strdup_printf("JSON-Schema-Test-Suite not found at %s (set ATOMIX_CONFORMANCE_DIR to the "
                                           "directory holding json-schema-test-suite/)", tests_dir);
    fprintf(stderr, "%s\n", why);
    printf("1..0 # SKIP %s\n", why);
    return 0;
  }
  Run run = { g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func((GDestroyNotify) json_decref) };
  run.skipped_files = g_ptr_array_new_with_free_func(g_free);
  run.skip_reasons = g_string_new(NULL);
  g_autofree char *remotes = g_build_filename(suite, "remotes", NULL);
  load_remotes_under(&run, remotes, "");
  load_metaschemas(&run);
  g_autoptr(GPtrArray) files = list_test_files(tests_dir);
  for (guint i = 0; i < files->len; i++)
    run_file(&run, tests_dir, g_ptr_array_index(files, i));
  guint files_run = run.files;
  run_optional(&run, tests_dir);
  run.files = files_run;
  print_summary(&run);
  int status = run.failed ? 1 : 0;
  g_ptr_array_unref(run.uris);
  g_ptr_array_unref(run.documents);
  g_ptr_array_unref(run.skipped_files);
  g_string_free(run.skip_reasons, TRUE);
  return status;
}
