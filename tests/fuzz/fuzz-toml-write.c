/* The canonical TOML writer as a property: for any document the parser
 * accepts, parse(write(doc)) is the same document and writing is stable. */
#include <stdlib.h>

#include "core/toml/toml.h"
#include "core/toml/toml_write.h"

static char *
dump(const AtxTomlDoc *doc)
{
  json_t *tagged = atx_toml_to_tagged_json(atx_toml_doc_root(doc));
  char *text = json_dumps(tagged, JSON_SORT_KEYS | JSON_COMPACT);
  json_decref(tagged);
  return text;
}

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse((const char *) data, size, NULL, NULL, NULL);
  if (!doc)
    return 0;
  json_t *plain = atx_toml_to_json(atx_toml_doc_root(doc));
  g_autoptr(GError) error = NULL;
  g_autofree char *written = atx_toml_write(plain, &error);
  json_decref(plain);
  if (!written)
    __builtin_trap(); /* every parsed document is representable */
  g_autoptr(AtxTomlDoc) again = atx_toml_parse(written, strlen(written), NULL, NULL, &error);
  if (!again)
    __builtin_trap();
  char *before = dump(doc), *after = dump(again);
  if (!before || !after || strcmp(before, after) != 0)
    __builtin_trap();
  free(before);
  free(after);
  return 0;
}
