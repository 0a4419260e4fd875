// Stands in for the worker's RtpPacket, of which RateCalculator.hpp needs only the size.
#ifndef WORKER_TEST_RTP_PACKET_HPP
#define WORKER_TEST_RTP_PACKET_HPP

#include <cstddef>
#include <cstring>
#include <vector>

namespace RTC
{
	class RtpPacket
	{
	public:
		size_t GetSize() const
		{
			return 0u;
		}
	};
} // namespace RTC

#endif
