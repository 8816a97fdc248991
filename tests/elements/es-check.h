/* Helpers shared by the element tests (GstHarness based). */
#ifndef ES_ELEMENTS_CHECK_H
#define ES_ELEMENTS_CHECK_H

#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

G_BEGIN_DECLS

/* A buffer holding a copy of n values of elem_size bytes each. */
static inline GstBuffer *
es_buffer_new_copy (gconstpointer data, gsize n, gsize elem_size)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * elem_size, NULL);

  if (n > 0)
    gst_buffer_fill (buf, 0, data, n * elem_size);
  return buf;
}

/* Pull every buffer the harness has queued and append their bytes to
 * a new GByteArray; *n_buffers (optional) counts them. */
static inline GByteArray *
es_harness_pull_all_bytes (GstHarness * h, guint * n_buffers)
{
  GByteArray *all = g_byte_array_new ();
  GstBuffer *buf;
  guint n = 0;

  while ((buf = gst_harness_try_pull (h)) != NULL) {
    GstMapInfo map;

    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    g_byte_array_append (all, map.data, map.size);
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
    n++;
  }
  if (n_buffers)
    *n_buffers = n;
  return all;
}

/* Split [0, n) into random chunk lengths in [0, max_chunk] from a seeded
 * generator; returns a 0-terminated-free array of lengths (sum == n). */
static inline GArray *
es_random_splits (gsize n, gsize max_chunk, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  GArray *lens = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize done = 0;

  while (done < n) {
    gsize len = g_rand_int_range (rand, 0, (gint32) max_chunk + 1);

    if (len > n - done)
      len = n - done;
    g_array_append_val (lens, len);
    done += len;
  }
  g_rand_free (rand);
  return lens;
}

/* Deterministic test signal: a sum of sines plus seeded noise. */
static inline gfloat *
es_test_signal (gsize n, gint rate, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gfloat *x = g_new (gfloat, n);
  gsize i;

  for (i = 0; i < n; i++)
    x[i] = (gfloat) (0.4 * sin (2 * G_PI * 440.0 * i / rate)
        + 0.2 * sin (2 * G_PI * 2500.0 * i / rate)
        + 0.1 * g_rand_double_range (rand, -1.0, 1.0));
  g_rand_free (rand);
  return x;
}

/* The element's bus, made on demand so element messages can be checked. */
static inline GstBus *
es_harness_bus (GstHarness * h)
{
  GstBus *bus = gst_element_get_bus (h->element);

  if (bus == NULL) {
    bus = gst_bus_new ();
    gst_element_set_bus (h->element, bus);
  }
  return bus;
}

/* Let go of a bus from es_harness_bus before gst_harness_teardown: flushing
 * drops the messages it holds and those the teardown's state changes post,
 * which reference the element (element -> bus -> message -> element would
 * otherwise be a cycle that valgrind reports as the element lost). */
static inline void
es_bus_release (GstBus * bus)
{
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

/* Number of messages of a type on the bus (popped). */
static inline guint
es_bus_count (GstBus * bus, GstMessageType type)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, type)) != NULL) {
    n++;
    gst_message_unref (msg);
  }
  return n;
}

/* Send a flush (start + stop) and a fresh TIME segment through the harness. */
static inline void
es_harness_flush (GstHarness * h)
{
  GstSegment segment;

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
}

/* accept-caps as seen from upstream of the element. */
static inline gboolean
es_harness_accepts (GstHarness * h, const gchar * caps_str)
{
  GstCaps *caps = gst_caps_from_string (caps_str);
  gboolean ok = gst_pad_peer_query_accept_caps (h->srcpad, caps);

  gst_caps_unref (caps);
  return ok;
}

/* TRUE if upstream of the harnessed element cannot negotiate caps_str with
 * what is downstream of it (the caps query, which looks downstream; an
 * accept-caps query only checks the element itself). */
static inline gboolean
es_harness_caps_refused (GstHarness * h, const gchar * caps_str)
{
  GstCaps *caps = gst_caps_from_string (caps_str);
  GstCaps *possible = gst_pad_peer_query_caps (h->srcpad, NULL);
  gboolean refused = !gst_caps_can_intersect (caps, possible);

  gst_caps_unref (possible);
  gst_caps_unref (caps);
  return refused;
}

G_END_DECLS

#endif
