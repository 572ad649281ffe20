"""现场检查 — offline field inspection for post-license supervision of industrial products."""

import warnings

__version__ = "0.1.0"
APP_NAME = "inspector-app"
APP_TITLE = "现场检查"

# pyHanko 0.38 (PDF signatures) imports cryptography's DSA module, which cryptography ≥ 47 reports on stderr
# as deprecated: noise for an inspector running the CLI. The app signs with ECDSA and never uses DSA.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")
