// What an SDP offer or answer means for mediasoup, and the SDP the plugin answers or offers: pure functions
// between session descriptions and mediasoup's JSON (rtpParameters, dtlsParameters, the worker's ICE
// parameters and candidates), as mediasoup-client's handlers do on the client side, here on the server side.
//
// Publishing: the client offers, one m-line per track; each audio/video m-line that sends becomes one producer
// of one send transport (BUNDLE), with the offer's payload types, header-extension ids, mid, and simulcast by
// rid or by ssrc; the answer is ICE-lite with the worker's candidates and a=setup:passive.
// Subscribing: the plugin offers one m-line per consumer, with the router's payload types and extension ids
// (mediasoup consumers send with those), and reads the client's answer: which m-lines it took, and its DTLS.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/Json.h"
#include "sdp/Sdp.h"

namespace msp::sdp {

struct MappingError {
  std::string detail;
};

// The remote's DTLS, as connectWebRtcTransport takes it: {"role", "fingerprints":[{algorithm, value}]}.
Json remoteDtlsParameters(const SessionDescription& description, std::string* missing);

// One m-line of a publisher's offer that becomes a producer.
struct PublishedTrack {
  size_t index = 0;  // of the m-line in the offer
  std::string mid;
  std::string kind;
  Json rtpParameters;                // for produce
  std::vector<std::string> formats;  // the offer's payload types the answer keeps: the codec, its RTX
  std::vector<std::string> rids;     // as the offer listed them in a=simulcast (the answer echoes them)
};

struct PublishPlan {
  Json dtlsParameters;
  std::vector<PublishedTrack> tracks;
  // Why each m-line that is not in tracks was refused (index, reason): the answer rejects it (port 0).
  std::vector<std::pair<size_t, std::string>> refused;
};

// routerRtpCapabilities: the room router's. An offer with nothing to publish, no DTLS fingerprint, or an
// m-line without a mid is an error; an m-line only this plugin cannot take (a data channel, a codec the room
// does not have) is refused in the answer.
std::variant<PublishPlan, MappingError> planPublish(const SessionDescription& offer, json_t* routerRtpCapabilities);

// The worker's side of a WebRTC transport: what createWebRtcTransport answered.
struct LocalTransport {
  Json iceParameters;   // {usernameFragment, password, iceLite}
  Json iceCandidates;   // [{foundation, priority, ip, protocol, port, type, tcpType?}]
  Json dtlsParameters;  // {role, fingerprints}
};

// The answer to a publisher's offer: every m-line of the offer in its place, accepted or port 0.
SessionDescription answerPublish(const SessionDescription& offer, const PublishPlan& plan, const LocalTransport& local,
                                 uint64_t sessionId, uint64_t version);

// One m-line of a subscriber offer: a consumer, or a closed consumer's slot kept for reuse.
struct ConsumerLine {
  std::string mid;
  std::string kind;
  Json rtpParameters;  // the consumer's (null for a closed slot)
  std::string streamId;  // a=msid stream: the producing peer
  std::string trackId;   // a=msid track: the consumer
  bool closed = false;
};

SessionDescription offerSubscribe(const std::vector<ConsumerLine>& lines, const LocalTransport& local, uint64_t sessionId,
                                  uint64_t version);

struct SubscribeAnswer {
  Json dtlsParameters;
  std::vector<bool> accepted;  // per line of the offer
};

// The client's answer to offerSubscribe's offer of `lines` m-lines.
std::variant<SubscribeAnswer, MappingError> readSubscribeAnswer(const SessionDescription& answer, size_t lines);

}  // namespace msp::sdp
