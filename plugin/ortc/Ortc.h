// ORTC: validation and mapping of RTP/SCTP parameters and capabilities, written after mediasoup 3.12's
// node/lib/ortc.js. Pure functions over Jansson values (the same JSON shapes mediasoup and mediasoup-client
// use); no process, no I/O. Validation normalises its input in place (fills defaults) like the original.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "base/Json.h"

namespace msp::ortc {

// unsupported: a well-formed value mediasoup cannot handle (UnsupportedError); else malformed (TypeError).
struct OrtcError : std::runtime_error {
  OrtcError(const std::string& message, bool unsupported) : std::runtime_error(message), unsupported(unsupported) {}
  bool unsupported;
};

void validateRtpCapabilities(json_t* caps);
void validateRtpCodecCapability(json_t* codec);
void validateRtcpFeedback(json_t* fb);
void validateRtpHeaderExtension(json_t* ext);
void validateRtpParameters(json_t* params);
void validateRtpCodecParameters(json_t* codec);
void validateRtpHeaderExtensionParameters(json_t* ext);
void validateRtpEncodingParameters(json_t* encoding);
void validateRtcpParameters(json_t* rtcp);
void validateSctpCapabilities(json_t* caps);
void validateNumSctpStreams(json_t* numStreams);
void validateSctpStreamParameters(json_t* params);

// The RTP capabilities mediasoup supports (supportedRtpCapabilities.js), normalised.
Json supportedRtpCapabilities();
Json generateRouterRtpCapabilities(json_t* mediaCodecs);
// params must be validated; it may be modified (H264 profile-level-id of the matched codec).
Json getProducerRtpParametersMapping(json_t* params, json_t* caps);
Json getConsumableRtpParameters(const std::string& kind, json_t* params, json_t* caps, json_t* rtpMapping);
// caps is validated (normalised) here.
bool canConsume(json_t* consumableParams, json_t* caps);
// A WebRTC or plain consumer's RTP parameters (pipe consumers: getPipeConsumerRtpParameters).
Json getConsumerRtpParameters(json_t* consumableParams, json_t* remoteCaps, bool enableRtx);
// The RTP parameters of a pipe consumer (another router consumes the producer through a PipeTransport).
Json getPipeConsumerRtpParameters(json_t* consumableParams, bool enableRtx);

// Whether a codec (of an SDP offer, say) is a codec of the capabilities: mediasoup's strict matchCodecs
// (mime type, clock rate, channels; H264 packetization mode and profile; VP9 profile).
bool codecsMatch(json_t* codec, json_t* capability);

struct ScalabilityMode {
  int spatialLayers = 1;
  int temporalLayers = 1;
  bool ksvc = false;
};
ScalabilityMode parseScalabilityMode(const std::string& mode);

// A random SSRC-like number in [100000000, 999999999], as mediasoup's utils.generateRandomNumber().
uint32_t generateRandomNumber();

}  // namespace msp::ortc
