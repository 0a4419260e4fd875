// /metrics: formatMetrics on a hand-made sample (the exposition format, line by line), and sampleMetrics on
// a live rooms layer over fake workers (what it counts, and what it leaves out).
#include <sstream>

#include "api/LifecycleEvents.h"
#include "api/Metrics.h"
#include "rooms_harness.h"

using namespace msp;
using fake::Rooms;

static bool hasLine(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

static void format_writes_prometheus_text(void**) {
  MetricsSample s;
  s.rooms = 3;
  s.peers = 7;
  s.transports = 12;
  s.producers = 5;
  s.consumers = 20;
  MetricsSample::Worker up;
  up.id = 0;
  up.up = true;
  up.cpu = 0.25;
  up.rssBytes = 123456;
  up.rooms = 3;
  MetricsSample::Worker down;
  down.id = 1;
  down.restarts = 4;
  s.workers = {up, down};
  s.requests[{"join", true}] = 9;
  s.requests[{"bad\"name\n", false}] = 1;
  s.events["peerJoined"] = 4;
  std::string text = formatMetrics(s);

  assert_true(hasLine(text, "# HELP janus_mediasoup_workers Live mediasoup workers."));
  assert_true(hasLine(text, "# TYPE janus_mediasoup_workers gauge"));
  assert_true(hasLine(text, "janus_mediasoup_workers 1"));
  assert_true(hasLine(text, "janus_mediasoup_rooms 3"));
  assert_true(hasLine(text, "janus_mediasoup_peers 7"));
  assert_true(hasLine(text, "janus_mediasoup_transports 12"));
  assert_true(hasLine(text, "janus_mediasoup_producers 5"));
  assert_true(hasLine(text, "janus_mediasoup_consumers 20"));
  assert_true(hasLine(text, "janus_mediasoup_worker_up{worker=\"0\"} 1"));
  assert_true(hasLine(text, "janus_mediasoup_worker_up{worker=\"1\"} 0"));
  assert_true(hasLine(text, "janus_mediasoup_worker_cpu_ratio{worker=\"0\"} 0.25"));
  assert_true(hasLine(text, "janus_mediasoup_worker_rss_bytes{worker=\"0\"} 123456"));
  assert_true(hasLine(text, "janus_mediasoup_worker_rooms{worker=\"0\"} 3"));
  assert_true(hasLine(text, "# TYPE janus_mediasoup_worker_restarts_total counter"));
  assert_true(hasLine(text, "janus_mediasoup_worker_restarts_total{worker=\"1\"} 4"));
  assert_true(hasLine(text, "janus_mediasoup_requests_total{request=\"join\",result=\"ok\"} 9"));
  // Label values are escaped: a quote and a newline cannot break the line.
  assert_true(hasLine(text, "janus_mediasoup_requests_total{request=\"bad\\\"name\\n\",result=\"error\"} 1"));
  assert_true(hasLine(text, "# TYPE janus_mediasoup_events_total counter"));
  assert_true(hasLine(text, "janus_mediasoup_events_total{event=\"peerJoined\"} 4"));
  assert_int_equal(text.back(), '\n');
}

static void an_empty_sample_still_names_every_family(void**) {
  std::string text = formatMetrics(MetricsSample{});
  for (const char* name : {"janus_mediasoup_workers", "janus_mediasoup_rooms", "janus_mediasoup_worker_up",
                           "janus_mediasoup_requests_total"}) {
    assert_true(hasLine(text, std::string("# TYPE ") + name + (std::string(name).find("total") != std::string::npos ? " counter" : " gauge")));
  }
  assert_true(hasLine(text, "janus_mediasoup_rooms 0"));
}

// Pipe transports and piped copies are not the peers' own: they are left out of the totals.
static void sample_counts_peers_entities_but_not_pipes(void**) {
  Rooms t(fake::testSettings(2, 1));
  t.ask(1, R"({"request":"join","room":"r"})");
  t.ask(2, R"({"request":"join","room":"r"})");
  std::string producerId = t.produceAudio(1, t.transport(1, true));
  assert_int_equal(Rooms::errorCode(t.consume(2, t.transport(2, false), producerId)), 0);  // through a pipe
  MetricsSample s = sampleMetrics(*t.pool, *t.manager);
  assert_int_equal(s.rooms, 1);
  assert_int_equal(s.peers, 2);
  assert_int_equal(s.transports, 2);
  assert_int_equal(s.producers, 1);
  assert_int_equal(s.consumers, 1);
  assert_int_equal(s.workers.size(), 2);
  assert_int_equal(s.workers[0].rooms + s.workers[1].rooms, 2);
  assert_true(s.workers[0].up && s.workers[1].up);
}

// Every event is counted; its JSON is built and handed over only while an event handler is on.
static void lifecycle_events_reach_handlers_only_when_on(void**) {
  bool on = false;
  std::vector<Json> sent;
  LifecycleEvents reporter([&] { return on; }, [&](Json e) { sent.push_back(e); });  // outlives what it watches
  Rooms t(fake::testSettings(1));
  reporter.watch(*t.manager, *t.pool);
  Json first = t.ask(1, R"({"request":"join","room":"a","display":"one"})");
  assert_true(sent.empty());
  on = true;
  Json second = t.ask(2, R"({"request":"join","room":"a","display":"two"})");
  assert_int_equal(sent.size(), 1);
  const Json& joined = sent[0];
  assert_string_equal(Rooms::str(joined, "event").c_str(), "peerJoined");
  assert_string_equal(Rooms::str(joined, "room").c_str(), "a");
  assert_string_equal(Rooms::str(joined, "peerId").c_str(), Rooms::str(second, "peerId").c_str());
  assert_string_equal(Rooms::str(joined, "display").c_str(), "two");
  assert_int_equal(json_integer_value(json_object_get(joined.get(), "worker")), 0);
  assert_int_equal(json_object_size(joined.get()), 5);
  assert_int_equal(reporter.counts().at("roomCreated"), 1);
  assert_int_equal(reporter.counts().at("peerJoined"), 2);
  // A worker's death: workerDied with its reason, then workerStarted for its replacement.
  t.worker(0).die();
  t.runUntil([&] { return reporter.counts().count("workerStarted") == 1; });
  Json died = sent[sent.size() - 1];
  for (const auto& e : sent) {
    if (Rooms::str(e, "event") == "workerDied") died = e;
  }
  assert_string_equal(Rooms::str(died, "event").c_str(), "workerDied");
  assert_false(Rooms::str(died, "reason").empty());
  assert_int_equal(reporter.counts().at("workerDied"), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(format_writes_prometheus_text),
      cmocka_unit_test(an_empty_sample_still_names_every_family),
      cmocka_unit_test(sample_counts_peers_entities_but_not_pipes),
      cmocka_unit_test(lifecycle_events_reach_handlers_only_when_on),
  };
  return cmocka_run_group_tests_name("metrics", tests, nullptr, nullptr);
}
