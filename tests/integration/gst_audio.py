#!/usr/bin/python3
"""An Opus tone over plain RTP with the client-to-mixer audio level (RFC 6464) in every packet, as a room
microphone or an encoder sends it: GStreamer's level element measures the audio, rtphdrextclientaudiolevel
writes it.

  gst_audio.py IP PORT SSRC VOLUME [EXTENSION_ID]

VOLUME is audiotestsrc's (0.5: about -8 dBov, 0.02: about -36 dBov, 0.0001: about -84 dBov). Payload type 100.
Runs until killed; prints one JSON line once playing.
"""
import json
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtp", "1.0")
from gi.repository import GLib, Gst, GstRtp  # noqa: E402,F401  (GstRtp: the extension's base class)


def main():
    ip, port, ssrc, volume = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    extension_id = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    Gst.init(None)
    pipeline = Gst.parse_launch(
        f"audiotestsrc is-live=true wave=sine volume={volume} ! audioconvert ! audioresample ! "
        "audio/x-raw,rate=48000,channels=2 ! level audio-level-meta=true ! opusenc ! "
        f"rtpopuspay name=pay pt=100 ssrc={ssrc} ! udpsink host={ip} port={port} sync=false"
    )
    extension = Gst.ElementFactory.make("rtphdrextclientaudiolevel")
    if extension is None:
        sys.exit("no rtphdrextclientaudiolevel (gstreamer1.0-plugins-good 1.20 or later)")
    extension.set_id(extension_id)
    pipeline.get_by_name("pay").emit("add-extension", extension)
    loop = GLib.MainLoop()
    bus = pipeline.get_bus()
    bus.add_signal_watch()

    def on_message(_, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            print(json.dumps({"error": error.message, "debug": debug}), flush=True)
            loop.quit()

    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    print(json.dumps({"playing": True, "volume": volume}), flush=True)
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
