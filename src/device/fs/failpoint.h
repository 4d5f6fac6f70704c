/* Crash injection for the crash-consistency tests.
 *
 * Every durable filesystem step calls atx_failpoint() before it acts. In a build
 * configured with -Dfailpoints=true, setting ATOMIX_FAILPOINT=N makes the N-th
 * call end the process at once with _exit(ATX_FAILPOINT_EXIT), as a power cut
 * would, after appending "N step" to $ATOMIX_FAILPOINT_LOG when that is set.
 * In normal builds the call is free and does nothing. */
#pragma once

#include <glib.h>

#define ATX_FAILPOINT_EXIT 99

#ifdef ATX_FAILPOINTS
void atx_failpoint(const char *step);
#else
static inline void
atx_failpoint(const char *step)
{
  (void) step;
}
#endif
