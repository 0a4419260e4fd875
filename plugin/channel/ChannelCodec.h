// The mediasoup 3.12 worker channel's wire format: 4-byte native-endian length + payload frames; requests
// "ID:METHOD:HANDLER_ID:DATA"; replies, notifications (JSON) and log lines from the worker. Kept apart from
// the Channel (which owns the fds) so a FlatBuffers codec for newer workers can replace it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/Json.h"

namespace msp {

constexpr size_t kMaxChannelPayload = 4194304;

// Splits a byte stream into frames, whatever the read boundaries.
class FrameDecoder {
 public:
  // Appends complete payloads to `frames`. false when a frame announces more than kMaxChannelPayload:
  // the stream is then unusable.
  bool feed(const char* data, size_t size, std::vector<std::string>& frames);
  size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

// A frame ready to write; empty when the payload is too large for the worker.
std::string encodeFrame(std::string_view payload);
std::string encodeRequest(uint32_t id, std::string_view method, std::string_view handlerId, const Json& data);

struct WorkerMessage {
  enum class Kind { Response, Notification, Log, Invalid } kind = Kind::Invalid;
  // Response
  uint32_t id = 0;
  bool accepted = false;
  std::string error;   // "Error" | "TypeError"
  std::string reason;
  // Response data or notification data (may be null)
  Json data;
  // Notification; targetId is a string except for "running", whose numeric pid is turned into text
  std::string targetId;
  std::string event;
  // Log line
  char logLevel = 0;
  std::string text;
};

WorkerMessage parseWorkerMessage(std::string_view payload);

}  // namespace msp
