#include "core/config_private.h"

#include <string.h>

#include "core/jsonpointer.h"
#include "core/jsonschema.h"

extern const char atx_config_schema_json[];

const char *
atx_config_schema_text(void)
{
  return atx_config_schema_json;
}

/* Compiled once per process: the schema is part of the binary, so a failure to
 * compile it is a build defect, not an input problem. */
static const AtxJsonSchema *
config_schema(void)
{
  static gsize initialized = 0;
  static AtxJsonSchema *schema = NULL;
  if (g_once_init_enter(&initialized)) {
    json_error_t json_error;
    json_t *document = json_loads(atx_config_schema_json, 0, &json_error);
    if (!document)
      g_error("embedded config schema is not JSON: %s (line %d)", json_error.text, json_error.line);
    g_autoptr(GError) error = NULL;
    schema = atx_json_schema_compile(document, NULL, &error);
    json_decref(document);
    if (!schema)
      g_error("embedded config schema does not compile: %s", error->message);
    g_once_init_leave(&initialized, 1);
  }
  return schema;
}

static const char *
toml_error_code(const GError *error)
{
  switch (error->code) {
  case ATX_TOML_ERROR_ENCODING:
    return "toml.encoding";
  case ATX_TOML_ERROR_DUPLICATE_KEY:
    return "toml.duplicate_key";
  case ATX_TOML_ERROR_OVERFLOW:
    return "toml.integer_overflow";
  case ATX_TOML_ERROR_TOO_LARGE:
    return "toml.too_large";
  case ATX_TOML_ERROR_TOO_DEEP:
    return "toml.too_deep";
  default:
    return "toml.syntax";
  }
}

static void
check_schema(AtxConfigBuild *build)
{
  /* The TOML tree itself is the instance: no jansson copy to build and free.
   * Same errors as validating atx_toml_to_json(build->root) (see toml.h). */
  g_autoptr(GPtrArray) errors = NULL;
  atx_json_schema_validate_instance(config_schema(), atx_toml_instance_class(), build->root, &errors);
  for (guint i = 0; i < errors->len; i++) {
    const AtxJsonSchemaError *e = g_ptr_array_index(errors, i);
    g_autofree char *code = g_strconcat("schema.", e->keyword, NULL);
    atx_cfg_error(build, code, e->instance_pointer, "%s", e->message);
  }
}

/* U+0000 is legal in TOML strings but truncates the value for every program
 * that reads the rendered files, so it is refused everywhere. Every value of
 * the document is visited, so the walk names places only when it reports. */
static void check_no_nul(AtxConfigBuild *build, const AtxTomlValue *container, const AtxCfgPath *path);

static void
check_value_no_nul(AtxConfigBuild *build, const AtxTomlValue *value, const AtxCfgPath *path)
{
  AtxTomlType type = atx_toml_value_type(value);
  if (type == ATX_TOML_TABLE || type == ATX_TOML_ARRAY) {
    check_no_nul(build, value, path);
  } else if (type == ATX_TOML_STRING) {
    gsize len = 0;
    const char *text = atx_toml_value_string(value, &len);
    if (memchr(text, '\0', len))
      atx_cfg_error_at(build, "config.nul_character", path, "NUL characters are not allowed in strings");
  }
}

static void
check_no_nul(AtxConfigBuild *build, const AtxTomlValue *container, const AtxCfgPath *path)
{
  if (atx_toml_value_type(container) == ATX_TOML_TABLE) {
    guint size = atx_toml_table_size(container);
    for (guint i = 0; i < size; i++) {
      AtxCfgPath child = atx_cfg_at_key(path, atx_toml_table_key(container, i));
      check_value_no_nul(build, atx_toml_table_value(container, i), &child);
    }
  } else {
    guint length = atx_toml_array_length(container);
    for (guint i = 0; i < length; i++) {
      AtxCfgPath child = atx_cfg_at_index(path, i);
      check_value_no_nul(build, atx_toml_array_get(container, i), &child);
    }
  }
}

