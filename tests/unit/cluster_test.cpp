// The cluster's pure parts: reconnect backoff, the host entry codec (another host's bytes are untrusted), the
// diff between two views of the cluster, and the cluster settings.
#include <cstring>
#include <set>

#include "cluster/Backoff.h"
#include "cluster/BusMessage.h"
#include "cluster/HostInfo.h"
#include "config/Config.h"
#include "cmocka.h"

using namespace msp;

static void backoff_doubles_with_jitter_up_to_its_cap(void**) {
  Backoff backoff(100, 5000, 7);
  uint64_t previousBase = 0;
  for (uint64_t base : {100, 200, 400, 800, 1600, 3200, 5000, 5000}) {
    uint64_t delay = backoff.next();
    assert_true(delay >= base && delay <= std::min<uint64_t>(5000, base + base / 4));
    assert_true(base >= previousBase);
    previousBase = base;
  }
  backoff.reset();
  uint64_t first = backoff.next();
  assert_true(first >= 100 && first <= 125);
  // Different seeds spread the same attempt apart.
  std::set<uint64_t> spread;
  for (uint32_t seed = 0; seed < 20; ++seed) {
    Backoff b(1000, 60000, seed);
    spread.insert(b.next());
  }
  assert_true(spread.size() > 5);
}

static void host_info_round_trips(void**) {
  HostInfo info;
  info.pipeIp = "127.0.0.11";
  info.bootId = "b00t";
  info.rooms = 3;
  info.peers = 40;
  info.workers = 4;
  info.cpuUsage = 1.25;
  auto decoded = decodeHostInfo("b:3000", 7, encodeHostInfo(info));
  assert_true(decoded.has_value());
  assert_string_equal(decoded->hostId.c_str(), "b:3000");
  assert_int_equal(decoded->epoch, 7);
  assert_string_equal(decoded->pipeIp.c_str(), "127.0.0.11");
  assert_string_equal(decoded->bootId.c_str(), "b00t");
  assert_int_equal(decoded->rooms, 3);
  assert_int_equal(decoded->peers, 40);
  assert_int_equal(decoded->workers, 4);
  assert_true(decoded->cpuUsage > 1.24 && decoded->cpuUsage < 1.26);
  assert_false(decoded->draining);
  info.draining = true;
  assert_true(decodeHostInfo("b:3000", 7, encodeHostInfo(info))->draining);
  // A host that predates draining says nothing of it: not draining.
  auto older = decodeHostInfo("c", 1, R"({"pipeIp":"1.2.3.4","bootId":"b","rooms":1,"peers":0,"workers":1,"cpuUsage":0})");
  assert_true(older.has_value() && !older->draining);
}

static void peers_a_draining_host_turns_away_go_to_the_emptiest_host(void**) {
  auto host = [](const char* id, uint32_t peers, double cpu, uint32_t workers, bool draining) {
    HostInfo h;
    h.hostId = id;
    h.peers = peers;
    h.cpuUsage = cpu;
    h.workers = workers;
    h.draining = draining;
    return std::make_pair(std::string(id), h);
  };
  std::map<std::string, HostInfo> hosts{host("a", 0, 0, 4, true), host("b", 30, 0.5, 4, false), host("c", 10, 2.0, 4, false),
                                        host("d", 10, 1.0, 4, false), host("e", 0, 0, 0, false), host("f", 1, 0, 4, true)};
  // Not itself, not a draining host, not one without a live worker; fewest peers, then least CPU.
  assert_string_equal(hostTakingPeers(hosts, "a").c_str(), "d");
  hosts["d"].cpuUsage = 2.0;
  assert_string_equal(hostTakingPeers(hosts, "a").c_str(), "c");  // a tie: the lower id, the same on every host
  assert_string_equal(hostTakingPeers(hosts, "c").c_str(), "d");
  std::map<std::string, HostInfo> alone{host("a", 0, 0, 4, true), host("e", 0, 0, 0, false)};
  assert_true(hostTakingPeers(alone, "a").empty());
}

