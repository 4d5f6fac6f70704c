/* bench-parse FILE...: in-process throughput of the TOML parser and of the
 * parse + schema validation pipeline, one JSON line per (input, op).
 *
 * Ops:
 *   parse           atx_toml_parse + free
 *   parse+validate  atx_toml_parse + atx_toml_to_json + atx_json_schema_validate
 *                   against the compiled-in config schema (compiled once, outside
 *                   the loop, through the public API), every error collected
 *   parse+validate-direct
 *                   the same, validating the TOML tree itself through
 *                   atx_toml_instance_class() (no jansson copy), as the config
 *                   pipeline does
 *   load            atx_config_load: parse + schema + semantic checks (the whole
 *                   pipeline `atomixctl validate` runs)
 * parse+validate, parse+validate-direct and load only run on inputs whose parse+validate result is
 * "valid" or on config-sized inputs; for other documents (the large generated
 * one) only parse is meaningful and the other ops are skipped with a note. */
#include "bench-common.h"

#include <stdio.h>
#include <string.h>

#include "core/config/config.h"
#include "core/jsonschema/jsonschema.h"
#include "core/toml/toml.h"

/* Above this size an input is not a config and only the parse op runs. */
#define CONFIG_SIZED_MAX_BYTES (256u * 1024u)

static const char usage[] =
  "In-process benchmark of the TOML parser and parse + schema validation.\n"
  "Prints one JSON line per input and op: impl, input, bytes, op, iterations,\n"
  "rounds, round_seconds, seconds_per_op (median wall-clock round / iterations),\n"
  "cpu_seconds_per_op (the same with process CPU time), mb_per_s,\n"
  "docs_per_s and, for validating ops, valid.\n"
  "\n"
  "Ops: parse, parse+validate, parse+validate-direct, load (see --list-ops).\n"
  "All but parse are skipped for inputs larger than 256 KiB (not a config).";

static const BenchOpInfo ops[] = {
  { "parse", "atx_toml_parse + free" },
  { "parse+validate", "parse + atx_toml_to_json + schema validation (schema compiled once)" },
  { "parse+validate-direct", "parse + schema validation of the TOML tree itself (no jansson copy)" },
  { "load", "atx_config_load: parse + schema + semantic checks" },
  { NULL, NULL },
};

typedef struct {
  const char *data;
  gsize len;
  GBytes *bytes;
  const AtxJsonSchema *schema;
  gboolean valid; /* result of the last parse+validate / load */
} State;

static gboolean
op_parse(gpointer user_data)
{
  State *state = user_data;
  g_autoptr(GError) error = NULL;
  AtxTomlPosition where = { 0, 0 };
  AtxTomlDoc *doc = atx_toml_parse(state->data, state->len, NULL, &where, &error);
  if (!doc) {
    g_printerr("parse error at %u:%u: %s\n", where.line, where.column, error->message);
    return FALSE;
  }
  atx_toml_doc_free(doc);
  return TRUE;
}

static gboolean
op_parse_validate(gpointer user_data)
{
  State *state = user_data;
  g_autoptr(GError) error = NULL;
  AtxTomlDoc *doc = atx_toml_parse(state->data, state->len, NULL, NULL, &error);
  if (!doc) {
    g_printerr("parse error: %s\n", error->message);
    return FALSE;
  }
  json_t *instance = atx_toml_to_json(atx_toml_doc_root(doc));
  GPtrArray *errors = NULL;
  state->valid = atx_json_schema_validate(state->schema, instance, &errors);
  g_ptr_array_unref(errors);
  json_decref(instance);
  atx_toml_doc_free(doc);
  return TRUE;
}

static gboolean
op_parse_validate_direct(gpointer user_data)
{
  State *state = user_data;
  g_autoptr(GError) error = NULL;
  AtxTomlDoc *doc = atx_toml_parse(state->data, state->len, NULL, NULL, &error);
  if (!doc) {
    g_printerr("parse error: %s\n", error->message);
    return FALSE;
  }
  GPtrArray *errors = NULL;
  state->valid = atx_json_schema_validate_instance(state->schema, atx_toml_instance_class(),
                                                   atx_toml_doc_root(doc), &errors);
  g_ptr_array_unref(errors);
  atx_toml_doc_free(doc);
  return TRUE;
}

static gboolean
op_load(gpointer user_data)
{
  State *state = user_data;
  AtxDiagList *diags = atx_diag_list_new();
  AtxConfig *config = atx_config_load(state->bytes, diags);
  state->valid = config != NULL;
  atx_config_free(config);
  atx_diag_list_free(diags);
  return TRUE;
}

static AtxJsonSchema *
compile_config_schema(void)
{
  json_error_t json_error;
  json_t *document = json_loads(atx_config_schema_text(), 0, &json_error);
  if (!document) {
    g_printerr("embedded config schema is not JSON: %s\n", json_error.text);
    return NULL;
  }
  g_autoptr(GError) error = NULL;
  AtxJsonSchema *schema = atx_json_schema_compile(document, NULL, &error);
  json_decref(document);
  if (!schema)
    g_printerr("config schema does not compile: %s\n", error->message);
  return schema;
}

int
main(int argc, char **argv)
{
  BenchOptions options = { 0 };
  if (!bench_parse_args(&argc, &argv, usage, ops, &options))
    return 2;
  g_autoptr(AtxJsonSchema) schema = compile_config_schema();
  if (!schema)
    return 2;
  int status = 0;
  for (guint i = 0; options.inputs[i]; i++) {
    const char *input = options.inputs[i];
    g_autoptr(GBytes) bytes = bench_read_file(input);
    State state = { 0 };
    state.bytes = bytes;
    state.data = g_bytes_get_data(bytes, &state.len);
    state.schema = schema;
    gboolean config_sized = state.len <= CONFIG_SIZED_MAX_BYTES;
    if (bench_op_selected(&options, "parse") &&
        !bench_measure(&options, input, state.len, "parse", -1, op_parse, &state))
      status = 1;
    if (!config_sized) {
      if (options.ops && (bench_op_selected(&options, "parse+validate") ||
                          bench_op_selected(&options, "parse+validate-direct") || bench_op_selected(&options, "load")))
        g_printerr("%s: %" G_GSIZE_FORMAT " bytes is not config-sized; only parse runs\n", input, state.len);
      continue;
    }
    if (bench_op_selected(&options, "parse+validate")) {
      if (!op_parse_validate(&state) ||
          !bench_measure(&options, input, state.len, "parse+validate", state.valid, op_parse_validate, &state))
        status = 1;
    }
    if (bench_op_selected(&options, "parse+validate-direct")) {
      if (!op_parse_validate_direct(&state) ||
          !bench_measure(&options, input, state.len, "parse+validate-direct", state.valid,
                         op_parse_validate_direct, &state))
        status = 1;
    }
    if (bench_op_selected(&options, "load")) {
      op_load(&state);
      if (!bench_measure(&options, input, state.len, "load", state.valid, op_load, &state))
        status = 1;
    }
  }
  bench_options_clear(&options);
  return status;
}
