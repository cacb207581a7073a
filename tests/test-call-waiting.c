/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-call-waiting.c
 *
 * Call waiting, end to end: alice talks to the helper's echo through her
 * DtCallManager; bob calls her through the helper's registrar; her echo
 * call goes on while his rings; she answers him, the echo call is put on
 * hold and hears nothing of what she says to bob, and bob hears her
 * microphone's tone; when bob hangs up she resumes
 * the echo call and hears herself again.
 */

#include "config.h"

#include "dt-call-manager.h"
#include "dt-sip-backend.h"
#include "dt-test-backend.h"
#include "dt-test-helper.h"
#include "dt-test-rtp.h"

#define ALICE_HZ 440
#define BOB_HZ   1000

typedef struct
{
  char              *dir;
  DtTestHelper      *helper;
  DtSipBackend      *alice_backend;
  DtSipBackend      *bob_backend;
  DtBackendRegistry *registry;
  GListStore        *accounts;
  DtCallManager     *manager;
  DtAccount         *alice;
  DtAccount         *bob;
  char              *bob_wav;
} Fixture;

static DtAudioConfig *
audio_config (guint       tone_hz,
              const char *wav_path)
{
  DtAudioConfig *audio = dt_audio_config_new ();
  g_autofree char *source = g_strdup_printf ("audiotestsrc is-live=true freq=%u volume=%g",
                                             tone_hz, DT_TEST_TONE_AMPLITUDE);
  g_autofree char *sink = wav_path != NULL
                          ? g_strdup_printf ("wavenc ! filesink location=%s", wav_path)
                          : g_strdup ("fakesink sync=false");

  dt_audio_config_set_source_description (audio, source);
  dt_audio_config_set_sink_description (audio, sink);
  dt_audio_config_set_echo_cancel (audio, FALSE);
  dt_audio_config_set_noise_suppression (audio, FALSE);
  dt_audio_config_set_gain_control (audio, FALSE);
  return audio;
}

static DtAccount *
make_account (Fixture      *f,
              DtSipBackend *backend,
              const char   *user,
              const char   *password)
{
  DtAccount *account = dt_account_new (user, "sip");
  g_autofree char *identity = g_strdup_printf ("sip:%s@127.0.0.1", user);
  g_autofree char *server = g_strdup_printf ("sip:127.0.0.1:%u", f->helper->port);

  dt_account_set_identity (account, identity);
  dt_account_set_server (account, server);
  dt_account_set_transport (account, DT_TRANSPORT_UDP);
  dt_sip_backend_set_password (backend, user, password);
  return account;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(DtAudioConfig) alice_audio = NULL;
  g_autoptr(DtAudioConfig) bob_audio = NULL;

  f->dir = dt_test_make_dir ();
  f->bob_wav = g_build_filename (f->dir, "bob.wav", NULL);
  f->helper = dt_test_helper_start ("--user", "alice:secret", "--user", "bob:bobpass", NULL);

  f->alice_backend = dt_sip_backend_new ();
  alice_audio = audio_config (ALICE_HZ, NULL);
  dt_sip_backend_set_audio_config (f->alice_backend, alice_audio);
  f->bob_backend = dt_sip_backend_new ();
  bob_audio = audio_config (BOB_HZ, f->bob_wav);
  dt_sip_backend_set_audio_config (f->bob_backend, bob_audio);
  dt_sip_backend_set_codec (f->alice_backend, "PCMU");
  dt_sip_backend_set_codec (f->bob_backend, "PCMU");

  f->alice = make_account (f, f->alice_backend, "alice", "secret");
  f->bob = make_account (f, f->bob_backend, "bob", "bobpass");
  f->registry = dt_backend_registry_new ();
  g_assert_true (dt_backend_registry_add (f->registry, DT_BACKEND (f->alice_backend), NULL));
  f->accounts = g_list_store_new (DT_TYPE_ACCOUNT);
  g_list_store_append (f->accounts, f->alice);
  f->manager = dt_call_manager_new (f->registry, G_LIST_MODEL (f->accounts));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GAsyncResult *result;
  DtTestAsync stop = { NULL };

  dt_call_manager_stop_async (f->manager, NULL, dt_test_async_ready, &stop);
  result = dt_test_async_wait (&stop, "Stopping the call manager");
  g_assert_true (dt_call_manager_stop_finish (f->manager, result, NULL));
  g_object_unref (result);
  dt_test_backend_disconnect (DT_BACKEND (f->bob_backend), f->bob);
  g_assert_finalize_object (f->manager);
  g_clear_object (&f->accounts);
  g_clear_object (&f->registry);
  g_clear_object (&f->alice);
  g_clear_object (&f->bob);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->alice_backend);
  g_assert_finalize_object (f->bob_backend);
  dt_test_helper_stop (f->helper);
  dt_test_remove_dir (g_steal_pointer (&f->dir));
  g_free (f->bob_wav);
}

