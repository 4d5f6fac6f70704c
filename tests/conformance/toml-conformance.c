/* toml-test (TOML 1.0.0) over the official data in $ATOMIX_CONFORMANCE_DIR/toml-test.
 *
 * Every valid/ case must decode to the tagged JSON beside it, compared the way
 * toml-test compares: same structure and types, integers and floats as numbers
 * (nan equals nan), date/times as the instants or wall-clock values they name.
 * Every invalid/ case must be rejected with a position. Prints TAP, one line per
 * case, and a summary comment.
 *
 * With --decoder PATH each case goes through that program instead (toml-test's
 * decoder protocol: TOML on stdin; tagged JSON on stdout and exit 0, or exit 1
 * with "line:col: message" on stderr). */
#include <gio/gio.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/toml/toml.h"

#define LIST_NAME "files-toml-1.0.0"
#define SPEC_LABEL "toml-test 1.0.0"

static char *opt_decoder = NULL;

/* ---- A small JSON reader ----
 * jansson refuses U+0000 in object keys when parsing, and toml-test's expected
 * output has such keys; jansson can still hold them when built by hand. */

typedef struct {
  const char *p;
  const char *end;
  guint depth;
} JsonReader;

static json_t *read_json_value(JsonReader *r);

static void
skip_json_ws(JsonReader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static gboolean
read_hex4(JsonReader *r, gunichar *out)
{
  if (r->end - r->p < 4)
    return FALSE;
  *out = 0;
  for (int i = 0; i < 4; i++) {
    if (!g_ascii_isxdigit(r->p[i]))
      return FALSE;
    *out = (*out << 4) | (gunichar)g_ascii_xdigit_value(r->p[i]);
  }
  r->p += 4;
  return TRUE;
}

static gboolean
read_json_escape(JsonReader *r, GString *out)
{
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  char c = *r->p++;
  const char *hit = c ? strchr(from, c) : NULL;
  if (hit) {
    g_string_append_c(out, to[hit - from]);
    return TRUE;
  }
  gunichar cp, low;
  if (c != 'u' || !read_hex4(r, &cp))
    return FALSE;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u')
      return FALSE;
    r->p += 2;
    if (!read_hex4(r, &low) || low < 0xDC00 || low > 0xDFFF)
      return FALSE;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  char buf[6];
  g_string_append_len(out, buf, g_unichar_to_utf8(cp, buf));
  return TRUE;
}

static GString *
read_json_string(JsonReader *r)
{
  g_autoptr(GString) out = g_string_new(NULL);
  if (r->p >= r->end || *r->p != '"')
    return NULL;
  r->p++;
  while (r->p < r->end && *r->p != '"') {
    if (*r->p != '\\') {
      g_string_append_c(out, *r->p++);
      continue;
    }
    r->p++;
    if (r->p >= r->end || !read_json_escape(r, out))
      return NULL;
  }
  if (r->p >= r->end)
    return NULL;
  r->p++;
  return g_steal_pointer(&out);
}

static json_t *
read_json_object(JsonReader *r)
{
  json_auto_t *object = json_object();
  r->p++;
  skip_json_ws(r);
  if (r->p < r->end && *r->p == '}') {
    r->p++;
    return g_steal_pointer(&object);
  }
  for (;;) {
    skip_json_ws(r);
    g_autoptr(GString) key = read_json_string(r);
    skip_json_ws(r);
    if (!key || r->p >= r->end || *r->p++ != ':')
      return NULL;
    json_t *value = read_json_value(r);
    if (!value)
      return NULL;
    json_object_setn_new(object, key->str, key->len, value);
    skip_json_ws(r);
    if (r->p >= r->end)
      return NULL;
    char c = *r->p++;
    if (c == '}')
      return g_steal_pointer(&object);
    if (c != ',')
      return NULL;
  }
}

static json_t *
read_json_array(JsonReader *r)
{
  json_auto_t *array = json_array();
  r->p++;
  skip_json_ws(r);
  if (r->p < r->end && *r->p == ']') {
    r->p++;
    return g_steal_pointer(&array);
  }
  for (;;) {
    json_t *value = read_json_value(r);
    if (!value)
      return NULL;
    json_array_append_new(array, value);
    skip_json_ws(r);
    if (r->p >= r->end)
      return NULL;
    char c = *r->p++;
    if (c == ']')
      return g_steal_pointer(&array);
    if (c != ',')
      return NULL;
  }
}

static json_t *
read_json_literal(JsonReader *r)
{
  static const struct { const char *word; json_t *(*make)(void); } words[] = {
    { "true", json_true }, { "false", json_false }, { "null", json_null },
  };
  for (guint i = 0; i < G_N_ELEMENTS(words); i++) {
    gsize n = strlen(words[i].word);
    if ((gsize)(r->end - r->p) >= n && memcmp(r->p, words[i].word, n) == 0) {
      r->p += n;
      return words[i].make();
    }
  }
  /* Numbers never occur in tagged JSON; keep them as reals for completeness. */
  char *num_end = NULL;
  g_autofree char *copy = g_strndup(r->p, MIN(r->end - r->p, 64));
  double d = g_ascii_strtod(copy, &num_end);
  if (num_end == copy)
    return NULL;
  r->p += num_end - copy;
  return json_real(d);
}

static json_t *
read_json_value(JsonReader *r)
{
  skip_json_ws(r);
  if (r->p >= r->end || r->depth > 512)
    return NULL;
  json_t *value;
  r->depth++;
  if (*r->p == '{') {
    value = read_json_object(r);
  } else if (*r->p == '[') {
    value = read_json_array(r);
  } else if (*r->p == '"') {
    g_autoptr(GString) s = read_json_string(r);
    value = s ? json_stringn(s->str, s->len) : NULL;
  } else {
    value = read_json_literal(r);
  }
  r->depth--;
  return value;
}

static json_t *
parse_json_text(const char *text, gsize len)
{
  JsonReader r = { text, text + len, 0 };
  json_t *value = read_json_value(&r);
  skip_json_ws(&r);
  if (value && r.p != r.end)
    g_clear_pointer(&value, json_decref);
  return value;
}

/* ---- toml-test's comparison ---- */

static gboolean
is_tagged(const json_t *v)
{
  return json_is_object(v) && json_object_size(v) == 2 && json_is_string(json_object_get(v, "type")) &&
         json_is_string(json_object_get(v, "value"));
}

static const char *
tag_type(const json_t *v)
{
  return json_string_value(json_object_get(v, "type"));
}

static const char *
tag_value(const json_t *v, gsize *len)
{
  const json_t *s = json_object_get(v, "value");
  if (len)
    *len = json_string_length(s);
  return json_string_value(s);
}

static gboolean
parse_float_text(const char *text, double *out)
{
  static const struct { const char *text; double value; } specials[] = {
    { "nan", NAN }, { "+nan", NAN }, { "-nan", NAN }, { "inf", INFINITY }, { "+inf", INFINITY },
    { "-inf", -INFINITY },
  };
  for (guint i = 0; i < G_N_ELEMENTS(specials); i++) {
    if (g_str_equal(text, specials[i].text)) {
      *out = specials[i].value;
      return TRUE;
    }
  }
  char *end = NULL;
  *out = g_ascii_strtod(text, &end);
  return end && end != text && *end == '\0';
}

static gboolean
parse_integer_text(const char *text, gint64 *out)
{
  char *end = NULL;
  errno = 0;
  *out = g_ascii_strtoll(text, &end, 10);
  return errno == 0 && end && end != text && *end == '\0';
}

typedef struct {
  gint64 days;    /* since 0000-03-01, any fixed origin works for comparing */
  gint64 seconds; /* within the day, offset already subtracted */
  guint32 nanos;
} Moment;

static gboolean
read_fixed_number(const char **s, int digits, int *out)
{
  *out = 0;
  for (int i = 0; i < digits; i++) {
    if (!g_ascii_isdigit((*s)[i]))
      return FALSE;
    *out = *out * 10 + ((*s)[i] - '0');
  }
  *s += digits;
  return TRUE;
}

static gint64
days_from_civil(int y, int m, int d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy;
}

static gboolean
read_date_part(const char **s, Moment *m)
{
  int y, mo, d;
  if (!read_fixed_number(s, 4, &y) || *(*s)++ != '-' || !read_fixed_number(s, 2, &mo) || *(*s)++ != '-' ||
      !read_fixed_number(s, 2, &d))
    return FALSE;
  m->days = days_from_civil(y, mo, d);
  return TRUE;
}

static gboolean
read_time_part(const char **s, Moment *m)
{
  int h, mi, sec;
  if (!read_fixed_number(s, 2, &h) || *(*s)++ != ':' || !read_fixed_number(s, 2, &mi) || *(*s)++ != ':' ||
      !read_fixed_number(s, 2, &sec))
    return FALSE;
  m->seconds = h * 3600 + mi * 60 + sec;
  if (**s == '.') {
    (*s)++;
    guint32 scale = 100000000;
    for (; g_ascii_isdigit(**s); (*s)++, scale /= 10)
      m->nanos += (guint32)(**s - '0') * scale;
  }
  return TRUE;
}

static gboolean
read_offset_part(const char **s, Moment *m)
{
  int h, mi;
  char sign = *(*s)++;
  if (sign == 'Z')
    return TRUE;
  if ((sign != '+' && sign != '-') || !read_fixed_number(s, 2, &h) || *(*s)++ != ':' ||
      !read_fixed_number(s, 2, &mi))
    return FALSE;
  m->seconds -= (sign == '+' ? 1 : -1) * (h * 3600 + mi * 60);
  return TRUE;
}

/* Reads a date/time the way toml-test does: "t"/" " and "z" are accepted as
 * "T" and "Z", and an offset date-time is reduced to the instant it names. */
static gboolean
parse_moment(const char *kind, const char *text, Moment *m)
{
  g_autofree char *norm = g_strdup(text);
  for (char *c = norm; *c; c++)
    *c = (*c == 't' || *c == ' ') ? 'T' : *c == 'z' ? 'Z' : *c;
  const char *s = norm;
  memset(m, 0, sizeof *m);
  gboolean has_date = !g_str_equal(kind, "time-local");
  gboolean has_time = !g_str_equal(kind, "date-local");
  if (has_date && !read_date_part(&s, m))
    return FALSE;
  if (has_date && has_time && *s++ != 'T')
    return FALSE;
  if (has_time && !read_time_part(&s, m))
    return FALSE;
  if (g_str_equal(kind, "datetime") && !read_offset_part(&s, m))
    return FALSE;
  return *s == '\0';
}

static gboolean
same_scalar(const char *type, const char *want, gsize want_len, const char *have, gsize have_len)
{
  if (g_str_equal(type, "string"))
    return want_len == have_len && memcmp(want, have, want_len) == 0;
  if (g_str_equal(type, "integer")) {
    gint64 a, b;
    return parse_integer_text(want, &a) && parse_integer_text(have, &b) && a == b;
  }
  if (g_str_equal(type, "float")) {
    double a, b;
    return parse_float_text(want, &a) && parse_float_text(have, &b) &&
           ((isnan(a) && isnan(b)) || a == b);
  }
  if (g_str_equal(type, "bool"))
    return g_str_equal(want, have);
  Moment a, b;
  return parse_moment(type, want, &a) && parse_moment(type, have, &b) &&
         (a.days * 86400 + a.seconds) == (b.days * 86400 + b.seconds) && a.nanos == b.nanos;
}

static gboolean compare_json(const json_t *want, const json_t *have, const char *path, GString *why);

static gboolean
compare_tagged(const json_t *want, const json_t *have, const char *path, GString *why)
{
  gsize want_len, have_len;
  const char *want_text = tag_value(want, &want_len);
  if (!is_tagged(have)) {
    g_string_printf(why, "%s: expected %s %s, got a table or array", path, tag_type(want), want_text);
    return FALSE;
  }
  const char *have_text = tag_value(have, &have_len);
  if (!g_str_equal(tag_type(want), tag_type(have))) {
    g_string_printf(why, "%s: expected type %s, got %s", path, tag_type(want), tag_type(have));
    return FALSE;
  }
  if (!same_scalar(tag_type(want), want_text, want_len, have_text, have_len)) {
    g_string_printf(why, "%s: expected %s \"%s\", got \"%s\"", path, tag_type(want), want_text, have_text);
    return FALSE;
  }
  return TRUE;
}

static gboolean
compare_objects(const json_t *want, const json_t *have, const char *path, GString *why)
{
  const char *key;
  size_t key_len;
  json_t *want_child;
  if (json_object_size(want) != json_object_size(have)) {
    g_string_printf(why, "%s: expected %zu keys, got %zu", path, json_object_size(want), json_object_size(have));
    return FALSE;
  }
  json_object_keylen_foreach((json_t *)want, key, key_len, want_child) {
    g_autofree char *child_path = g_strdup_printf("%s/%s", path, key);
    const json_t *have_child = json_object_getn(have, key, key_len);
    if (!have_child) {
      g_string_printf(why, "%s: missing", child_path);
      return FALSE;
    }
    if (!compare_json(want_child, have_child, child_path, why))
      return FALSE;
  }
  return TRUE;
}

static gboolean
compare_json(const json_t *want, const json_t *have, const char *path, GString *why)
{
  if (is_tagged(want))
    return compare_tagged(want, have, path, why);
  if (json_is_object(want) && json_is_object(have) && !is_tagged(have))
    return compare_objects(want, have, path, why);
  if (json_is_array(want) && json_is_array(have)) {
    if (json_array_size(want) != json_array_size(have)) {
      g_string_printf(why, "%s: expected %zu elements, got %zu", path, json_array_size(want),
                      json_array_size(have));
      return FALSE;
    }
    for (size_t i = 0; i < json_array_size(want); i++) {
      g_autofree char *child_path = g_strdup_printf("%s/%zu", path, i);
      if (!compare_json(json_array_get(want, i), json_array_get(have, i), child_path, why))
        return FALSE;
    }
    return TRUE;
  }
  g_string_printf(why, "%s: expected %s, got %s", path, json_is_array(want) ? "an array" : "a table",
                  json_is_array(have) ? "an array" : is_tagged(have) ? "a scalar" : "a table");
  return FALSE;
}

/* ---- Running cases ---- */

typedef struct {
  const char *suite_dir; /* .../toml-test/tests */
  guint valid_total, valid_passed;
  guint invalid_total, invalid_rejected;
} Run;

static gboolean
check_valid_output(const char *json_path, const json_t *have, GString *why)
{
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(json_path, &text, &len, &error)) {
    g_string_printf(why, "%s", error->message);
    return FALSE;
  }
  json_auto_t *want = parse_json_text(text, len);
  if (!want) {
    g_string_printf(why, "cannot read expected JSON %s", json_path);
    return FALSE;
  }
  return compare_json(want, have, "", why);
}

