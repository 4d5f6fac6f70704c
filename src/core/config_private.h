/* Shared by the semantic checks of config_*.c; not part of the public API.
 *
 * Each check reads the TOML document through the typed getters below. A getter
 * returns nothing when the value is absent or of another type: the schema stage
 * has already reported the type error, and a check must not report it twice. */
#pragma once

#include "core/config.h"

typedef struct {
  const AtxTomlDoc *doc;
  const AtxTomlValue *root;
  AtxDiagList *diags;
  AtxConfig *config;
} AtxConfigBuild;

const AtxTomlValue *atx_cfg_get(const AtxTomlValue *table, const char *key, AtxTomlType type);
const char *atx_cfg_string(const AtxTomlValue *table, const char *key);
/* Returns TRUE and sets *out only when the value is present and of the type. */
gboolean atx_cfg_boolean(const AtxTomlValue *table, const char *key, gboolean *out);
gboolean atx_cfg_integer(const AtxTomlValue *table, const char *key, gint64 *out);
/* Indices of string elements are kept in step with the array: element i of the
 * result is array element i, or NULL when that element is not a string. NULL
 * when the key is absent or not an array. */
GPtrArray *atx_cfg_string_list(const AtxTomlValue *table, const char *key);
/* Trimmed copy; NUL inside the TOML string makes it invalid for every consumer. */
char *atx_cfg_trimmed(const char *text);

/* "/a/b" + "c" and "/a/b" + 3, escaped. */
char *atx_cfg_ptr(const char *base, const char *key);
char *atx_cfg_ptr_index(const char *base, guint index);

void atx_cfg_error(AtxConfigBuild *build, const char *code, const char *pointer, const char *format,
                   ...) G_GNUC_PRINTF(4, 5);
void atx_cfg_warning(AtxConfigBuild *build, const char *code, const char *pointer,
                     const char *format, ...) G_GNUC_PRINTF(4, 5);

/* Element destructors for the model's arrays (see atx_config_free). */
void atx_user_free(gpointer user);
void atx_interface_free(gpointer iface);
void atx_firewall_scope_free(AtxFirewallScope *scope);
void atx_quadlet_resource_free(gpointer resource);

/* One per section, in the order atx_config_load_document() runs them. */
void atx_config_check_users(AtxConfigBuild *build);
void atx_config_check_firewall(AtxConfigBuild *build);
void atx_config_check_lan(AtxConfigBuild *build);
void atx_config_check_host_network(AtxConfigBuild *build);
void atx_config_check_os_upgrade(AtxConfigBuild *build);
void atx_config_check_containers(AtxConfigBuild *build);
void atx_config_check_activation(AtxConfigBuild *build); /* after containers: it references them */
