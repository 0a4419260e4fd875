// The worker's own RateCalculator.cpp, as the build patched it, driven with the update sequences that made
// released workers abort ("newest index overlaps with the oldest one"): an update stamped before the newest
// item while the ring is full. Each case fails with the assertion's text if the worker would have aborted.
#include "RTC/RateCalculator.hpp"
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <random>

namespace
{
	constexpr uint64_t Start{ 5'000'000u };
	constexpr size_t Bytes{ 100u };
	// 100 bytes every 10 ms, in bits per second.
	constexpr uint32_t SteadyBps{ Bytes * 8u * 100u };

	bool run(const char* name, const std::function<bool()>& body)
	{
		try
		{
			const bool ok = body();
			std::printf("%s %s\n", ok ? "PASS:" : "FAIL:", name);
			return ok;
		}
		catch (const std::exception& error)
		{
			std::printf("FAIL: %s: %s\n", name, error.what());
			return false;
		}
	}

	// A full window of items (one per 10 ms item slot), then one update 5 ms before the newest.
	bool lateUpdateIntoFullRing()
	{
		RTC::RateCalculator rate;
		for (uint64_t i = 0; i < 100; ++i)
			rate.Update(Bytes, Start + i * 10u);
		rate.Update(Bytes, Start + 985u);

		// The steady stream goes on: the rate settles on what is really sent, no bytes counted twice.
		for (uint64_t i = 100; i < 400; ++i)
			rate.Update(Bytes, Start + i * 10u);
		const uint32_t bps = rate.GetRate(Start + 3990u);
		if (bps != SteadyBps)
			std::printf("  rate %u bps, expected %u\n", bps, SteadyBps);

		return bps == SteadyBps;
	}

	// Send times that jitter back and forth by up to 30 ms, as packets stamped out of order.
	bool jitteredTimes()
	{
		RTC::RateCalculator rate;
		std::mt19937 random(7);
		std::uniform_int_distribution<int> jitter(-30, 30);
		for (uint64_t i = 0; i < 200'000; ++i)
		{
			rate.Update(Bytes, Start + i * 5u + jitter(random));
			if (i % 64 == 0)
				rate.GetRate(Start + i * 5u);
		}

		return true;
	}
} // namespace

int main()
{
	bool ok = true;
	ok &= run("an update stamped before the newest item of a full ring", lateUpdateIntoFullRing);
	ok &= run("200,000 updates with send times jittered by 30 ms", jitteredTimes);

	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