/* In-process: the parser and atx_toml_to_tagged_json(). */
static gboolean
run_in_process(const char *toml_path, const char *json_path, gboolean expect_valid, GString *why)
{
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(toml_path, &text, &len, &error)) {
    g_string_printf(why, "%s", error->message);
    return FALSE;
  }
  AtxTomlPosition where = { 0, 0 };
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, len, NULL, &where, &error);
  if (!expect_valid) {
    if (doc)
      g_string_printf(why, "accepted an invalid document");
    else if (where.line == 0 || where.column == 0)
      g_string_printf(why, "rejected without a position: %s", error->message);
    return !doc && where.line > 0 && where.column > 0;
  }
  if (!doc) {
    g_string_printf(why, "rejected: %u:%u: %s", where.line, where.column, error->message);
    return FALSE;
  }
  json_auto_t *have = atx_toml_to_tagged_json(atx_toml_doc_root(doc));
  return check_valid_output(json_path, have, why);
}

/* "12:3: message" */
static gboolean
looks_like_position_message(const char *text)
{
  g_autoptr(GRegex) re = g_regex_new("^[1-9][0-9]*:[1-9][0-9]*: .", 0, 0, NULL);
  return g_regex_match(re, text, 0, NULL);
}

static gboolean
run_decoder(const char *toml_path, const char *json_path, gboolean expect_valid, GString *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path(launcher, toml_path);
  g_autoptr(GSubprocess) proc = g_subprocess_launcher_spawn(launcher, &error, opt_decoder, NULL);
  g_autoptr(GBytes) out = NULL, err = NULL;
  if (!proc || !g_subprocess_communicate(proc, NULL, NULL, &out, &err, &error)) {
    g_string_printf(why, "cannot run %s: %s", opt_decoder, error->message);
    return FALSE;
  }
  int status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : -1;
  g_autofree char *err_text = g_strndup(g_bytes_get_data(err, NULL), g_bytes_get_size(err));
  if (!expect_valid) {
    if (status == 1 && looks_like_position_message(err_text))
      return TRUE;
    g_string_printf(why, "expected exit 1 and \"line:col: message\", got exit %d, stderr: %s", status, err_text);
    return FALSE;
  }
  if (status != 0) {
    g_string_printf(why, "exit %d: %s", status, err_text);
    return FALSE;
  }
  gsize len;
  const char *data = g_bytes_get_data(out, &len);
  json_auto_t *have = parse_json_text(data ? data : "", len);
  if (!have) {
    g_string_printf(why, "decoder output is not JSON");
    return FALSE;
  }
  return check_valid_output(json_path, have, why);
}

