#include "channel/RequestTable.h"

#include <algorithm>
#include <vector>

namespace msp {

uint32_t RequestTable::add(ResponseHandler handler, uint64_t deadlineMs) {
  uint32_t id = nextId_++;
  if (nextId_ == 0 || nextId_ > 4000000000u) nextId_ = 1;  // the worker parses ids as uint32
  pending_[id] = Pending{std::move(handler), deadlineMs};
  return id;
}

ResponseHandler RequestTable::take(uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return nullptr;
  ResponseHandler handler = std::move(it->second.handler);
  pending_.erase(it);
  return handler;
}

// Handlers run after their entry is gone: a handler may add or fail requests itself.
bool RequestTable::resolve(uint32_t id, ChannelResult result) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  ResponseHandler handler = std::move(it->second.handler);
  pending_.erase(it);
  if (handler) handler(std::move(result));
  return true;
}

void RequestTable::expire(uint64_t nowMs) {
  std::vector<uint32_t> expired;
  for (const auto& [id, pending] : pending_) {
    if (pending.deadlineMs <= nowMs) expired.push_back(id);
  }
  for (uint32_t id : expired) resolve(id, ChannelResult::failed(Failure::timedOut()));
}

void RequestTable::failAll(const Failure& failure) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, entry] : pending) {
    if (entry.handler) entry.handler(ChannelResult::failed(failure));
  }
}

}  // namespace msp
