// Drives the plugin's C++ core directly (no Janus): each thread is a peer doing the per-room workload the
// other drivers do too, through the same requests a client sends. Prints one JSON line of results.
// Usage: core_bench WORKER_BIN WORKERS ROOMS CONCURRENCY
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "api/Core.h"
#include "base/Log.h"

using namespace msp;
using Clock = std::chrono::steady_clock;

namespace {

Json ask(Core& core, void* handle, const std::string& body) {
  Json request = Json::parse(body);
  Json answer = core.handleMessage(handle, request.get(), false);
  if (json_object_get(answer.get(), "error_code")) {
    std::fprintf(stderr, "request failed: %s -> %s\n", body.c_str(), answer.dump().c_str());
    std::exit(1);
  }
  return answer;
}

const char* kVp8 =
    R"({"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"}]},)"
    R"({"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":96}}],)"
    R"("headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1}],"encodings":[{"ssrc":1111,"rtx":{"ssrc":1112}}],"rtcp":{"cname":"bench"},"mid":"0"})";

void quiet(LogLevel level, const char* message) {
  if (level <= LogLevel::Error) std::fprintf(stderr, "%s\n", message);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s WORKER_BIN WORKERS ROOMS CONCURRENCY\n", argv[0]);
    return 2;
  }
  setLogSink(quiet);
  Settings settings;
  settings.workerBin = argv[1];
  settings.workerCount = static_cast<uint32_t>(std::atoi(argv[2]));
  settings.statsPort = 0;
  settings.mediaCodecs = {"opus", "VP8"};
  int rooms = std::atoi(argv[3]);
  int concurrency = std::atoi(argv[4]);

  Core core(settings, nullptr, nullptr);
  std::string error;
  if (!core.start(error)) {
    std::fprintf(stderr, "start: %s\n", error.c_str());
    return 1;
  }
  std::vector<double> latencies(static_cast<size_t>(rooms));
  std::atomic<int> next{0};
  auto started = Clock::now();
  std::vector<std::thread> peers;
  for (int t = 0; t < concurrency; ++t) {
    peers.emplace_back([&, t] {
      int handleStorage = t;  // any distinct address stands for a Janus handle
      void* handle = &handleStorage;
      core.createSession(handle);
      for (int i = next++; i < rooms; i = next++) {
        auto begin = Clock::now();
        Json joined = ask(core, handle, R"({"request":"join","room":"bench-)" + std::to_string(i) + R"("})");
        Json send = ask(core, handle, R"({"request":"createWebRtcTransport","direction":"send"})");
        Json recv = ask(core, handle, R"({"request":"createWebRtcTransport","direction":"recv"})");
        Json produced = ask(core, handle, R"({"request":"produce","kind":"video","transportId":")" +
                                              *send.string("id") + R"(","rtpParameters":)" + kVp8 + "}");
        Json caps = joined.at("routerRtpCapabilities");
        ask(core, handle, R"({"request":"consume","transportId":")" + *recv.string("id") + R"(","producerId":")" +
                              *produced.string("id") + R"(","rtpCapabilities":)" + caps.dump() + "}");
        ask(core, handle, R"({"request":"leave"})");  // closes transports, producer, consumer and the room
        latencies[static_cast<size_t>(i)] = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
      }
      core.destroySession(handle);
    });
  }
  for (auto& peer : peers) peer.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) { return latencies[std::min(latencies.size() - 1, static_cast<size_t>(q * latencies.size()))]; };
  std::printf("{\"driver\":\"janus-mediasoup core (C++)\",\"workers\":%d,\"rooms\":%d,\"concurrency\":%d,"
              "\"roomsPerSecond\":%.1f,\"p50Ms\":%.3f,\"p95Ms\":%.3f,\"p99Ms\":%.3f}\n",
              static_cast<int>(settings.workerCount), rooms, concurrency, rooms / seconds, at(0.5), at(0.95), at(0.99));
  core.stop();
  return 0;
}
