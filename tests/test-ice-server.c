/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ice-server.c
 *
 * DtIceServer, and how a backend hands the STUN/TURN servers it learnt to
 * Diagnostics: none by default, its own list per account when it has one.
 */

#include "config.h"

#include "dt-backend.h"

/* A backend that learns nothing about ICE servers */
#define DT_TYPE_PLAIN_BACKEND (dt_plain_backend_get_type ())
G_DECLARE_FINAL_TYPE (DtPlainBackend, dt_plain_backend, DT, PLAIN_BACKEND, GObject)

struct _DtPlainBackend
{
  GObject parent_instance;
};

static const char *
plain_get_protocol (DtBackend *backend)
{
  return "plain";
}

static void
dt_plain_backend_iface_init (DtBackendInterface *iface)
{
  iface->get_protocol = plain_get_protocol;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (DtPlainBackend, dt_plain_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DT_TYPE_BACKEND, dt_plain_backend_iface_init))

static void
dt_plain_backend_class_init (DtPlainBackendClass *klass)
{
}

static void
dt_plain_backend_init (DtPlainBackend *self)
{
}

/* A backend that, like Matrix, learnt one server for one of its accounts */
#define DT_TYPE_LEARNING_BACKEND (dt_learning_backend_get_type ())
G_DECLARE_FINAL_TYPE (DtLearningBackend, dt_learning_backend, DT, LEARNING_BACKEND, GObject)

struct _DtLearningBackend
{
  GObject      parent_instance;

  DtIceServer *learnt;   /* for the account "known" */
};

static const char *
learning_get_protocol (DtBackend *backend)
{
  return "learning";
}

static GPtrArray *
learning_get_ice_servers (DtBackend *backend,
                          DtAccount *account)
{
  DtLearningBackend *self = DT_LEARNING_BACKEND (backend);
  GPtrArray *servers;

  if (g_strcmp0 (dt_account_get_id (account), "known") != 0)
    return NULL;

  servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (servers, g_object_ref (self->learnt));
  return servers;
}

static void
dt_learning_backend_iface_init (DtBackendInterface *iface)
{
  iface->get_protocol = learning_get_protocol;
  iface->get_ice_servers = learning_get_ice_servers;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (DtLearningBackend, dt_learning_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DT_TYPE_BACKEND,
                                                      dt_learning_backend_iface_init))

static void
dt_learning_backend_finalize (GObject *object)
{
  g_clear_object (&DT_LEARNING_BACKEND (object)->learnt);

  G_OBJECT_CLASS (dt_learning_backend_parent_class)->finalize (object);
}

static void
dt_learning_backend_class_init (DtLearningBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dt_learning_backend_finalize;
}

static void
dt_learning_backend_init (DtLearningBackend *self)
{
  const char *uris[] = { "turn:turn.example.org", "turns:turn.example.org:443", NULL };

  self->learnt = dt_ice_server_new (uris, "1700000000:@alice:example.org", "c2VjcmV0");
}

/* --- Tests -------------------------------------------------------------- */

static void
test_server (void)
{
  const char *uris[] = { "stun:stun.example.org", "turn:[2001:db8::1]?transport=tcp", NULL };
  g_autoptr(DtIceServer) server = dt_ice_server_new (uris, "alice", "secret");
  g_auto(GStrv) from_property = NULL;
  g_autofree char *username = NULL;
  g_autofree char *credential = NULL;
  const char * const *got;

  got = dt_ice_server_get_uris (server);
  g_assert_cmpuint (g_strv_length ((char **) got), ==, 2);
  g_assert_cmpstr (got[0], ==, "stun:stun.example.org");
  g_assert_cmpstr (got[1], ==, "turn:[2001:db8::1]?transport=tcp");
  /* a copy, not the caller's array */
  g_assert_true ((gconstpointer) got != (gconstpointer) uris);
  g_assert_cmpstr (dt_ice_server_get_username (server), ==, "alice");
  g_assert_cmpstr (dt_ice_server_get_credential (server), ==, "secret");

  g_object_get (server, "uris", &from_property, "username", &username,
                "credential", &credential, NULL);
  g_assert_true (g_strv_equal ((const char * const *) from_property, uris));
  g_assert_cmpstr (username, ==, "alice");
  g_assert_cmpstr (credential, ==, "secret");

  /* Immutable: every property is construct-only */
  {
    const char *names[] = { "uris", "username", "credential" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (server),
                                                          names[i]);

        g_assert_nonnull (pspec);
        g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
      }
  }

  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_server_stun_only (void)
{
  const char *uris[] = { "stun:stun.example.org", NULL };
  g_autoptr(DtIceServer) server = dt_ice_server_new (uris, NULL, NULL);
  g_autoptr(DtIceServer) empty = g_object_new (DT_TYPE_ICE_SERVER, NULL);

  g_assert_null (dt_ice_server_get_username (server));
  g_assert_null (dt_ice_server_get_credential (server));
  g_assert_nonnull (dt_ice_server_get_uris (empty));
  g_assert_null (dt_ice_server_get_uris (empty)[0]);
}

static void
test_backend_default (void)
{
  g_autoptr(DtBackend) backend = g_object_new (DT_TYPE_PLAIN_BACKEND, NULL);
  g_autoptr(DtAccount) account = dt_account_new ("a", "plain");
  g_autoptr(GPtrArray) servers = dt_backend_get_ice_servers (backend, account);

  g_assert_nonnull (servers);
  g_assert_cmpuint (servers->len, ==, 0);
}

static void
test_backend_learnt (void)
{
  g_autoptr(DtBackend) backend = g_object_new (DT_TYPE_LEARNING_BACKEND, NULL);
  g_autoptr(DtAccount) known = dt_account_new ("known", "learning");
  g_autoptr(DtAccount) other = dt_account_new ("other", "learning");
  g_autoptr(GPtrArray) servers = dt_backend_get_ice_servers (backend, known);
  g_autoptr(GPtrArray) none = dt_backend_get_ice_servers (backend, other);
  DtIceServer *server;

  g_assert_cmpuint (servers->len, ==, 1);
  server = g_ptr_array_index (servers, 0);
  g_assert_true (DT_IS_ICE_SERVER (server));
  g_assert_cmpstr (dt_ice_server_get_uris (server)[1], ==, "turns:turn.example.org:443");
  g_assert_cmpstr (dt_ice_server_get_username (server), ==, "1700000000:@alice:example.org");

  /* a backend may know nothing for some accounts: still an array */
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);

  /* the array owns its references */
  g_clear_pointer (&servers, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&backend));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ice-server/properties", test_server);
  g_test_add_func ("/ice-server/stun-only", test_server_stun_only);
  g_test_add_func ("/ice-server/backend/default", test_backend_default);
  g_test_add_func ("/ice-server/backend/learnt", test_backend_learnt);

  return g_test_run ();
}
