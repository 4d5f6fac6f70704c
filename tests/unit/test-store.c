/* The state store: promotion, commit, rollback and every recovery path, on
 * real directories in a temporary root. */
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string.h>

#include "core/base/error.h"
#include "core/bundle/submission.h"
#include "device/fs/fsutil.h"
#include "device/store/store.h"
#include "testutil.h"

typedef struct {
  char *root;
  AtxStore *store;
} Fixture;

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  fixture->root = g_dir_make_tmp("atomix-store-XXXXXX", &error);
  g_assert_no_error(error);
  fixture->store = atx_store_open(fixture->root, &error);
  g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  atx_store_free(fixture->store);
  g_assert_true(atx_fs_remove_tree(fixture->root, NULL, NULL));
  g_free(fixture->root);
}

static char *
path_in(const Fixture *fixture, const char *relative)
{
  return g_build_filename(fixture->root, relative, NULL);
}

static gboolean
exists(const Fixture *fixture, const char *relative)
{
  g_autofree char *path = path_in(fixture, relative);
  return atx_fs_exists(path);
}

static char *
read_text(const Fixture *fixture, const char *relative)
{
  g_autofree char *path = path_in(fixture, relative);
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  return text;
}

static void
write_text(const Fixture *fixture, const char *relative, const char *text, guint mode)
{
  g_autofree char *path = path_in(fixture, relative);
  g_autofree char *parent = g_path_get_dirname(path);
  g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  g_assert_cmpint(g_chmod(path, (int) mode), ==, 0);
}

/* Renders a config with one container named @app into the candidate. */
static void
write_candidate(Fixture *fixture, const char *app)
{
  const char *apps[] = { app, NULL };
  g_autofree char *toml = atx_test_config(apps, NULL);
  atx_test_write_candidate(fixture->store, toml);
}

/* Provisions @app fully (promote + commit). */
static void
provision(Fixture *fixture, const char *app)
{
  const char *apps[] = { app, NULL };
  g_autofree char *toml = atx_test_config(apps, NULL);
  atx_test_provision(fixture->store, toml);
}

static void
assert_active_app(const Fixture *fixture, const char *app)
{
  g_autofree char *unit = g_strdup_printf("config/quadlet/%s.container", app);
  g_assert_true(exists(fixture, unit));
  g_autofree char *toml = read_text(fixture, "config/config.toml");
  g_autofree char *needle = g_strdup_printf("[containers.container.%s]", app);
  g_assert_nonnull(strstr(toml, needle));
}

static void
assert_only_config_left(const Fixture *fixture)
{
  g_assert_true(exists(fixture, "config"));
  g_assert_false(exists(fixture, "config-candidate"));
  g_assert_false(exists(fixture, "config-rollback"));
  g_assert_false(exists(fixture, "config.atomix-promotion"));
}

static AtxRecoveryResult
recover(Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  AtxRecoveryResult result = ATX_RECOVERY_CLEAN;
  g_assert_true(atx_store_recover(fixture->store, &result, &error));
  g_assert_no_error(error);
  return result;
}

static void
test_open_refuses_unsafe_roots(void)
{
  const char *bad[] = { "relative/root", "/", NULL };
  for (guint i = 0; bad[i]; i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(AtxStore) store = atx_store_open(bad[i], &error);
    g_assert_null(store);
    g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  }
  g_autofree char *dir = g_dir_make_tmp("atomix-store-XXXXXX", NULL);
  g_autofree char *link = g_build_filename(dir, "link", NULL);
  g_assert_cmpint(symlink(dir, link), ==, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxStore) store = atx_store_open(link, &error);
  g_assert_null(store);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "symlink"));
  g_assert_true(atx_fs_remove_tree(dir, NULL, NULL));
}

static void
test_open_creates_config(Fixture *fixture, gconstpointer data)
{
  g_assert_true(exists(fixture, "config"));
  g_assert_false(atx_store_is_provisioned(fixture->store));
}

