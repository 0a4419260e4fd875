#include "base/LoopThread.h"

#include <cstdlib>

#include "base/Log.h"

namespace msp::loopThread {
namespace {

thread_local const uv_loop_t* current = nullptr;

}  // namespace

void enter(const uv_loop_t* loop) { current = loop; }
void leave() { current = nullptr; }
bool runs(const uv_loop_t* loop) { return loop != nullptr && current == loop; }

void check(const uv_loop_t* loop, const char* where) {
  if (runs(loop)) return;
  MSP_ERROR("%s: loop-owned state touched from a thread that does not run its loop", where);
  std::abort();
}

}  // namespace msp::loopThread
