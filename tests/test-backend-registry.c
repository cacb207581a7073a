/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-backend-registry.c */

#include "config.h"

#include "dt-backend-registry.h"
#include "dt-call-private.h"

/* A backend of any protocol and schemes, whose calls go nowhere. */
#define DT_TYPE_FAKE_BACKEND (dt_fake_backend_get_type ())
G_DECLARE_FINAL_TYPE (DtFakeBackend, dt_fake_backend, DT, FAKE_BACKEND, GObject)

struct _DtFakeBackend
{
  GObject  parent_instance;

  char    *protocol;
  GStrv    schemes;
};

static void dt_fake_backend_iface_init (DtBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DtFakeBackend, dt_fake_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DT_TYPE_BACKEND, dt_fake_backend_iface_init))

static const char *
fake_get_protocol (DtBackend *backend)
{
  return DT_FAKE_BACKEND (backend)->protocol;
}

static const char * const *
fake_get_uri_schemes (DtBackend *backend)
{
  return (const char * const *) DT_FAKE_BACKEND (backend)->schemes;
}

static void
fake_connect_async (DtBackend           *backend,
                    DtAccount           *account,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (backend, cancellable, callback, user_data);

  dt_account_set_state (account, DT_ACCOUNT_STATE_ONLINE, NULL);
  g_task_return_boolean (task, TRUE);
}