static void
test_initial_promotion_and_commit(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  write_candidate(fixture, "web");
  g_assert_true(atx_store_promote(fixture->store, &error));
  /* In flight: new tree active, the empty unprovisioned tree parked, marker set. */
  assert_active_app(fixture, "web");
  g_assert_true(exists(fixture, "config-rollback"));
  g_assert_true(exists(fixture, "config.atomix-promotion"));
  g_assert_false(atx_store_is_provisioned(fixture->store));
  g_assert_true(atx_store_commit(fixture->store, &error));
  g_assert_no_error(error);
  assert_only_config_left(fixture);
  g_assert_true(atx_store_is_provisioned(fixture->store));
}

static void
test_rendered_modes(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  struct {
    const char *path;
    guint mode;
  } expected[] = {
    { "config", 0755 }, { "config/config.toml", 0600 }, { "config/users.json", 0600 },
    { "config/admin-signers", 0600 }, { "config/ssh-authorized-keys/admin", 0600 },
    { "config/quadlet", 0755 }, { "config/quadlet/web.container", 0644 },
    { "config/quadlet-runtime.json", 0600 }, { "config/activation-policy.json", 0600 },
  };
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
    g_autofree char *path = path_in(fixture, expected[i].path);
    struct stat st;
    g_assert_cmpint(lstat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_mode & 07777, ==, expected[i].mode);
  }
}

static void
test_reapply_keeps_unowned_files(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_text(fixture, "config/ssh-wan-enabled", "", 0644);
  write_text(fixture, "config/.operator-notes", "lab unit 7\n", 0644);
  write_text(fixture, "config/.managed-users.json.Ab12Cd", "[\"half\"", 0600); /* a crashed write */
  write_text(fixture, "config/openvpn/client.conf", "remote vpn.example 1194\n", 0600);
  write_text(fixture, "config/managed-users.json", "[\"admin\"]\n", 0600);
  g_autofree char *link = path_in(fixture, "config/openvpn/current");
  g_assert_cmpint(symlink("client.conf", link), ==, 0);

  g_autoptr(GError) error = NULL;
  write_candidate(fixture, "api");
  g_assert_true(atx_store_promote(fixture->store, &error));
  assert_active_app(fixture, "api");
  g_assert_false(exists(fixture, "config/quadlet/web.container"));
  g_assert_true(exists(fixture, "config/ssh-wan-enabled"));
  g_assert_true(exists(fixture, "config/.operator-notes"));
  g_assert_false(exists(fixture, "config/.managed-users.json.Ab12Cd"));
  g_autofree char *vpn = read_text(fixture, "config/openvpn/client.conf");
  g_assert_cmpstr(vpn, ==, "remote vpn.example 1194\n");
  g_autofree char *target = g_file_read_link(link, &error);
  g_assert_cmpstr(target, ==, "client.conf");
  struct stat st;
  g_autofree char *vpn_path = path_in(fixture, "config/openvpn/client.conf");
  g_assert_cmpint(stat(vpn_path, &st), ==, 0);
  g_assert_cmpuint(st.st_mode & 07777, ==, 0600);

  /* Rolling back restores the owned files and keeps the unowned ones. */
  g_assert_true(atx_store_rollback(fixture->store, &error));
  g_assert_no_error(error);
  assert_active_app(fixture, "web");
  assert_only_config_left(fixture);
  g_assert_true(exists(fixture, "config/ssh-wan-enabled"));
  g_assert_true(exists(fixture, "config/openvpn/client.conf"));
}

static void
test_rollback_merges_managed_users(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_text(fixture, "config/managed-users.json", "[\"admin\"]\n", 0600);
  g_autoptr(GError) error = NULL;
  write_candidate(fixture, "api");
  g_assert_true(atx_store_promote(fixture->store, &error));
  /* apply-users of the failed change created "bob". */
  write_text(fixture, "config/managed-users.json", "[\"admin\", \"bob\"]\n", 0600);
  g_assert_true(atx_store_rollback(fixture->store, &error));
  g_autofree char *managed = read_text(fixture, "config/managed-users.json");
  g_assert_cmpstr(managed, ==, "[\n  \"admin\",\n  \"bob\"\n]\n");
}

