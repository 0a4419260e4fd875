// The media benchmark's receivers: N UDP sockets on 127.0.0.1 in one process, each a plain RTP (or SRTP)
// receiver counting packets by sequence number. Written to cost little per packet (epoll + recvmmsg), so that
// the forwarder, not the sink, is what the benchmark measures.
//
// Usage: rtp_sink N. Prints {"ports":[…]} once bound, then reads commands on stdin:
//   key I SUITE BASE64   receiver I decrypts SRTP (AES_CM_128_HMAC_SHA1_80, _32 or AEAD_AES_128_GCM) with this
//                        master key + salt
//   start                counting starts (counters reset)
//   report               prints {"received","expected","other","undecryptable","silent","cpuSeconds"} since start
// A receiver counts the stream of the first SSRC it sees after start; packets of other SSRCs (mediasoup's
// bandwidth probation, payload type 127) are counted apart as "other".
//   quit
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/evp.h>
#include <srtp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PACKET 1500

struct receiver {
  int fd;
  srtp_t srtp;          // NULL: plain RTP
  uint64_t received;
  uint64_t undecryptable;
  uint64_t other;
  uint32_t ssrc;        // the stream counted
  int started;          // a first packet since start
  uint32_t cycles;      // sequence number wraps
  uint16_t firstSeq;
  uint16_t lastSeq;
};

static struct receiver* receivers;
static int count;

static double cpuSeconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
static double cpuAtStart;

static void setKey(int index, const char* suite, const char* base64) {
  if (index < 0 || index >= count) return;
  unsigned char key[64];
  int length = EVP_DecodeBlock(key, (const unsigned char*)base64, (int)strlen(base64));
  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  int needed = 30;
  if (strcmp(suite, "AEAD_AES_128_GCM") == 0) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    needed = 28;
  } else {
    if (strcmp(suite, "AES_CM_128_HMAC_SHA1_32") == 0) srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    else srtp_crypto_policy_set_rtp_default(&policy.rtp);
    srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
  }
  policy.ssrc.type = ssrc_any_inbound;
  policy.key = key;
  policy.window_size = 1024;
  if (length < needed) {
    fprintf(stderr, "rtp_sink: key %d is too short\n", index);
    return;
  }
  if (receivers[index].srtp) srtp_dealloc(receivers[index].srtp);
  if (srtp_create(&receivers[index].srtp, &policy) != srtp_err_status_ok) fprintf(stderr, "rtp_sink: srtp_create failed\n");
}

static void onPacket(struct receiver* r, unsigned char* data, int length) {
  if (length < 12 || (data[0] >> 6) != 2) return;
  if (data[1] >= 192 && data[1] <= 223) return;  // RTCP
  if (r->srtp) {
    int len = length;
    if (srtp_unprotect(r->srtp, data, &len) != srtp_err_status_ok) {
      r->undecryptable++;
      return;
    }
  }
  uint16_t seq = (uint16_t)(data[2] << 8 | data[3]);
  uint32_t ssrc = (uint32_t)data[8] << 24 | (uint32_t)data[9] << 16 | (uint32_t)data[10] << 8 | data[11];
  if (!r->started && (data[1] & 0x7f) == 127) {
    r->other++;
    return;
  }
  if (r->started && ssrc != r->ssrc) {
    r->other++;
    return;
  }
  if (!r->started) {
    r->started = 1;
    r->ssrc = ssrc;
    r->firstSeq = r->lastSeq = seq;
    r->cycles = 0;
  } else {
    int16_t delta = (int16_t)(seq - r->lastSeq);
    if (delta > 0) {
      if (seq < r->lastSeq) r->cycles++;
      r->lastSeq = seq;
    }
  }
  r->received++;
}

static void report(void) {
  uint64_t received = 0, expected = 0, undecryptable = 0, other = 0;
  int silent = 0;
  for (int i = 0; i < count; ++i) {
    struct receiver* r = &receivers[i];
    received += r->received;
    undecryptable += r->undecryptable;
    other += r->other;
    if (!r->started) {
      silent++;
      continue;
    }
    expected += (uint64_t)r->cycles * 65536 + r->lastSeq - r->firstSeq + 1;
  }
  printf("{\"received\":%llu,\"expected\":%llu,\"other\":%llu,\"undecryptable\":%llu,\"silent\":%d,\"cpuSeconds\":%.3f}\n",
         (unsigned long long)received, (unsigned long long)expected, (unsigned long long)other, (unsigned long long)undecryptable, silent,
         cpuSeconds() - cpuAtStart);
  fflush(stdout);
}

static int command(void) {
  static char line[4096];
  static size_t used;
  ssize_t n = read(0, line + used, sizeof line - 1 - used);
  if (n <= 0) return 0;
  used += (size_t)n;
  line[used] = 0;
  char* end;
  while ((end = strchr(line, '\n'))) {
    *end = 0;
    int index;
    char suite[64], key[256];
    if (sscanf(line, "key %d %63s %255s", &index, suite, key) == 3) {
      setKey(index, suite, key);
    } else if (strcmp(line, "start") == 0) {
      for (int i = 0; i < count; ++i) {
        receivers[i].received = receivers[i].undecryptable = receivers[i].other = 0;
        receivers[i].started = 0;
      }
      cpuAtStart = cpuSeconds();
    } else if (strcmp(line, "report") == 0) {
      report();
    } else if (strcmp(line, "quit") == 0) {
      return 0;
    }
    size_t rest = used - (size_t)(end + 1 - line);
    memmove(line, end + 1, rest);
    used = rest;
    line[used] = 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  count = argc > 1 ? atoi(argv[1]) : 0;
  if (count <= 0) {
    fprintf(stderr, "usage: rtp_sink N\n");
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGTERM);  // an interrupted benchmark leaves no sink behind
  srtp_init();
  receivers = calloc((size_t)count, sizeof *receivers);
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event in = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  epoll_ctl(epoll, EPOLL_CTL_ADD, 0, &in);
  printf("{\"ports\":[");
  for (int i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int buffer = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t size = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr*)&address, sizeof address) != 0 || getsockname(fd, (struct sockaddr*)&address, &size) != 0) {
      fprintf(stderr, "rtp_sink: socket %d: %s\n", i, strerror(errno));
      return 1;
    }
    receivers[i].fd = fd;
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
    printf("%s%d", i ? "," : "", ntohs(address.sin_port));
  }
  printf("]}\n");
  fflush(stdout);

  static unsigned char buffers[BATCH][MAX_PACKET];
  struct mmsghdr messages[BATCH];
  struct iovec vectors[BATCH];
  struct epoll_event events[256];
  for (;;) {
    int ready = epoll_wait(epoll, events, 256, -1);
    if (ready < 0 && errno == EINTR) continue;
    for (int e = 0; e < ready; ++e) {
      if (events[e].data.u32 == UINT32_MAX) {
        if (!command()) return 0;
        continue;
      }
      struct receiver* r = &receivers[events[e].data.u32];
      for (;;) {
        for (int i = 0; i < BATCH; ++i) {
          vectors[i] = (struct iovec){.iov_base = buffers[i], .iov_len = MAX_PACKET};
          messages[i].msg_hdr = (struct msghdr){.msg_iov = &vectors[i], .msg_iovlen = 1};
        }
        int got = recvmmsg(r->fd, messages, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0) break;
        for (int i = 0; i < got; ++i) onPacket(r, buffers[i], (int)messages[i].msg_len);
        if (got < BATCH) break;
      }
    }
  }
}
