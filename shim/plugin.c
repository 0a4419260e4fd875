/* janus.plugin.mediasoup — the C ABI only: the plugin descriptor, create(), and thin forwarders into the
 * C++ core (plugin/core_api.h). Janus's logging, configuration and push_event are adapted here so the core
 * never calls a Janus symbol. */
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <config.h>
#include <debug.h>
#include <plugins/plugin.h>

#include "../plugin/api/core_api.h"

#define MSP_PACKAGE "janus.plugin.mediasoup"
#define MSP_CONFIG_FILE "janus.plugin.mediasoup.jcfg"

/* Where make install puts the worker ($(pkglibexecdir)): set by the build. */
#ifndef MSP_DEFAULT_WORKER_BIN
#error "MSP_DEFAULT_WORKER_BIN must be defined by the build"
#endif
#ifndef MSP_VERSION_STRING
#define MSP_VERSION_STRING "0.1.0"
#endif

static janus_callbacks *gateway = NULL;
extern janus_plugin janus_mediasoup_plugin;

static void shim_log(int level, const char *message) {
	JANUS_LOG(level, "[" MSP_PACKAGE "] %s\n", message);
}

static int shim_log_enabled(int level) {
	return level <= janus_log_level;
}

static int shim_config_get(void *config, const char *name, char *buf, size_t size) {
	janus_config *cfg = (janus_config *)config;
	if(cfg == NULL)
		return 0;
	janus_config_category *general = janus_config_get(cfg, NULL, janus_config_type_category, "general");
	if(general == NULL)
		return 0;
	janus_config_item *item = janus_config_get(cfg, general, janus_config_type_item, name);
	if(item == NULL || item->value == NULL)
		return 0;
	g_strlcpy(buf, item->value, size);
	return 1;
}

static void shim_push_event(void *handle, json_t *event) {
	if(gateway != NULL)
		gateway->push_event((janus_plugin_session *)handle, &janus_mediasoup_plugin, NULL, event, NULL);
}

/* Janus creates the plugin session holding a reference for the plugin (ice.c: "Handle and plugin session
 * reference each other"); dropping it lets Janus free the handle, its GLib context and its fd. */
static void shim_release_handle(void *handle) {
	janus_plugin_session *session = (janus_plugin_session *)handle;
	/* _nodebug: the debug switch is a variable of the janus executable that the plugin need not depend on */
	janus_refcount_decrease_nodebug(&session->ref);
}

static int shim_events_enabled(void) {
	return gateway != NULL && gateway->events_is_enabled();
}

/* A plugin-wide event (no handle): the core's lifecycle events (rooms, peers, producers, workers). */
static void shim_notify_event(json_t *event) {
	if(gateway != NULL)
		gateway->notify_event(&janus_mediasoup_plugin, NULL, event);
	else
		json_decref(event);
}

static int msp_plugin_init(janus_callbacks *callback, const char *config_path) {
	if(callback == NULL || config_path == NULL)
		return -1;
	gateway = callback;
	char filename[1024];
	g_snprintf(filename, sizeof(filename), "%s/%s", config_path, MSP_CONFIG_FILE);
	janus_config *config = janus_config_parse(filename);
	if(config == NULL)
		JANUS_LOG(LOG_WARN, "[" MSP_PACKAGE "] %s not found or unreadable: using defaults\n", filename);
	msp_host host = { shim_log, shim_log_enabled, shim_config_get, config, shim_push_event, shim_release_handle,
		shim_events_enabled, shim_notify_event };
	int rc = msp_init(&host, MSP_DEFAULT_WORKER_BIN);
	if(config != NULL)
		janus_config_destroy(config);
	if(rc == 0)
		JANUS_LOG(LOG_INFO, "%s initialized!\n", MSP_PACKAGE);
	return rc;
}

static void msp_plugin_destroy(void) {
	msp_destroy();
	gateway = NULL;
	JANUS_LOG(LOG_INFO, "%s destroyed!\n", MSP_PACKAGE);
}

static int msp_get_api_compatibility(void) { return JANUS_PLUGIN_API_VERSION; }
static int msp_get_version(void) { return 1; }
static const char *msp_get_version_string(void) { return MSP_VERSION_STRING; }
static const char *msp_get_description(void) {
	return "A load-balanced SFU: rooms on a pool of mediasoup workers.";
}
static const char *msp_get_name(void) { return "JANUS mediasoup plugin"; }
static const char *msp_get_author(void) { return "janus-mediasoup"; }
static const char *msp_get_package(void) { return MSP_PACKAGE; }

static void msp_create_session_shim(janus_plugin_session *handle, int *error) {
	msp_create_session(handle, error);
}

static struct janus_plugin_result *msp_handle_message_shim(janus_plugin_session *handle, char *transaction,
		json_t *message, json_t *jsep) {
	json_t *answer = msp_handle_message(handle, message, jsep != NULL);
	g_free(transaction);
	json_decref(message);
	json_decref(jsep);
	return janus_plugin_result_new(JANUS_PLUGIN_OK, NULL, answer);
}

static json_t *msp_handle_admin_message_shim(json_t *message) {
	return msp_handle_admin_message(message);
}

/* Media never flows through Janus: the client's PeerConnections go straight to the workers. */
static void msp_setup_media(janus_plugin_session *handle) { (void)handle; }
static void msp_hangup_media(janus_plugin_session *handle) { (void)handle; }

static void msp_destroy_session_shim(janus_plugin_session *handle, int *error) {
	msp_destroy_session(handle, error);
}

static json_t *msp_query_session_shim(janus_plugin_session *handle) {
	return msp_query_session(handle);
}

/* Designated initializers: every member not named is NULL (JANUS_PLUGIN_INIT would set them twice). */
janus_plugin janus_mediasoup_plugin = {
	.init = msp_plugin_init,
	.destroy = msp_plugin_destroy,
	.get_api_compatibility = msp_get_api_compatibility,
	.get_version = msp_get_version,
	.get_version_string = msp_get_version_string,
	.get_description = msp_get_description,
	.get_name = msp_get_name,
	.get_author = msp_get_author,
	.get_package = msp_get_package,
	.create_session = msp_create_session_shim,
	.handle_message = msp_handle_message_shim,
	.handle_admin_message = msp_handle_admin_message_shim,
	.setup_media = msp_setup_media,
	.hangup_media = msp_hangup_media,
	.destroy_session = msp_destroy_session_shim,
	.query_session = msp_query_session_shim,
};

janus_plugin *create(void) {
	return &janus_mediasoup_plugin;
}
