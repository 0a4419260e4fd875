#include "Router.h"

namespace msp {

void Router::close() {
  if (closed_) return;
  closed_ = true;
  Json data = Json::object();
  data.set("routerId", id_);
  channel_.request("worker.closeRouter", "", data, [](ChannelResult) {});
}

void Router::workerClosed() {
  if (closed_) return;
  closed_ = true;
  if (auto observer = std::move(onWorkerClosed)) observer();
}

}  // namespace msp
