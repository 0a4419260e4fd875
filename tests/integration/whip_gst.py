#!/usr/bin/python3
"""A WHIP encoder made of GStreamer's webrtcbin (Debian's gstreamer1.0-plugins-bad, ICE from
gstreamer1.0-nice): a VP8 test pattern and an Opus tone, offered with POST /whip/<room> as OBS would.

  whip_gst.py WHIP_URL SECONDS [TOKEN]

Prints one JSON line: the HTTP status, the Location, and webrtcbin's final connection state. Ends with DELETE
of the Location (unless WHIP_KEEP=1).
"""
import json
import os
import sys
import urllib.error
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

PIPELINE = (
    "webrtcbin name=send bundle-policy=max-bundle "
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! "
    # 15-bit picture ids: mediasoup forwards VP8 by them (its consumers rewrite them across layers and gaps).
    "vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=96 picture-id-mode=15-bit ! "
    "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! send. "
    "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 ! "
    "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! send."
)


def main():
    url, seconds = sys.argv[1], float(sys.argv[2])
    token = sys.argv[3] if len(sys.argv) > 3 else ""
    Gst.init(None)
    pipeline = Gst.parse_launch(PIPELINE)
    webrtc = pipeline.get_by_name("send")
    loop = GLib.MainLoop()
    result = {}

    def post_offer(offer_sdp):
        headers = {"Content-Type": "application/sdp"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(url, data=offer_sdp.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers.get("Location"), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, None, error.read().decode()

    def on_offer_created(promise, _):
        promise.wait()
        # Keep the reply referenced while its offer is used: the offer is borrowed from it.
        reply = promise.get_reply()
        offer = reply.get_value("offer")
        webrtc.emit("set-local-description", offer, Gst.Promise.new())
        # The server is ICE-lite and learns the encoder's address from its checks: no need to wait for
        # candidates before posting.
        status, location, body = post_offer(offer.sdp.as_text())
        result.update(status=status, location=location)
        if status != 201:
            result["error"] = body.strip()
            GLib.idle_add(loop.quit)
            return
        _, sdp = GstSdp.SDPMessage.new_from_text(body)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        webrtc.emit("set-remote-description", answer, Gst.Promise.new())

    def on_negotiation_needed(element):
        element.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer_created, None))

    webrtc.connect("on-negotiation-needed", on_negotiation_needed)
    pipeline.set_state(Gst.State.PLAYING)
    GLib.timeout_add(int(seconds * 1000), loop.quit)
    loop.run()
    result["connectionState"] = webrtc.get_property("connection-state").value_nick
    if result.get("location") and os.environ.get("WHIP_KEEP") != "1":
        base = url.split("/whip/")[0]
        request = urllib.request.Request(base + result["location"], method="DELETE")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                result["deleted"] = response.status
        except urllib.error.HTTPError as error:
            result["deleted"] = error.code
    pipeline.set_state(Gst.State.NULL)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
