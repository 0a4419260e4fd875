#include "base/Cidr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace msp {
namespace {

// A literal address as family + bytes; IPv4-mapped IPv6 becomes IPv4.
std::optional<Cidr> address(const std::string& text) {
  Cidr a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    a.prefix = 32;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a.bytes.data(), mapped, sizeof mapped) == 0) {
      std::array<uint8_t, 16> v4{};
      std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.begin());
      a.bytes = v4;
      a.family = AF_INET;
      a.prefix = 32;
      return a;
    }
    a.family = AF_INET6;
    a.prefix = 128;
    return a;
  }
  return std::nullopt;
}

bool contains(const Cidr& block, const Cidr& a) {
  if (block.family != a.family) return false;
  int whole = block.prefix / 8, rest = block.prefix % 8;
  if (std::memcmp(block.bytes.data(), a.bytes.data(), static_cast<size_t>(whole)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (block.bytes[static_cast<size_t>(whole)] & mask) == (a.bytes[static_cast<size_t>(whole)] & mask);
}

}  // namespace

std::optional<Cidr> parseCidr(const std::string& text) {
  auto slash = text.find('/');
  auto block = address(text.substr(0, slash));
  if (!block) return std::nullopt;
  if (slash == std::string::npos) return block;
  const std::string bits = text.substr(slash + 1);
  int max = block->family == AF_INET ? 32 : 128;
  if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int prefix = std::stoi(bits);
  if (prefix > max) return std::nullopt;
  block->prefix = prefix;
  return block;
}

std::optional<std::vector<Cidr>> parseCidrList(const std::string& text, std::string& bad) {
  std::string normalized = text;
  std::replace(normalized.begin(), normalized.end(), ',', ' ');
  std::istringstream words(normalized);
  std::vector<Cidr> blocks;
  for (std::string word; words >> word;) {
    auto block = parseCidr(word);
    if (!block) {
      bad = word;
      return std::nullopt;
    }
    blocks.push_back(*block);
  }
  return blocks;
}

bool cidrsContain(const std::vector<Cidr>& blocks, const std::string& ip) {
  auto a = address(ip);
  return a && std::any_of(blocks.begin(), blocks.end(), [&](const Cidr& block) { return contains(block, *a); });
}

}  // namespace msp
