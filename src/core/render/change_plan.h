/* What a re-apply changes, and what has to be restarted because of it.
 *
 * Computed from two rendered trees (path -> bytes), so `atomixctl diff` on a
 * laptop and activation on the device (new tree vs the tree it replaces, or the
 * other way round on rollback) always agree. Only what changed is restarted:
 * a platform applier when one of its input files changed, a Quadlet service when
 * its unit (or a volume, network, build or bundle file it uses) changed, plus
 * every unit listed in activation.restart. Removed units are stopped. */
#pragma once

#include <glib.h>

#include "core/render/rendered_files.h"

#include "core/config/config.h"

typedef enum {
  ATX_ACTION_RUN_APPLIER, /* restart a platform applier unit (always rootful) */
  ATX_ACTION_STOP,        /* a unit that is no longer rendered */
  ATX_ACTION_RESTART,     /* a provisioned unit to (re)start */
} AtxActionKind;

typedef struct {
  AtxActionKind kind;
  char *unit;     /* "atomix-apply-users.service", "web.service" */
  AtxRunMode mode;
  char *filename; /* the Quadlet file for provisioned units ("web.container"); NULL for appliers */
  char *reason;   /* "users.json changed" */
} AtxAction;

typedef struct {
  GPtrArray *added;    /* char*, sorted paths */
  GPtrArray *removed;
  GPtrArray *changed;
  guint unchanged;
  GPtrArray *actions;  /* AtxAction*, in execution order */
} AtxChangePlan;

void atx_change_plan_free(AtxChangePlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxChangePlan, atx_change_plan_free)

/* @old_tree is NULL for an initial apply (everything is new). Trees map a path
 * relative to the config root to GBytes. @files_dir is the absolute bundle files
 * path as rendered into units ("/data/config/files"). Fails when the new tree's
 * quadlet-runtime.json or activation-policy.json is unreadable. */
AtxChangePlan *atx_change_plan_compute(GHashTable *old_tree, GHashTable *new_tree,
                                       const char *files_dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The applier units and the files they consume: core/render/rendered_files.h. */

/* path -> GBytes map of a rendered file list (takes references). */
GHashTable *atx_rendered_files_to_tree(GPtrArray *rendered);
GHashTable *atx_tree_new(void);
