/* Helpers shared by the device unit tests. */
#pragma once

#include <glib.h>

#include "device/store/store.h"

/* A minimal valid config with containers @apps (rootless), all required,
 * plus @extra TOML appended (e.g. an [activation] override is not possible,
 * so extra only adds tables). */
char *atx_test_config(const char *const *apps, const char *activation_extra);

/* Renders @toml into the store's candidate (asserts it is valid). */
void atx_test_write_candidate(AtxStore *store, const char *toml);
/* Candidate + promote + commit. */
void atx_test_provision(AtxStore *store, const char *toml);
