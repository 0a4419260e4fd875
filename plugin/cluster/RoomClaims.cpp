#include "cluster/RoomClaims.h"

#include "base/Log.h"

namespace msp {
namespace {

// KEYS: room key. ARGV: host id, epoch, ttl, and the holder it may replace (a lost host's id and epoch, or "").
// {"mine"}, or {home, epoch} of its holder, live or not (the caller knows which hosts are live).
const char* kClaimScript = R"(
local home = redis.call('HMGET', KEYS[1], 'home', 'epoch')
if not home[1] or home[1] == ARGV[1] or (home[1] == ARGV[4] and home[2] == ARGV[5]) then
  redis.call('HSET', KEYS[1], 'home', ARGV[1], 'epoch', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'mine'}
end
return {home[1], home[2]})";

// KEYS: room key. ARGV: host id, epoch.
const char* kReleaseScript = R"(
local home = redis.call('HMGET', KEYS[1], 'home', 'epoch')
if home[1] == ARGV[1] and home[2] == ARGV[2] then redis.call('DEL', KEYS[1]) end
return 1)";

// KEYS: hosts set. ARGV: rooms hash prefix, this host's id. {host, room, peers, host, room, peers, …} of the others.
const char* kOtherRoomsScript = R"(
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[2] then
    local rooms = redis.call('HGETALL', ARGV[1] .. id)
    for i = 1, #rooms, 2 do
      table.insert(out, id); table.insert(out, rooms[i]); table.insert(out, rooms[i + 1])
    end
  end
end
return out)";

bool isMine(const RedisReply& reply) {
  return reply.type == RedisReply::Type::Array && reply.elements.size() == 1 && reply.elements[0].text == "mine";
}

}  // namespace

RoomClaims::RoomClaims(uv_loop_t* loop, HostRegistry& registry, std::function<std::vector<std::string>()> localRooms)
    : registry_(registry), localRooms_(std::move(localRooms)) {
  reclaimTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
  uv_timer_start(reclaimTimer_.get(), [](uv_timer_t* t) { static_cast<RoomClaims*>(t->data)->reclaimAll(); }, kReclaimMs, kReclaimMs);
  registry_.onRegistered = [this] { reclaimAll(); };
}

RoomClaims::~RoomClaims() { registry_.onRegistered = nullptr; }

void RoomClaims::claim(const std::string& roomId, std::function<void(ClaimResult)> done) {
  if (!registry_.registered()) {
    // Not registered (Redis down, or fenced and registering again): the room is made here and claimed
    // once this host is registered.
    return registry_.redis().later([done = std::move(done)] { done({}); });
  }
  std::string epoch = std::to_string(registry_.epoch());
  std::weak_ptr<char> alive = alive_;
  registry_.redis().command({"EVAL", kClaimScript, "1", roomKey(roomId), registry_.hostId(), epoch, std::to_string(kClaimTtlMs), "", ""},
                            [this, alive, roomId, done = std::move(done)](const RedisReply* reply, const Failure&) mutable {
    if (alive.expired()) return;
    if (!reply || reply->type != RedisReply::Type::Array) return done({});
    if (isMine(*reply)) return done({ClaimResult::Kind::Mine, ""});
    if (reply->elements.size() != 2) return done({});
    const std::string home = reply->elements[0].text, homeEpoch = reply->elements[1].text;
    // A live host holds its rooms whatever the epoch of its claim: one that registered again claims them again
    // (or yields) itself, and this host's view of the epochs lags a read behind (after Redis restarted empty,
    // for a lease). Only a host that is gone loses its rooms to whoever makes them next.
    if (registry_.hosts().count(home)) return done({ClaimResult::Kind::Elsewhere, home});
    MSP_INFO("cluster: room %s was held by host %s (epoch %s), no longer live: taking it over", roomId.c_str(), home.c_str(), homeEpoch.c_str());
    takeOver(roomId, home, homeEpoch, std::move(done));
  });
}

void RoomClaims::takeOver(const std::string& roomId, const std::string& staleHome, const std::string& staleEpoch,
                          std::function<void(ClaimResult)> done) {
  std::weak_ptr<char> alive = alive_;
  registry_.redis().command({"EVAL", kClaimScript, "1", roomKey(roomId), registry_.hostId(), std::to_string(registry_.epoch()),
                             std::to_string(kClaimTtlMs), staleHome, staleEpoch},
                            [this, alive, done = std::move(done)](const RedisReply* reply, const Failure&) {
    if (alive.expired()) return;
    if (!reply || reply->type != RedisReply::Type::Array) return done({});
    if (isMine(*reply)) return done({ClaimResult::Kind::Mine, ""});
    // Somebody else took it first: theirs.
    if (reply->elements.size() == 2) return done({ClaimResult::Kind::Elsewhere, reply->elements[0].text});
    done({});
  });
}

void RoomClaims::release(const std::string& roomId) {
  if (!registry_.registered()) return;  // its claim expires, or is taken over once this host is gone
  registry_.redis().command({"EVAL", kReleaseScript, "1", roomKey(roomId), registry_.hostId(), std::to_string(registry_.epoch())},
                            [](const RedisReply*, const Failure&) {});
}

void RoomClaims::lookup(const std::string& roomId, std::function<void(std::string hostId, bool unavailable)> done) {
  std::weak_ptr<char> alive = alive_;
  registry_.redis().command({"HMGET", roomKey(roomId), "home", "epoch"}, [this, alive, done = std::move(done)](const RedisReply* reply, const Failure&) {
    if (alive.expired()) return;
    if (!reply || reply->type != RedisReply::Type::Array || reply->elements.size() != 2) return done("", true);
    const RedisReply& home = reply->elements[0];
    const RedisReply& epoch = reply->elements[1];
    if (home.type != RedisReply::Type::String || epoch.type != RedisReply::Type::String) return done("", false);
    done(registry_.hosts().count(home.text) ? home.text : "", false);
  });
}

void RoomClaims::otherRooms(std::function<void(std::vector<DirectoryRoom> rooms, bool unavailable)> done) {
  std::weak_ptr<char> alive = alive_;
  registry_.redis().command({"EVAL", kOtherRoomsScript, "1", "msp:{hosts}:all", "msp:{hosts}:rooms:", registry_.hostId()},
                            [this, alive, done = std::move(done)](const RedisReply* reply, const Failure&) {
    if (alive.expired()) return;
    if (!reply || reply->type != RedisReply::Type::Array) return done({}, true);
    std::vector<DirectoryRoom> rooms;
    for (size_t i = 0; i + 2 < reply->elements.size(); i += 3) {
      const std::string& host = reply->elements[i].text;
      if (!registry_.hosts().count(host)) continue;  // its lease lapsed since the last read
      char* end = nullptr;
      rooms.push_back({reply->elements[i + 1].text, host,
                       static_cast<uint32_t>(std::strtoul(reply->elements[i + 2].text.c_str(), &end, 10))});
    }
    done(std::move(rooms), false);
  });
}

void RoomClaims::reclaimAll() {
  if (!registry_.registered()) return;
  for (const auto& roomId : localRooms_()) {
    claim(roomId, [this, alive = std::weak_ptr<char>(alive_), roomId](ClaimResult result) {
      if (alive.expired() || result.kind != ClaimResult::Kind::Elsewhere) return;
      MSP_WARN("cluster: room %s, held here, is host %s's (it took it over, or both made it apart): this host joins it there",
               roomId.c_str(), result.hostId.c_str());
      if (onHeldElsewhere) onHeldElsewhere(roomId, result.hostId);
    });
  }
}

}  // namespace msp
