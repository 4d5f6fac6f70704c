/* Service manager backend that talks to systemd over sd-bus, loaded on the
 * first operation (sdbus_dl.h).
 *
 * Rootful units live in the system manager, rootless ones in the app user's
 * manager; each gets its own connection, opened on first use so that a device
 * without the app user (or without a running user manager) can still manage
 * its rootful units. Jobs are followed through the manager's JobRemoved
 * signal, so "restart" means "the restart job finished", exactly as systemctl
 * understands it. sd-bus connections belong to one thread: use an instance
 * from one thread at a time. */
#include "device/svcmgr/svcmgr.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "device/svcmgr/sdbus_dl.h"

#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_OBJECT_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER_INTERFACE "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT_INTERFACE "org.freedesktop.systemd1.Unit"
#define SYSTEMD_SERVICE_INTERFACE "org.freedesktop.systemd1.Service"
#define SYSTEMD_ERROR_NO_SUCH_UNIT "org.freedesktop.systemd1.NoSuchUnit"
#define DEFAULT_APP_USER "appsvc"
/* A reload re-reads every unit file; on a busy device that takes longer than
 * sd-bus's default 25 s method call timeout. */
#define DAEMON_RELOAD_TIMEOUT_USEC (120 * G_USEC_PER_SEC)

/* Messages and slots exist only once libsystemd is loaded; an error may be
 * cleared before (it is empty then). */
static void
message_unref(sd_bus_message *message)
{
  sym_sd_bus_message_unref(message);
}

static void
slot_unref(sd_bus_slot *slot)
{
  sym_sd_bus_slot_unref(slot);
}

static void
bus_error_clear(sd_bus_error *bus_error)
{
  if (sym_sd_bus_error_free)
    sym_sd_bus_error_free(bus_error);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_message, message_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_slot, slot_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sd_bus_error, bus_error_clear)

typedef struct {
  AtxSvcMgr parent;
  char *system_bus_address; /* NULL: the system bus */
  char *user_bus_address;   /* NULL: derived from app_user */
  char *app_user;
  gboolean system_is_user_manager;
  sd_bus *buses[2]; /* indexed by AtxRunMode; NULL until first use */
} AtxSvcMgrSystemd;

/* The properties status needs; strings are never NULL once read. */
typedef struct {
  char *load_state;
  char *active_state;
  char *sub_state;
  char *result;
  gint32 exec_main_code; /* CLD_EXITED, CLD_KILLED, ... or 0 */
  gint32 exec_main_status;
} UnitProperties;