static gboolean
account_online (gpointer data)
{
  return dt_account_get_state (data) == DT_ACCOUNT_STATE_ONLINE;
}

static gboolean
has_two_calls (gpointer data)
{
  return g_list_model_get_n_items (data) == 2;
}

static void
test_second_call_waits_and_takes_over (Fixture       *f,
                                       gconstpointer  data)
{
  GListModel *calls = dt_call_manager_get_calls (f->manager);
  g_autoptr(DtCall) echo = NULL;
  g_autoptr(DtCall) from_bob = NULL;
  g_autoptr(DtCall) to_alice = NULL;
  g_autoptr(GError) error = NULL;
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  guint64 echoed;
  double length;
  g_autoptr(GAsyncResult) dialled = NULL;
  DtTestAsync dial = { NULL };
  DtTestWav heard;

  dt_call_manager_start (f->manager);
  g_assert_true (dt_test_iterate_until (account_online, f->alice,
                                        DT_TEST_BACKEND_WAIT_S * 1000));
  dt_test_backend_connect (DT_BACKEND (f->bob_backend), f->bob);

  dt_call_manager_dial_async (f->manager, "sip:echo@127.0.0.1", NULL, NULL, dt_test_async_ready,
                              &dial);
  dialled = dt_test_async_wait (&dial, "Dialling echo");
  echo = dt_call_manager_dial_finish (f->manager, dialled, &error);
  g_assert_no_error (error);
  dt_test_call_wait_state (echo, DT_CALL_STATE_ACTIVE);
  dt_test_run_for (1000);
  g_assert_cmpuint (dt_call_stats_get_packets_received (dt_call_get_stats (echo)), >, 20);

  /* Bob calls while alice talks: his call rings, hers goes on. */
  to_alice = dt_test_backend_dial (DT_BACKEND (f->bob_backend), f->bob, "sip:alice@127.0.0.1");
  g_assert_true (dt_test_iterate_until (has_two_calls, calls, DT_TEST_BACKEND_WAIT_S * 1000));
  from_bob = g_list_model_get_item (calls, 1);
  g_assert_cmpint (dt_call_get_direction (from_bob), ==, DT_CALL_DIRECTION_INCOMING);
  dt_test_call_wait_state (from_bob, DT_CALL_STATE_RINGING);
  dt_test_call_wait_state (to_alice, DT_CALL_STATE_RINGING);
  g_assert_cmpint (dt_call_get_state (echo), ==, DT_CALL_STATE_ACTIVE);

  /* She answers: the echo call waits on hold; bob hears her. */
  dt_test_call_answer (from_bob);
  dt_test_call_wait_state (to_alice, DT_CALL_STATE_ACTIVE);
  dt_test_call_wait_state (echo, DT_CALL_STATE_HELD);
  g_assert_cmpint (dt_call_get_state (from_bob), ==, DT_CALL_STATE_ACTIVE);
  dt_test_run_for (500);
  echoed = dt_call_stats_get_packets_received (dt_call_get_stats (echo));
  dt_test_run_for (2500);
  /* What alice says to bob does not reach the call on hold: the echo
   * sends back nothing, as it got nothing. */
  g_assert_cmpuint (dt_call_stats_get_packets_received (dt_call_get_stats (echo)), <=,
                    echoed + 2);

  dt_test_call_hangup (to_alice);
  dt_test_call_wait_state (from_bob, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (from_bob), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
  g_assert_true (dt_test_wav_load (f->bob_wav, &heard, &error));
  g_assert_no_error (error);
  length = heard.n_samples / (double) heard.rate;
  g_assert_cmpfloat (length, >, 2.5);
  dt_test_assert_tone (&heard, 1.0, length - 0.3, ALICE_HZ, sent, 1.0);
  dt_test_wav_clear (&heard);

  /* The waiting call comes back. */
  g_assert_cmpint (dt_call_get_state (echo), ==, DT_CALL_STATE_HELD);
  echoed = dt_call_stats_get_packets_received (dt_call_get_stats (echo));
  dt_test_call_hold (echo, FALSE);
  g_assert_cmpint (dt_call_get_state (echo), ==, DT_CALL_STATE_ACTIVE);
  dt_test_run_for (1500);
  g_assert_cmpuint (dt_call_stats_get_packets_received (dt_call_get_stats (echo)), >,
                    echoed + 30);
  dt_test_call_hangup (echo);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/call-waiting/second-call-waits-and-takes-over", Fixture, NULL, fixture_setup,
              test_second_call_waits_and_takes_over, fixture_teardown);

  return g_test_run ();
}