static void malformed_host_entries_are_refused(void**) {
  for (const char* bad : {"", "nope", "[]", "{}", R"({"pipeIp":"1.2.3.4","bootId":"b","rooms":-1,"peers":0,"workers":1,"cpuUsage":0})",
                          R"({"pipeIp":7,"bootId":"b","rooms":1,"peers":0,"workers":1,"cpuUsage":0})",
                          R"({"pipeIp":"1.2.3.4","bootId":"b","rooms":1,"peers":0,"workers":1,"cpuUsage":"x"})",
                          R"({"pipeIp":"1.2.3.4","rooms":1,"peers":0,"workers":1,"cpuUsage":0})",
                          R"({"pipeIp":"1.2.3.4","bootId":"b","rooms":1e30,"peers":0,"workers":1,"cpuUsage":0})"}) {
    assert_false(decodeHostInfo("x", 1, bad).has_value());
  }
  assert_false(decodeHostInfo("x", 1, std::string(5000, ' ') + "{}").has_value());
}

static void diff_names_joined_and_lost_hosts(void**) {
  auto host = [](const char* id, uint64_t epoch, const char* bootId) {
    HostInfo h;
    h.hostId = id;
    h.epoch = epoch;
    h.bootId = bootId;
    return std::make_pair(std::string(id), h);
  };
  std::map<std::string, HostInfo> before{host("a", 1, "a1"), host("b", 2, "b1"), host("c", 3, "c1"), host("e", 5, "e1")};
  std::map<std::string, HostInfo> after{host("a", 1, "a1"), host("c", 9, "c2"), host("d", 4, "d1"), host("e", 8, "e1")};
  HostChanges changes = diffHosts(before, after);
  // b left; c restarted (lost, then joined); d is new; a is unchanged; e only registered again (Redis restarted,
  // or it was fenced): what it has goes on.
  assert_int_equal(changes.lost.size(), 2);
  assert_string_equal(changes.lost[0].c_str(), "b");
  assert_string_equal(changes.lost[1].c_str(), "c");
  assert_int_equal(changes.joined.size(), 2);
  assert_string_equal(changes.joined[0].c_str(), "c");
  assert_string_equal(changes.joined[1].c_str(), "d");
  assert_true(diffHosts(after, after).joined.empty() && diffHosts(after, after).lost.empty());
}

static void redis_urls(void**) {
  auto a = parseRedisUrl("redis://127.0.0.1:6380");
  assert_true(a && a->host == "127.0.0.1" && a->port == 6380 && a->password.empty());
  auto b = parseRedisUrl("redis://redis.internal");
  assert_true(b && b->host == "redis.internal" && b->port == 6379);
  auto c = parseRedisUrl("redis://[::1]:7000/");
  assert_true(c && c->host == "::1" && c->port == 7000);
  auto d = parseRedisUrl("redis://:s%40cr%3At@10.0.0.5:6400");
  assert_true(d && d->host == "10.0.0.5" && d->port == 6400 && d->user.empty() && d->password == "s@cr:t");
  auto e = parseRedisUrl("redis://janus:pw@[::1]");
  assert_true(e && e->host == "::1" && e->user == "janus" && e->password == "pw");
  for (const char* bad : {"", "127.0.0.1:6379", "http://x:1", "redis://", "redis://x:0", "redis://x:70000", "redis://x:12a",
                          "redis://user@x:1", "redis://[::1", "redis://[::1]x", "redis://:@x", "redis://:%zz@x", "redis://:pw@"}) {
    assert_false(parseRedisUrl(bad).has_value());
  }
}

static void cluster_settings(void**) {
  std::map<std::string, std::string> cfg;
  auto load = [&] {
    return loadSettings([&](const std::string& n) -> std::optional<std::string> {
      auto it = cfg.find(n);
      return it == cfg.end() ? std::nullopt : std::optional<std::string>(it->second);
    }, [](const std::string&) { return std::optional<std::string>(); }, "/bin/sh");
  };
  {
    auto off = load();
    assert_false(std::get<Settings>(off).clustered());
  }
  cfg["cluster_redis"] = "redis://127.0.0.1:6400";
  auto missingPipeIp = load();
  assert_non_null(strstr(std::get<SettingsError>(missingPipeIp).message.c_str(), "cluster_pipe_ip"));
  cfg["cluster_pipe_ip"] = "127.0.0.11";
  cfg["stats_port"] = "3100";
  {
    auto on = load();
    Settings& s = std::get<Settings>(on);
    assert_true(s.clustered());
    assert_int_equal(s.clusterRedisPort, 6400);
    assert_int_equal(s.clusterLeaseMs, 6000);
    assert_true(s.hostId.size() > 5 && s.hostId.substr(s.hostId.size() - 5) == ":3100");  // hostname:stats_port
  }
  cfg["host_id"] = "has space";
  assert_true(std::holds_alternative<SettingsError>(load()));
  cfg["host_id"] = "a{b}";
  assert_true(std::holds_alternative<SettingsError>(load()));
  cfg["host_id"] = "host-a";
  cfg["cluster_lease_ms"] = "500";
  assert_true(std::holds_alternative<SettingsError>(load()));
  cfg["cluster_lease_ms"] = "2000";
  assert_string_equal(std::get<Settings>(load()).hostId.c_str(), "host-a");
  cfg["cluster_redis"] = "localhost:6379";
  assert_true(std::holds_alternative<SettingsError>(load()));
}