AtxConfig *
atx_config_load_document(const AtxTomlDoc *doc, GBytes *source, AtxDiagList *diags)
{
  g_autoptr(AtxConfig) config = g_new0(AtxConfig, 1);
  config->source = g_bytes_ref(source);
  AtxConfigBuild build = {
    .doc = doc,
    .root = atx_toml_doc_root(doc),
    .diags = diags,
    .config = config,
  };
  guint errors_before = atx_diag_list_count(diags, ATX_SEVERITY_ERROR);
  atx_diag_list_set_locator(diags, atx_toml_doc_locate, (gpointer) doc);

  check_schema(&build);
  AtxCfgPath root = atx_cfg_at("");
  check_no_nul(&build, build.root, &root);
  atx_config_check_users(&build);
  atx_config_check_firewall(&build);
  atx_config_check_lan(&build);
  atx_config_check_host_network(&build);
  atx_config_check_os_upgrade(&build);
  atx_config_check_containers(&build);
  atx_config_check_activation(&build);

  atx_diag_list_set_locator(diags, NULL, NULL);
  if (atx_diag_list_count(diags, ATX_SEVERITY_ERROR) > errors_before)
    return NULL;
  return g_steal_pointer(&config);
}

AtxConfig *
atx_config_load(GBytes *source, AtxDiagList *diags)
{
  gsize len = 0;
  const char *data = g_bytes_get_data(source, &len);
  AtxTomlPosition where = { 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(data ? data : "", len, NULL, &where, &error);
  if (!doc) {
    atx_diag_list_add_at(diags, ATX_SEVERITY_ERROR, toml_error_code(error), "", where.line,
                         where.column, "invalid TOML: %s", error->message);
    return NULL;
  }
  return atx_config_load_document(doc, source, diags);
}

const char *
atx_quadlet_kind_suffix(AtxQuadletKind kind)
{
  static const char *const suffixes[] = { ".container", ".network", ".volume", ".build" };
  return suffixes[kind];
}

const char *
atx_run_mode_name(AtxRunMode mode)
{
  return mode == ATX_MODE_ROOTFUL ? "rootful" : "rootless";
}

const char *
atx_quadlet_service_suffix(AtxQuadletKind kind)
{
  /* Quadlet names the service of "x.network" "x-network.service", and so on. */
  static const char *const suffixes[] = { ".service", "-network.service", "-volume.service",
                                          "-build.service" };
  return suffixes[kind];
}

char *
atx_quadlet_service_name(const AtxQuadletResource *resource)
{
  return g_strconcat(resource->name, atx_quadlet_service_suffix(resource->kind), NULL);
}

void
atx_interface_free(gpointer data)
{
  AtxInterface *iface = data;
  g_free(iface->name);
  g_free(iface->address);
  g_free(iface->gateway);
  g_clear_pointer(&iface->dns_servers, g_ptr_array_unref);
  g_clear_pointer(&iface->dns_search_domains, g_ptr_array_unref);
  g_free(iface);
}

void
atx_user_free(gpointer data)
{
  AtxUser *user = data;
  g_free(user->name);
  g_free(user->ssh_key);
  g_free(user->shell);
  g_free(user);
}

void
atx_firewall_scope_free(AtxFirewallScope *scope)
{
  if (!scope)
    return;
  g_array_unref(scope->tcp);
  g_array_unref(scope->udp);
  g_free(scope);
}

void
atx_config_free(AtxConfig *config)
{
  if (!config)
    return;
  g_clear_pointer(&config->source, g_bytes_unref);
  g_clear_pointer(&config->users, g_ptr_array_unref);
  atx_firewall_scope_free(config->firewall.wan);
  atx_firewall_scope_free(config->firewall.lan);
  g_free(config->lan.domain);
  g_free(config->lan.hostname_pattern);
  g_clear_pointer(&config->lan.gateway_aliases, g_ptr_array_unref);
  g_clear_pointer(&config->lan.ntp_servers, g_ptr_array_unref);
  g_clear_pointer(&config->host.dns_servers, g_ptr_array_unref);
  g_clear_pointer(&config->host.dns_search_domains, g_ptr_array_unref);
  g_free(config->host.default_gateway);
  g_clear_pointer(&config->host.interfaces, g_ptr_array_unref);
  g_free(config->os_upgrade_url);
  g_clear_pointer(&config->activation.required, g_ptr_array_unref);
  g_clear_pointer(&config->activation.restart, g_ptr_array_unref);
  g_clear_pointer(&config->activation.allow_degraded, g_ptr_array_unref);
  g_free(config->activation.strategy);
  g_clear_pointer(&config->resources, g_ptr_array_unref);
  g_free(config);
}
