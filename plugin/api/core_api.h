/* The core's C entry points: the only thing shim/ calls. Every function catches all C++ exceptions (an
 * escaping one would abort Janus). The core calls back into Janus only through msp_host. */
#ifndef MSP_CORE_API_H
#define MSP_CORE_API_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct msp_host {
  /* level: 1 fatal … 7 debug (Janus's LOG_ levels). */
  void (*log)(int level, const char *message);
  /* Whether Janus would print a line of that level now (its debug_level can change at runtime); lines it
   * would drop are then not even formatted. NULL: every line is formatted and handed to log. */
  int (*log_enabled)(int level);
  /* Copies the jcfg value of `name` (category "general") into buf; 1 if set, 0 otherwise. Valid during
   * msp_init only. */
  int (*config_get)(void *config, const char *name, char *buf, size_t size);
  void *config;
  /* Pushes an event (borrowed) to a Janus handle. */
  void (*push_event)(void *handle, json_t *event);
  /* Drops the plugin's reference to a Janus handle: called once per handle, after destroy_session, when no
   * thread of the core uses the handle any more. Any thread. */
  void (*release_handle)(void *handle);
  /* Janus's event handlers: whether any is on, and hand one event (stolen) to them. Any thread. */
  int (*events_enabled)(void);
  void (*notify_event)(json_t *event);
} msp_host;

/* Every entry point is safe to call from any Janus thread at any time: before init, during and after destroy it
 * answers 448 ("the plugin is not running") instead of touching a core being torn down. */
/* 0 on success; on failure everything started is stopped again and the reason was logged. */
int msp_init(const msp_host *host, const char *default_worker_bin);
void msp_destroy(void);
/* error: 0 ok. */
void msp_create_session(void *handle, int *error);
/* The answer (a new reference) to a plugin message; body is borrowed. has_jsep: the client sent a JSEP. */
json_t *msp_handle_message(void *handle, json_t *body, int has_jsep);
/* The answer (a new reference) to an Admin API message_plugin request; request is borrowed, may be NULL. */
json_t *msp_handle_admin_message(json_t *request);
void msp_destroy_session(void *handle, int *error);
/* The handle's state for the Admin API (a new reference), or NULL. */
json_t *msp_query_session(void *handle);

#ifdef __cplusplus
}
#endif

#endif
