// The media benchmark's publisher: replays a recorded RTP stream (RFC 4571 framing: a 2-byte length before
// each packet, as GStreamer's rtpstreampay writes) to HOST:PORT, paced by its RTP timestamps, looping with
// continuous sequence numbers and timestamps, every packet with the given SSRC. The same packets in every
// mode of the benchmark.
//
// Usage: rtp_replay FILE HOST PORT SSRC. SIGTERM: prints {"sent":N,"cpuSeconds":S} and exits.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/prctl.h>
#include <unistd.h>

struct packet {
  unsigned char* data;
  uint16_t length;
};

static volatile sig_atomic_t stopping;
static void onSignal(int signal) { (void)signal; stopping = 1; }

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: rtp_replay FILE HOST PORT SSRC\n");
    return 2;
  }
  FILE* file = fopen(argv[1], "rb");
  if (!file) {
    perror(argv[1]);
    return 1;
  }
  size_t capacity = 4096, count = 0;
  struct packet* packets = malloc(capacity * sizeof *packets);
  unsigned char header[2];
  while (fread(header, 1, 2, file) == 2) {
    uint16_t length = (uint16_t)(header[0] << 8 | header[1]);
    unsigned char* data = malloc(length);
    if (fread(data, 1, length, file) != length || length < 12) break;
    if (count == capacity) packets = realloc(packets, (capacity *= 2) * sizeof *packets);
    packets[count++] = (struct packet){data, length};
  }
  fclose(file);
  if (count < 2) {
    fprintf(stderr, "rtp_replay: %s holds no RTP stream\n", argv[1]);
    return 1;
  }
  uint32_t ssrc = htonl((uint32_t)strtoul(argv[4], NULL, 10));
  uint32_t firstTs = ntohl(*(uint32_t*)(packets[0].data + 4));
  uint32_t lastTs = ntohl(*(uint32_t*)(packets[count - 1].data + 4));
  uint32_t loopTs = lastTs - firstTs + 3000;  // one 30 fps frame after the last
  uint16_t firstSeq = (uint16_t)(packets[0].data[2] << 8 | packets[0].data[3]);

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
  inet_pton(AF_INET, argv[2], &to.sin_addr);
  int buffer = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  signal(SIGTERM, onSignal);
  // An interrupted benchmark must not leave a sender behind.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  signal(SIGINT, onSignal);

  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  uint64_t sent = 0;
  unsigned char out[1600];
  for (uint32_t loop = 0; !stopping; ++loop) {
    for (size_t i = 0; i < count && !stopping; ++i) {
      struct packet* p = &packets[i];
      uint32_t ts = ntohl(*(uint32_t*)(p->data + 4));
      uint64_t offset = (uint64_t)loop * loopTs + (ts - firstTs);  // 90 kHz ticks since the start
      struct timespec due = start;
      uint64_t ns = offset * 1000000000ull / 90000;
      due.tv_sec += (time_t)(ns / 1000000000ull);
      due.tv_nsec += (long)(ns % 1000000000ull);
      if (due.tv_nsec >= 1000000000L) {
        due.tv_sec++;
        due.tv_nsec -= 1000000000L;
      }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
      memcpy(out, p->data, p->length);
      uint16_t seq = (uint16_t)(firstSeq + loop * count + i);
      out[2] = (unsigned char)(seq >> 8);
      out[3] = (unsigned char)seq;
      uint32_t newTs = htonl((uint32_t)(firstTs + offset));
      memcpy(out + 4, &newTs, 4);
      memcpy(out + 8, &ssrc, 4);
      if (sendto(fd, out, p->length, 0, (struct sockaddr*)&to, sizeof to) == p->length) sent++;
    }
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  printf("{\"sent\":%llu,\"cpuSeconds\":%.3f}\n", (unsigned long long)sent,
         usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
  return 0;
}
