#include <cstring>
#include <string>
#include <vector>

#include "base/LoopThread.h"
#include "channel/Channel.h"
#include "channel/ChannelCodec.h"
#include "channel/RequestTable.h"
#include "channel/WorkerLog.h"
#include "cmocka.h"

using namespace msp;

static std::string frame(const std::string& payload) { return encodeFrame(payload); }

static void frame_has_native_length_prefix(void**) {
  std::string f = frame("abc");
  assert_int_equal(f.size(), 7);
  uint32_t length;
  memcpy(&length, f.data(), 4);
  assert_int_equal(length, 3);
  assert_memory_equal(f.data() + 4, "abc", 3);
}

static void split_reads_reassemble(void**) {
  std::string stream = frame("{\"id\":1}") + frame("hello");
  FrameDecoder decoder;
  std::vector<std::string> frames;
  for (char c : stream) assert_true(decoder.feed(&c, 1, frames));  // one byte per read
  assert_int_equal(frames.size(), 2);
  assert_string_equal(frames[0].c_str(), "{\"id\":1}");
  assert_string_equal(frames[1].c_str(), "hello");
  assert_int_equal(decoder.buffered(), 0);
}

static void several_messages_in_one_read(void**) {
  std::string stream = frame("a") + frame("") + frame("ccc") + frame("dd").substr(0, 3);
  FrameDecoder decoder;
  std::vector<std::string> frames;
  assert_true(decoder.feed(stream.data(), stream.size(), frames));
  assert_int_equal(frames.size(), 3);
  assert_string_equal(frames[2].c_str(), "ccc");
  assert_int_equal(decoder.buffered(), 3);  // the partial fourth waits for more
  std::string rest = frame("dd").substr(3);
  assert_true(decoder.feed(rest.data(), rest.size(), frames));
  assert_int_equal(frames.size(), 4);
  assert_string_equal(frames[3].c_str(), "dd");
}

static void oversize_frame_is_an_error(void**) {
  uint32_t huge = kMaxChannelPayload + 1;
  char header[4];
  memcpy(header, &huge, 4);
  FrameDecoder decoder;
  std::vector<std::string> frames;
  assert_false(decoder.feed(header, 4, frames));
  assert_true(encodeFrame(std::string(kMaxChannelPayload + 1, 'x')).empty());
  assert_false(encodeFrame(std::string(kMaxChannelPayload, 'x')).empty());
}

static void request_encoding(void**) {
  Json data = Json::object();
  data.set("routerId", "r:1");
  std::string f = encodeRequest(7, "worker.createRouter", "", data);
  assert_string_equal(f.substr(4).c_str(), "7:worker.createRouter:undefined:{\"routerId\":\"r:1\"}");
  f = encodeRequest(8, "router.dump", "abc", Json());
  assert_string_equal(f.substr(4).c_str(), "8:router.dump:abc:undefined");
}

static void parse_responses(void**) {
  WorkerMessage ok = parseWorkerMessage("{\"accepted\":true,\"data\":{\"x\":1},\"id\":5}");
  assert_int_equal(static_cast<int>(ok.kind), static_cast<int>(WorkerMessage::Kind::Response));
  assert_int_equal(ok.id, 5);
  assert_true(ok.accepted);
  assert_int_equal(json_integer_value(json_object_get(ok.data.get(), "x")), 1);

  WorkerMessage bad = parseWorkerMessage("{\"id\":6,\"error\":\"TypeError\",\"reason\":\"missing routerId\"}");
  assert_false(bad.accepted);
  assert_string_equal(bad.error.c_str(), "TypeError");
  assert_string_equal(bad.reason.c_str(), "missing routerId");
}

static void parse_notifications_and_logs(void**) {
  WorkerMessage running = parseWorkerMessage("{\"event\":\"running\",\"targetId\":4242}");
  assert_int_equal(static_cast<int>(running.kind), static_cast<int>(WorkerMessage::Kind::Notification));
  assert_string_equal(running.targetId.c_str(), "4242");
  assert_string_equal(running.event.c_str(), "running");

  WorkerMessage score = parseWorkerMessage("{\"targetId\":\"p1\",\"event\":\"score\",\"data\":[{\"score\":10}]}");
  assert_string_equal(score.targetId.c_str(), "p1");
  assert_true(json_is_array(score.data.get()));

  WorkerMessage log = parseWorkerMessage("Wsomething odd");
  assert_int_equal(static_cast<int>(log.kind), static_cast<int>(WorkerMessage::Kind::Log));
  assert_int_equal(log.logLevel, 'W');
  assert_string_equal(log.text.c_str(), "something odd");

  assert_int_equal(static_cast<int>(parseWorkerMessage("{not json").kind), static_cast<int>(WorkerMessage::Kind::Invalid));
  assert_int_equal(static_cast<int>(parseWorkerMessage("").kind), static_cast<int>(WorkerMessage::Kind::Invalid));
}

static void requests_match_replies_by_id(void**) {
  RequestTable table;
  std::vector<std::string> seen;
  uint32_t a = table.add([&](ChannelResult r) { seen.push_back("a:" + std::string(r.ok ? "ok" : r.failure.detail)); }, 1000);
  uint32_t b = table.add([&](ChannelResult r) { seen.push_back("b:" + std::string(r.ok ? "ok" : r.failure.detail)); }, 1000);
  assert_int_not_equal(a, b);
  assert_true(table.resolve(b, ChannelResult::success(Json())));
  assert_true(table.resolve(a, ChannelResult::failed(Failure::rejected("nope"))));
  assert_false(table.resolve(a, ChannelResult::success(Json())));  // answered once only
  assert_false(table.resolve(999, ChannelResult::success(Json())));
  assert_int_equal(seen.size(), 2);
  assert_string_equal(seen[0].c_str(), "b:ok");
  assert_string_equal(seen[1].c_str(), "a:nope");
}

