#include "entities/PlainTransport.h"

namespace msp {

void PlainTransport::connect(Json parameters, DataDone done) {
  channel_.request("transport.connect", id_, parameters, [this, alive = aliveToken(), done = std::move(done)](ChannelResult r) {
    if (!r.ok || alive.expired()) {
      done(Json(), r.ok ? Failure::closed("the transport closed") : r.failure);
      return;
    }
    for (const char* key : {"tuple", "rtcpTuple", "srtpParameters"}) {
      if (json_t* value = json_object_get(r.data.get(), key)) data_.set(key, Json::borrow(value));
    }
    done(r.data, Failure{});
  });
}

}  // namespace msp
