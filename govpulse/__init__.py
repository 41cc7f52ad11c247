"""govpulse: how well official social-media accounts engage with citizens."""

__version__ = "0.1.0"
