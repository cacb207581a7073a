/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-replay.c
 *
 * Runs a fuzz target over every file of its seed corpus, without libFuzzer,
 * and reports in TAP. A crash or a sanitizer report fails the test.
 */

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_run = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      if (dir == NULL)
        {
          g_ptr_array_add (files, g_strdup (argv[i]));
          continue;
        }

      while ((name = g_dir_read_name (dir)))
        g_ptr_array_add (files, g_build_filename (argv[i], name, NULL));
    }

  if (files->len == 0)
    {
      g_print ("1..0 # SKIP no corpus given\n");
      return 1;
    }

  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
  g_print ("1..%u\n", files->len);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          g_print ("not ok %u %s # %s\n", i + 1, path, error->message);
          continue;
        }

      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
      g_print ("ok %u %s\n", i + 1, path);
      n_run++;
    }

  return n_run == files->len ? 0 : 1;
}