static void bus_messages_round_trip(void**) {
  BusMessage m;
  m.kind = BusMessage::Kind::Request;
  m.type = "openPipe";
  m.from = "host-a";
  m.fromEpoch = 12;
  m.id = "12-1-abcd";
  m.room = "r1";
  m.body = Json::parse(R"({"producerId":"p","port":40000})");
  auto back = decodeBusMessage(encodeBusMessage(m));
  assert_true(back.has_value());
  assert_true(back->kind == BusMessage::Kind::Request);
  assert_string_equal(back->type.c_str(), "openPipe");
  assert_string_equal(back->from.c_str(), "host-a");
  assert_int_equal(back->fromEpoch, 12);
  assert_string_equal(back->id.c_str(), "12-1-abcd");
  assert_string_equal(back->room.c_str(), "r1");
  assert_int_equal(json_integer_value(json_object_get(back->body.get(), "port")), 40000);
  BusMessage reply = m;
  reply.kind = BusMessage::Kind::Reply;
  reply.error = "no such producer";
  assert_string_equal(decodeBusMessage(encodeBusMessage(reply))->error.c_str(), "no such producer");
}

static void malformed_bus_messages_are_dropped(void**) {
  for (const char* bad : {"", "x", "[]", R"({"kind":"request","type":"t","from":"a","epoch":1,"body":{}})",  // a request without an id
                          R"({"kind":"shout","type":"t","from":"a","epoch":1,"body":{}})", R"({"kind":"notice","type":"","from":"a","epoch":1,"body":{}})",
                          R"({"kind":"notice","type":"t","from":"a","epoch":-1,"body":{}})", R"({"kind":"notice","type":"t","from":"a","epoch":1,"body":[]})",
                          R"({"kind":"notice","type":"t","from":"a","epoch":1,"body":{},"room":5})"}) {
    assert_false(decodeBusMessage(bad).has_value());
  }
  assert_false(decodeBusMessage(std::string(kMaxBusMessageBytes + 1, ' ')).has_value());
}

static void a_request_seen_twice_is_answered_once(void**) {
  RequestDedup dedup(1000, 3);
  assert_true(dedup.check("a", "1", 0) == RequestDedup::Seen::New);
  assert_true(dedup.check("a", "1", 10) == RequestDedup::Seen::InProgress);
  assert_true(dedup.check("b", "1", 10) == RequestDedup::Seen::New);  // another sender's id 1
  BusMessage reply;
  reply.error = "done once";
  dedup.answered("a", "1", reply);
  BusMessage cached;
  assert_true(dedup.check("a", "1", 20, &cached) == RequestDedup::Seen::Answered);
  assert_string_equal(cached.error.c_str(), "done once");
  assert_true(dedup.check("a", "1", 1001) == RequestDedup::Seen::New);  // forgotten after keepMs
  for (int i = 0; i < 10; ++i) dedup.check("c", std::to_string(i), 1002);
  assert_true(dedup.size() <= 3);  // bounded
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(backoff_doubles_with_jitter_up_to_its_cap),
      cmocka_unit_test(host_info_round_trips),
      cmocka_unit_test(malformed_host_entries_are_refused),
      cmocka_unit_test(peers_a_draining_host_turns_away_go_to_the_emptiest_host),
      cmocka_unit_test(diff_names_joined_and_lost_hosts),
      cmocka_unit_test(redis_urls),
      cmocka_unit_test(cluster_settings),
      cmocka_unit_test(bus_messages_round_trip),
      cmocka_unit_test(malformed_bus_messages_are_dropped),
      cmocka_unit_test(a_request_seen_twice_is_answered_once),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
