"""Chat-log readers: turn JSON, CSV, plain-text and ABCD-style files into Conversations.

Each format is one module registering a reader (see `registry`); the format of a file is recognised
from its content. Storage is not done here: callers store what `read_file` returns.
"""

from trainer.ingest.files import FileRead, find_files, read_bytes, read_file, read_sample
from trainer.ingest.registry import Reader, reader, readers
from trainer.ingest.sample import Sample
from trainer.ingest.speakers import SpeakerAliases
from trainer.ingest.unrecognized import UnrecognizedFormat

__all__ = [
    "FileRead",
    "Reader",
    "Sample",
    "SpeakerAliases",
    "UnrecognizedFormat",
    "find_files",
    "read_bytes",
    "read_file",
    "read_sample",
    "reader",
    "readers",
]
