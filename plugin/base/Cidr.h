// Address blocks (IPv4 and IPv6 CIDRs) and matching an address against them: the allow-list of where plain
// transports may send media (setting plain_allowed_remotes). Pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace msp {

struct Cidr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};
  int prefix = 0;  // leading bits that must match
};

// "10.0.0.0/8", "::1/128", or one address ("192.0.2.7": /32, "::1": /128).
std::optional<Cidr> parseCidr(const std::string& text);
// A comma- or space-separated list; nullopt names the first bad entry in `bad`.
std::optional<std::vector<Cidr>> parseCidrList(const std::string& text, std::string& bad);
// Whether ip (a literal IPv4/IPv6 address) is inside one of the blocks. An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) counts as its IPv4 address.
bool cidrsContain(const std::vector<Cidr>& blocks, const std::string& ip);

}  // namespace msp
