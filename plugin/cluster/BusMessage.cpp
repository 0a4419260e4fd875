#include "cluster/BusMessage.h"

namespace msp {
namespace {

const char* kindName(BusMessage::Kind kind) {
  switch (kind) {
    case BusMessage::Kind::Request: return "request";
    case BusMessage::Kind::Reply: return "reply";
    case BusMessage::Kind::Notice: return "notice";
  }
  return "notice";
}

}  // namespace

std::string encodeBusMessage(const BusMessage& m) {
  Json json = Json::object();
  json.set("kind", kindName(m.kind)).set("type", m.type).set("from", m.from).set("epoch", static_cast<long long>(m.fromEpoch))
      .set("body", m.body ? m.body : Json::object());
  if (!m.id.empty()) json.set("id", m.id);
  if (!m.room.empty()) json.set("room", m.room);
  if (!m.error.empty()) json.set("error", m.error);
  return json.dump();
}

std::optional<BusMessage> decodeBusMessage(const std::string& text) {
  if (text.size() > kMaxBusMessageBytes) return std::nullopt;
  Json json = Json::parse(text);
  if (!json || !json_is_object(json.get())) return std::nullopt;
  BusMessage m;
  auto kind = json.string("kind");
  auto type = json.string("type");
  auto from = json.string("from");
  json_t* epoch = json_object_get(json.get(), "epoch");
  json_t* body = json_object_get(json.get(), "body");
  if (!kind || !type || type->empty() || type->size() > 64 || !from || from->empty() || from->size() > 128 ||
      !json_is_integer(epoch) || json_integer_value(epoch) < 0 || !json_is_object(body)) {
    return std::nullopt;
  }
  if (*kind == "request") m.kind = BusMessage::Kind::Request;
  else if (*kind == "reply") m.kind = BusMessage::Kind::Reply;
  else if (*kind == "notice") m.kind = BusMessage::Kind::Notice;
  else return std::nullopt;
  m.type = *type;
  m.from = *from;
  m.fromEpoch = static_cast<uint64_t>(json_integer_value(epoch));
  m.body = Json::borrow(body);
  if (json_t* id = json_object_get(json.get(), "id")) {
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 64) return std::nullopt;
    m.id = json_string_value(id);
  }
  if (m.kind != BusMessage::Kind::Notice && m.id.empty()) return std::nullopt;
  if (json_t* room = json_object_get(json.get(), "room")) {
    if (!json_is_string(room) || json_string_length(room) > 128) return std::nullopt;
    m.room = json_string_value(room);
  }
  if (json_t* error = json_object_get(json.get(), "error")) {
    if (!json_is_string(error)) return std::nullopt;
    m.error = json_string_value(error);
  }
  return m;
}

void RequestDedup::expire(uint64_t nowMs) {
  while (!order_.empty() && (order_.front().first + keepMs_ <= nowMs || entries_.size() > maxEntries_)) {
    auto it = entries_.find(order_.front().second);
    if (it != entries_.end() && it->second.seenMs == order_.front().first) entries_.erase(it);
    order_.pop_front();
  }
}

RequestDedup::Seen RequestDedup::check(const std::string& from, const std::string& id, uint64_t nowMs, BusMessage* reply) {
  expire(nowMs);
  auto key = std::make_pair(from, id);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_[key].seenMs = nowMs;
    order_.emplace_back(nowMs, key);
    expire(nowMs);  // over the size bound: the oldest go
    return Seen::New;
  }
  if (!it->second.reply) return Seen::InProgress;
  if (reply) *reply = *it->second.reply;
  return Seen::Answered;
}

void RequestDedup::answered(const std::string& from, const std::string& id, const BusMessage& reply) {
  auto it = entries_.find(std::make_pair(from, id));
  if (it != entries_.end()) it->second.reply = reply;
}

}  // namespace msp