static void
unit_properties_clear(UnitProperties *props)
{
  g_clear_pointer(&props->load_state, g_free);
  g_clear_pointer(&props->active_state, g_free);
  g_clear_pointer(&props->sub_state, g_free);
  g_clear_pointer(&props->result, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UnitProperties, unit_properties_clear)

/* Follows one job until the manager reports it removed. */
typedef struct {
  char *job_path; /* set once the manager has accepted the job */
  char *result;   /* JobRemoved's result, once it arrived */
} JobWatch;

static void
job_watch_clear(JobWatch *watch)
{
  g_clear_pointer(&watch->job_path, g_free);
  g_clear_pointer(&watch->result, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(JobWatch, job_watch_clear)

/* Names the manager in messages: "the system manager", "appsvc's user manager". */
static char *
manager_label(const AtxSvcMgrSystemd *self, AtxRunMode mode)
{
  if (mode == ATX_MODE_ROOTLESS)
    return g_strdup_printf("%s's user manager", self->app_user);
  return g_strdup(self->system_is_user_manager ? "the rootful (user-mode) manager" : "the system manager");
}

static const char *
bus_error_text(const sd_bus_error *bus_error, int r)
{
  if (bus_error && bus_error->message)
    return bus_error->message;
  return g_strerror(-r);
}

static gboolean
is_connection_errno(int r)
{
  return r == -ECONNRESET || r == -ENOTCONN || r == -ECONNREFUSED || r == -EPIPE ||
         r == -ESHUTDOWN || r == -ENOENT || r == -ENOMEDIUM;
}

/* Sorts a failed call into the interface's error codes; @what says what was
 * being attempted ("web.service: cannot restart"). */
static void
set_error_from_bus(GError **error, const sd_bus_error *bus_error, int r, const char *what)
{
  AtxSvcMgrErrorCode code = ATX_SVCMGR_ERROR_FAILED;

  if (sym_sd_bus_error_has_names_sentinel(bus_error, SYSTEMD_ERROR_NO_SUCH_UNIT, SD_BUS_ERROR_INVALID_ARGS,
                                          (const char *) NULL))
    code = ATX_SVCMGR_ERROR_NO_UNIT;
  else if (r == -ETIMEDOUT || sym_sd_bus_error_has_name(bus_error, SD_BUS_ERROR_NO_REPLY))
    code = ATX_SVCMGR_ERROR_TIMEOUT;
  else if (sym_sd_bus_error_has_names_sentinel(bus_error, SD_BUS_ERROR_SERVICE_UNKNOWN,
                                               SD_BUS_ERROR_NAME_HAS_NO_OWNER, SD_BUS_ERROR_DISCONNECTED,
                                               (const char *) NULL) ||
           is_connection_errno(r))
    code = ATX_SVCMGR_ERROR_CONNECT;
  g_set_error(error, ATX_SVCMGR_ERROR, code, "%s: %s", what, bus_error_text(bus_error, r));
}

/* --- connections --- */

static char *
user_bus_address_for(const char *user, GError **error)
{
  struct passwd pw, *found = NULL;
  long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
  gsize size = suggested > 0 ? (gsize)suggested : 16384;
  g_autofree char *buffer = g_malloc(size);

  int r = getpwnam_r(user, &pw, buffer, size, &found);
  if (r != 0 || !found) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT, "runtime user not found: %s", user);
    return NULL;
  }
  return g_strdup_printf("unix:path=/run/user/%u/bus", (unsigned)pw.pw_uid);
}

static int
open_bus_at(const char *address, sd_bus **out)
{
  sd_bus *bus = NULL;
  int r = sym_sd_bus_new(&bus);
  if (r >= 0)
    r = sym_sd_bus_set_address(bus, address);
  /* Both managers sit behind a message bus (not systemd's private socket),
   * so say Hello and get a unique name, which signal matching needs. */
  if (r >= 0)
    r = sym_sd_bus_set_bus_client(bus, 1);
  if (r >= 0)
    r = sym_sd_bus_start(bus);
  if (r < 0) {
    sym_sd_bus_unref(bus);
    return r;
  }
  *out = bus;
  return 0;
}

/* Without Subscribe the manager does not emit JobRemoved on a shared bus. */
static gboolean
subscribe(sd_bus *bus, const char *label, GError **error)
{
  g_auto(sd_bus_error) bus_error = SD_BUS_ERROR_NULL;
  g_autoptr(sd_bus_message) reply = NULL;

  int r = sym_sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH, SYSTEMD_MANAGER_INTERFACE,
                                 "Subscribe", &bus_error, &reply, "");
  if (r < 0) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT, "cannot subscribe to %s: %s", label,
                bus_error_text(&bus_error, r));
    return FALSE;
  }
  return TRUE;
}

static sd_bus *
open_manager_bus(AtxSvcMgrSystemd *self, AtxRunMode mode, GError **error)
{
  g_autofree char *address = NULL;
  g_autofree char *label = manager_label(self, mode);
  sd_bus *bus = NULL;
  int r;

  if (mode == ATX_MODE_ROOTFUL) {
    address = g_strdup(self->system_bus_address);
  } else {
    address = self->user_bus_address ? g_strdup(self->user_bus_address)
                                     : user_bus_address_for(self->app_user, error);
    if (!address)
      return NULL;
  }

  r = address ? open_bus_at(address, &bus) : sym_sd_bus_open_system(&bus);
  if (r < 0) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT, "cannot connect to %s at %s: %s", label,
                address ? address : "the system bus", g_strerror(-r));
    return NULL;
  }
  if (!subscribe(bus, label, error)) {
    sym_sd_bus_flush_close_unref(bus);
    return NULL;
  }
  return bus;
}

/* The connection for @mode, (re)opened when missing or closed under us
 * (e.g. the manager re-executed). */
