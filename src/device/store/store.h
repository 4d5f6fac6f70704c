/* The state store: /data/config and the trees beside it.
 *
 *   ROOT/config                   the active tree (exists at every instant)
 *   ROOT/config-candidate         a tree being written
 *   ROOT/config-rollback          the previous tree while a change is activated
 *   ROOT/config.atomix-promotion  marker: {"new": GEN, "old": GEN} while a change is in flight
 *   ROOT/.config.lock             flock held by whoever changes the store
 *
 * Each tree written by the store carries its generation (a hash of its owned
 * content) in .atomix-generation. Promotion swaps the candidate with the active
 * tree in one renameat2(RENAME_EXCHANGE), so there is no instant without
 * ROOT/config. Until commit removes the marker, recovery always returns the
 * store to the old tree; after it, to the new one. Files in the active tree that
 * the pipeline does not own (ssh-wan-enabled, openvpn/, managed-users.json, ...)
 * are copied into every candidate and so survive re-apply and rollback. */
#pragma once

#include <glib.h>

#include "core/bundle/bundle.h"
#include "core/render/render.h"

typedef struct _AtxStore AtxStore;

typedef enum {
  ATX_RECOVERY_CLEAN,              /* nothing was in flight */
  ATX_RECOVERY_REMOVED_CANDIDATE,  /* an unpromoted candidate was deleted */
  ATX_RECOVERY_RESTORED_PREVIOUS,  /* an interrupted change was undone */
  ATX_RECOVERY_FINISHED_COMMIT,    /* a committed change's leftovers were removed */
} AtxRecoveryResult;

const char *atx_recovery_result_message(AtxRecoveryResult result);

/* @root must be absolute, not "/", and not a symlink. Creates ROOT and
 * ROOT/config when missing. */
AtxStore *atx_store_open(const char *root, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_store_free(AtxStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxStore, atx_store_free)

const char *atx_store_config_dir(const AtxStore *store);

/* Exclusive, non-blocking: fails with ATX_ERROR_BUSY naming the holder (the
 * text the holder passed, e.g. its job id) when someone else has it. */
gboolean atx_store_lock(AtxStore *store, const char *holder, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_store_unlock(AtxStore *store);

/* Brings an interrupted promotion, rollback or commit to a consistent end.
 * Must be called with the lock held. */
gboolean atx_store_recover(AtxStore *store, AtxRecoveryResult *result, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ROOT/config/config.toml exists and no change is in flight. */
gboolean atx_store_is_provisioned(const AtxStore *store);

/* Candidate writing, in this order: begin, write each rendered file, bundle
 * files (from memory or streamed from the upload), finish (carries unowned
 * files over, stamps the generation, fsyncs). */
gboolean atx_store_candidate_begin(AtxStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_store_candidate_write(AtxStore *store, const AtxRenderedFile *file, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* @app_user owns files/ (it is bind-mounted into rootless containers). */
gboolean atx_store_candidate_write_bundle(AtxStore *store, const AtxBundle *bundle, const char *app_user,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same for a bundle in the file @upload_path, read again member by
 * member with memory bounded by one chunk (atx_bundle_read_fd) and written
 * straight into the candidate. @validated is what atx_submission_load_file()
 * made of that file: if its config.toml is not the one read now, the file
 * changed after validation and nothing is applied. */
gboolean atx_store_candidate_stream_bundle(AtxStore *store, const char *upload_path, const AtxBundle *validated,
                                           const char *filename, const AtxBundleLimits *limits,
                                           const char *app_user, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Instead of a bundle's files: the active files/ as they are (a partial edit
 * of a config that came with a bundle keeps them, reference §4.6). */
gboolean atx_store_candidate_keep_files(AtxStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_store_candidate_finish(AtxStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean atx_store_candidate_discard(AtxStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Makes the candidate active; the previous tree waits in config-rollback. */
gboolean atx_store_promote(AtxStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The change stays: removes the marker (the commit point), then the old tree. */
gboolean atx_store_commit(AtxStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The change goes: the previous tree becomes active again. Managed users of
 * both trees are kept, so accounts the failed change created get locked. */
gboolean atx_store_rollback(AtxStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The owned content of a tree (path -> GBytes, files/ entries included) for
 * change planning; an absent tree gives an empty map. */
GHashTable *atx_store_read_tree(const char *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