static void
print_diagnostic(const char *text)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    printf("# %s\n", lines[i]);
}

static void
run_case(Run *run, guint number, const char *name)
{
  gboolean valid = g_str_has_prefix(name, "valid/");
  g_autofree char *toml_path = g_build_filename(run->suite_dir, name, NULL);
  g_autofree char *stem = g_strndup(toml_path, strlen(toml_path) - strlen(".toml"));
  g_autofree char *json_path = g_strconcat(stem, ".json", NULL);
  g_autoptr(GString) why = g_string_new(NULL);

  gboolean ok = opt_decoder ? run_decoder(toml_path, json_path, valid, why)
                            : run_in_process(toml_path, json_path, valid, why);
  if (valid) {
    run->valid_total++;
    run->valid_passed += ok;
  } else {
    run->invalid_total++;
    run->invalid_rejected += ok;
  }
  printf("%s %u - %s\n", ok ? "ok" : "not ok", number, name);
  if (!ok)
    print_diagnostic(why->str);
}

/* The .toml cases of the list, in its order. */
static GPtrArray *
read_case_list(const char *list_path, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(list_path, &text, NULL, error))
    return NULL;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  GPtrArray *cases = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; lines[i]; i++) {
    char *line = g_strstrip(lines[i]);
    if ((g_str_has_prefix(line, "valid/") || g_str_has_prefix(line, "invalid/")) &&
        g_str_has_suffix(line, ".toml"))
      g_ptr_array_add(cases, g_strdup(line));
  }
  return cases;
}

