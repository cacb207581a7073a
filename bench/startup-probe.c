/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/startup-probe.c
 *
 * Benchmark, not a test: starts a GUI program on the X display in
 * $DISPLAY and times its first window. Before the fork it selects
 * SubstructureNotify on the root window, so the server tells it about
 * every top-level window mapped; the first MapNotify of a window that is
 * not override-redirect and whose _NET_WM_PID is the child's stops the
 * clock. The clock starts just before fork() and is CLOCK_MONOTONIC; the
 * probe waits in poll() on the X connection, so it reads the event as the
 * server sends it. With no window manager on the display (Xvfb alone),
 * nothing reparents or delays the map.
 *
 * SECONDS after the fork it reads the child's /proc status (VmRSS, its
 * anonymous and file-backed parts, threads), counts the shared objects it
 * has mapped, adds up its descendants, and lists the processes started on
 * the same session bus meanwhile (D-Bus activation: they carry the bus
 * address in their environment) that are not the child's descendants.
 * Then it optionally saves the window as a PPM image, sends SIGTERM
 * (SIGKILL after two seconds) and prints one line of key=value pairs:
 *
 *   map_ms=… title=… rss_kib=… anon_kib=… file_kib=… threads=… libs=…
 *   children=N children_rss_kib=… bus=name:kib,… bus_rss_kib=…
 *
 * Usage: startup-probe SECONDS [--screenshot FILE.ppm] PROGRAM [ARG…]
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

typedef struct {
  long rss_kib;
  long anon_kib;
  long file_kib;
  long threads;
  pid_t ppid;
} ProcStatus;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static gboolean
read_status (pid_t       pid,
             ProcStatus *status)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  memset (status, 0, sizeof *status);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "VmRSS:"))
        status->rss_kib = atol (lines[i] + 6);
      else if (g_str_has_prefix (lines[i], "RssAnon:"))
        status->anon_kib = atol (lines[i] + 8);
      else if (g_str_has_prefix (lines[i], "RssFile:"))
        status->file_kib = atol (lines[i] + 8);
      else if (g_str_has_prefix (lines[i], "Threads:"))
        status->threads = atol (lines[i] + 8);
      else if (g_str_has_prefix (lines[i], "PPid:"))
        status->ppid = (pid_t) atol (lines[i] + 5);
    }
  return TRUE;
}

static char *
read_comm (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", (int) pid);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("?");
  return g_strstrip (text);
}

/* Distinct shared objects (paths containing ".so") in the maps. */
static guint
count_libraries (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", (int) pid);
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *file = strchr (lines[i], '/');

      if (file != NULL && strstr (file, ".so") != NULL)
        g_hash_table_add (seen, file);
    }
  return g_hash_table_size (seen);
}

static gboolean
descends_from (pid_t pid,
               pid_t ancestor)
{
  for (guint depth = 0; pid > 1 && depth < 64; depth++)
    {
      ProcStatus status;

      if (pid == ancestor)
        return TRUE;
      if (!read_status (pid, &status))
        return FALSE;
      pid = status.ppid;
    }
  return FALSE;
}

static gboolean
has_environment (pid_t       pid,
                 const char *entry)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/environ", (int) pid);
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, NULL))
    return FALSE;
  for (gsize at = 0; at < length; at += strlen (text + at) + 1)
    {
      if (g_str_equal (text + at, entry))
        return TRUE;
    }
  return FALSE;
}

/* The child's descendants, and the other processes on the same session
 * bus: appends "name:kib" to BUS and adds up both sums. */
static void
survey (pid_t    child,
        guint   *children,
        long    *children_kib,
        GString *bus,
        long    *bus_kib)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *entry = address ? g_strconcat ("DBUS_SESSION_BUS_ADDRESS=", address, NULL)
                                   : NULL;
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  *children = 0;
  *children_kib = 0;
  *bus_kib = 0;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      char *end;
      pid_t pid = (pid_t) strtol (name, &end, 10);
      ProcStatus status;

      if (*end != '\0' || pid == child || pid == getpid () || !read_status (pid, &status))
        continue;
      if (descends_from (pid, child))
        {
          (*children)++;
          *children_kib += status.rss_kib;
        }
      else if (entry != NULL && has_environment (pid, entry))
        {
          g_autofree char *comm = read_comm (pid);

          g_string_append_printf (bus, "%s%s:%ld", bus->len ? "," : "", comm, status.rss_kib);
          *bus_kib += status.rss_kib;
        }
    }
  if (bus->len == 0)
    g_string_append (bus, "-");
}

static char *
window_title (Display *display,
              Window   window)
{
  Atom utf8 = XInternAtom (display, "UTF8_STRING", False);
  Atom net_wm_name = XInternAtom (display, "_NET_WM_NAME", False);
  Atom type;
  int format;
  unsigned long n, after;
  unsigned char *data = NULL;
  char *title;

  if (XGetWindowProperty (display, window, net_wm_name, 0, 256, False, utf8, &type, &format, &n,
                          &after, &data) != Success || data == NULL)
    return g_strdup ("?");
  title = g_strndup ((const char *) data, n);
  XFree (data);
  g_strdelimit (title, " \t\n=", '_');
  return title;
}