static void
move(const Fixture *fixture, const char *from, const char *to, gboolean exchange)
{
  g_autofree char *a = path_in(fixture, from);
  g_autofree char *b = path_in(fixture, to);
  g_autoptr(GError) error = NULL;
  g_assert_true(exchange ? atx_fs_exchange(a, b, &error) : atx_fs_rename(a, b, &error));
  g_assert_no_error(error);
}

static void
test_recover_clean(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_CLEAN);
  assert_active_app(fixture, "web");
  assert_only_config_left(fixture);
}

static void
test_recover_unmarked_candidate(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_candidate(fixture, "api");
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_REMOVED_CANDIDATE);
  assert_active_app(fixture, "web");
  assert_only_config_left(fixture);
}

/* Each stage of a re-apply promotion, stopped there, recovers to the old tree. */
static void
test_recover_marked_before_exchange(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_candidate(fixture, "api");
  g_assert_true(atx_store_promote(fixture->store, NULL));
  move(fixture, "config-rollback", "config", TRUE); /* config=old, rollback=new */
  move(fixture, "config-rollback", "config-candidate", FALSE);
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_RESTORED_PREVIOUS);
  assert_active_app(fixture, "web");
  assert_only_config_left(fixture);
}

static void
test_recover_exchanged_not_parked(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_candidate(fixture, "api");
  g_assert_true(atx_store_promote(fixture->store, NULL));
  move(fixture, "config-rollback", "config-candidate", FALSE); /* old waits at the candidate path */
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_RESTORED_PREVIOUS);
  assert_active_app(fixture, "web");
  assert_only_config_left(fixture);
}

static void
test_recover_during_activation(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_candidate(fixture, "api");
  g_assert_true(atx_store_promote(fixture->store, NULL));
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_RESTORED_PREVIOUS);
  assert_active_app(fixture, "web");
  assert_only_config_left(fixture);
}

static void
test_recover_interrupted_rollback(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_candidate(fixture, "api");
  g_assert_true(atx_store_promote(fixture->store, NULL));
  move(fixture, "config-rollback", "config", TRUE); /* swapped back, marker still there */
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_RESTORED_PREVIOUS);
  assert_active_app(fixture, "web");
  assert_only_config_left(fixture);
}

static void
test_recover_interrupted_commit(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_candidate(fixture, "api");
  g_assert_true(atx_store_promote(fixture->store, NULL));
  /* Commit removed the marker, then began deleting the old tree. */
  g_autofree char *marker = path_in(fixture, "config.atomix-promotion");
  g_assert_cmpint(unlink(marker), ==, 0);
  g_autofree char *generation = path_in(fixture, "config-rollback/.atomix-generation");
  g_assert_cmpint(unlink(generation), ==, 0);
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_FINISHED_COMMIT);
  assert_active_app(fixture, "api");
  assert_only_config_left(fixture);
}

static void
test_recover_interrupted_initial(Fixture *fixture, gconstpointer data)
{
  write_text(fixture, "config/ssh-wan-enabled", "", 0644);
  write_candidate(fixture, "web");
  g_assert_true(atx_store_promote(fixture->store, NULL));
  g_assert_cmpint(recover(fixture), ==, ATX_RECOVERY_RESTORED_PREVIOUS);
  assert_only_config_left(fixture);
  g_assert_false(exists(fixture, "config/config.toml"));
  g_assert_true(exists(fixture, "config/ssh-wan-enabled"));
  g_assert_false(atx_store_is_provisioned(fixture->store));
}

