/* A submission: the bytes an operator hands over (config.toml or a bundle) and
 * everything validation learns from them. The CLI, `atomixd import` and the
 * HTTP API all start here, so they accept and refuse exactly the same inputs.
 * Thread-safe: no shared state. */
#pragma once

#include <glib.h>

#include "core/bundle/bundle.h"
#include "core/config/config.h"
#include "core/base/diag.h"

typedef struct {
  char *filename;      /* the name diagnostics use: "config.toml" or "b.tgz:config.toml" */
  AtxBundle *bundle;   /* NULL when the bundle itself could not be read */
  AtxConfig *config;   /* NULL unless valid */
  AtxDiagList *diags;  /* every problem and warning, sorted by position */
} AtxSubmission;

void atx_submission_free(AtxSubmission *submission);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxSubmission, atx_submission_free)

/* Never fails: an unreadable bundle is a diagnostic (code "bundle.invalid" or
 * "bundle.limit") like any other problem. @filename is the client's name for
 * the payload (chooses plain TOML vs bundle); may be NULL. */
AtxSubmission *atx_submission_load(GBytes *data, const char *filename, const AtxBundleLimits *limits);

/* The same checks on a payload in the file at @path, with memory bounded by
 * config.toml's size (atx_bundle_read_fd): the result's bundle keeps no
 * files (bundle->files is NULL); the device streams them into the candidate
 * later from the same file. For an upload spooled to disk, so a refusal can
 * be answered before a job exists. The file is only read (the one file this
 * layer opens; it writes none). A file that cannot be read is a diagnostic
 * with code "bundle.io" (the caller's fault, not the submitter's). */
AtxSubmission *atx_submission_load_file(const char *path, const char *filename, const AtxBundleLimits *limits);

gboolean atx_submission_is_valid(const AtxSubmission *submission);

/* CLI rule for paths: "*.toml" is a config, a bundle must be recognisable by
 * name or content. Returns FALSE with a message for anything else. */
gboolean atx_submission_path_supported(const char *path, GBytes *data, GError **error) G_GNUC_WARN_UNUSED_RESULT;
