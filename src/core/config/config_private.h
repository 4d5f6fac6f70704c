/* Shared by the semantic checks of config_*.c; not part of the public API.
 *
 * Each check reads the TOML document through the typed getters below. A getter
 * returns nothing when the value is absent or of another type: the schema stage
 * has already reported the type error, and a check must not report it twice. */
#pragma once

#include "core/config/config.h"

/* [network]'s values, looked up once for the checks that share them. */
typedef struct {
  const AtxTomlValue *table; /* [network] itself; NULL when absent or not a table */
  const AtxTomlValue *firewall;
  const AtxTomlValue *dnsmasq;
  const AtxTomlValue *ntp;
  const AtxTomlValue *interfaces;
  const AtxTomlValue *dns_servers;
  const AtxTomlValue *dns_search_domains;
  const AtxTomlValue *default_gateway;
} AtxCfgNetwork;

typedef struct {
  const AtxTomlDoc *doc;
  const AtxTomlValue *root;
  AtxDiagList *diags;
  AtxConfig *config;
  /* FALSE when no string or key of the document can hold U+0000 (the source
   * has no escape for it): then nothing needs to be checked for one. */
  gboolean may_hold_nul;
  /* The root's sections, looked up once; each may be absent or of any type. */
  const AtxTomlValue *users;
  const AtxTomlValue *os_upgrade;
  const AtxTomlValue *containers;
  const AtxTomlValue *activation;
  AtxCfgNetwork network;
} AtxConfigBuild;

/* A key a check looks for, with its length. */
typedef struct {
  const char *name;
  guint len;
} AtxCfgField;

#define ATX_CFG_FIELD(literal) { literal, sizeof(literal) - 1 }

/* Looks up the @count keys of @fields in one pass over @table, as
 * atx_toml_table_get() would: values[i] is the value of fields[i], NULL when
 * absent (or when @table is NULL or not a table). A config's tables are small,
 * and a pass costs about what two lookups do. */
void atx_cfg_fields(const AtxTomlValue *table, const AtxCfgField *fields, guint count,
                    const AtxTomlValue **values);

/* @value when it is present and of @type, else NULL. */
const AtxTomlValue *atx_cfg_as(const AtxTomlValue *value, AtxTomlType type);
/* The text of @value when it is a string without U+0000, else NULL. */
const char *atx_cfg_as_string(const AtxConfigBuild *build, const AtxTomlValue *value);

/* atx_toml_table_get() of a value of @type (a string without U+0000), for
 * the few places that want one key. */
const AtxTomlValue *atx_cfg_get(const AtxTomlValue *table, const char *key, AtxTomlType type);
const char *atx_cfg_string(const AtxConfigBuild *build, const AtxTomlValue *table, const char *key);
/* Element @index of @array when it is a string without U+0000, else NULL. */
const char *atx_cfg_item_string(const AtxConfigBuild *build, const AtxTomlValue *array, guint index);
/* [*start, *end) of @text without surrounding whitespace (as g_strstrip()). */
void atx_cfg_trimmed_span(const char *text, const char **start, const char **end);

/* A shared, empty list for the model's lists that have no element: most
 * configs leave several empty, and each would be an allocation. Lists of the
 * model are read-only, so sharing is safe; unref as any other. */
GPtrArray *atx_cfg_empty_list(void);
/* A list for @length elements, or the shared empty one when @length is 0:
 * only for lists that get no more elements than @length. */
GPtrArray *atx_cfg_list_new(guint length);

/* The model's memory. Every string and struct an AtxConfig points to comes
 * from one arena that atx_config_free() releases at once: a config holds
 * dozens of small values, and a malloc and a free for each cost more than
 * the checks that produce them. atx_cfg_alloc() memory is zeroed. */
gpointer atx_cfg_alloc(AtxConfigBuild *build, gsize size);
#define atx_cfg_new0(build, Type) ((Type *) atx_cfg_alloc((build), sizeof(Type)))
/* Room for a text of @len bytes, NUL-terminated, for the caller to write. */
char *atx_cfg_alloc_text(AtxConfigBuild *build, gsize len);
char *atx_cfg_strndup(AtxConfigBuild *build, const char *text, gsize len);
char *atx_cfg_strdup(AtxConfigBuild *build, const char *text);
char *atx_cfg_strconcat(AtxConfigBuild *build, const char *head, const char *tail);
/* A copy without surrounding whitespace (as g_strstrip()). */
char *atx_cfg_strdup_trimmed(AtxConfigBuild *build, const char *text);
/* atx_ipv4_format()'s text, and with "/prefix". */
char *atx_cfg_ipv4_text(AtxConfigBuild *build, guint32 addr);
char *atx_cfg_ipv4_cidr_text(AtxConfigBuild *build, guint32 addr, guint prefix);

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

/* The normalised (lower-case, no trailing dot) DNS name @text, stored in the
 * model; or NULL after reporting @code at @at. */
char *atx_cfg_dns_name(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at);
/* Reports why @text is not a DNS name. */
void atx_cfg_report_dns_name(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at);
gboolean atx_cfg_list_contains(const GPtrArray *strings, const char *text);

/* A JSON Pointer written step by step, for the many pointers that share a
 * prefix (every directive of a section): push a step, use the text, pop back
 * to where it was. The text lives in the caller's buffer while it fits. */
typedef struct {
  char *text;   /* NUL-terminated */
  gsize len;
  gsize size;   /* of the buffer @text is in */
  char *stack;  /* the caller's buffer */
} AtxCfgPointer;

void atx_cfg_pointer_init(AtxCfgPointer *pointer, char *buffer, gsize size);
void atx_cfg_pointer_clear(AtxCfgPointer *pointer);
/* Append "/" and the escaped @key or the decimal @index; return the length
 * before, for atx_cfg_pointer_pop(). */
gsize atx_cfg_pointer_push_key(AtxCfgPointer *pointer, const char *key);
/* The same for a key of the code's that needs no escaping ("containers"). */
gsize atx_cfg_pointer_push_plain(AtxCfgPointer *pointer, const AtxCfgField *key);
gsize atx_cfg_pointer_push_index(AtxCfgPointer *pointer, guint index);
void atx_cfg_pointer_pop(AtxCfgPointer *pointer, gsize len);

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


/* One per section, in the order atx_config_load_document() runs them. */
void atx_config_check_users(AtxConfigBuild *build);
void atx_config_check_firewall(AtxConfigBuild *build);
void atx_config_check_lan(AtxConfigBuild *build);
void atx_config_check_host_network(AtxConfigBuild *build);
void atx_config_check_os_upgrade(AtxConfigBuild *build);
void atx_config_check_containers(AtxConfigBuild *build);
void atx_config_check_activation(AtxConfigBuild *build); /* after containers: it references them */