static void
test_recover_damaged_marker(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_text(fixture, "config.atomix-promotion", "pending\n", 0600);
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_store_recover(fixture->store, NULL, &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  assert_active_app(fixture, "web");
}

static void
test_lock_is_exclusive(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_store_lock(fixture->store, "job-1234", &error));
  g_autoptr(AtxStore) other = atx_store_open(fixture->root, &error);
  g_assert_false(atx_store_lock(other, "job-5678", &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_BUSY);
  g_assert_nonnull(strstr(error->message, "job-1234"));
  g_clear_error(&error);
  atx_store_unlock(fixture->store);
  g_assert_true(atx_store_lock(other, "job-5678", &error));
  g_assert_no_error(error);
}

/* A second lock through the same store object (a caller that forgot it holds
 * the lock) is a busy error naming the holder, not a FALSE without an error. */
static void
test_lock_twice_is_busy(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_store_lock(fixture->store, "job-1234", &error));
  g_assert_false(atx_store_lock(fixture->store, "job-5678", &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_BUSY);
  g_assert_nonnull(strstr(error->message, "job-1234"));
  atx_store_unlock(fixture->store);
}

static void
test_read_tree_only_owned(Fixture *fixture, gconstpointer data)
{
  provision(fixture, "web");
  write_text(fixture, "config/ssh-wan-enabled", "", 0644);
  write_text(fixture, "config/files/site/index.html", "<p>hi</p>", 0600);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = path_in(fixture, "config");
  g_autoptr(GHashTable) tree = atx_store_read_tree(config, &error);
  g_assert_no_error(error);
  g_assert_true(g_hash_table_contains(tree, "config.toml"));
  g_assert_true(g_hash_table_contains(tree, "quadlet/web.container"));
  g_assert_true(g_hash_table_contains(tree, "files/site/index.html"));
  g_assert_false(g_hash_table_contains(tree, "ssh-wan-enabled"));
  g_assert_false(g_hash_table_contains(tree, ".atomix-generation"));
}

/* The generation file removed first is named with its directory in errors. */
static void
test_remove_error_names_full_path(Fixture *fixture, gconstpointer data)
{
  g_autofree char *tree = path_in(fixture, "tree");
  g_autofree char *first = g_build_filename(tree, ".atomix-generation", NULL);
  g_assert_cmpint(g_mkdir_with_parents(first, 0700), ==, 0); /* a directory: unlink fails */
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_fs_remove_tree(tree, ".atomix-generation", &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_IO);
  g_assert_nonnull(strstr(error->message, first));
}

/* A bundle made by the tar command, as operators make them: @config as
 * config.toml, files/web/index.html and files/web/big.bin (300 KiB). */
static char *
make_bundle_file(const Fixture *fixture, const char *name, const char *config)
{
  write_text(fixture, "src/config.toml", config, 0644);
  write_text(fixture, "src/files/web/index.html", "<p>hi</p>", 0644);
  g_autofree char *big = g_strnfill(300 * 1024, 'b');
  write_text(fixture, "src/files/web/big.bin", big, 0644);
  g_autofree char *src = path_in(fixture, "src");
  char *out = path_in(fixture, name);
  const char *argv[] = { "tar", "--create", "--gzip", "--file", out, "-C", src, "config.toml", "files", NULL };
  gint status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(
      g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  return out;
}

static char *
generation_after_bundle(Fixture *fixture, const char *bundle_path, gboolean stream)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxSubmission) submission = NULL;
  if (stream) {
    submission = atx_submission_load_file(bundle_path, "b.tar.gz", NULL);
    g_assert_null(submission->bundle->files);
  } else {
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(bundle_path, &data, &len, NULL));
    g_autoptr(GBytes) bytes = g_bytes_new(data, len);
    submission = atx_submission_load(bytes, "b.tar.gz", NULL);
  }
  g_assert_true(atx_submission_is_valid(submission));
  g_assert_true(atx_store_candidate_begin(fixture->store, &error));
  gboolean ok =
      stream ? atx_store_candidate_stream_bundle(fixture->store, bundle_path, submission->bundle, "b.tar.gz", NULL,
                                                 g_get_user_name(), &error)
             : atx_store_candidate_write_bundle(fixture->store, submission->bundle, g_get_user_name(), &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  g_assert_true(atx_store_candidate_finish(fixture->store, &error));
  return read_text(fixture, "config-candidate/.atomix-generation");
}

/* files/ streamed from the upload lands exactly like files/ from memory:
 * same content, modes and generation. */