static sd_bus *
manager_bus(AtxSvcMgrSystemd *self, AtxRunMode mode, GError **error)
{
  if (mode != ATX_MODE_ROOTFUL && mode != ATX_MODE_ROOTLESS) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT, "no manager for run mode %d", (int)mode);
    return NULL;
  }
  g_autoptr(GError) load_error = NULL;
  if (!atx_sdbus_load(&load_error)) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT, "%s", load_error->message);
    return NULL;
  }
  sd_bus **slot = &self->buses[mode];
  if (*slot && sym_sd_bus_is_open(*slot) > 0)
    return *slot;
  *slot = sym_sd_bus_flush_close_unref(*slot);
  *slot = open_manager_bus(self, mode, error);
  return *slot;
}

/* --- unit properties --- */

/* Asks the manager for the unit's object path; LoadUnit makes a unit that is
 * not loaded yet known (possibly as "not-found") instead of failing. */
static char *
unit_object_path(sd_bus *bus, const char *unit, GError **error)
{
  g_auto(sd_bus_error) bus_error = SD_BUS_ERROR_NULL;
  g_autoptr(sd_bus_message) reply = NULL;
  const char *path = NULL;

  int r = sym_sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH, SYSTEMD_MANAGER_INTERFACE, "GetUnit",
                                 &bus_error, &reply, "s", unit);
  if (r < 0 && sym_sd_bus_error_has_name(&bus_error, SYSTEMD_ERROR_NO_SUCH_UNIT)) {
    sym_sd_bus_error_free(&bus_error);
    r = sym_sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH, SYSTEMD_MANAGER_INTERFACE, "LoadUnit",
                               &bus_error, &reply, "s", unit);
  }
  if (r >= 0)
    r = sym_sd_bus_message_read(reply, "o", &path);
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("%s: cannot look up the unit", unit);
    set_error_from_bus(error, &bus_error, r, what);
    return NULL;
  }
  return g_strdup(path);
}

static gboolean
read_string_property(sd_bus *bus, const char *path, const char *interface, const char *name, char **out,
                     GError **error)
{
  g_auto(sd_bus_error) bus_error = SD_BUS_ERROR_NULL;
  char *value = NULL;

  int r = sym_sd_bus_get_property_string(bus, SYSTEMD_BUS_NAME, path, interface, name, &bus_error, &value);
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("cannot read %s", name);
    set_error_from_bus(error, &bus_error, r, what);
    return FALSE;
  }
  /* sd-bus allocates with malloc; hand GLib its own copy. */
  *out = g_strdup(value);
  free(value);
  return TRUE;
}

static gboolean
read_service_int_property(sd_bus *bus, const char *path, const char *name, gint32 *out, GError **error)
{
  g_auto(sd_bus_error) bus_error = SD_BUS_ERROR_NULL;
  int32_t value = 0;

  int r = sym_sd_bus_get_property_trivial(bus, SYSTEMD_BUS_NAME, path, SYSTEMD_SERVICE_INTERFACE, name, &bus_error,
                                          'i', &value);
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("cannot read %s", name);
    set_error_from_bus(error, &bus_error, r, what);
    return FALSE;
  }
  *out = value;
  return TRUE;
}

/* Only services have a Result and a main process; other units leave those
 * empty. */
static gboolean
read_unit_properties(sd_bus *bus, const char *unit, UnitProperties *props, GError **error)
{
  g_autofree char *path = unit_object_path(bus, unit, error);
  if (!path)
    return FALSE;
  if (!read_string_property(bus, path, SYSTEMD_UNIT_INTERFACE, "LoadState", &props->load_state, error) ||
      !read_string_property(bus, path, SYSTEMD_UNIT_INTERFACE, "ActiveState", &props->active_state, error) ||
      !read_string_property(bus, path, SYSTEMD_UNIT_INTERFACE, "SubState", &props->sub_state, error)) {
    g_prefix_error(error, "%s: ", unit);
    return FALSE;
  }

  gboolean is_loaded_service = g_str_has_suffix(unit, ".service") && g_str_equal(props->load_state, "loaded");
  if (!is_loaded_service) {
    props->result = g_strdup("");
    return TRUE;
  }
  if (!read_string_property(bus, path, SYSTEMD_SERVICE_INTERFACE, "Result", &props->result, error) ||
      !read_service_int_property(bus, path, "ExecMainCode", &props->exec_main_code, error) ||
      !read_service_int_property(bus, path, "ExecMainStatus", &props->exec_main_status, error)) {
    g_prefix_error(error, "%s: ", unit);
    return FALSE;
  }
  return TRUE;
}

/* --- describing a unit's state --- */

