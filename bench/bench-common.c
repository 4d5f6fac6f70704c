#include "bench-common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bounds that keep every loop finite whatever the clock says. */
#define BENCH_MAX_ITERATIONS ((guint64) 1 << 32)
#define BENCH_MAX_ROUNDS 1000u
#define BENCH_CALIBRATION_FRACTION 0.1

static double
clock_seconds(clockid_t clock)
{
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
now_seconds(void)
{
  return clock_seconds(CLOCK_MONOTONIC);
}

gboolean
bench_parse_args(int *argc, char ***argv, const char *usage, const BenchOpInfo *ops, BenchOptions *options)
{
  double target = 0.5;
  int rounds = 5;
  gint64 iterations = 0;
  gboolean quick = FALSE;
  gboolean list_ops = FALSE;
  g_autofree char *ops_text = NULL;
  GOptionEntry entries[] = {
    { "target-seconds", 't', 0, G_OPTION_ARG_DOUBLE, &target, "Length of one calibrated round (default 0.5)", "S" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds per measurement; the median is reported (default 5)", "R" },
    { "iterations", 'n', 0, G_OPTION_ARG_INT64, &iterations, "Fixed iterations per round (skips calibration)", "N" },
    { "ops", 'o', 0, G_OPTION_ARG_STRING, &ops_text, "Comma-separated ops to run (default: all)", "OPS" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Smoke check: 1 round of ~0.02 s", NULL },
    { "list-ops", 0, 0, G_OPTION_ARG_NONE, &list_ops, "Print the ops this binary knows and exit", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new("FILE...");
  g_option_context_set_summary(context, usage);
  g_option_context_add_main_entries(context, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(context, argc, argv, &error)) {
    g_printerr("%s\n", error->message);
    return FALSE;
  }
  if (list_ops) {
    for (const BenchOpInfo *op = ops; op->name; op++)
      g_print("%-16s %s\n", op->name, op->description);
    exit(0);
  }
  if (quick) {
    target = 0.02;
    rounds = 1;
  }
  if (target <= 0 || target > 60 || rounds < 1 || (guint) rounds > BENCH_MAX_ROUNDS || iterations < 0 ||
      (guint64) iterations > BENCH_MAX_ITERATIONS) {
    g_printerr("out-of-range --target-seconds, --rounds or --iterations\n");
    return FALSE;
  }
  if (*argc < 2) {
    g_printerr("no input files (see --help)\n");
    return FALSE;
  }
  options->target_seconds = target;
  options->rounds = (guint) rounds;
  options->iterations = (guint64) iterations;
  options->ops = ops_text ? g_strsplit(ops_text, ",", -1) : NULL;
  for (guint i = 0; options->ops && options->ops[i]; i++) {
    gboolean known = FALSE;
    for (const BenchOpInfo *op = ops; op->name && !known; op++)
      known = strcmp(op->name, options->ops[i]) == 0;
    if (!known) {
      g_printerr("unknown op '%s' (see --list-ops)\n", options->ops[i]);
      return FALSE;
    }
  }
  options->inputs = g_new0(char *, (gsize) *argc);
  for (int i = 1; i < *argc; i++)
    options->inputs[i - 1] = g_strdup((*argv)[i]);
  return TRUE;
}

void
bench_options_clear(BenchOptions *options)
{
  g_clear_pointer(&options->ops, g_strfreev);
  g_clear_pointer(&options->inputs, g_strfreev);
}

gboolean
bench_op_selected(const BenchOptions *options, const char *op)
{
  return !options->ops || g_strv_contains((const char *const *) options->ops, op);
}

GBytes *
bench_read_file(const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, &error)) {
    g_printerr("%s\n", error->message);
    exit(2);
  }
  return g_bytes_new_take(data, len);
}

/* Runs @n iterations; returns the elapsed seconds or a negative value when the
 * function failed. */
static double
run_iterations(BenchFunc func, gpointer state, guint64 n)
{
  double start = now_seconds();
  for (guint64 i = 0; i < n; i++)
    if (!func(state))
      return -1;
  return now_seconds() - start;
}

static int
compare_doubles(const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Sorts @values in place. */
static double
median_of(double *values, guint n)
{
  qsort(values, n, sizeof(double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Doubles the iteration count until a run lasts a tenth of a round, then
 * scales to a full round. The first run doubles as the warm-up. */
static guint64
calibrate(const BenchOptions *options, BenchFunc func, gpointer state)
{
  guint64 n = 1;
  double elapsed = run_iterations(func, state, n);
  while (elapsed >= 0 && elapsed < options->target_seconds * BENCH_CALIBRATION_FRACTION &&
         n < BENCH_MAX_ITERATIONS / 2) {
    n *= 2;
    elapsed = run_iterations(func, state, n);
  }
  if (elapsed < 0)
    return 0;
  double per_op = elapsed / (double) n;
  double wanted = per_op > 0 ? options->target_seconds / per_op : (double) BENCH_MAX_ITERATIONS;
  if (wanted < 1)
    return 1;
  return wanted > (double) BENCH_MAX_ITERATIONS ? BENCH_MAX_ITERATIONS : (guint64) wanted;
}

gboolean
bench_measure(const BenchOptions *options, const char *input, gsize bytes, const char *op, int valid,
              BenchFunc func, gpointer state)
{
  guint64 n = options->iterations;
  if (n == 0) {
    n = calibrate(options, func, state);
  } else if (!func(state)) { /* warm-up */
    n = 0;
  }
  if (n == 0)
    return FALSE;
  /* Wall time is what the targets are about; process CPU time is reported
   * beside it because on a shared machine a round can lose the CPU. */
  g_autofree double *seconds = g_new(double, options->rounds);
  g_autofree double *cpu = g_new(double, options->rounds);
  json_t *rounds = json_array();
  for (guint r = 0; r < options->rounds; r++) {
    double cpu_start = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    seconds[r] = run_iterations(func, state, n);
    cpu[r] = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    if (seconds[r] < 0) {
      json_decref(rounds);
      return FALSE;
    }
    json_array_append_new(rounds, json_real(seconds[r]));
  }
  double per_op = median_of(seconds, options->rounds) / (double) n;
  double cpu_per_op = median_of(cpu, options->rounds) / (double) n;
  json_t *line = json_pack("{s:s, s:s, s:I, s:s, s:I, s:i, s:o, s:f, s:f, s:f, s:f}",
                           "impl", "c", "input", input, "bytes", (json_int_t) bytes, "op", op,
                           "iterations", (json_int_t) n, "rounds", (int) options->rounds, "round_seconds", rounds,
                           "seconds_per_op", per_op, "cpu_seconds_per_op", cpu_per_op,
                           "mb_per_s", per_op > 0 ? (double) bytes / 1e6 / per_op : 0.0,
                           "docs_per_s", per_op > 0 ? 1.0 / per_op : 0.0);
  if (valid >= 0)
    json_object_set_new(line, "valid", json_boolean(valid));
  char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6));
  printf("%s\n", text);
  fflush(stdout);
  free(text);
  json_decref(line);
  return TRUE;
}
