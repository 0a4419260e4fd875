// H264 profile-level-id parsing and negotiation (RFC 6184), as used by ORTC codec matching. Written after the
// npm package h264-profile-level-id that mediasoup's ortc.js relies on.
#pragma once

#include <jansson.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace msp::h264 {

enum class Profile { ConstrainedBaseline = 1, Baseline, Main, ConstrainedHigh, High, PredictiveHigh444 };

// Levels are level_idc values; 1b is 0.
constexpr int kLevel1b = 0;
constexpr int kLevel3_1 = 31;

struct ProfileLevelId {
  Profile profile;
  int level;
};

std::optional<ProfileLevelId> parseProfileLevelId(const std::string& text);
std::optional<std::string> profileLevelIdToString(const ProfileLevelId& id);
// From codec parameters: their profile-level-id, or the default (Constrained Baseline 3.1) when absent.
std::optional<ProfileLevelId> parseSdpProfileLevelId(json_t* parameters);
bool isSameProfile(json_t* parameters1, json_t* parameters2);

struct NegotiationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The profile-level-id to answer with; nullopt when neither side has one. Throws NegotiationError when the
// profiles differ or one is invalid.
std::optional<std::string> generateProfileLevelIdForAnswer(json_t* localSupported, json_t* remoteOffered);

}  // namespace msp::h264
