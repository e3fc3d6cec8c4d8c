"""Every answer compressed for the browsers that ask (brotli, else gzip): the Dash bundle, the
assets, the pages, the callbacks' and the API's JSON. A phone on a slow network fetches a
quarter of the bytes.

flask-compress does the work; its defaults are set here rather than through ``Dash(compress=)``,
which would allow gzip only. Static files (the assets, sent as streams) are compressed chunk
by chunk, gzip included.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

ALGORITHMS = ["br", "gzip"]
MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def configure(server: Flask) -> None:
    server.config.update(
        COMPRESS_ALGORITHM=ALGORITHMS,
        COMPRESS_ALGORITHM_STREAMING=ALGORITHMS,
        COMPRESS_MIMETYPES=MIMETYPES,
        COMPRESS_BR_LEVEL=5,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=500,
    )
    Compress(server)
