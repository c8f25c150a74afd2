#!/usr/bin/python3
"""Drives Debian's mygpoclient against Playhead's gpodder surface, one JSON line per step.

Usage: /usr/bin/python3 gpodder_mygpoclient.py BASE USERNAME PASSWORD FEED_A FEED_B EP_A1 EP_A2 PHASE
(BASE e.g. http://127.0.0.1:3000/gpodder). PHASE is `subscriptions`, `episodes` or `pull SINCE`
steps the harness interleaves with its own checks over the REST API. Exits 1 at the first
failed step.
"""
import json
import sys
import time

import mygpoclient
from mygpoclient import api, http

BASE, USER, PASS, FEED_A, FEED_B, EP_A1, EP_A2, PHASE = sys.argv[1:9]
DEV1, DEV2 = 'interop-laptop', 'interop-phone'


def expect(step, cond, **data):
    print(json.dumps({'step': step, 'ok': bool(cond), **data}, default=str), flush=True)
    if not cond:
        sys.exit(1)


expect('version', mygpoclient.__version__ in ('1.9', '1.10'), version=mygpoclient.__version__)
# One client object for every call of a phase: more than three calls prove the session cookie,
# since mygpoclient hands out the password at most three times per object.
c = api.MygPodderClient(USER, PASS, BASE)

if PHASE == 'subscriptions':
    t0 = int(time.time())
    expect('device.update', c.update_device_settings(DEV1, 'Interop laptop', 'laptop') is True)
    expect('device.update.second', c.update_device_settings(DEV2, 'Interop phone', 'mobile') is True)
    devs = {d.device_id: d for d in c.get_devices()}
    expect('device.list', DEV1 in devs and devs[DEV1].type == 'laptop' and devs[DEV1].caption == 'Interop laptop' and devs[DEV2].type == 'mobile')
    spaced = ' ' + FEED_A.replace('https://feeds.', 'https://FEEDS.') + ' '
    r = c.update_subscriptions(DEV1, [spaced, FEED_B], [])
    expect('subs.upload', [spaced, FEED_A] in [list(p) for p in r.update_urls] and abs(r.since - t0) < 120, update_urls=r.update_urls, since=r.since)
    p = c.pull_subscriptions(DEV2, 0)
    expect('subs.pull.other-device', {FEED_A, FEED_B} <= set(p.add) and p.remove == [], add=p.add, since=p.since)
    c.update_subscriptions(DEV1, [], [FEED_B])
    p2 = c.pull_subscriptions(DEV2, p.since)
    expect('subs.pull.incremental', FEED_B in p2.remove and FEED_B not in p2.add, add=p2.add, remove=p2.remove)
    expect('simple.put', c.put_subscriptions(DEV1, [FEED_A]) is True)
    expect('simple.get', set(c.get_subscriptions(DEV1)) == {FEED_A})
    expect('sync.devices', True, since=p2.since)
    try:
        api.MygPodderClient(USER, PASS + 'x', BASE).get_devices()
        expect('auth.wrong-password', False)
    except http.Unauthorized:
        expect('auth.wrong-password', True)

elif PHASE == 'episodes':
    ts = c.upload_episode_actions([
        api.EpisodeAction(FEED_A, EP_A1, 'play', DEV1, '2024-05-01T10:00:00', 0, 120, 3600),
        api.EpisodeAction(FEED_A, EP_A2, 'download', DEV1, '2024-05-01T10:01:00'),
    ])
    expect('episodes.upload', isinstance(ts, int), timestamp=ts)
    d = c.download_episode_actions(0)
    plays = [a for a in d.actions if a.episode == EP_A1 and a.action == 'play']
    expect('episodes.download.all', plays and plays[-1].position == 120 and plays[-1].total == 3600, n=len(d.actions))
    expect('episodes.download.relayed', any(a.episode == EP_A2 and a.action == 'download' for a in d.actions))
    other = api.MygPodderClient(USER, PASS, BASE)
    # A late upload: made long ago by the client's clock, recorded now; a device that read after it was made still gets it.
    other.upload_episode_actions([api.EpisodeAction(FEED_A, EP_A2, 'play', DEV2, '2020-01-01T00:00:00', 0, 30, 1800)])
    d2 = c.download_episode_actions(d.since)
    expect('episodes.late-upload-delivered', any(a.episode == EP_A2 and a.action == 'play' and a.position == 30 for a in d2.actions))
    c.upload_episode_actions([api.EpisodeAction(FEED_A, EP_A1, 'play', DEV2, '2023-01-01T00:00:00', 0, 10, 3600)])
    latest = [a for a in c.download_episode_actions(0).actions if a.episode == EP_A1 and a.action == 'play']
    expect('episodes.no-regression', latest and latest[-1].position == 120, positions=[a.position for a in latest])
    expect('episodes.since', True, since=d2.since)

elif PHASE == 'pull':
    since = int(sys.argv[9])
    p = c.pull_subscriptions(DEV1, since)
    d = c.download_episode_actions(since)
    expect('pull', True, add=p.add, remove=p.remove, since=p.since,
           actions=[{'episode': a.episode, 'action': a.action, 'position': a.position, 'total': a.total} for a in d.actions])
else:
    expect('phase', False, phase=PHASE)