static void requests_time_out(void**) {
  RequestTable table;
  std::vector<std::string> seen;
  std::vector<Failure::Kind> kinds;
  uint32_t early = table.add([&](ChannelResult r) { seen.push_back(r.failure.detail); kinds.push_back(r.failure.kind); }, 100);
  table.add([&](ChannelResult r) { seen.push_back(r.failure.detail); }, 500);
  table.expire(99);
  assert_int_equal(seen.size(), 0);
  table.expire(100);
  assert_int_equal(seen.size(), 1);
  assert_string_equal(seen[0].c_str(), "request timed out");
  assert_true(kinds[0] == Failure::Kind::TimedOut);
  assert_true(Failure::timedOut().unavailable());
  assert_false(table.resolve(early, ChannelResult::success(Json())));  // a late reply finds nothing
  assert_int_equal(table.size(), 1);
}

static void worker_death_fails_everything(void**) {
  RequestTable table;
  int failures = 0;
  for (int i = 0; i < 3; ++i) {
    table.add([&](ChannelResult r) {
      assert_false(r.ok);
      assert_true(r.failure.kind == Failure::Kind::WorkerGone);
      assert_true(r.failure.unavailable());  // 448 at the API edge, whatever the text says
      assert_string_equal(r.failure.detail.c_str(), "payload channel closed by the worker");
      ++failures;
    }, 1000);
  }
  table.failAll(Failure::workerGone("payload channel closed by the worker"));
  assert_int_equal(failures, 3);
  assert_int_equal(table.size(), 0);
}

static void handler_may_add_requests(void**) {
  RequestTable table;
  uint32_t second = 0;
  uint32_t first = table.add([&](ChannelResult) { second = table.add(nullptr, 10); }, 10);
  table.resolve(first, ChannelResult::success(Json()));
  assert_int_not_equal(second, 0);
  assert_int_equal(table.size(), 1);
}

static void take_removes_without_running(void**) {
  RequestTable table;
  int ran = 0;
  uint32_t id = table.add([&](ChannelResult) { ++ran; }, 10);
  ResponseHandler handler = table.take(id);
  assert_true(static_cast<bool>(handler));
  assert_int_equal(ran, 0);
  assert_int_equal(table.size(), 0);
  assert_false(static_cast<bool>(table.take(id)));
}

// libuv's rule: a failure known at once is still reported on a later loop turn, never inside request().
static void closed_channel_fails_on_a_later_turn(void**) {
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  loopThread::enter(&loop);
  {
    Channel channel(&loop, 1000, "test");
    std::vector<Failure::Kind> seen;
    channel.request("worker.dump", "", Json(), [&](ChannelResult r) {
      assert_false(r.ok);
      seen.push_back(r.failure.kind);
    });
    assert_int_equal(seen.size(), 0);  // not inside the call
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(seen.size(), 1);
    assert_true(seen[0] == Failure::Kind::WorkerGone);
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // the channel's handles finish closing
  assert_int_equal(uv_loop_close(&loop), 0);
  loopThread::leave();
}

// A request the worker refuses logs "throwing MediaSoupError" at error level; its client already has the
// reason, so it must not reach Janus's log at ERR (a client could flood it). Other error lines stay errors.
static void refused_requests_are_not_errors_in_janus_log(void**) {
  assert_true(workerLogLevel('E', "Transport::Produce() | throwing MediaSoupError: ssrc already exists in RTP listener [ssrc:1111]") == LogLevel::Verbose);
  assert_true(workerLogLevel('E', "RTC::Router::HandleRequest() | throwing MediaSoupTypeError: missing transportId") == LogLevel::Verbose);
  assert_true(workerLogLevel('E', "DtlsTransport::Run() | SSL_do_handshake() failed") == LogLevel::Error);
  assert_true(workerLogLevel('W', "RtpStreamRecv::ReceivePacket() | packet too old") == LogLevel::Warn);
  assert_true(workerLogLevel('D', "anything") == LogLevel::Debug);
}

// At most N lines a window; the rest is counted and handed over once, after its window ended.
static void the_throttle_caps_lines_per_window(void**) {
  LogThrottle throttle(3, 1000);
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += throttle.admit(100 + i);
  assert_int_equal(admitted, 3);
  assert_int_equal(throttle.takeSuppressed(500), 0);  // the window still lasts
  assert_int_equal(throttle.takeSuppressed(1200), 7);  // ended: its count, once
  assert_int_equal(throttle.takeSuppressed(1300), 0);
  assert_true(throttle.admit(1300));  // a new window, a new budget
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(refused_requests_are_not_errors_in_janus_log),
      cmocka_unit_test(the_throttle_caps_lines_per_window),
      cmocka_unit_test(frame_has_native_length_prefix),
      cmocka_unit_test(split_reads_reassemble),
      cmocka_unit_test(several_messages_in_one_read),
      cmocka_unit_test(oversize_frame_is_an_error),
      cmocka_unit_test(request_encoding),
      cmocka_unit_test(parse_responses),
      cmocka_unit_test(parse_notifications_and_logs),
      cmocka_unit_test(requests_match_replies_by_id),
      cmocka_unit_test(requests_time_out),
      cmocka_unit_test(worker_death_fails_everything),
      cmocka_unit_test(handler_may_add_requests),
      cmocka_unit_test(take_removes_without_running),
      cmocka_unit_test(closed_channel_fails_on_a_later_turn),
  };
  return cmocka_run_group_tests_name("channel", tests, nullptr, nullptr);
}