static gboolean
is_not_loaded(const UnitProperties *props)
{
  /* A unit whose file vanished while it ran is "not-found" but still active;
   * what it is doing matters more than its missing file then. */
  return !g_str_equal(props->load_state, "loaded") && g_str_equal(props->active_state, "inactive");
}

static AtxUnitState
unit_state_from(const UnitProperties *props)
{
  const char *active = props->active_state;

  if (is_not_loaded(props))
    return ATX_UNIT_UNKNOWN;
  if (g_str_has_prefix(props->sub_state, "auto-restart"))
    return ATX_UNIT_ACTIVATING;
  if (g_str_equal(active, "active") || g_str_equal(active, "reloading"))
    return ATX_UNIT_ACTIVE;
  /* Both are transitions that have not settled yet: callers polling for a
   * final state should keep waiting. */
  if (g_str_equal(active, "activating") || g_str_equal(active, "deactivating"))
    return ATX_UNIT_ACTIVATING;
  if (g_str_equal(active, "inactive"))
    return ATX_UNIT_INACTIVE;
  if (g_str_equal(active, "failed"))
    return ATX_UNIT_FAILED;
  return ATX_UNIT_UNKNOWN;
}

/* "exit-code, status 1", "signal, SIGKILL", "timeout": why a service failed. */
static char *
failure_reason(const UnitProperties *props)
{
  const char *result = props->result;

  if (!*result || g_str_equal(result, "success"))
    return g_strdup(props->sub_state);
  if (g_str_equal(result, "exit-code") && props->exec_main_code == CLD_EXITED)
    return g_strdup_printf("%s, status %d", result, props->exec_main_status);
  if ((g_str_equal(result, "signal") || g_str_equal(result, "core-dump")) &&
      (props->exec_main_code == CLD_KILLED || props->exec_main_code == CLD_DUMPED)) {
    const char *abbrev = sigabbrev_np(props->exec_main_status);
    if (abbrev)
      return g_strdup_printf("%s, SIG%s", result, abbrev);
    return g_strdup_printf("%s, signal %d", result, props->exec_main_status);
  }
  return g_strdup(result);
}

/* @separator joins the state and its explanation: " (" gives the status
 * detail "failed (exit-code, status 1)", ": " the form used inside error
 * messages "failed: exit-code, status 1". */
static char *
describe_unit_state(const UnitProperties *props, const char *separator)
{
  const char *head = props->active_state;
  g_autofree char *why = NULL;

  if (is_not_loaded(props)) {
    head = "not loaded";
    why = g_strdup(props->load_state);
  } else if (g_str_equal(props->active_state, "failed")) {
    why = failure_reason(props);
  } else {
    why = g_strdup(props->sub_state);
  }
  /* A target that is "active (active)" says no more than "active". */
  if (!*why || g_str_equal(why, head))
    return g_strdup(head);
  gboolean parenthesised = g_str_equal(separator, " (");
  return g_strdup_printf("%s%s%s%s", head, separator, why, parenthesised ? ")" : "");
}

static AtxUnitStatus *
unit_status_from(const UnitProperties *props)
{
  g_autofree char *detail = describe_unit_state(props, " (");
  return atx_unit_status_new(unit_state_from(props), props->active_state, props->sub_state, props->result,
                             detail);
}

static AtxUnitStatus *
unknown_status(const char *why)
{
  return atx_unit_status_new(ATX_UNIT_UNKNOWN, "unknown", "", "", why);
}

/* --- jobs --- */

static int
on_job_removed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
  JobWatch *watch = userdata;
  uint32_t id = 0;
  const char *job_path = NULL, *unit = NULL, *result = NULL;

  if (sym_sd_bus_message_read(message, "uoss", &id, &job_path, &unit, &result) < 0)
    return 0;
  /* Other clients' jobs finish on the same signal. */
  if (watch->job_path && g_str_equal(job_path, watch->job_path) && !watch->result)
    watch->result = g_strdup(result);
  return 0;
}

/* Time left until @deadline as an sd-bus timeout, or FALSE once it passed. */
static gboolean
time_left(gint64 deadline, uint64_t *out_usec)
{
  if (deadline == 0) {
    *out_usec = UINT64_MAX;
    return TRUE;
  }
  gint64 now = g_get_monotonic_time();
  if (now >= deadline)
    return FALSE;
  *out_usec = (uint64_t)(deadline - now);
  return TRUE;
}

