// Removes an owned entity from its map and hands it over, so it can still be closed and announced after it
// is gone from the map (closing it may re-enter code that looks it up).
#pragma once

#include <map>
#include <memory>
#include <string>

namespace msp {

template <typename T>
std::unique_ptr<T> takeOut(std::map<std::string, std::unique_ptr<T>>& map, const std::string& id) {
  auto it = map.find(id);
  if (it == map.end()) return nullptr;
  std::unique_ptr<T> owned = std::move(it->second);
  map.erase(it);
  return owned;
}

}  // namespace msp
