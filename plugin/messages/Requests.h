// Every client message is parsed here, at the boundary, into one typed request; the logic never touches
// raw JSON. A bad message becomes an ApiError before anything changes.
#pragma once

#include <jansson.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "messages/ApiError.h"

namespace msp {
namespace request {

// Credentials (api.md "Access control and limits") are empty when not given; they are never logged, listed,
// returned or sent in events.
// A room's own audio observer settings (absent: the plugin's settings).
struct RoomAudio {
  std::optional<bool> audioLevels;
  std::optional<uint32_t> audioLevelIntervalMs;  // kMinAudioLevelIntervalMs..kMaxObserverIntervalMs
  std::optional<int> audioLevelThreshold;        // dBov, -127..0
  std::optional<bool> activeSpeaker;
  std::optional<uint32_t> activeSpeakerIntervalMs;  // kMinActiveSpeakerIntervalMs..kMaxObserverIntervalMs
};
struct Create {
  std::optional<std::string> room;
  std::string pin;     // the room's: `join` will need it
  std::string secret;  // the room's: `destroy` and `kick` will need it
  std::string adminKey;
  RoomAudio audio;
};
struct Destroy {
  std::string room;
  std::string secret, adminKey, token;
};
struct Exists { std::string room; };
struct List {};
struct Join {
  std::string room;
  std::string display;
  Json appData;  // null: none
  std::string pin, token, adminKey;
};
// A joined peer's new display name (`peerUpdated` to the others).
struct SetDisplay {
  std::string display;
};
// Removes a peer from a room (`kicked` to it, `peerLeft` to the others).
struct Kick {
  std::string room;
  std::string peerId;
  std::string secret, adminKey, token;
};
struct Leave {};

// Media (on a joined handle). Json members are the client's own copies: ORTC may normalise them in place.
struct CreateWebRtcTransport {
  bool send = true;  // direction "send" | "recv"
  Json sctpCapabilities;  // null: no SCTP
};
struct ConnectWebRtcTransport {
  std::string transportId;
  Json dtlsParameters;
};
// Plain RTP/SRTP (encoders, recorders): ports from the worker's range, no ICE or DTLS.
struct SrtpParameters {
  std::string cryptoSuite;  // one of kSrtpCryptoSuites
  std::string keyBase64;    // decodes to the suite's master key + salt length
};
struct CreatePlainTransport {
  bool send = true;
  bool comedia = false;  // learn the remote address from its first packet
  bool rtcpMux = true;
  bool enableSrtp = false;
  std::string srtpCryptoSuite = "AES_CM_128_HMAC_SHA1_80";
};
struct ConnectPlainTransport {
  std::string transportId;
  std::string ip;  // empty: not given
  int port = 0;    // 0: not given
  int rtcpPort = 0;
  std::optional<SrtpParameters> srtpParameters;
};
struct RestartIce { std::string transportId; };
struct CloseTransport { std::string transportId; };
struct Produce {
  std::string transportId;
  std::string kind;
  Json rtpParameters;
  Json appData;
};
struct ProducerAction {
  enum class Kind { Pause, Resume, Close } kind;
  std::string producerId;
};
struct Consume {
  std::string transportId;
  std::string producerId;
  Json rtpCapabilities;
};
struct ConsumerAction {
  enum class Kind { Pause, Resume } kind;
  std::string consumerId;
};
struct SetPreferredLayers {
  std::string consumerId;
  int spatialLayer = 0;
  int temporalLayer = -1;  // -1: not given
};
struct ProduceData {
  std::string transportId;
  Json sctpStreamParameters;
  std::string label;
  std::string protocol;
  Json appData;
};
struct ConsumeData {
  std::string transportId;
  std::string dataProducerId;
};
struct GetStats {
  enum class Of { Transport, Producer, Consumer, DataProducer, DataConsumer } of;
  std::string id;
};

// Standard WebRTC clients: SDP offers and answers travel in the message body (Janus's jsep would be rewritten
// by Janus core). The SDP text is checked by the SDP parser, not here.
struct PublishSdp {
  std::string sdp;
  std::string transportId;  // empty: a new send transport; else a renegotiation of that one
};
struct SubscribeSdp {
  std::optional<std::vector<std::string>> producerIds;  // nullopt: every producer of the room
  bool autoUpdate = true;  // later producers of the room are offered by renegotiation
};
struct SdpAnswer {
  std::string transportId;
  std::string sdp;
};
struct UnpublishSdp {
  bool subscriber = false;  // unsubscribeSdp
  std::string transportId;
  std::vector<std::string> mids;  // empty: all
};
}  // namespace request

using Request = std::variant<request::Create, request::Destroy, request::Exists, request::List, request::Join,
                             request::Kick, request::Leave, request::SetDisplay, request::CreateWebRtcTransport, request::ConnectWebRtcTransport,
                             request::CreatePlainTransport, request::ConnectPlainTransport, request::RestartIce,
                             request::CloseTransport, request::Produce, request::ProducerAction,
                             request::Consume, request::ConsumerAction, request::SetPreferredLayers,
                             request::ProduceData, request::ConsumeData, request::GetStats, request::PublishSdp,
                             request::SubscribeSdp, request::SdpAnswer, request::UnpublishSdp>;

std::variant<Request, ApiError> parseRequest(json_t* body);

// Admin API (message_plugin) requests: documents, and growing or shrinking the pool at runtime.
struct AdminRequest {
  enum class Kind { Stats, Workers, AddWorker, DrainWorker, ResumeWorker, DrainHost, ResumeHost };
  Kind kind = Kind::Stats;
  uint32_t workerId = 0;  // DrainWorker, ResumeWorker
};
std::variant<AdminRequest, ApiError> parseAdminRequest(json_t* body);

// The SRTP suites mediasoup 3.12 supports, with the length of their master key + salt.
struct SrtpCryptoSuite {
  const char* name;
  size_t masterLength;
};
constexpr SrtpCryptoSuite kSrtpCryptoSuites[] = {
    {"AEAD_AES_256_GCM", 44}, {"AEAD_AES_128_GCM", 28}, {"AES_CM_128_HMAC_SHA1_80", 30}, {"AES_CM_128_HMAC_SHA1_32", 30}};

constexpr size_t kMaxRoomIdBytes = 128;
constexpr size_t kMaxDisplayBytes = 256;
// The worker's own clamps on its observers' intervals (mediasoup 3.12 AudioLevelObserver, ActiveSpeakerObserver).
constexpr uint32_t kMinAudioLevelIntervalMs = 250;
constexpr uint32_t kMinActiveSpeakerIntervalMs = 100;
constexpr uint32_t kMaxObserverIntervalMs = 5000;
constexpr size_t kMaxEntityIdBytes = 64;
constexpr size_t kMaxLabelBytes = 1024;
constexpr size_t kMaxAppDataBytes = 4096;  // appData as compact JSON
constexpr size_t kMaxListedIds = 1000;   // producerIds, mids
constexpr size_t kMaxSecretBytes = 256;  // pins, secrets, the admin key (tokens: auth/Tokens.h)

// A room id: a non-empty string of at most 128 bytes without control characters, or an integer (turned
// into its decimal string).
std::variant<std::string, ApiError> parseRoomId(json_t* value);

}  // namespace msp
