/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-resolver.c
 *
 * RFC 3263 server location against a resolver whose zone the test writes:
 * which records are asked for, in which order, and which addresses,
 * ports, transports and TLS names come out.
 */

#include "config.h"

#include <stdio.h>

#include "dt-sip-resolver.h"

/* --- a resolver with a zone in memory ---------------------------------- */

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver   parent_instance;
  GHashTable *hosts;     /* name -> GPtrArray of address strings */
  GHashTable *services;  /* _service._proto.domain -> GPtrArray of "prio weight port target" */
  GPtrArray  *asked;     /* every query, in order */
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static void
test_resolver_add_host (TestResolver *self,
                        const char   *name,
                        const char   *address)
{
  GPtrArray *list = g_hash_table_lookup (self->hosts, name);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->hosts, g_strdup (name), list);
    }
  g_ptr_array_add (list, g_strdup (address));
}

static void
test_resolver_add_srv (TestResolver *self,
                       const char   *rrname,
                       const char   *record)
{
  GPtrArray *list = g_hash_table_lookup (self->services, rrname);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->services, g_strdup (rrname), list);
    }
  g_ptr_array_add (list, g_strdup (record));
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const char          *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  TestResolver *self = TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GPtrArray *list = g_hash_table_lookup (self->hosts, hostname);
  GList *addresses = NULL;

  g_ptr_array_add (self->asked, g_strdup_printf ("A/AAAA %s", hostname));
  if (list == NULL)
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               "No address for “%s”", hostname);
      return;
    }
  for (guint i = 0; i < list->len; i++)
    addresses = g_list_append (addresses,
                               g_inet_address_new_from_string (g_ptr_array_index (list, i)));
  g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static GList *
lookup_by_name_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lookup_service_async (GResolver           *resolver,
                      const char          *rrname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  TestResolver *self = TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GPtrArray *list = g_hash_table_lookup (self->services, rrname);
  GList *targets = NULL;

  g_ptr_array_add (self->asked, g_strdup_printf ("SRV %s", rrname));
  if (list == NULL)
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               "No SRV record for “%s”", rrname);
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      guint priority, weight, port;
      char target[256];

      g_assert_cmpint (sscanf (g_ptr_array_index (list, i), "%u %u %u %255s",
                               &priority, &weight, &port, target), ==, 4);
      targets = g_list_append (targets, g_srv_target_new (target, port, priority, weight));
    }
  /* As GLib's own resolver does: hand them over in RFC 2782 order. */
  targets = g_srv_target_list_sort (targets);
  g_task_return_pointer (task, targets, (GDestroyNotify) g_resolver_free_targets);
}

static GList *
lookup_service_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_finalize (GObject *object)
{
  TestResolver *self = TEST_RESOLVER (object);

  g_hash_table_unref (self->hosts);
  g_hash_table_unref (self->services);
  g_ptr_array_unref (self->asked);

  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = test_resolver_finalize;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_by_name_finish;
  resolver_class->lookup_service_async = lookup_service_async;
  resolver_class->lookup_service_finish = lookup_service_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->asked = g_ptr_array_new_with_free_func (g_free);
}

/* --- helpers ------------------------------------------------------------ */

typedef struct
{
  TestResolver *resolver;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);

  test_resolver_add_host (f->resolver, "example.test", "192.0.2.10");
  test_resolver_add_host (f->resolver, "example.test", "2001:db8::10");
  test_resolver_add_host (f->resolver, "a.example.test", "192.0.2.1");
  test_resolver_add_host (f->resolver, "b.example.test", "192.0.2.2");
  test_resolver_add_host (f->resolver, "tls.example.test", "192.0.2.5");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->resolver);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Resolves and returns the peers as "KIND address:port [name]" strings. */
