// Loop-owned state (the rooms, the pool, a channel's pending requests) is touched only on the thread that runs
// its loop; other threads reach it through EventLoop::post. Builds configured with --enable-loop-checks (the
// ASan test build, the coverage build) abort at the first touch from another thread, naming the function; other
// builds compile the check away.
#pragma once

#include <uv.h>

namespace msp::loopThread {

// This thread runs `loop` from now on (the loop thread's start; a unit test driving a loop by hand).
void enter(const uv_loop_t* loop);
void leave();
bool runs(const uv_loop_t* loop);
// Aborts with a log line when this thread does not run `loop`.
void check(const uv_loop_t* loop, const char* where);

}  // namespace msp::loopThread

#ifdef MSP_LOOP_CHECKS
#define MSP_ASSERT_LOOP_THREAD(loop) ::msp::loopThread::check((loop), __func__)
#else
#define MSP_ASSERT_LOOP_THREAD(loop) ((void)(loop))
#endif
