/* Canonical TOML writer over toml-test: for every valid TOML 1.0.0 case,
 * parse -> JSON -> atx_toml_write -> parse again must give the same document
 * (compared in toml-test's tagged form: same types, same values). Cases whose
 * documents the writer cannot represent would be reported as skips; there are
 * none in TOML's data model, so every skip is a finding. Speaks TAP. */
#include <stdio.h>
#include <stdlib.h>

#include "core/toml/toml.h"
#include "core/toml/toml_write.h"

static char *
data_dir(void)
{
  const char *root = g_getenv("ATOMIX_CONFORMANCE_DIR");
  return g_build_filename(root && *root ? root : ATX_CONFORMANCE_DIR_DEFAULT, "toml-test", "tests", NULL);
}

static json_t *
tagged(const char *text, gsize len, GError **error)
{
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, len, NULL, NULL, error);
  return doc ? atx_toml_to_tagged_json(atx_toml_doc_root(doc)) : NULL;
}

/* json_equal() looks keys up as C strings, so keys holding U+0000 would
 * compare wrong; the serialised forms keep every byte of every key. */
static gboolean
same_document(const json_t *a, const json_t *b)
{
  char *x = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
  char *y = json_dumps(b, JSON_SORT_KEYS | JSON_COMPACT);
  gboolean same = x && y && g_str_equal(x, y);
  free(x);
  free(y);
  return same;
}

/* NULL when the round trip holds, else why not. */
static char *
round_trip(const char *text, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, len, NULL, NULL, &error);
  if (!doc)
    return g_strdup_printf("original does not parse: %s", error->message);
  json_t *plain = atx_toml_to_json(atx_toml_doc_root(doc));
  g_autofree char *written = atx_toml_write(plain, &error);
  json_decref(plain);
  if (!written)
    return g_strdup_printf("cannot write: %s", error->message);
  json_t *before = atx_toml_to_tagged_json(atx_toml_doc_root(doc));
  json_t *after = tagged(written, strlen(written), &error);
  char *problem = NULL;
  if (!after)
    problem = g_strdup_printf("written TOML does not parse: %s\n%s", error->message, written);
  else if (!same_document(before, after))
    problem = g_strdup_printf("document changed; written TOML:\n%s", written);
  json_decref(before);
  json_decref(after);
  return problem;
}

int
main(int argc, char **argv)
{
  g_autofree char *dir = data_dir();
  g_autofree char *list_path = g_build_filename(dir, "files-toml-1.0.0", NULL);
  g_autofree char *list = NULL;
  if (!g_file_get_contents(list_path, &list, NULL, NULL)) {
    printf("1..0 # SKIP toml-test data not found: %s (set ATOMIX_CONFORMANCE_DIR)\n", list_path);
    return 0;
  }
  g_auto(GStrv) cases = g_strsplit(list, "\n", -1);
  guint count = 0, failed = 0;
  for (guint i = 0; cases[i]; i++) {
    if (!g_str_has_prefix(cases[i], "valid/") || !g_str_has_suffix(cases[i], ".toml"))
      continue;
    g_autofree char *path = g_build_filename(dir, cases[i], NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autofree char *problem = g_file_get_contents(path, &text, &len, NULL) ? round_trip(text, len)
                                                                            : g_strdup("cannot read the case");
    count++;
    printf("%s %u - %s\n", problem ? "not ok" : "ok", count, cases[i]);
    if (problem) {
      failed++;
      g_auto(GStrv) lines = g_strsplit(problem, "\n", 30);
      for (guint l = 0; lines[l]; l++)
        printf("#   %s\n", lines[l]);
    }
  }
  printf("1..%u\n# canonical TOML round trip: %u/%u valid toml-test cases\n", count, count - failed, count);
  return failed ? 1 : 0;
}
