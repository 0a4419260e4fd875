// Stands in for the worker's libuv wrapper: the tests pass every time explicitly.
#ifndef WORKER_TEST_DEP_LIBUV_HPP
#define WORKER_TEST_DEP_LIBUV_HPP

#include <cstdint>

class DepLibUV
{
public:
	static uint64_t GetTimeMs()
	{
		return 0u;
	}
};

#endif
