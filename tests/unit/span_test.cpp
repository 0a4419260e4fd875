// Another host's snapshots of its peers: parsed with care (its bytes are not ours), and the difference between
// two of them as the changes this host's peers hear of, in the order they must hear them.
#include "rooms/RemotePeers.h"
#include "cmocka.h"

using namespace msp;
using Kind = PeerChange::Kind;

namespace {

std::map<std::string, RemotePeer> peers(const char* json) { return parseRemotePeers(Json::parse(json), "host-b"); }

std::vector<std::string> describe(const std::vector<PeerChange>& changes) {
  static const char* names[] = {"joined", "updated", "added", "paused", "resumed", "closed", "dataAdded", "dataClosed", "left"};
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(std::string(names[static_cast<int>(c.kind)]) + ":" + c.peerId + (c.producerId.empty() ? "" : "/" + c.producerId));
  return out;
}

void expect(const std::vector<PeerChange>& changes, std::vector<std::string> wanted) {
  auto got = describe(changes);
  if (got != wanted) {
    std::string text;
    for (const auto& g : got) text += g + " ";
    fail_msg("changes: %s", text.c_str());
  }
}

}  // namespace

static void snapshots_are_parsed_with_care(void**) {
  auto parsed = peers(R"([
    {"peerId":"p1","display":"Ana","appData":{"role":"host"},"producers":[{"id":"a1","kind":"audio","paused":true},{"id":"v1","kind":"video","appData":{"source":"screen"}}],
     "dataProducers":[{"id":"d1","label":"chat"}]},
    {"peerId":"","display":"no id"}, {"display":"no id either"}, 7, null,
    {"peerId":"p2","display":5,"appData":[],"producers":[{"id":"x","kind":"smell"},{"kind":"audio"},"junk"]}
  ])");
  assert_int_equal(parsed.size(), 2);
  const RemotePeer& ana = parsed.at("p1");
  assert_string_equal(ana.hostId.c_str(), "host-b");
  assert_string_equal(ana.display.c_str(), "Ana");
  assert_true(ana.producers.at("a1").paused);
  assert_string_equal(ana.producers.at("v1").appData.string("source")->c_str(), "screen");
  assert_int_equal(ana.dataProducers.size(), 1);
  const RemotePeer& odd = parsed.at("p2");
  assert_string_equal(odd.display.c_str(), "");  // not a string: empty
  assert_true(json_is_object(odd.appData.get()));
  assert_int_equal(odd.producers.size(), 0);
  assert_int_equal(peers("{}").size(), 0);
  assert_int_equal(peers("nope").size(), 0);
  // Bounded: a host cannot make this one hold more than kMaxRemoteProducersPerPeer producers for a peer.
  std::string many = R"([{"peerId":"p","producers":[)";
  for (int i = 0; i < 100; ++i) many += (i ? "," : "") + std::string(R"({"id":"p)") + std::to_string(i) + R"(","kind":"audio"})";
  many += "]}]";
  assert_int_equal(peers(many.c_str()).at("p").producers.size(), kMaxRemoteProducersPerPeer);
}

static void a_new_peer_joins_before_it_publishes(void**) {
  auto after = peers(R"([{"peerId":"p1","producers":[{"id":"a","kind":"audio"},{"id":"v","kind":"video","paused":true}]}])");
  expect(diffRemotePeers({}, after), {"joined:p1", "added:p1/a", "added:p1/v", "paused:p1/v"});
}

static void a_gone_peer_closes_its_producers_before_it_leaves(void**) {
  auto before = peers(R"([{"peerId":"p1","producers":[{"id":"a","kind":"audio"}]},{"peerId":"p2"}])");
  auto after = peers(R"([{"peerId":"p2"}])");
  expect(diffRemotePeers(before, after), {"closed:p1/a", "left:p1"});
  expect(diffRemotePeers(before, {}), {"closed:p1/a", "left:p1", "left:p2"});
}

static void changes_of_a_known_peer(void**) {
  auto before = peers(R"([{"peerId":"p1","display":"old","producers":[{"id":"a","kind":"audio"},{"id":"v","kind":"video"},{"id":"s","kind":"video","paused":true}]}])");
  auto after = peers(R"([{"peerId":"p1","display":"new","producers":[{"id":"a","kind":"audio","paused":true},{"id":"s","kind":"video"},{"id":"w","kind":"video"}]}])");
  expect(diffRemotePeers(before, after), {"updated:p1", "paused:p1/a", "resumed:p1/s", "closed:p1/v", "added:p1/w"});
  expect(diffRemotePeers(after, after), {});
}

static void data_producers_come_and_go_with_their_peer(void**) {
  auto before = peers(R"([{"peerId":"p1","dataProducers":[{"id":"d1","label":"chat"},{"id":"d2"}]},{"peerId":"p2","dataProducers":[{"id":"d3"}]}])");
  auto after = peers(R"([{"peerId":"p1","dataProducers":[{"id":"d2"},{"id":"d4","label":"files"}]},{"peerId":"p3","dataProducers":[{"id":"d5"}]}])");
  expect(diffRemotePeers(before, after), {"dataClosed:p2/d3", "left:p2", "dataClosed:p1/d1", "dataAdded:p1/d4", "joined:p3", "dataAdded:p3/d5"});
}

// The room as its home describes it to a member: what is malformed or out of bounds is left as it was.
static void room_settings_travel_checked(void**) {
  Room home;
  home.pin = "1234";
  home.secret = "s";
  home.speakers.settings.audioLevelIntervalMs = 2000;
  home.speakers.settings.activeSpeaker = false;
  Room member;
  applyRoomSettings(member, roomSettingsJson(home));
  assert_string_equal(member.pin.c_str(), "1234");
  assert_string_equal(member.secret.c_str(), "s");
  assert_int_equal(member.speakers.settings.audioLevelIntervalMs, 2000);
  assert_false(member.speakers.settings.activeSpeaker);
  Room odd;
  applyRoomSettings(odd, Json::parse(R"({"pin":7,"secret":null,"audioLevelIntervalMs":10,"talkingThreshold":5,"audioLevels":"yes"})"));
  applyRoomSettings(odd, Json::parse("[1]"));
  assert_true(odd.pin.empty() && odd.secret.empty());
  assert_int_equal(odd.speakers.settings.audioLevelIntervalMs, RoomAudioSettings{}.audioLevelIntervalMs);
  assert_int_equal(odd.speakers.settings.talkingThreshold, RoomAudioSettings{}.talkingThreshold);
  assert_true(odd.speakers.settings.audioLevels);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(snapshots_are_parsed_with_care),
      cmocka_unit_test(a_new_peer_joins_before_it_publishes),
      cmocka_unit_test(data_producers_come_and_go_with_their_peer),
      cmocka_unit_test(room_settings_travel_checked),
      cmocka_unit_test(a_gone_peer_closes_its_producers_before_it_leaves),
      cmocka_unit_test(changes_of_a_known_peer),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