int
main(int argc, char **argv)
{
  static const GOptionEntry entries[] = {
    { "decoder", 0, 0, G_OPTION_ARG_FILENAME, &opt_decoder,
      "Run every case through this toml-test decoder program", "PATH" },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- run toml-test's TOML 1.0.0 cases");
  g_autoptr(GError) error = NULL;
  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    fprintf(stderr, "%s\n", error->message);
    return 2;
  }

  const char *root = g_getenv("ATOMIX_CONFORMANCE_DIR");
  if (!root || !*root)
    root = ATX_CONFORMANCE_DIR_DEFAULT;
  g_autofree char *suite_dir = g_build_filename(root, "toml-test", "tests", NULL);
  g_autofree char *list_path = g_build_filename(suite_dir, LIST_NAME, NULL);
  if (!g_file_test(list_path, G_FILE_TEST_IS_REGULAR)) {
    /* TAP's skip plan; meson's TAP runner reports a non-zero exit as an error. */
    g_autofree char *why = g_strdup_printf("toml-test data not found: %s (set ATOMIX_CONFORMANCE_DIR to "
                                           "the directory holding toml-test/)", list_path);
    fprintf(stderr, "%s\n", why);
    printf("1..0 # SKIP %s\n", why);
    return 0;
  }
  g_autoptr(GPtrArray) cases = read_case_list(list_path, &error);
  if (!cases) {
    fprintf(stderr, "%s\n", error->message);
    return 2;
  }

  Run run = { .suite_dir = suite_dir };
  printf("1..%u\n", cases->len);
  for (guint i = 0; i < cases->len; i++)
    run_case(&run, i + 1, g_ptr_array_index(cases, i));
  printf("# %s%s: valid %u/%u passed, invalid %u/%u rejected\n", SPEC_LABEL,
         opt_decoder ? " (decoder)" : "", run.valid_passed, run.valid_total, run.invalid_rejected,
         run.invalid_total);
  g_free(opt_decoder);
  return run.valid_passed == run.valid_total && run.invalid_rejected == run.invalid_total ? 0 : 1;
}
