// Messages between the hosts of a cluster (over Redis pub/sub, each host's inbox a channel): requests with an
// id and a deadline, their replies, and one-way notices. The codec and the duplicate filter are pure.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "base/Json.h"

namespace msp {

constexpr size_t kMaxBusMessageBytes = 256 * 1024;

struct BusMessage {
  enum class Kind { Request, Reply, Notice };
  Kind kind = Kind::Notice;
  std::string type;      // what it is about ("openPipe", "roomEvent", …); a reply repeats its request's
  std::string from;      // the sender's host id
  uint64_t fromEpoch = 0;
  std::string id;        // a request's id (its reply carries it back); empty for notices
  std::string room;      // the room it concerns (empty: none)
  Json body = Json::object();
  std::string error;     // a reply: why the request failed (empty: it succeeded)
};

std::string encodeBusMessage(const BusMessage& message);
// Another host's bytes: nullopt for anything malformed or oversized.
std::optional<BusMessage> decodeBusMessage(const std::string& text);

// Requests seen lately, by (sender, id): a request that arrives twice (the sender retried, pub/sub delivered
// again) is answered once, and its later copies get the same reply. Bounded in time and in size.
class RequestDedup {
 public:
  enum class Seen { New, InProgress, Answered };
  explicit RequestDedup(uint64_t keepMs = 30000, size_t maxEntries = 10000) : keepMs_(keepMs), maxEntries_(maxEntries) {}
  // Marks it in progress when new.
  Seen check(const std::string& from, const std::string& id, uint64_t nowMs, BusMessage* reply = nullptr);
  void answered(const std::string& from, const std::string& id, const BusMessage& reply);
  size_t size() const { return entries_.size(); }

 private:
  void expire(uint64_t nowMs);
  struct Entry {
    uint64_t seenMs = 0;
    std::optional<BusMessage> reply;
  };
  uint64_t keepMs_;
  size_t maxEntries_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
  std::deque<std::pair<uint64_t, std::pair<std::string, std::string>>> order_;  // (seen at, key), oldest first
};

}  // namespace msp
