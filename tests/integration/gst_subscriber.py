#!/usr/bin/python3
"""A GStreamer webrtcbin subscriber of janus.plugin.mediasoup: joins ROOM over Janus's HTTP API, takes the
plugin's offer (subscribeSdp, SDP in the message body), answers it, decodes what arrives.

  gst_subscriber.py JANUS_URL ROOM SECONDS

Prints one JSON line: decoded video frames and audio buffers, the video size, webrtcbin's connection state.
"""
import json
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sdp_peer import Janus  # noqa: E402


def main():
    url, room, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    Gst.init(None)
    janus = Janus(url)
    janus.request({"request": "join", "room": room, "display": "gst-subscriber"})
    offer = janus.request({"request": "subscribeSdp", "autoUpdate": False})

    pipeline = Gst.Pipeline.new("subscriber")
    webrtc = Gst.ElementFactory.make("webrtcbin", "recv")
    webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
    pipeline.add(webrtc)
    counts = {"video": 0, "audio": 0, "size": None}
    loop = GLib.MainLoop()

    def on_decoded_pad(_, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        kind = "video" if caps.to_string().startswith("video") else "audio"
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("signal-handoffs", True)
        sink.set_property("sync", False)

        def on_handoff(_sink, buffer, sink_pad):
            counts[kind] += 1
            if kind == "video" and counts["size"] is None:
                structure = sink_pad.get_current_caps().get_structure(0)
                counts["size"] = [structure.get_value("width"), structure.get_value("height")]

        sink.connect("handoff", on_handoff)
        pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    def on_incoming(_, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        decode = Gst.ElementFactory.make("decodebin")
        decode.connect("pad-added", on_decoded_pad)
        pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))

    webrtc.connect("pad-added", on_incoming)
    pipeline.set_state(Gst.State.PLAYING)

    def on_answer(promise, _):
        promise.wait()
        reply = promise.get_reply()  # referenced while its answer is used
        answer = reply.get_value("answer")
        webrtc.emit("set-local-description", answer, Gst.Promise.new())
        janus.request({"request": "sdpAnswer", "transportId": offer["transportId"], "sdp": answer.sdp.as_text()})

    def on_offer_set(promise, _):
        promise.wait()
        webrtc.emit("create-answer", None, Gst.Promise.new_with_change_func(on_answer, None))

    _, sdp = GstSdp.SDPMessage.new_from_text(offer["sdp"])
    description = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp)
    webrtc.emit("set-remote-description", description, Gst.Promise.new_with_change_func(on_offer_set, None))
    GLib.timeout_add(int(seconds * 1000), loop.quit)
    loop.run()
    state = webrtc.get_property("connection-state").value_nick
    pipeline.set_state(Gst.State.NULL)
    janus.close()
    print(json.dumps({"frames": {"video": counts["video"], "audio": counts["audio"]}, "videoSize": counts["size"],
                      "connectionState": state, "consumers": len(offer["consumers"])}), flush=True)


if __name__ == "__main__":
    main()
