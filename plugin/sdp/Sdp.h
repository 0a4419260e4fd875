// Session descriptions (RFC 8866) as the WebRTC clients write them: a session part and its media sections,
// each a list of attributes kept in order. parse() takes text from the network (bounded, every line checked,
// nothing trusted); write() gives it back with CRLF line ends. What the lines mean for mediasoup is SdpMapping's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace msp::sdp {

// a=name or a=name:value.
struct Attribute {
  std::string name;
  std::optional<std::string> value;
};

// Attributes in order, with the lookups every reader needs.
struct Attributes {
  std::vector<Attribute> list;

  bool has(std::string_view name) const;
  // The value of the first a=name (empty for a flag).
  std::optional<std::string_view> first(std::string_view name) const;
  std::vector<std::string_view> all(std::string_view name) const;
  void add(std::string name) { list.push_back({std::move(name), std::nullopt}); }
  void add(std::string name, std::string value) { list.push_back({std::move(name), std::move(value)}); }
};

struct MediaSection {
  std::string kind;  // m=<kind>: audio, video, application, or what the client wrote
  uint16_t port = 0;  // 0: rejected, or stopped
  std::string protocol;
  std::vector<std::string> formats;  // payload types as written
  std::optional<std::string> connection;  // c=
  std::vector<std::string> bandwidths;    // b=
  Attributes attributes;
};

struct SessionDescription {
  std::string origin = "- 0 0 IN IP4 0.0.0.0";
  std::string sessionName = "-";
  std::string timing = "0 0";
  std::optional<std::string> connection;
  std::vector<std::string> bandwidths;
  Attributes attributes;
  std::vector<MediaSection> media;
};

// Where and why text is not a session description this plugin takes.
struct ParseError {
  enum class Kind { Malformed, TooLarge };
  Kind kind;
  std::string detail;
};

// Bounds on what a client may send: far above any real offer (Chromium's for two tracks is about 6 KB).
inline constexpr size_t kMaxSdpBytes = 128 * 1024;
inline constexpr size_t kMaxMediaSections = 64;
inline constexpr size_t kMaxLineBytes = 4096;

std::variant<SessionDescription, ParseError> parse(std::string_view text);
std::string write(const SessionDescription& description);

}  // namespace msp::sdp