static long
window_pid (Display *display,
            Window   window)
{
  Atom net_wm_pid = XInternAtom (display, "_NET_WM_PID", False);
  Atom type;
  int format;
  unsigned long n, after;
  unsigned char *data = NULL;
  long pid = -1;

  if (XGetWindowProperty (display, window, net_wm_pid, 0, 1, False, XA_CARDINAL, &type, &format,
                          &n, &after, &data) == Success && data != NULL && n == 1
      && format == 32)
    /* Xlib hands 32-bit properties out as longs, in memory it allocated
     * for them. */
    memcpy (&pid, data, sizeof pid);
  if (data != NULL)
    XFree (data);
  return pid;
}

/* A binary PPM of WINDOW, for a person to see which page was showing. */
static void
save_window (Display    *display,
             Window      window,
             const char *path)
{
  XWindowAttributes attributes;
  XImage *image;
  FILE *out;

  if (!XGetWindowAttributes (display, window, &attributes))
    return;
  image = XGetImage (display, window, 0, 0, attributes.width, attributes.height, AllPlanes,
                     ZPixmap);
  if (image == NULL)
    return;
  out = fopen (path, "wb");
  if (out != NULL)
    {
      fprintf (out, "P6\n%d %d\n255\n", image->width, image->height);
      for (int y = 0; y < image->height; y++)
        for (int x = 0; x < image->width; x++)
          {
            unsigned long pixel = XGetPixel (image, x, y);
            unsigned char rgb[3] = { (pixel >> 16) & 0xff, (pixel >> 8) & 0xff, pixel & 0xff };

            fwrite (rgb, 1, 3, out);
          }
      fclose (out);
    }
  XDestroyImage (image);
}

static void
stop_child (pid_t child)
{
  kill (child, SIGTERM);
  for (guint i = 0; i < 200; i++)
    {
      if (waitpid (child, NULL, WNOHANG) == child)
        return;
      g_usleep (10000);
    }
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
}

int
main (int   argc,
      char *argv[])
{
  Display *display;
  double seconds, started, deadline, mapped = -1;
  const char *screenshot = NULL;
  char **command;
  Window window = None;
  g_autofree char *title = NULL;
  g_autoptr(GString) bus = g_string_new (NULL);
  char map_ms[32] = "nan";
  ProcStatus status;
  guint children;
  long children_kib, bus_kib;
  pid_t child;

  if (argc < 3)
    {
      fprintf (stderr, "usage: startup-probe SECONDS [--screenshot FILE.ppm] PROGRAM [ARG…]\n");
      return 2;
    }
  seconds = g_ascii_strtod (argv[1], NULL);
  command = argv + 2;
  if (g_str_equal (command[0], "--screenshot") && command[1] != NULL && command[2] != NULL)
    {
      screenshot = command[1];
      command += 2;
    }

  display = XOpenDisplay (NULL);
  if (display == NULL)
    {
      fprintf (stderr, "startup-probe: cannot open the display %s\n", g_getenv ("DISPLAY"));
      return 1;
    }
  XSelectInput (display, DefaultRootWindow (display), SubstructureNotifyMask);
  XSync (display, False);

  started = now_ms ();
  child = fork ();
  if (child < 0)
    {
      perror ("startup-probe: fork");
      return 1;
    }
  if (child == 0)
    {
      close (ConnectionNumber (display));
      execvp (command[0], command);
      fprintf (stderr, "startup-probe: cannot run %s: %s\n", command[0], g_strerror (errno));
      _exit (127);
    }

  deadline = started + seconds * 1000.0;
  for (double now = started; now < deadline; now = now_ms ())
    {
      struct pollfd fd = { ConnectionNumber (display), POLLIN, 0 };

      if (XPending (display) == 0)
        {
          if (poll (&fd, 1, (int) (deadline - now) + 1) < 0 && errno != EINTR)
            break;
          if (XPending (display) == 0)
            continue;
        }
      while (XPending (display) > 0)
        {
          XEvent event;

          XNextEvent (display, &event);
          if (event.type == MapNotify && mapped < 0 && !event.xmap.override_redirect)
            {
              double at = now_ms ();

              if (window_pid (display, event.xmap.window) == child)
                {
                  mapped = at - started;
                  window = event.xmap.window;
                  title = window_title (display, window);
                }
            }
        }
      if (waitpid (child, NULL, WNOHANG) == child)
        {
          fprintf (stderr, "startup-probe: %s exited within %.0f s\n", command[0], seconds);
          return 1;
        }
    }

  read_status (child, &status);
  survey (child, &children, &children_kib, bus, &bus_kib);
  if (screenshot != NULL && window != None)
    save_window (display, window, screenshot);
  if (mapped >= 0)
    g_snprintf (map_ms, sizeof map_ms, "%.1f", mapped);
  printf ("map_ms=%s title=%s rss_kib=%ld anon_kib=%ld file_kib=%ld threads=%ld libs=%u "
          "children=%u children_rss_kib=%ld bus=%s bus_rss_kib=%ld\n",
          map_ms, title ? title : "-",
          status.rss_kib, status.anon_kib, status.file_kib, status.threads,
          count_libraries (child), children, children_kib, bus->str, bus_kib);
  fflush (stdout);
  stop_child (child);
  XCloseDisplay (display);
  return mapped < 0 ? 1 : 0;
}