static void
set_deadline_error(GError **error, const char *unit, const char *verb)
{
  g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_TIMEOUT, "%s: %s did not finish within the deadline",
              unit, verb);
}

/* Asks the manager to queue the job; on success @watch knows its path. */
static gboolean
queue_job(sd_bus *bus, const char *method, const char *unit, const char *verb, gint64 deadline,
          JobWatch *watch, GError **error)
{
  g_auto(sd_bus_error) bus_error = SD_BUS_ERROR_NULL;
  g_autoptr(sd_bus_message) call = NULL;
  g_autoptr(sd_bus_message) reply = NULL;
  const char *job_path = NULL;
  uint64_t left = 0;

  if (!time_left(deadline, &left)) {
    set_deadline_error(error, unit, verb);
    return FALSE;
  }
  int r = sym_sd_bus_message_new_method_call(bus, &call, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH,
                                             SYSTEMD_MANAGER_INTERFACE, method);
  if (r >= 0)
    r = sym_sd_bus_message_append(call, "ss", unit, "replace");
  /* 0 is sd-bus's default timeout. */
  if (r >= 0)
    r = sym_sd_bus_call(bus, call, left == UINT64_MAX ? 0 : left, &bus_error, &reply);
  if (r >= 0)
    r = sym_sd_bus_message_read(reply, "o", &job_path);
  if (r == -ETIMEDOUT && deadline != 0) {
    set_deadline_error(error, unit, verb);
    return FALSE;
  }
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("%s: cannot %s", unit, verb);
    set_error_from_bus(error, &bus_error, r, what);
    return FALSE;
  }
  watch->job_path = g_strdup(job_path);
  return TRUE;
}

static gboolean
wait_for_job(sd_bus *bus, JobWatch *watch, const char *unit, const char *verb, gint64 deadline, GError **error)
{
  for (;;) {
    uint64_t left = 0;
    int r = sym_sd_bus_process(bus, NULL);
    if (r >= 0 && watch->result)
      return TRUE;
    /* A busy bus must not keep us past the deadline, so check it on every
     * round, not only before sleeping. */
    if (r >= 0 && !time_left(deadline, &left)) {
      set_deadline_error(error, unit, verb);
      return FALSE;
    }
    if (r == 0)
      r = sym_sd_bus_wait(bus, left);
    if (r < 0 && r != -EINTR) {
      g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT,
                  "%s: lost the manager while waiting for the %s job: %s", unit, verb, g_strerror(-r));
      return FALSE;
    }
  }
}

static void
set_job_failed_error(sd_bus *bus, const char *unit, const char *job_result, GError **error)
{
  g_auto(UnitProperties) props = { 0 };
  g_autoptr(GError) status_error = NULL;

  if (!read_unit_properties(bus, unit, &props, &status_error)) {
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_FAILED, "%s: job %s (state unknown: %s)", unit,
                job_result, status_error->message);
    return;
  }
  g_autofree char *state = describe_unit_state(&props, ": ");
  AtxSvcMgrErrorCode code =
    g_str_equal(props.load_state, "not-found") ? ATX_SVCMGR_ERROR_NO_UNIT : ATX_SVCMGR_ERROR_FAILED;
  g_set_error(error, ATX_SVCMGR_ERROR, code, "%s: job %s (%s)", unit, job_result, state);
}

/* Queues @method for @unit and waits for its JobRemoved. The match goes in
 * before the job is queued: a job can finish before its reply is read. */
static gboolean
run_job(AtxSvcMgr *mgr, AtxRunMode mode, const char *method, const char *verb, const char *unit,
        gint64 deadline, GError **error)
{
  AtxSvcMgrSystemd *self = (AtxSvcMgrSystemd *)mgr;
  g_auto(JobWatch) watch = { 0 };
  g_autoptr(sd_bus_slot) match = NULL;

  g_return_val_if_fail(unit != NULL, FALSE);
  sd_bus *bus = manager_bus(self, mode, error);
  if (!bus)
    return FALSE;
  int r = sym_sd_bus_match_signal(bus, &match, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH, SYSTEMD_MANAGER_INTERFACE,
                                  "JobRemoved", on_job_removed, &watch);
  if (r < 0) {
    g_autofree char *label = manager_label(self, mode);
    g_set_error(error, ATX_SVCMGR_ERROR, ATX_SVCMGR_ERROR_CONNECT, "%s: cannot watch the jobs of %s: %s", unit,
                label, g_strerror(-r));
    return FALSE;
  }
  if (!queue_job(bus, method, unit, verb, deadline, &watch, error) ||
      !wait_for_job(bus, &watch, unit, verb, deadline, error))
    return FALSE;
  if (g_str_equal(watch.result, "done"))
    return TRUE;
  set_job_failed_error(bus, unit, watch.result, error);
  return FALSE;
}

