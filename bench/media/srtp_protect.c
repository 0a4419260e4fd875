// srtp_protect() of a 1,140-byte packet, timed: the libsrtp this is linked with (build/libsrtp on OpenSSL, or
// Debian's on NSS). Usage: srtp_protect [SESSIONS [gcm]] — packets go round-robin over SESSIONS sessions
// (keys), as a worker's consumers do; AES_CM_128_HMAC_SHA1_80, or AEAD_AES_128_GCM with "gcm".
#include <srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char** argv) {
  int sessions = argc > 1 ? atoi(argv[1]) : 1;
  int gcm = argc > 2 && strcmp(argv[2], "gcm") == 0;
  if (sessions < 1 || sessions > 4096) return 2;
  const int packets = 200000;
  srtp_init();
  srtp_t* session = calloc((size_t)sessions, sizeof *session);
  unsigned char key[44];
  for (int i = 0; i < sessions; ++i) {
    memset(key, i, sizeof key);
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    if (gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_rtp_default(&policy.rtp);
      srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
    }
    policy.ssrc.type = ssrc_any_outbound;
    policy.key = key;
    policy.window_size = 1024;
    if (srtp_create(&session[i], &policy) != srtp_err_status_ok) return 1;
  }
  unsigned char packet[1200];
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < packets; ++i) {
    memset(packet, 0, 12);
    packet[0] = 0x80;
    packet[1] = 101;
    packet[2] = (unsigned char)(i / sessions >> 8);
    packet[3] = (unsigned char)(i / sessions);
    packet[11] = 1;
    int length = 1140;
    srtp_protect(session[i % sessions], packet, &length);
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  double ns = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
  printf("%.2f µs per srtp_protect of 1,140 bytes (%s, %d sessions)\n", ns / packets / 1000,
         gcm ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80", sessions);
  return 0;
}
