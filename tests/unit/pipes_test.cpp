// RouterPipes over fake workers: a room on two routers (two workers, two peers a router), consumers on the
// second router of producers on the first.
#include "rooms_harness.h"

using namespace msp;
using fake::Behaviour;
using fake::Rooms;

namespace {

// Peers 1 and 2 on router A (worker a), peers 3 and 4 on router B (worker b).
struct TwoRouters {
  TwoRouters() : t(fake::testSettings(2, 2)) {
    a = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})"));
    t.ask(2, R"({"request":"join","room":"r"})");
    b = Rooms::workerOf(t.ask(3, R"({"request":"join","room":"r"})"));
    t.ask(4, R"({"request":"join","room":"r"})");
    assert_int_not_equal(a, b);
    producerId = t.produceAudio(1, t.transport(1, true));
    recv3 = t.transport(3, false);
    recv4 = t.transport(4, false);
  }
  // Peer 3 asks to consume peer 1's producer; the worker of `slot` dies while making its pipe transport.
  // Returns the consume's answer, once it came.
  Json consumeWhileWorkerDies(size_t slot) {
    t.worker(slot).on("router.createPipeTransport", Behaviour::hold());
    auto answer = t.send(3, t.consumeBody(recv3, producerId));
    t.runUntil([&] { return t.worker(slot).heldCount() == 1; });
    t.worker(slot).die();
    t.runUntil([&] { return answer->has_value(); }, 1000);  // at once, not after a request timeout
    return **answer;
  }
  size_t pipeConsumes(size_t slot) {
    size_t n = 0;
    for (const auto& r : t.worker(slot).requests()) n += r.method == "transport.consume" && Rooms::str(r.data, "type") == "pipe";
    return n;
  }
  Rooms t;
  size_t a = 0, b = 0;
  std::string producerId, recv3, recv4;
};

}  // namespace

// Two consumers of one producer on the other router, asked at once: one pipe transport on each router, the
// producer consumed into the pipe once, its copy produced once, and both consumers made from the copy.
static void concurrent_consumers_share_one_piping(void**) {
  TwoRouters r;
  auto c3 = r.t.send(3, r.t.consumeBody(r.recv3, r.producerId));
  auto c4 = r.t.send(4, r.t.consumeBody(r.recv4, r.producerId));
  r.t.runUntil([&] { return c3->has_value() && c4->has_value(); });
  assert_int_equal(Rooms::errorCode(**c3), 0);
  assert_int_equal(Rooms::errorCode(**c4), 0);
  assert_int_equal(r.t.worker(r.a).count("router.createPipeTransport"), 1);
  assert_int_equal(r.t.worker(r.b).count("router.createPipeTransport"), 1);
  assert_int_equal(r.pipeConsumes(r.a), 1);
  const fake::Request* copy = r.t.worker(r.b).last("transport.produce");
  assert_non_null(copy);
  assert_string_equal(Rooms::str(copy->data, "producerId").c_str(), r.producerId.c_str());  // the copy keeps its id
  assert_int_equal(r.t.worker(r.b).count("transport.produce"), 1);
  assert_int_equal(r.t.worker(r.b).count("transport.consume"), 2);

  // A second producer crosses the same pair of pipe transports.
  std::string second = r.t.produceAudio(2, r.t.transport(2, true));
  assert_int_equal(Rooms::errorCode(r.t.consume(3, r.recv3, second)), 0);
  assert_int_equal(r.t.worker(r.a).count("router.createPipeTransport"), 1);
  assert_int_equal(r.pipeConsumes(r.a), 2);
  // A consumer on the producer's own router needs no pipe.
  assert_int_equal(Rooms::errorCode(r.t.consume(2, r.t.transport(2, false), r.producerId)), 0);
  assert_int_equal(r.pipeConsumes(r.a), 2);
}

// Pause and resume of the original reach the copy through the pipe consumer's notifications; closing the
// original closes the copy and, with it, the consumers on the other router.
static void pause_resume_and_close_follow_the_pipe(void**) {
  TwoRouters r;
  Json consumer = r.t.consume(3, r.recv3, r.producerId);
  std::string pipeConsumerId;
  for (const auto& q : r.t.worker(r.a).requests()) {
    if (q.method == "transport.consume" && Rooms::str(q.data, "type") == "pipe") pipeConsumerId = Rooms::str(q.data, "consumerId");
  }
  assert_false(pipeConsumerId.empty());

  r.t.worker(r.a).notify(pipeConsumerId, "producerpause");
  r.t.runUntil([&] { return r.t.worker(r.b).count("producer.pause") == 1; });
  assert_string_equal(r.t.worker(r.b).last("producer.pause")->handlerId.c_str(), r.producerId.c_str());
  r.t.worker(r.a).notify(pipeConsumerId, "producerresume");
  r.t.runUntil([&] { return r.t.worker(r.b).count("producer.resume") == 1; });

  assert_string_equal(Rooms::str(r.t.ask(1, R"({"request":"closeProducer","producerId":")" + r.producerId + "\"}"), "mediasoup").c_str(), "success");
  r.t.runUntil([&] { return r.t.eventsOf(3, "consumerClosed").size() == 1; });
  assert_string_equal(Rooms::str(r.t.eventsOf(3, "consumerClosed")[0], "consumerId").c_str(), Rooms::str(consumer, "id").c_str());
  r.t.settle();
  assert_int_equal(r.t.worker(r.b).count("transport.closeProducer"), 1);  // the copy
  assert_int_equal(r.t.eventsOf(3, "producerClosed").size(), 1);            // announced once, by the original's router
  // Consuming it again fails cleanly: the producer is gone everywhere.
  assert_int_equal(Rooms::errorCode(r.t.consume(4, r.recv4, r.producerId)), kNoSuchEntity);
}