/* --- the interface --- */

static gboolean
systemd_daemon_reload(AtxSvcMgr *mgr, AtxRunMode mode, GError **error)
{
  AtxSvcMgrSystemd *self = (AtxSvcMgrSystemd *)mgr;
  g_auto(sd_bus_error) bus_error = SD_BUS_ERROR_NULL;
  g_autoptr(sd_bus_message) call = NULL;
  g_autoptr(sd_bus_message) reply = NULL;

  sd_bus *bus = manager_bus(self, mode, error);
  if (!bus)
    return FALSE;
  /* The manager answers Reload only once the reload is complete. */
  int r = sym_sd_bus_message_new_method_call(bus, &call, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH,
                                             SYSTEMD_MANAGER_INTERFACE, "Reload");
  if (r >= 0)
    r = sym_sd_bus_call(bus, call, DAEMON_RELOAD_TIMEOUT_USEC, &bus_error, &reply);
  if (r < 0) {
    g_autofree char *label = manager_label(self, mode);
    g_autofree char *what = g_strdup_printf("daemon-reload of %s", label);
    set_error_from_bus(error, &bus_error, r, what);
    return FALSE;
  }
  return TRUE;
}

static gboolean
systemd_restart(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode, gint64 deadline, GError **error)
{
  return run_job(mgr, mode, "RestartUnit", "restart", unit, deadline, error);
}

static gboolean
systemd_stop(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode, gint64 deadline, GError **error)
{
  return run_job(mgr, mode, "StopUnit", "stop", unit, deadline, error);
}

static AtxUnitStatus *
systemd_status(AtxSvcMgr *mgr, const char *unit, AtxRunMode mode)
{
  AtxSvcMgrSystemd *self = (AtxSvcMgrSystemd *)mgr;
  g_auto(UnitProperties) props = { 0 };
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail(unit != NULL, unknown_status("no unit name given"));
  sd_bus *bus = manager_bus(self, mode, &error);
  if (!bus || !read_unit_properties(bus, unit, &props, &error))
    return unknown_status(error->message);
  return unit_status_from(&props);
}

static void
systemd_free(AtxSvcMgr *mgr)
{
  AtxSvcMgrSystemd *self = (AtxSvcMgrSystemd *)mgr;

  for (guint i = 0; i < G_N_ELEMENTS(self->buses); i++)
    if (self->buses[i]) /* libsystemd is loaded only once a bus was opened */
      self->buses[i] = sym_sd_bus_flush_close_unref(self->buses[i]);
  g_free(self->system_bus_address);
  g_free(self->user_bus_address);
  g_free(self->app_user);
  g_free(self);
}

static const AtxSvcMgrClass systemd_class = {
  .name = "systemd",
  .daemon_reload = systemd_daemon_reload,
  .restart = systemd_restart,
  .stop = systemd_stop,
  .status = systemd_status,
  .free = systemd_free,
};

/* Connecting is deferred to the first operation per mode, so this does not
 * fail today; @error is there for option checks the interface may grow. */
AtxSvcMgr *
atx_svcmgr_systemd_new(const AtxSvcMgrSystemdOptions *options, GError **error)
{
  static const AtxSvcMgrSystemdOptions defaults = { 0 };
  AtxSvcMgrSystemd *self = g_new0(AtxSvcMgrSystemd, 1);

  if (!options)
    options = &defaults;
  self->parent.klass = &systemd_class;
  self->system_bus_address = g_strdup(options->system_bus_address);
  self->user_bus_address = g_strdup(options->user_bus_address);
  self->app_user = g_strdup(options->app_user ? options->app_user : DEFAULT_APP_USER);
  self->system_is_user_manager = options->system_is_user_manager;
  return &self->parent;
}
