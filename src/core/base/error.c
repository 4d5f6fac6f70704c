#include "core/base/error.h"

G_DEFINE_QUARK(atx-error-quark, atx_error)
