/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-keyring.c
 *
 * A real Secret Service for tests: gnome-keyring-daemon on the test's own
 * session bus (meson runs such tests inside dbus-run-session).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <signal.h>
#include <unistd.h>

#include "dt-test-keyring.h"

static GPid keyring_pid;
static char *keyring_dir;

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("gnome-keyring-daemon did not appear on the session bus");
  return G_SOURCE_REMOVE;
}

/**
 * dt_test_keyring_start:
 * @daemon: the path of gnome-keyring-daemon
 *
 * Starts the daemon on the session bus with a new, unlocked login keyring
 * in a temporary folder, and waits until it serves org.freedesktop.secrets.
 */
void
dt_test_keyring_start (const char *daemon)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *data_dir = NULL;
  g_autofree char *runtime_dir = NULL;
  const char *argv[] = { daemon, "--foreground", "--unlock", "--components=secrets",
                         NULL };
  gboolean appeared = FALSE;
  guint watch_id;
  guint timeout_id;
  int stdin_fd;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_error ("No session bus: run this test through dbus-run-session (meson test does)");

  keyring_dir = g_dir_make_tmp ("dialtone-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (keyring_dir, "data", NULL);
  runtime_dir = g_build_filename (keyring_dir, "runtime", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", data_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  /* The daemon warns about its own internals (replacing an item logs
   * "already registered"); our fatal-warnings setting is for our code. */
  envp = g_environ_unsetenv (envp, "G_DEBUG");

  g_spawn_async_with_pipes (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD
                            | G_SPAWN_STDOUT_TO_DEV_NULL,
                            NULL, NULL, &keyring_pid, &stdin_fd, NULL, NULL, &error);
  g_assert_no_error (error);

  /* --unlock reads the login keyring's password from standard input; a new
   * keyring is created with it. */
  g_assert_cmpint (write (stdin_fd, "dialtone-test", 13), ==, 13);
  close (stdin_fd);

  watch_id = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.secrets",
                               G_BUS_NAME_WATCHER_FLAGS_NONE,
                               on_name_appeared, NULL, &appeared, NULL);
  timeout_id = g_timeout_add_seconds (30, on_timeout, NULL);
  while (!appeared)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);
  g_bus_unwatch_name (watch_id);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

/**
 * dt_test_keyring_stop:
 *
 * Stops the daemon and removes its folder.
 */
void
dt_test_keyring_stop (void)
{
  kill (keyring_pid, SIGTERM);
  g_spawn_close_pid (keyring_pid);
  remove_tree (keyring_dir);
  g_free (keyring_dir);
}
