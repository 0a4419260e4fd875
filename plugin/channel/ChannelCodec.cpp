#include "channel/ChannelCodec.h"

#include <cstring>

namespace msp {

bool FrameDecoder::feed(const char* data, size_t size, std::vector<std::string>& frames) {
  buffer_.append(data, size);
  size_t offset = 0;
  while (buffer_.size() - offset >= 4) {
    uint32_t length;
    std::memcpy(&length, buffer_.data() + offset, 4);
    if (length > kMaxChannelPayload) return false;
    if (buffer_.size() - offset - 4 < length) break;
    frames.emplace_back(buffer_, offset + 4, length);
    offset += 4 + length;
  }
  buffer_.erase(0, offset);
  return true;
}

std::string encodeFrame(std::string_view payload) {
  if (payload.size() > kMaxChannelPayload) return {};
  uint32_t length = static_cast<uint32_t>(payload.size());
  std::string frame(4 + payload.size(), '\0');
  std::memcpy(frame.data(), &length, 4);
  std::memcpy(frame.data() + 4, payload.data(), payload.size());
  return frame;
}

std::string encodeRequest(uint32_t id, std::string_view method, std::string_view handlerId, const Json& data) {
  std::string payload = std::to_string(id);
  payload += ':';
  payload += method;
  payload += ':';
  payload += handlerId.empty() ? std::string_view("undefined") : handlerId;
  payload += ':';
  payload += data ? data.dump() : std::string("undefined");
  return encodeFrame(payload);
}

WorkerMessage parseWorkerMessage(std::string_view payload) {
  WorkerMessage message;
  if (payload.empty()) return message;
  if (payload[0] != '{') {
    message.kind = WorkerMessage::Kind::Log;
    message.logLevel = payload[0];
    message.text = std::string(payload.substr(1));
    return message;
  }
  Json json = Json::parse(payload);
  if (!json || !json_is_object(json.get())) return message;

  json_t* id = json_object_get(json.get(), "id");
  if (json_is_integer(id)) {
    message.kind = WorkerMessage::Kind::Response;
    message.id = static_cast<uint32_t>(json_integer_value(id));
    message.accepted = json_is_true(json_object_get(json.get(), "accepted"));
    message.error = json.string("error").value_or("");
    message.reason = json.string("reason").value_or("");
    if (!message.accepted && message.error.empty()) message.error = "Error";
    message.data = json.at("data");
    return message;
  }
  auto event = json.string("event");
  if (!event) return message;
  message.kind = WorkerMessage::Kind::Notification;
  message.event = *event;
  json_t* target = json_object_get(json.get(), "targetId");
  if (json_is_string(target)) message.targetId = json_string_value(target);
  else if (json_is_integer(target)) message.targetId = std::to_string(json_integer_value(target));
  message.data = json.at("data");
  return message;
}

}  // namespace msp
