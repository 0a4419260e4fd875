#include "ortc/MediaCodecs.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace msp {

const char* const kDefaultMediaCodecs = "opus,VP8,VP9,H264";

namespace {

struct NamedCodecs {
  const char* name;
  const char* codecs;  // JSON array
};

// x-google-start-bitrate lets Chrome start at 1 Mbps instead of ramping up from 300 kbps.
const NamedCodecs kKnownCodecs[] = {
    {"opus", R"([{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2}])"},
    {"pcmu", R"([{"kind":"audio","mimeType":"audio/PCMU","clockRate":8000}])"},
    {"pcma", R"([{"kind":"audio","mimeType":"audio/PCMA","clockRate":8000}])"},
    {"g722", R"([{"kind":"audio","mimeType":"audio/G722","clockRate":8000}])"},
    {"vp8", R"([{"kind":"video","mimeType":"video/VP8","clockRate":90000,"parameters":{"x-google-start-bitrate":1000}}])"},
    {"vp9", R"([{"kind":"video","mimeType":"video/VP9","clockRate":90000,"parameters":{"profile-id":0,"x-google-start-bitrate":1000}}])"},
    // Constrained Baseline (what every browser encodes, OpenH264 included) and Main.
    {"h264", R"([{"kind":"video","mimeType":"video/H264","clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"42e01f","level-asymmetry-allowed":1,"x-google-start-bitrate":1000}},
                 {"kind":"video","mimeType":"video/H264","clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"4d0032","level-asymmetry-allowed":1,"x-google-start-bitrate":1000}}])"},
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

const NamedCodecs* find(const std::string& name) {
  for (const auto& known : kKnownCodecs) {
    if (lower(name) == known.name) return &known;
  }
  return nullptr;
}

}  // namespace

std::optional<std::vector<std::string>> parseMediaCodecNames(const std::string& list, std::string& badName) {
  std::vector<std::string> names;
  std::stringstream parts(list);
  std::string part;
  while (std::getline(parts, part, ',')) {
    part.erase(std::remove_if(part.begin(), part.end(), [](unsigned char c) { return std::isspace(c); }), part.end());
    if (part.empty()) continue;
    if (!find(part)) {
      badName = part;
      return std::nullopt;
    }
    names.push_back(part);
  }
  if (names.empty()) {
    badName = list;
    return std::nullopt;
  }
  return names;
}

Json mediaCodecsFor(const std::vector<std::string>& names) {
  Json codecs = Json::array();
  for (const auto& name : names) {
    const NamedCodecs* known = find(name);
    if (!known) continue;
    Json entries = Json::parse(known->codecs);
    json_array_extend(codecs.get(), entries.get());
  }
  return codecs;
}

}  // namespace msp
