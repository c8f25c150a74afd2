#!/usr/bin/python3
"""Runs gPodder's own sync engine (gpodder.my.MygPoClient, what the desktop app runs) headless
against Playhead, one JSON line per check.

Usage: /usr/bin/python3 gpodder_engine.py BASE USERNAME PASSWORD FEED EPISODE
Two flushes on one engine: the first registers the device, uploads a subscription and a play of
95 of 1800 s (and a download); the second pulls and must parse its own play back. gPodder
switches sync off for good when the server answers 401, so `enabled` must still be on.
"""
import json
import os
import sys
import tempfile

os.environ['GPODDER_HOME'] = tempfile.mkdtemp(prefix='gpodder-engine-')

import gpodder  # noqa: E402
from gpodder import config, my  # noqa: E402

BASE, USER, PASS, FEED, EP = sys.argv[1:6]


def check(step, cond, **data):
    print(json.dumps({'step': step, 'ok': bool(cond), **data}, default=str), flush=True)
    if not cond:
        sys.exit(1)


cfg = config.Config(gpodder.config_file)
cfg.mygpo.server, cfg.mygpo.username, cfg.mygpo.password = BASE, USER, PASS
cfg.mygpo.device.uid, cfg.mygpo.device.caption, cfg.mygpo.device.type = 'engine-desktop', 'gPodder engine', 'desktop'
cfg.mygpo.enabled = True


class Channel:
    url = FEED


class Episode:
    channel = Channel()
    url = EP


engine = my.MygPoClient(cfg)
engine.create_device()
# What on_subscribe() queues, without its background wait of a minute.
engine._store.save(my.SubscribeAction.add(FEED))
engine.on_playback_full(Episode(), 0, 95, 1800)
engine.on_download([Episode()])
engine._worker_proc(forced=True)
check('round1.still-enabled', cfg.mygpo.enabled)
check('round1.nothing-pending', not engine._store.load(my.SubscribeAction) and not engine._store.load(my.EpisodeAction) and not engine._store.load(my.UpdateDeviceAction))
since = {s.category: s.since for s in engine._store.load(my.SinceValue)}
check('round1.since-stored', since.get(my.SinceValue.PODCASTS, 0) > 0 and since.get(my.SinceValue.EPISODES, 0) > 0, since=since)
engine._worker_proc(forced=True)
check('round2.still-enabled', cfg.mygpo.enabled)
got = [(a.action, a.episode_url, a.position, a.total) for a in engine._store.load(my.ReceivedEpisodeAction)]
check('round2.own-play-parsed', ('play', EP, 95, 1800) in got, received=got)
received_subs = [(a.action_type, a.url) for a in engine._store.load(my.ReceivedSubscribeAction)]
check('done', True, received_subscriptions=received_subs)
