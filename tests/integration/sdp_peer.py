#!/usr/bin/python3
"""An aiortc peer of janus.plugin.mediasoup over Janus's HTTP API: the SDP travels in the message body
(publishSdp / subscribeSdp + sdpAnswer), as any standard WebRTC client would send it.

  sdp_peer.py publish   JANUS_URL ROOM SECONDS   sends a test pattern and a tone; prints the answer
  sdp_peer.py subscribe JANUS_URL ROOM SECONDS   receives everything of the room (autoUpdate), decodes it,
                                                 answers every renegotiation; prints frames per kind

Each prints one JSON line on stdout at the end; errors go to stderr with a non-zero exit.
"""
import asyncio
import json
import sys
import threading
import urllib.request
import uuid

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack


class Janus:
    def __init__(self, url):
        self.url = url
        self.session = self.post(url, {"janus": "create"})["data"]["id"]
        self.handle = self.post(f"{url}/{self.session}", {"janus": "attach", "plugin": "janus.plugin.mediasoup"})["data"]["id"]
        self.events = []
        self.closed = False
        threading.Thread(target=self.poll, daemon=True).start()

    def post(self, url, body):
        body = dict(body, transaction=uuid.uuid4().hex)
        request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def request(self, body):
        answer = self.post(f"{self.url}/{self.session}/{self.handle}", {"janus": "message", "body": body})
        data = answer.get("plugindata", {}).get("data", answer)
        if "error_code" in data:
            raise RuntimeError(f"{body['request']}: {data['error_code']} {data['error']}")
        return data

    def poll(self):
        while not self.closed:
            try:
                with urllib.request.urlopen(f"{self.url}/{self.session}?maxev=5", timeout=35) as response:
                    got = json.loads(response.read())
            except Exception:
                continue
            for event in got if isinstance(got, list) else [got]:
                data = event.get("plugindata", {}).get("data")
                if data:
                    self.events.append(data)

    def close(self):
        self.closed = True
        try:
            self.post(f"{self.url}/{self.session}", {"janus": "destroy"})
        except Exception:
            pass


async def publish(janus, seconds):
    pc = RTCPeerConnection()
    pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
    pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    answer = janus.request({"request": "publishSdp", "sdp": pc.localDescription.sdp})
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    await asyncio.sleep(seconds)
    state = pc.connectionState
    await pc.close()
    # What the plugin told of its side of the transport (Janus's webrtcup never fires for it).
    states = [[e["iceState"], e["dtlsState"]] for e in janus.events if e.get("event") == "transportState"]
    return {"producers": answer["producers"], "connectionState": state, "transportStates": states}


async def subscribe(janus, seconds):
    pc = RTCPeerConnection()
    frames = {"audio": 0, "video": 0}
    by_peer = {}  # peerId → frames per kind, from the offers' consumers (mid → peerId)
    peer_of_mid = {}
    sizes = set()

    async def drain(track, peer):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            frames[track.kind] += 1
            counts = by_peer.setdefault(peer, {"audio": 0, "video": 0})
            counts[track.kind] += 1
            if track.kind == "video":
                sizes.add((frame.width, frame.height))

    @pc.on("track")
    def on_track(track):
        mid = next((t.mid for t in pc.getTransceivers() if t.receiver.track is track), None)
        asyncio.ensure_future(drain(track, peer_of_mid.get(mid, "unknown")))

    async def answer(offer):
        for consumer in offer["consumers"]:
            peer_of_mid[consumer["mid"]] = consumer["peerId"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        janus.request({"request": "sdpAnswer", "transportId": offer["transportId"], "sdp": pc.localDescription.sdp})

    offer = janus.request({"request": "subscribeSdp"})
    transport = offer["transportId"]
    offers = 1
    await answer(offer)
    deadline = asyncio.get_event_loop().time() + seconds
    while asyncio.get_event_loop().time() < deadline:
        while janus.events:
            event = janus.events.pop(0)
            if event.get("event") == "sdpOffer" and event.get("transportId") == transport:
                offers += 1
                await answer(event)
        await asyncio.sleep(0.1)
    await pc.close()
    return {"frames": frames, "framesByPeer": by_peer, "offers": offers, "videoSizes": sorted(sizes)}


async def main():
    role, url, room, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    janus = Janus(url)
    try:
        joined = janus.request({"request": "join", "room": room, "display": f"aiortc-{role}"})
        result = await (publish if role == "publish" else subscribe)(janus, seconds)
        result["peerId"] = joined["peerId"]
        print(json.dumps(result), flush=True)
    finally:
        janus.close()


if __name__ == "__main__":
    asyncio.run(main())
