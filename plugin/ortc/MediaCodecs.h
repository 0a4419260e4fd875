// The router's media codecs, named in the config (media_codecs = "opus,VP8,VP9,H264"), each mapped to the
// RtpCodecCapability entries common mediasoup deployments use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/Json.h"

namespace msp {

// The names, split and checked; nullopt (with the bad name) when one is unknown or the list is empty.
std::optional<std::vector<std::string>> parseMediaCodecNames(const std::string& list, std::string& badName);
// mediasoup mediaCodecs (an array of RtpCodecCapability) for those names, in order.
Json mediaCodecsFor(const std::vector<std::string>& names);
extern const char* const kDefaultMediaCodecs;

}  // namespace msp
