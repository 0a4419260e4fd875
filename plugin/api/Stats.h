// The /stats and /workers documents (the same objects the Admin API returns).
#pragma once

#include "base/Json.h"
#include "rooms/RoomManager.h"
#include "pool/WorkerPool.h"

namespace msp {

Json buildStats(const WorkerPool& pool, const RoomManager& rooms);
Json buildWorkers(const WorkerPool& pool, const RoomManager& rooms);

}  // namespace msp
