"""Held and sleeping requests of a simulator, shared by slack_twilio.py and
otlp_collector.py: a "hang" fault holds a request until /_sim/release,
/_sim/reset or shutdown; a "delay" sleeps unless shutdown comes first; and
shutdown waits (bounded) for the requests being handled.  Standard library
only."""

import threading


class HoldState:
    def __init__(self):
        self.cond = threading.Condition()
        self.stopping = False
        self.active = 0         # requests being handled
        self.held = 0           # of which held by a hang fault
        self.release_gen = 0
        self.reset_gen = 0      # a reset drops the held requests

    def sleep(self, seconds):
        """-> False when the simulator is stopping."""
        with self.cond:
            self.cond.wait_for(lambda: self.stopping, timeout=seconds)
            return not self.stopping

    def hold(self):
        """Wait for /_sim/release -> "released", /_sim/reset -> "reset" or
        shutdown -> "stopping"."""
        with self.cond:
            rel, rst = self.release_gen, self.reset_gen
            self.held += 1
            try:
                self.cond.wait_for(lambda: self.stopping
                                   or self.reset_gen != rst
                                   or self.release_gen != rel)
            finally:
                self.held -= 1
            if self.stopping:
                return "stopping"
            return "reset" if self.reset_gen != rst else "released"

    def release(self):
        with self.cond:
            n = self.held
            self.release_gen += 1
            self.cond.notify_all()
            return n

    def stop(self, grace):
        """Wake every sleeping or held request; wait (bounded) for the
        handlers to finish."""
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.active == 0, timeout=grace)