// A worker that refuses a pipe transport: the consume fails, nothing half-made stays, and the next consume
// builds the pair again.
static void a_refused_pipe_transport_fails_the_consume_and_is_retried(void**) {
  TwoRouters r;
  r.t.worker(r.b).on("router.createPipeTransport", Behaviour::reject("no port"), 1);
  Json failed = r.t.consume(3, r.recv3, r.producerId);
  assert_int_not_equal(Rooms::errorCode(failed), 0);
  r.t.settle();
  // The half that was made (on a) is closed again.
  assert_int_equal(r.t.worker(r.a).count("router.closeTransport"), 1);
  Json again = r.t.consume(3, r.recv3, r.producerId);
  assert_int_equal(Rooms::errorCode(again), 0);
  assert_int_equal(r.t.worker(r.a).count("router.createPipeTransport"), 2);
  assert_int_equal(r.pipeConsumes(r.a), 1);
}

// The consuming router's worker dies while the pipe is being made: the consume is answered (448, at once, not
// after a timeout) and the peers there move.
static void a_router_gone_while_piping(void**) {
  TwoRouters r;
  assert_int_equal(Rooms::errorCode(r.consumeWhileWorkerDies(r.b)), kWorkerUnavailable);
  r.t.runUntil([&] { return r.t.eventsOf(3, "moved").size() == 1 && r.t.eventsOf(4, "moved").size() == 1; });
  r.t.settle();
  // Router a's half of the pair is closed, not left behind.
  assert_int_equal(r.t.worker(r.a).count("router.closeTransport"), 1);
  // Peer 3, now beside the producer's router or on a new one, consumes again.
  std::string recv = r.t.transport(3, false);
  assert_int_equal(Rooms::errorCode(r.t.consume(3, recv, r.producerId)), 0);
}

// The producer's router goes away (its worker dies) while a consumer waits for the pipe: the waiter fails,
// and the consumer side hears producerClosed.
static void the_source_router_gone_while_piping(void**) {
  TwoRouters r;
  assert_int_not_equal(Rooms::errorCode(r.consumeWhileWorkerDies(r.a)), 0);
  r.t.runUntil([&] { return r.t.eventsOf(3, "producerClosed").size() == 1; });
  r.t.settle();
  assert_int_equal(r.t.worker(r.b).count("router.closeTransport"), 1);
}

// Data producers cross the same way (their twin path).
static void data_producers_are_piped_once(void**) {
  TwoRouters r;
  std::string send1 = r.t.transport(1, true, true);
  Json dp = r.t.ask(1, R"({"request":"produceData","transportId":")" + send1 +
                           R"(","sctpStreamParameters":{"streamId":1,"ordered":true},"label":"chat","protocol":""})");
  assert_int_equal(Rooms::errorCode(dp), 0);
  std::string dataProducerId = Rooms::str(dp, "id");
  std::string recv3 = r.t.transport(3, false, true), recv4 = r.t.transport(4, false, true);
  auto c3 = r.t.send(3, R"({"request":"consumeData","transportId":")" + recv3 + R"(","dataProducerId":")" + dataProducerId + "\"}");
  auto c4 = r.t.send(4, R"({"request":"consumeData","transportId":")" + recv4 + R"(","dataProducerId":")" + dataProducerId + "\"}");
  r.t.runUntil([&] { return c3->has_value() && c4->has_value(); });
  assert_int_equal(Rooms::errorCode(**c3), 0);
  assert_int_equal(Rooms::errorCode(**c4), 0);
  assert_int_equal(r.t.worker(r.b).count("transport.produceData"), 1);
  assert_int_equal(r.t.worker(r.b).count("transport.consumeData"), 2);
  // Closing the original's transport closes the copy: the consumers hear dataConsumerClosed.
  r.t.ask(1, R"({"request":"closeTransport","transportId":")" + send1 + "\"}");
  r.t.settle();
  r.t.runUntil([&] { return r.t.eventsOf(3, "dataConsumerClosed").size() == 1 && r.t.eventsOf(4, "dataConsumerClosed").size() == 1; });
  assert_int_equal(r.t.worker(r.b).count("transport.closeDataProducer"), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(concurrent_consumers_share_one_piping),
      cmocka_unit_test(pause_resume_and_close_follow_the_pipe),
      cmocka_unit_test(a_refused_pipe_transport_fails_the_consume_and_is_retried),
      cmocka_unit_test(a_router_gone_while_piping),
      cmocka_unit_test(the_source_router_gone_while_piping),
      cmocka_unit_test(data_producers_are_piped_once),
  };
  return cmocka_run_group_tests_name("pipes", tests, nullptr, nullptr);
}
