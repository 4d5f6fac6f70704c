/* libFuzzer target for partial edits: the first byte picks the edit (of
 * nine), the text up to the first newline is the {name}, the rest the JSON
 * body, applied to a small valid config. An accepted edit must give a
 * config.toml that is valid and canonical (writing its own parse gives it
 * back); a refusal must be one of the three documented kinds, with error
 * diagnostics for 422. Any crash, leak or sanitizer report is a bug. */
#include <stdint.h>
#include <string.h>

#include "core/config/config.h"
#include "core/edit/edit.h"
#include "core/toml/toml.h"
#include "core/toml/toml_write.h"

static const char current[] =
    "version = 1\n"
    "[users.admin]\n"
    "isAdmin = true\n"
    "ssh_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR "
    "admin@example\"\n"
    "[network.ntp]\n"
    "servers = [\"time.cloudflare.com\"]\n"
    "[activation]\n"
    "required = [\"myapp\"]\n"
    "[containers.container.myapp]\n"
    "privileged = false\n"
    "[containers.container.myapp.Container]\n"
    "Image = \"ghcr.io/example/myapp:latest\"\n"
    "[containers.volume.data.Volume]\n";

static void
check_accepted(const char *text)
{
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, strlen(text), NULL, NULL, NULL);
  if (!doc)
    __builtin_trap();
  json_t *json = atx_toml_to_json(atx_toml_doc_root(doc));
  g_autofree char *again = atx_toml_write(json, NULL);
  json_decref(json);
  if (!again || strcmp(again, text) != 0)
    __builtin_trap();
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(GBytes) source = g_bytes_new(text, strlen(text));
  g_autoptr(AtxConfig) config = atx_config_load(source, diags);
  if (!config || atx_diag_list_has_errors(diags))
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  const char *rest = (const char *) data + 1, *end = (const char *) data + size;
  const char *newline = memchr(rest, '\n', (gsize) (end - rest));
  g_autofree char *name = g_strndup(rest, newline ? (gsize) (newline - rest) : 0); /* stops at a NUL */
  const char *body = newline ? newline + 1 : rest;
  AtxEdit edit = {
    .kind = (AtxEditKind) (data[0] % 9), .name = name, .body = body, .body_len = (gsize) (end - body)
  };
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = atx_edit_apply(current, strlen(current), &edit, diags, &error);
  if (text)
    check_accepted(text);
  else if (!error || error->domain != ATX_EDIT_ERROR || error->code == ATX_EDIT_ERROR_CURRENT ||
           (error->code == ATX_EDIT_ERROR_INVALID) != atx_diag_list_has_errors(diags))
    __builtin_trap();
  return 0;
}
