/* cnnclassify sends GST_TAG_GENRE with its label when the model's task says
 * its labels are genres, whatever the model is called (it used to look for
 * "genre" in the name), and only earshot-label otherwise. */
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/tag/tag.h>

#include "model/model.h"

static const char *const labels[] = { "rock", "jazz", NULL };

/* 2 inputs -> 2 classes, class k scores 10 * x[k]. */
static char *
make_model (const char *dir, const char *name, EsModelTag tag)
{
  size_t shape[1] = { 2 };
  GError *err = NULL;
  EsModel *m = es_model_new (name, "[{\"type\":\"dense\",\"out_features\":2}]",
      ES_MODEL_INPUT_FEATURES, 1, shape, labels, &err);
  EsNetParam *w;
  char *path = g_strdup_printf ("%s/%s.safetensors", dir, name);

  fail_unless (m != NULL, "%s", err ? err->message : "");
  w = es_net_find_param (es_model_get_net (m), "0.weight");
  memset (w->value->data, 0, 4 * sizeof (float));
  w->value->data[0] = w->value->data[3] = 10.0f;
  es_model_set_task (m, tag == ES_MODEL_TAG_GENRE ? "music genre" : "style");
  es_model_set_tag (m, tag);
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  return path;
}

/* Push one vector deciding "jazz"; returns the genre tag seen (or NULL) and
 * checks earshot-label is always there. */
static gchar *
genre_tag_of (const char *model_path)
{
  char *launch = g_strdup_printf ("cnnclassify model=\"%s\"", model_path);
  GstHarness *h = gst_harness_new_parse (launch);
  float v[2] = { 0.1f, 0.9f };
  GstBuffer *buf = gst_buffer_new_allocate (NULL, sizeof v, NULL);
  GstEvent *ev;
  gchar *genre = NULL;
  gboolean saw_label = FALSE;

  gst_buffer_fill (buf, 0, v, sizeof v);
  GST_BUFFER_PTS (buf) = 0;
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, bands=(int)2, "
      "framerate=(fraction)0/1");
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  while ((ev = gst_harness_try_pull_event (h)) != NULL) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_TAG) {
      GstTagList *tags;
      gchar *label = NULL;
      gst_event_parse_tag (ev, &tags);
      if (gst_tag_list_get_string (tags, "earshot-label", &label)) {
        fail_unless_equals_string (label, "jazz");
        saw_label = TRUE;
        g_free (label);
      }
      if (!genre)
        gst_tag_list_get_string (tags, GST_TAG_GENRE, &genre);
    }
    gst_event_unref (ev);
  }
  fail_unless (saw_label);
  gst_harness_teardown (h);
  g_free (launch);
  return genre;
}

GST_START_TEST (test_genre_tag_from_task)
{
  char *dir = g_dir_make_tmp ("es-cnntag-XXXXXX", NULL);
  /* the names say the opposite of the tasks */
  char *genre_model = make_model (dir, "mood", ES_MODEL_TAG_GENRE);
  char *plain_model = make_model (dir, "genre-lookalike", ES_MODEL_TAG_NONE);
  gchar *genre;

  genre = genre_tag_of (genre_model);
  fail_unless_equals_string (genre, "jazz");
  g_free (genre);
  genre = genre_tag_of (plain_model);
  fail_unless (genre == NULL, "a model whose task has no tag sent genre '%s'", genre);

  g_unlink (genre_model);
  g_unlink (plain_model);
  g_rmdir (dir);
  g_free (genre_model);
  g_free (plain_model);
  g_free (dir);
}

GST_END_TEST;

static Suite *
cnnclassify_tag_suite (void)
{
  Suite *s = suite_create ("cnnclassify-tag");
  TCase *tc = tcase_create ("tag");
  tcase_add_test (tc, test_genre_tag_from_task);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnclassify_tag);
