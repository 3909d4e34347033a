"""drill: a tabletop simulator for cybersecurity drills."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("drill")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
