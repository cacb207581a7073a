/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-ui.c */

#include "config.h"

#include "dt-test-ui.h"

/**
 * dt_test_find_by_id:
 * @widget: where to look
 * @id: the id a template or builder file gives the widget
 *
 * Returns: (transfer none) (nullable): the first descendant of @widget,
 *   depth first, whose buildable id is @id
 */
GtkWidget *
dt_test_find_by_id (GtkWidget  *widget,
                    const char *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUILDABLE (child)
          && g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (child)), id) == 0)
        return child;
      found = dt_test_find_by_id (child, id);
      if (found)
        return found;
    }

  return NULL;
}
