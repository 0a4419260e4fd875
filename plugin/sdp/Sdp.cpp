#include "sdp/Sdp.h"

#include <charconv>

namespace msp::sdp {

bool Attributes::has(std::string_view name) const {
  for (const Attribute& attribute : list) {
    if (attribute.name == name) return true;
  }
  return false;
}

std::optional<std::string_view> Attributes::first(std::string_view name) const {
  for (const Attribute& attribute : list) {
    if (attribute.name == name) return attribute.value ? std::string_view(*attribute.value) : std::string_view();
  }
  return std::nullopt;
}

std::vector<std::string_view> Attributes::all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const Attribute& attribute : list) {
    if (attribute.name == name) values.push_back(attribute.value ? std::string_view(*attribute.value) : std::string_view());
  }
  return values;
}

namespace {

ParseError malformed(std::string detail) { return {ParseError::Kind::Malformed, std::move(detail)}; }

std::vector<std::string_view> splitSpaces(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    if (end > at) tokens.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return tokens;
}

// Control bytes (but tab) have no place in SDP; bytes from 0x80 may be UTF-8 of a session name.
bool printable(std::string_view line) {
  for (unsigned char c : line) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

std::optional<MediaSection> parseMediaLine(std::string_view value) {
  std::vector<std::string_view> tokens = splitSpaces(value);
  if (tokens.size() < 3) return std::nullopt;
  MediaSection media;
  media.kind = std::string(tokens[0]);
  std::string_view port = tokens[1].substr(0, tokens[1].find('/'));
  unsigned number = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error != std::errc() || end != port.data() + port.size() || number > 65535) return std::nullopt;
  media.port = static_cast<uint16_t>(number);
  media.protocol = std::string(tokens[2]);
  for (size_t i = 3; i < tokens.size(); ++i) media.formats.emplace_back(tokens[i]);
  return media;
}

Attribute parseAttribute(std::string_view value) {
  size_t colon = value.find(':');
  if (colon == std::string_view::npos) return {std::string(value), std::nullopt};
  return {std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))};
}

void writeAttributes(std::string& out, const Attributes& attributes) {
  for (const Attribute& attribute : attributes.list) {
    out += "a=" + attribute.name;
    if (attribute.value) out += ":" + *attribute.value;
    out += "\r\n";
  }
}

}  // namespace

std::variant<SessionDescription, ParseError> parse(std::string_view text) {
  if (text.size() > kMaxSdpBytes) {
    return ParseError{ParseError::Kind::TooLarge, "larger than " + std::to_string(kMaxSdpBytes) + " bytes"};
  }
  SessionDescription session;
  MediaSection* media = nullptr;
  bool sawVersion = false;
  size_t lineNumber = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::string where = "line " + std::to_string(lineNumber);
    if (line.size() > kMaxLineBytes) return malformed(where + " is longer than " + std::to_string(kMaxLineBytes) + " bytes");
    if (!printable(line)) return malformed(where + " holds control or binary bytes");
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return malformed(where + " is not <letter>=<value>");
    }
    char type = line[0];
    std::string_view value = line.substr(2);
    if (!sawVersion) {
      if (type != 'v' || value != "0") return malformed("the first line is not v=0");
      sawVersion = true;
      continue;
    }
    switch (type) {
      case 'm': {
        if (session.media.size() == kMaxMediaSections) {
          return ParseError{ParseError::Kind::TooLarge, "more than " + std::to_string(kMaxMediaSections) + " m-lines"};
        }
        std::optional<MediaSection> parsed = parseMediaLine(value);
        if (!parsed) return malformed(where + ": an m-line is m=<media> <port> <proto> <fmt> …");
        session.media.push_back(std::move(*parsed));
        media = &session.media.back();
        break;
      }
      case 'a':
        if (value.empty()) return malformed(where + ": an empty attribute");
        (media ? media->attributes : session.attributes).list.push_back(parseAttribute(value));
        break;
      case 'c':
        (media ? media->connection : session.connection) = std::string(value);
        break;
      case 'b':
        (media ? media->bandwidths : session.bandwidths).emplace_back(value);
        break;
      case 'o':
        if (!media) session.origin = std::string(value);
        break;
      case 's':
        if (!media) session.sessionName = std::string(value);
        break;
      case 't':
        if (!media) session.timing = std::string(value);
        break;
      default:  // i=, u=, e=, p=, z=, k=, r= and lines of later RFCs: nothing here needs them
        break;
    }
  }
  if (!sawVersion) return malformed("empty: no v=0 line");
  return session;
}

std::string write(const SessionDescription& session) {
  std::string out = "v=0\r\no=" + session.origin + "\r\ns=" + session.sessionName + "\r\n";
  if (session.connection) out += "c=" + *session.connection + "\r\n";
  for (const std::string& bandwidth : session.bandwidths) out += "b=" + bandwidth + "\r\n";
  out += "t=" + session.timing + "\r\n";
  writeAttributes(out, session.attributes);
  for (const MediaSection& media : session.media) {
    out += "m=" + media.kind + " " + std::to_string(media.port) + " " + media.protocol;
    for (const std::string& format : media.formats) out += " " + format;
    out += "\r\n";
    if (media.connection) out += "c=" + *media.connection + "\r\n";
    for (const std::string& bandwidth : media.bandwidths) out += "b=" + bandwidth + "\r\n";
    writeAttributes(out, media.attributes);
  }
  return out;
}

}  // namespace msp::sdp
