#include "entities/Producer.h"

namespace msp {

void requestPaused(Channel& channel, const char* method, const std::string& id, std::weak_ptr<char> alive, bool& paused,
                   bool value, Done done) {
  channel.request(method, id, Json(), [&paused, value, alive = std::move(alive), done = std::move(done)](ChannelResult r) {
    if (alive.expired()) {
      done(Failure::closed("closed"));
      return;
    }
    if (r.ok) paused = value;
    done(r.failure);
  });
}

void Producer::pause(Done done) { requestPaused(channel_, "producer.pause", id_, lifetime_.token(), paused_, true, std::move(done)); }
void Producer::resume(Done done) { requestPaused(channel_, "producer.resume", id_, lifetime_.token(), paused_, false, std::move(done)); }

void Producer::getStats(DataDone done) {
  channel_.request("producer.getStats", id_, Json(), [done = std::move(done)](ChannelResult r) { done(r.data, r.failure); });
}

void Producer::close() { requestClose(channel_, "transport.closeProducer", transportId_, "producerId", id_); }

}  // namespace msp
