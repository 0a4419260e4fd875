// Random identifiers: UUIDs for worker entities (the worker takes ids from the parent), URL-safe room ids.
#pragma once

#include <string>

namespace msp {

std::string newUuid();
std::string randomRoomId();

}  // namespace msp
