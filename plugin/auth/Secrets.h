// Room pins, room secrets and the admin key are compared without leaking, through timing, how much of a guess
// was right: both sides are hashed (SHA-256) and the digests compared in constant time, so even the lengths
// do not show. An empty credential matches nothing: not given is never right, and no secret set is never met.
#pragma once

#include <string_view>

namespace msp {

bool sameSecret(std::string_view given, std::string_view expected);

}  // namespace msp
