/* Diagnostics: every problem found in an input document, as data.
 *
 * Validation never stops at the first problem; each stage adds diagnostics to one
 * list and the caller decides how to show them (compiler-style text for the CLI,
 * JSON for the API). A diagnostic is located by a JSON Pointer into the document;
 * a locator installed on the list (usually the TOML document) turns the pointer
 * into the line and column an operator sees in their editor. */
#pragma once

#include <glib.h>
#include <jansson.h>

typedef enum {
  ATX_SEVERITY_ERROR,
  ATX_SEVERITY_WARNING,
} AtxSeverity;

typedef struct {
  char *code;          /* stable, dotted: "lan.dhcp_range_outside_subnet" */
  AtxSeverity severity;
  char *pointer;       /* JSON Pointer of the offending value; "" = whole document */
  guint line;          /* 1-based; 0 when unknown */
  guint column;        /* 1-based, in code points; 0 when unknown */
  char *message;
  char *hint;          /* optional advice; NULL when there is none */
} AtxDiag;

/* Maps @pointer to the position of the value it names, or of its nearest existing
 * ancestor. Returns FALSE when nothing is known. */
typedef gboolean (*AtxDiagLocator)(const char *pointer, guint *line, guint *column, gpointer user_data);

typedef struct _AtxDiagList AtxDiagList;

AtxDiagList *atx_diag_list_new(void);
void atx_diag_list_free(AtxDiagList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxDiagList, atx_diag_list_free)

/* The locator must outlive the list or be replaced before it dies. */
void atx_diag_list_set_locator(AtxDiagList *list, AtxDiagLocator locator, gpointer user_data);

/* Adds a diagnostic located through the list's locator. The returned diagnostic
 * belongs to the list; it is returned so a hint can be attached. */
AtxDiag *atx_diag_list_add(AtxDiagList *list, AtxSeverity severity, const char *code,
                           const char *pointer, const char *format, ...) G_GNUC_PRINTF(5, 6);
AtxDiag *atx_diag_list_addv(AtxDiagList *list, AtxSeverity severity, const char *code,
                            const char *pointer, const char *format, va_list args) G_GNUC_PRINTF(5, 0);

/* Adds a diagnostic at an explicit position (parse errors have no pointer yet). */
AtxDiag *atx_diag_list_add_at(AtxDiagList *list, AtxSeverity severity, const char *code,
                              const char *pointer, guint line, guint column,
                              const char *format, ...) G_GNUC_PRINTF(7, 8);

void atx_diag_set_hint(AtxDiag *diag, const char *format, ...) G_GNUC_PRINTF(2, 3);

guint atx_diag_list_length(const AtxDiagList *list);
const AtxDiag *atx_diag_list_index(const AtxDiagList *list, guint index);
guint atx_diag_list_count(const AtxDiagList *list, AtxSeverity severity);
gboolean atx_diag_list_has_errors(const AtxDiagList *list);
/* TRUE when a diagnostic with @code exists (at @pointer, unless @pointer is NULL). */
gboolean atx_diag_list_contains(const AtxDiagList *list, const char *code, const char *pointer);

/* Orders by position (unknown positions last), keeping discovery order for ties. */
void atx_diag_list_sort(AtxDiagList *list);

/* "config.toml:12:14: error[lan.dhcp_range_outside_subnet]: message\n", plus an
 * indented "  hint: ..." line when there is a hint. Without a known position the
 * pointer stands in: "config.toml: error[code]: message (at /network/ntp)". */
char *atx_diag_format_text(const AtxDiag *diag, const char *filename);
char *atx_diag_list_format_text(const AtxDiagList *list, const char *filename);

/* Each diagnostic as {"code","severity","pointer","line","column","message","hint"};
 * line, column and hint are omitted when unknown, as the API omits every absent field. */
json_t *atx_diag_list_to_json(const AtxDiagList *list);
