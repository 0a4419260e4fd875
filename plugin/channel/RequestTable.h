// Matches worker replies to requests by id, and fails requests the worker never answers (it stays silent
// on malformed input) or can no longer answer (it died). Time is passed in, so it is tested without a loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/Failure.h"
#include "base/Json.h"

namespace msp {

struct ChannelResult {
  bool ok = false;
  Json data;        // the worker's "data" on success
  Failure failure;  // kind None on success
  static ChannelResult success(Json data) { return {true, std::move(data), {}}; }
  static ChannelResult failed(Failure failure) { return {false, {}, std::move(failure)}; }
};

using ResponseHandler = std::function<void(ChannelResult)>;

class RequestTable {
 public:
  uint32_t add(ResponseHandler handler, uint64_t deadlineMs);
  // Removes a request without running its handler, and hands the handler back (null if unknown).
  ResponseHandler take(uint32_t id);
  // false when no request has that id (late reply after a timeout, or a stray id).
  bool resolve(uint32_t id, ChannelResult result);
  void expire(uint64_t nowMs);
  void failAll(const Failure& failure);
  size_t size() const { return pending_.size(); }

 private:
  struct Pending {
    ResponseHandler handler;
    uint64_t deadlineMs;
  };
  uint32_t nextId_ = 1;
  std::map<uint32_t, Pending> pending_;
};

}  // namespace msp
