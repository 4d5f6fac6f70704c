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
/* Element @index of @array when it is a string without U+0000, else NULL. */
const char *atx_cfg_item_string(const AtxTomlValue *array, guint index);
/* Trimmed copy; NUL inside the TOML string makes it invalid for every consumer. */
char *atx_cfg_trimmed(const char *text);
/* @text without surrounding whitespace, for a value that is only looked at:
 * @text itself when there is nothing to trim (the usual case), otherwise a
 * trimmed copy that is also stored in *@copy for the caller to free. */
const char *atx_cfg_trim(const char *text, char **copy);

/* atx_ipv4_format()'s text, and with "/prefix", without a printf: these end
 * up in the model for every address a config lists. */
char *atx_cfg_ipv4_text(guint32 addr);
char *atx_cfg_ipv4_cidr_text(guint32 addr, guint prefix);

/* Where a check is in the document, as a chain of steps on the C stack. The
 * JSON Pointer text is built only when a diagnostic needs it, so a check
 * allocates nothing for the places where nothing is wrong. */
typedef struct AtxCfgPath AtxCfgPath;
struct AtxCfgPath {
  const AtxCfgPath *parent; /* NULL: @key is a whole pointer, already escaped */
  const char *key;          /* NULL: element @index of an array */
  guint index;
};

static inline AtxCfgPath
atx_cfg_at(const char *pointer)
{
  return (AtxCfgPath) { NULL, pointer, 0 };
}

static inline AtxCfgPath
atx_cfg_at_key(const AtxCfgPath *parent, const char *key)
{
  return (AtxCfgPath) { parent, key, 0 };
}

static inline AtxCfgPath
atx_cfg_at_index(const AtxCfgPath *parent, guint index)
{
  return (AtxCfgPath) { parent, NULL, index };
}

/* The JSON Pointer of @path ("/a/b" + "c" and "/a/b" + 3, escaped). */
char *atx_cfg_path_pointer(const AtxCfgPath *path);
/* The same in a buffer of the caller's: the length without the NUL, and the
 * text written into @buffer (which must hold @len + 1 bytes); returns @buffer. */
gsize atx_cfg_path_pointer_length(const AtxCfgPath *path);
char *atx_cfg_path_pointer_write(char *buffer, gsize len, const AtxCfgPath *path);
/* In @buffer (@size bytes) when it fits, else in a new allocation that is
 * also stored in *@heap for the caller to free. For a prefix that many
 * pointers share: atx_cfg_at() of it starts their paths. */
const char *atx_cfg_path_pointer_in(const AtxCfgPath *path, char *buffer, gsize size, char **heap);

/* A diagnostic at @path; returned so that a hint can be attached. */
AtxDiag *atx_cfg_error_at(AtxConfigBuild *build, const char *code, const AtxCfgPath *path,
                          const char *format, ...) G_GNUC_PRINTF(4, 5);
AtxDiag *atx_cfg_warning_at(AtxConfigBuild *build, const char *code, const AtxCfgPath *path,
                            const char *format, ...) G_GNUC_PRINTF(4, 5);

/* A diagnostic at a pointer known in advance. */
void atx_cfg_error(AtxConfigBuild *build, const char *code, const char *pointer, const char *format,
                   ...) G_GNUC_PRINTF(4, 5);
void atx_cfg_warning(AtxConfigBuild *build, const char *code, const char *pointer,
                     const char *format, ...) G_GNUC_PRINTF(4, 5);

/* What atx_quadlet_service_name() puts after the resource name, by kind. */
const char *atx_quadlet_service_suffix(AtxQuadletKind kind);

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