static void
test_stream_bundle_matches_memory(Fixture *fixture, gconstpointer data)
{
  const char *apps[] = { "web", NULL };
  g_autofree char *config = atx_test_config(apps, NULL);
  g_autofree char *bundle = make_bundle_file(fixture, "b.tar.gz", config);
  g_autofree char *from_memory = generation_after_bundle(fixture, bundle, FALSE);
  g_autofree char *streamed = generation_after_bundle(fixture, bundle, TRUE);
  g_assert_cmpstr(streamed, ==, from_memory);
  g_autofree char *index = read_text(fixture, "config-candidate/files/web/index.html");
  g_assert_cmpstr(index, ==, "<p>hi</p>");
  g_autofree char *big = read_text(fixture, "config-candidate/files/web/big.bin");
  g_assert_cmpuint(strlen(big), ==, 300 * 1024);
  struct stat st;
  g_autofree char *dir = path_in(fixture, "config-candidate/files/web");
  g_autofree char *file = path_in(fixture, "config-candidate/files/web/big.bin");
  g_assert_cmpint(stat(dir, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 07777, ==, 0700);
  g_assert_cmpint(stat(file, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 07777, ==, 0600);
}

/* The upload is read twice; if it changed in between, what was validated is
 * not what would be applied: refused. */
static void
test_stream_bundle_refuses_a_changed_upload(Fixture *fixture, gconstpointer data)
{
  const char *apps[] = { "web", NULL };
  g_autofree char *config = atx_test_config(apps, NULL);
  g_autofree char *bundle = make_bundle_file(fixture, "b.tar.gz", config);
  g_autoptr(AtxSubmission) submission = atx_submission_load_file(bundle, "b.tar.gz", NULL);
  g_assert_true(atx_submission_is_valid(submission));
  g_autofree char *changed = g_strconcat(config, "# edited\n", NULL);
  g_autofree char *again = make_bundle_file(fixture, "b.tar.gz", changed);
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_store_candidate_begin(fixture->store, &error));
  g_assert_false(atx_store_candidate_stream_bundle(fixture->store, bundle, submission->bundle, "b.tar.gz", NULL,
                                                   g_get_user_name(), &error));
  g_autofree char *expected =
      g_strdup_printf("%s changed after it was validated: its config.toml is not the one checked", bundle);
  g_assert_cmpstr(error->message, ==, expected);
}

#define ADD(name, func) g_test_add(name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/store/open-refuses-unsafe-roots", test_open_refuses_unsafe_roots);
  ADD("/store/open-creates-config", test_open_creates_config);
  ADD("/store/initial-promotion-and-commit", test_initial_promotion_and_commit);
  ADD("/store/rendered-modes", test_rendered_modes);
  ADD("/store/reapply-keeps-unowned-files", test_reapply_keeps_unowned_files);
  ADD("/store/rollback-merges-managed-users", test_rollback_merges_managed_users);
  ADD("/store/recover/clean", test_recover_clean);
  ADD("/store/recover/unmarked-candidate", test_recover_unmarked_candidate);
  ADD("/store/recover/marked-before-exchange", test_recover_marked_before_exchange);
  ADD("/store/recover/exchanged-not-parked", test_recover_exchanged_not_parked);
  ADD("/store/recover/during-activation", test_recover_during_activation);
  ADD("/store/recover/interrupted-rollback", test_recover_interrupted_rollback);
  ADD("/store/recover/interrupted-commit", test_recover_interrupted_commit);
  ADD("/store/recover/interrupted-initial", test_recover_interrupted_initial);
  ADD("/store/recover/damaged-marker", test_recover_damaged_marker);
  ADD("/store/lock-is-exclusive", test_lock_is_exclusive);
  ADD("/store/lock-twice-is-busy", test_lock_twice_is_busy);
  ADD("/store/read-tree-only-owned", test_read_tree_only_owned);
  ADD("/store/remove-error-names-full-path", test_remove_error_names_full_path);
  ADD("/store/stream-bundle-matches-memory", test_stream_bundle_matches_memory);
  ADD("/store/stream-bundle-refuses-changed-upload", test_stream_bundle_refuses_a_changed_upload);
  return g_test_run();
}
