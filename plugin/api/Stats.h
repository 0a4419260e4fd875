// The /stats and /workers documents (the same objects the Admin API returns).
#pragma once

#include "base/Json.h"
#include "cluster/HostRegistry.h"
#include "rooms/RoomManager.h"
#include "pool/WorkerPool.h"

namespace msp {

// hosts: the cluster this host is in (null: none), listed as "hosts".
Json buildStats(const WorkerPool& pool, const RoomManager& rooms, const HostRegistry* hosts = nullptr);
// This host's own numbers as it publishes them to the cluster.
HostInfo sampleHost(const WorkerPool& pool, const RoomManager& rooms);
Json hostsJson(const HostRegistry& hosts);
Json buildWorkers(const WorkerPool& pool, const RoomManager& rooms, const HostRegistry* hosts = nullptr);

}  // namespace msp
