// The /stats and /workers documents (the same objects the Admin API returns).
#pragma once

#include "Json.h"
#include "RoomManager.h"
#include "WorkerPool.h"

namespace msp {

Json buildStats(const WorkerPool& pool, const RoomManager& rooms);
Json buildWorkers(const WorkerPool& pool, const RoomManager& rooms);

}  // namespace msp