static GStrv
resolve (Fixture      *f,
         const char   *uri,
         DtTransport   transport,
         GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_ptr_array_set_size (f->resolver->asked, 0);
  dt_sip_resolve_async (G_RESOLVER (f->resolver), uri, transport, NULL, on_resolved, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  peers = dt_sip_resolve_finish (result, error);
  if (peers == NULL)
    return NULL;

  for (guint i = 0; i < peers->len; i++)
    {
      DtSipPeer *peer = g_ptr_array_index (peers, i);
      g_autofree char *where = dt_sip_peer_to_string (peer);
      const char *name = dt_sip_peer_get_server_name (peer);

      g_autofree char *line = g_strdup_printf ("%s%s%s", where, name ? " " : "",
                                               name ? name : "");

      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

static void
assert_asked (Fixture          *f,
              const char * const *expected)
{
  guint n = g_strv_length ((GStrv) expected);

  for (guint i = 0; i < MIN (n, f->resolver->asked->len); i++)
    g_assert_cmpstr (g_ptr_array_index (f->resolver->asked, i), ==, expected[i]);
  g_assert_cmpuint (f->resolver->asked->len, ==, n);
}

static void
assert_peers (GStrv               peers,
              const char * const *expected)
{
  g_assert_nonnull (peers);
  g_assert_cmpstrv (peers, expected);
}

/* --- tests -------------------------------------------------------------- */

/* RFC 3263 §4.1, §4.2: an IP address needs no lookup. */
static void
test_ip_literals (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(GStrv) v4 = resolve (f, "127.0.0.1", DT_TRANSPORT_AUTO, NULL);
  g_auto(GStrv) v6 = NULL;
  g_auto(GStrv) sips = NULL;
  g_auto(GStrv) chosen = NULL;

  assert_peers (v4, (const char *[]) { "UDP 127.0.0.1:5060", NULL });
  assert_asked (f, (const char *[]) { NULL });

  v6 = resolve (f, "sip:[::1]:5080;transport=tcp", DT_TRANSPORT_AUTO, NULL);
  assert_peers (v6, (const char *[]) { "TCP [::1]:5080", NULL });
  assert_asked (f, (const char *[]) { NULL });

  sips = resolve (f, "sips:192.0.2.7", DT_TRANSPORT_AUTO, NULL);
  assert_peers (sips, (const char *[]) { "TLS 192.0.2.7:5061 192.0.2.7", NULL });

  /* The account's choice wins over the URI's parameter. */
  chosen = resolve (f, "sip:192.0.2.7;transport=udp", DT_TRANSPORT_TCP, NULL);
  assert_peers (chosen, (const char *[]) { "TCP 192.0.2.7:5060", NULL });
}

/* §4.2: with a port, A/AAAA only, no SRV. */
static void
test_explicit_port (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(GStrv) peers = resolve (f, "example.test:5070", DT_TRANSPORT_AUTO, NULL);
  g_auto(GStrv) tls = NULL;

  assert_peers (peers, (const char *[]) {
    "UDP 192.0.2.10:5070", "UDP [2001:db8::10]:5070", NULL });
  assert_asked (f, (const char *[]) { "A/AAAA example.test", NULL });

  tls = resolve (f, "sip:example.test:5071", DT_TRANSPORT_TLS, NULL);
  assert_peers (tls, (const char *[]) {
    "TLS 192.0.2.10:5071 example.test", "TLS [2001:db8::10]:5071 example.test", NULL });
}

/* §4.1 without NAPTR: SRV for each transport in turn, the first that has
 * records wins, and its targets are tried by priority. */
static void
test_srv_each_transport (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(GStrv) peers = NULL;

  test_resolver_add_srv (f->resolver, "_sip._tcp.example.test", "20 0 5090 b.example.test");
  test_resolver_add_srv (f->resolver, "_sip._tcp.example.test", "10 0 5080 a.example.test");

  peers = resolve (f, "sip:example.test", DT_TRANSPORT_AUTO, NULL);
  assert_peers (peers, (const char *[]) { "TCP 192.0.2.1:5080", "TCP 192.0.2.2:5090", NULL });
  assert_asked (f, (const char *[]) {
    "SRV _sip._udp.example.test", "SRV _sip._tcp.example.test",
    "A/AAAA a.example.test", "A/AAAA b.example.test", NULL });
}

/* §4.4: a target that does not resolve is skipped. */
static void
test_srv_dead_target (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(GStrv) peers = NULL;

  test_resolver_add_srv (f->resolver, "_sip._udp.example.test", "10 0 5060 gone.example.test");
  test_resolver_add_srv (f->resolver, "_sip._udp.example.test", "20 0 5062 b.example.test");

  peers = resolve (f, "example.test", DT_TRANSPORT_UDP, NULL);
  assert_peers (peers, (const char *[]) { "UDP 192.0.2.2:5062", NULL });
  assert_asked (f, (const char *[]) {
    "SRV _sip._udp.example.test", "A/AAAA gone.example.test", "A/AAAA b.example.test", NULL });
}

/* A chosen transport asks SRV for that transport only, then falls back to
 * A/AAAA on the default port. */
static void
test_srv_fallback (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(GStrv) udp = NULL;
  g_auto(GStrv) none = NULL;

  test_resolver_add_srv (f->resolver, "_sip._udp.example.test", "10 0 5080 a.example.test");

  udp = resolve (f, "example.test", DT_TRANSPORT_TCP, NULL);
  assert_peers (udp, (const char *[]) {
    "TCP 192.0.2.10:5060", "TCP [2001:db8::10]:5060", NULL });
  assert_asked (f, (const char *[]) {
    "SRV _sip._tcp.example.test", "A/AAAA example.test", NULL });

  /* No SRV for any transport: UDP on 5060 (§4.1). */
  none = resolve (f, "tls.example.test", DT_TRANSPORT_AUTO, NULL);
  assert_peers (none, (const char *[]) { "UDP 192.0.2.5:5060", NULL });
  assert_asked (f, (const char *[]) {
    "SRV _sip._udp.tls.example.test", "SRV _sip._tcp.tls.example.test",
    "SRV _sips._tcp.tls.example.test", "A/AAAA tls.example.test", NULL });
}

/* sips: means TLS, SRV under _sips._tcp, and the certificate must match
 * the URI's domain, not the SRV target (RFC 5922 §4). */
static void
test_sips (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) peers = NULL;
  g_auto(GStrv) refused = NULL;

  test_resolver_add_srv (f->resolver, "_sips._tcp.example.test", "10 0 5061 tls.example.test");

  peers = resolve (f, "sips:example.test", DT_TRANSPORT_AUTO, NULL);
  assert_peers (peers, (const char *[]) { "TLS 192.0.2.5:5061 example.test", NULL });
  assert_asked (f, (const char *[]) {
    "SRV _sips._tcp.example.test", "A/AAAA tls.example.test", NULL });

  refused = resolve (f, "sips:example.test", DT_TRANSPORT_UDP, &error);
  g_assert_null (refused);
  g_assert_error (error, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_TRANSPORT);
}

/* RFC 2782: a lone "." target says the service is not offered. */
static void
test_srv_not_offered (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(GStrv) peers = NULL;

  test_resolver_add_srv (f->resolver, "_sip._udp.example.test", "0 0 0 .");

  peers = resolve (f, "example.test", DT_TRANSPORT_UDP, NULL);
  assert_peers (peers, (const char *[]) {
    "UDP 192.0.2.10:5060", "UDP [2001:db8::10]:5060", NULL });
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) not_found = NULL;
  g_autoptr(GError) invalid = NULL;
  g_autoptr(GError) tel = NULL;
  g_auto(GStrv) a = resolve (f, "nowhere.test", DT_TRANSPORT_AUTO, &not_found);
  g_auto(GStrv) b = resolve (f, "sip:<bad>", DT_TRANSPORT_AUTO, &invalid);
  g_auto(GStrv) c = resolve (f, "tel:+15551234567", DT_TRANSPORT_AUTO, &tel);

  g_assert_null (a);
  g_assert_error (not_found, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (not_found->message, "Server not found"));
  g_assert_null (b);
  g_assert_error (invalid, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_INVALID_URI);
  g_assert_null (c);
  g_assert_error (tel, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_INVALID_URI);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sip/resolver/ip-literals", test_ip_literals);
  ADD ("/sip/resolver/explicit-port", test_explicit_port);
  ADD ("/sip/resolver/srv-each-transport", test_srv_each_transport);
  ADD ("/sip/resolver/srv-dead-target", test_srv_dead_target);
  ADD ("/sip/resolver/srv-fallback", test_srv_fallback);
  ADD ("/sip/resolver/sips", test_sips);
  ADD ("/sip/resolver/srv-not-offered", test_srv_not_offered);
  ADD ("/sip/resolver/errors", test_errors);
#undef ADD

  return g_test_run ();
}
