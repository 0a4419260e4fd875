// Stands in for the worker's Logger when one worker source file is compiled alone into a test: a failed
// MS_ASSERT or an MS_ABORT throws, so the test names it instead of dying; everything else logs nothing.
#ifndef WORKER_TEST_LOGGER_HPP
#define WORKER_TEST_LOGGER_HPP

#include <cstdio>
#include <stdexcept>
#include <string>

namespace WorkerTest
{
	template<typename... Args>
	[[noreturn]] inline void Abort(const char* where, const char* format, Args... args)
	{
		char text[512];
		std::snprintf(text, sizeof(text), format, args...);
		throw std::logic_error(std::string(where) + ": " + text);
	}
} // namespace WorkerTest

#define MS_TRACE()
#define MS_DEBUG_DEV(...)
#define MS_WARN_DEV(...)
#define MS_DEBUG_TAG(...)
#define MS_WARN_TAG(...)
#define MS_ABORT(...) WorkerTest::Abort(MS_CLASS, __VA_ARGS__)
#define MS_ASSERT(condition, ...) \
	do \
	{ \
		if (!(condition)) \
			WorkerTest::Abort(MS_CLASS, "failed assertion `" #condition "': " __VA_ARGS__); \
	} while (false)

#endif
