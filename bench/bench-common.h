/* Shared harness for the in-process benchmarks: auto-calibrated rounds, median
 * of rounds, one JSON line per (input, op).
 *
 * A measurement runs the operation N times per round for R rounds; N is chosen
 * so that one round takes about target_seconds (at least one iteration), and
 * the reported time per operation is the median round divided by N. The same
 * fields are printed by bench/python_baseline.py so the scripts can compare
 * the two line by line. */
#pragma once

#include <glib.h>

typedef struct {
  double target_seconds; /* length of one round when calibrating */
  guint rounds;          /* rounds per measurement */
  guint64 iterations;    /* fixed iterations per round; 0 = calibrate */
  char **ops;            /* NULL = every op the binary knows */
  char **inputs;         /* input files */
} BenchOptions;

/* One benchmarked operation; returns FALSE (with a message printed) when the
 * input cannot be processed the way the op needs (for example invalid). */
typedef gboolean (*BenchFunc)(gpointer state);

typedef struct {
  const char *name;
  const char *description;
} BenchOpInfo;

/* Parses the common command line; prints @usage on --help and exits. Returns
 * FALSE on a usage error (already reported). */
gboolean bench_parse_args(int *argc, char ***argv, const char *usage, const BenchOpInfo *ops,
                          BenchOptions *options);
gboolean bench_op_selected(const BenchOptions *options, const char *op);

/* Reads @path whole; exits with status 2 when it cannot. */
GBytes *bench_read_file(const char *path);

/* Calibrates (unless options->iterations), runs the rounds and prints the JSON
 * line. @valid is reported as-is (-1 = not applicable). Returns FALSE when the
 * function failed. */
gboolean bench_measure(const BenchOptions *options, const char *input, gsize bytes, const char *op,
                       int valid, BenchFunc func, gpointer state);

void bench_options_clear(BenchOptions *options);