static gboolean
fake_finish_boolean (DtBackend     *backend,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fake_dial_async (DtBackend           *backend,
                 DtAccount           *account,
                 const char          *uri,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (backend, cancellable, callback, user_data);
  DtCall *call = g_object_new (DT_TYPE_CALL,
                               "protocol", DT_FAKE_BACKEND (backend)->protocol,
                               "account-id", dt_account_get_id (account),
                               "peer-uri", uri,
                               NULL);

  g_task_return_pointer (task, call, g_object_unref);
}

static DtCall *
fake_dial_finish (DtBackend     *backend,
                  GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
dt_fake_backend_iface_init (DtBackendInterface *iface)
{
  iface->get_protocol = fake_get_protocol;
  iface->get_uri_schemes = fake_get_uri_schemes;
  iface->connect_async = fake_connect_async;
  iface->connect_finish = fake_finish_boolean;
  iface->disconnect_async = fake_connect_async;
  iface->disconnect_finish = fake_finish_boolean;
  iface->dial_async = fake_dial_async;
  iface->dial_finish = fake_dial_finish;
}

static void
dt_fake_backend_finalize (GObject *object)
{
  DtFakeBackend *self = DT_FAKE_BACKEND (object);

  g_free (self->protocol);
  g_strfreev (self->schemes);

  G_OBJECT_CLASS (dt_fake_backend_parent_class)->finalize (object);
}

static void
dt_fake_backend_class_init (DtFakeBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dt_fake_backend_finalize;
}

static void
dt_fake_backend_init (DtFakeBackend *self)
{
}

static DtBackend *
fake_backend_new (const char *protocol,
                  ...)
{
  DtFakeBackend *self = g_object_new (DT_TYPE_FAKE_BACKEND, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *scheme;
  va_list args;

  va_start (args, protocol);
  while ((scheme = va_arg (args, const char *)))
    g_strv_builder_add (builder, scheme);
  va_end (args);

  self->protocol = g_strdup (protocol);
  self->schemes = g_strv_builder_end (builder);
  return DT_BACKEND (self);
}

static void
test_registry_lookup (void)
{
  g_autoptr(DtBackendRegistry) registry = dt_backend_registry_new ();
  g_autoptr(DtBackend) sip = fake_backend_new ("sip", "sip", "SIPS", NULL);
  g_autoptr(DtBackend) matrix = fake_backend_new ("matrix", "matrix", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_backend_registry_add (registry, sip, &error));
  g_assert_no_error (error);
  g_assert_true (dt_backend_registry_add (registry, matrix, &error));
  g_assert_no_error (error);

  g_assert_true (dt_backend_registry_lookup_protocol (registry, "sip", NULL) == sip);
  g_assert_true (dt_backend_registry_lookup_protocol (registry, "matrix", NULL) == matrix);
  g_assert_true (dt_backend_registry_lookup_scheme (registry, "sips", NULL) == sip);
  g_assert_true (dt_backend_registry_lookup_scheme (registry, "SIP", NULL) == sip);
  g_assert_true (dt_backend_registry_lookup_uri (registry, "sip:alice@example.com", NULL) == sip);
  g_assert_true (dt_backend_registry_lookup_uri (registry, "  SIPS:bob@example.com", NULL) == sip);
  g_assert_true (dt_backend_registry_lookup_uri (registry, "matrix:u/alice:example.org", NULL)
                 == matrix);
  g_assert_true (dt_backend_handles_scheme (sip, "Sips"));
  g_assert_false (dt_backend_handles_scheme (sip, "tel"));

  g_assert_null (dt_backend_registry_lookup_protocol (registry, "verto", &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_PROTOCOL);
  g_clear_error (&error);

  g_assert_null (dt_backend_registry_lookup_uri (registry, "https://example.com", &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME);
  g_clear_error (&error);

  g_assert_null (dt_backend_registry_lookup_uri (registry, "alice@example.com", &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME);
  g_clear_error (&error);

  g_assert_null (dt_backend_registry_lookup_uri (registry, ":nothing", &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME);
  g_clear_error (&error);

  g_assert_cmpuint (g_list_model_get_n_items (dt_backend_registry_get_backends (registry)), ==, 2);

  /* The registry holds its own references and lets go of them. */
  g_assert_finalize_object (g_steal_pointer (&registry));
  g_assert_finalize_object (g_steal_pointer (&sip));
  g_assert_finalize_object (g_steal_pointer (&matrix));
}

static void
test_registry_refuses_duplicates (void)
{
  g_autoptr(DtBackendRegistry) registry = dt_backend_registry_new ();
  g_autoptr(DtBackend) sip = fake_backend_new ("sip", "sip", "sips", NULL);
  g_autoptr(DtBackend) sip_again = fake_backend_new ("sip", "sip", NULL);
  g_autoptr(DtBackend) thief = fake_backend_new ("other", "tel", "sips", NULL);
  g_autoptr(DtBackend) twice = fake_backend_new ("twice", "x-a", "X-A", NULL);
  g_autoptr(DtBackend) bad = fake_backend_new ("bad", "1bad", NULL);
  g_autoptr(DtBackend) nameless = fake_backend_new ("", "nameless", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_backend_registry_add (registry, sip, NULL));

  g_assert_false (dt_backend_registry_add (registry, sip_again, &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_DUPLICATE);
  g_clear_error (&error);

  /* A partial claim registers nothing, not even the free "tel". */
  g_assert_false (dt_backend_registry_add (registry, thief, &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_null (dt_backend_registry_lookup_scheme (registry, "tel", NULL));
  g_assert_null (dt_backend_registry_lookup_protocol (registry, "other", NULL));

  g_assert_false (dt_backend_registry_add (registry, twice, &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_DUPLICATE);
  g_clear_error (&error);

  g_assert_false (dt_backend_registry_add (registry, bad, &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME);
  g_clear_error (&error);

  g_assert_false (dt_backend_registry_add (registry, nameless, &error));
  g_assert_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_PROTOCOL);
  g_clear_error (&error);

  g_assert_cmpuint (g_list_model_get_n_items (dt_backend_registry_get_backends (registry)), ==, 1);
  g_assert_true (dt_backend_registry_lookup_scheme (registry, "sips", NULL) == sip);
}

static void
on_result (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
on_incoming (DtBackend  *backend,
             DtAccount  *account,
             DtCall     *call,
             DtCall    **out)
{
  *out = g_object_ref (call);
}

/* The interface's wrappers reach the implementation and back. */
static void
test_backend_interface (void)
{
  g_autoptr(DtBackend) backend = fake_backend_new ("sip", "sip", NULL);
  g_autoptr(DtAccount) account = dt_account_new (NULL, "sip");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(DtCall) call = NULL;
  g_autoptr(DtCall) incoming = NULL;
  g_autoptr(DtCall) seen = NULL;
  g_autoptr(GError) error = NULL;

  dt_backend_connect_async (backend, account, NULL, on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (dt_backend_connect_finish (backend, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_ONLINE);
  g_clear_object (&result);

  dt_backend_dial_async (backend, account, "sip:echo@127.0.0.1", NULL, on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  call = dt_backend_dial_finish (backend, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_call_get_peer_uri (call), ==, "sip:echo@127.0.0.1");
  g_assert_cmpstr (dt_call_get_account_id (call), ==, dt_account_get_id (account));
  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_DIALING);

  incoming = g_object_new (DT_TYPE_CALL, "direction", DT_CALL_DIRECTION_INCOMING, NULL);
  g_signal_connect (backend, "incoming-call", G_CALLBACK (on_incoming), &seen);
  dt_backend_emit_incoming_call (backend, account, incoming);
  g_assert_true (seen == incoming);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/backend-registry/lookup", test_registry_lookup);
  g_test_add_func ("/backend-registry/refuses-duplicates", test_registry_refuses_duplicates);
  g_test_add_func ("/backend/interface", test_backend_interface);

  return g_test_run ();
}
