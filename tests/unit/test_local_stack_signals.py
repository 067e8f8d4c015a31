"""The local stack's signal handling: a handler that only counts cannot deadlock when a second
signal lands while the first is handled (a handler calling ``Event.set()`` can: it takes the
event's lock, and the second handler runs on the same thread while that lock is held)."""
import os
import signal
import threading

from infra.local.stack import Stopper


def test_signals_in_a_burst_are_counted_and_release_the_wait():
    stopper = Stopper()
    saved = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    stopper.install()
    try:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        done = threading.Event()
        stopper.wait(poll=0.01)
        done.set()
        assert stopper.signals == 2 and done.is_set()
    finally:
        signal.signal(signal.SIGINT, saved[0])
        signal.signal(signal.SIGTERM, saved[1])


def test_the_handler_takes_no_lock():
    """Any lock taken in a signal handler can be one its own thread already holds."""
    import sys

    calls = []

    def profile(frame, event, arg):
        if event == "c_call":
            calls.append(getattr(arg, "__qualname__", str(arg)))

    stopper = Stopper()
    sys.setprofile(profile)
    try:
        stopper.handle(signal.SIGINT, None)
        stopper.handle(signal.SIGTERM, None)
    finally:
        sys.setprofile(None)
    assert stopper.signals == 2
    assert not [c for c in calls if "acquire" in c or "__enter__" in c], calls


def test_the_old_way_would_take_a_lock():
    """The check above can fail: a handler calling Event.set() is seen taking its lock."""
    import sys

    calls, stop = [], threading.Event()

    def profile(frame, event, arg):
        if event == "c_call":
            calls.append(getattr(arg, "__qualname__", str(arg)))

    sys.setprofile(profile)
    try:
        stop.set()
    finally:
        sys.setprofile(None)
    assert [c for c in calls if "acquire" in c or "__enter__" in c]
