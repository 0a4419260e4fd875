#include "ortc/H264ProfileLevelId.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace msp::h264 {
namespace {

// A profile_iop bit pattern: '1' must be set, '0' clear, 'x' either.
struct BitPattern {
  unsigned mask = 0;
  unsigned value = 0;
  explicit BitPattern(const char* pattern) {
    for (int i = 0; i < 8; ++i) {
      unsigned bit = 1u << (7 - i);
      if (pattern[i] != 'x') mask |= bit;
      if (pattern[i] == '1') value |= bit;
    }
  }
  bool matches(unsigned byte) const { return (byte & mask) == value; }
};

struct ProfilePattern {
  unsigned profileIdc;
  BitPattern profileIop;
  Profile profile;
};

const ProfilePattern kProfilePatterns[] = {
    {0x42, BitPattern("x1xx0000"), Profile::ConstrainedBaseline},
    {0x4D, BitPattern("1xxx0000"), Profile::ConstrainedBaseline},
    {0x58, BitPattern("11xx0000"), Profile::ConstrainedBaseline},
    {0x42, BitPattern("x0xx0000"), Profile::Baseline},
    {0x58, BitPattern("10xx0000"), Profile::Baseline},
    {0x4D, BitPattern("0x0x0000"), Profile::Main},
    {0x64, BitPattern("00000000"), Profile::High},
    {0x64, BitPattern("00001100"), Profile::ConstrainedHigh},
    {0xF4, BitPattern("00000000"), Profile::PredictiveHigh444},
};

bool isKnownLevel(int level) {
  switch (level) {
    case 10: case 11: case 12: case 13: case 20: case 21: case 22: case 30: case 31: case 32:
    case 40: case 41: case 42: case 50: case 51: case 52:
      return true;
    default:
      return false;
  }
}

bool isLessLevel(int a, int b) {
  if (a == kLevel1b) return b != 10 && b != kLevel1b;
  if (b == kLevel1b) return a != 10;
  return a < b;
}

bool isLevelAsymmetryAllowed(json_t* parameters) {
  json_t* value = json_object_get(parameters, "level-asymmetry-allowed");
  if (json_is_integer(value)) return json_integer_value(value) == 1;
  if (json_is_real(value)) return json_real_value(value) == 1.0;
  if (json_is_string(value)) return std::string(json_string_value(value)) == "1";
  return false;
}

}  // namespace

std::optional<ProfileLevelId> parseProfileLevelId(const std::string& text) {
  if (text.size() != 6) return std::nullopt;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  unsigned long numeric = std::strtoul(text.c_str(), nullptr, 16);
  if (numeric == 0) return std::nullopt;
  int levelIdc = static_cast<int>(numeric & 0xFF);
  unsigned profileIop = (numeric >> 8) & 0xFF;
  unsigned profileIdc = (numeric >> 16) & 0xFF;

  int level;
  if (levelIdc == 11) level = (profileIop & 0x10) ? kLevel1b : 11;  // constraint_set3 marks level 1b
  else if (isKnownLevel(levelIdc)) level = levelIdc;
  else return std::nullopt;

  for (const ProfilePattern& pattern : kProfilePatterns) {
    if (profileIdc == pattern.profileIdc && pattern.profileIop.matches(profileIop)) return ProfileLevelId{pattern.profile, level};
  }
  return std::nullopt;
}

std::optional<std::string> profileLevelIdToString(const ProfileLevelId& id) {
  if (id.level == kLevel1b) {
    switch (id.profile) {
      case Profile::ConstrainedBaseline: return std::string("42f00b");
      case Profile::Baseline: return std::string("42100b");
      case Profile::Main: return std::string("4d100b");
      default: return std::nullopt;
    }
  }
  const char* prefix;
  switch (id.profile) {
    case Profile::ConstrainedBaseline: prefix = "42e0"; break;
    case Profile::Baseline: prefix = "4200"; break;
    case Profile::Main: prefix = "4d00"; break;
    case Profile::ConstrainedHigh: prefix = "640c"; break;
    case Profile::High: prefix = "6400"; break;
    case Profile::PredictiveHigh444: prefix = "f400"; break;
    default: return std::nullopt;
  }
  char text[8];
  std::snprintf(text, sizeof text, "%s%02x", prefix, id.level & 0xFF);
  return std::string(text);
}

std::optional<ProfileLevelId> parseSdpProfileLevelId(json_t* parameters) {
  json_t* value = json_object_get(parameters, "profile-level-id");
  bool absent = !value || json_is_null(value) || (json_is_string(value) && json_string_length(value) == 0) ||
                (json_is_integer(value) && json_integer_value(value) == 0);
  if (absent) return ProfileLevelId{Profile::ConstrainedBaseline, kLevel3_1};
  if (!json_is_string(value)) return std::nullopt;
  return parseProfileLevelId(json_string_value(value));
}

bool isSameProfile(json_t* parameters1, json_t* parameters2) {
  auto a = parseSdpProfileLevelId(parameters1);
  auto b = parseSdpProfileLevelId(parameters2);
  return a && b && a->profile == b->profile;
}

std::optional<std::string> generateProfileLevelIdForAnswer(json_t* localSupported, json_t* remoteOffered) {
  auto present = [](json_t* parameters) {
    json_t* v = json_object_get(parameters, "profile-level-id");
    return v && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0);
  };
  if (!present(localSupported) && !present(remoteOffered)) return std::nullopt;
  auto local = parseSdpProfileLevelId(localSupported);
  auto remote = parseSdpProfileLevelId(remoteOffered);
  if (!local) throw NegotiationError("invalid local profile-level-id");
  if (!remote) throw NegotiationError("invalid remote profile-level-id");
  if (local->profile != remote->profile) throw NegotiationError("H264 profile mismatch");
  bool asymmetry = isLevelAsymmetryAllowed(localSupported) && isLevelAsymmetryAllowed(remoteOffered);
  int minLevel = isLessLevel(local->level, remote->level) ? local->level : remote->level;
  return profileLevelIdToString(ProfileLevelId{local->profile, asymmetry ? local->level : minLevel});
}

}  // namespace msp::h264
