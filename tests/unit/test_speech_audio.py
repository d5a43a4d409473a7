"""Audio intake: containers sniffed by bytes, decoded to 16 kHz, bad audio refused clearly."""

import wave

import numpy as np
import pytest

from trainer.errors import AudioError
from trainer.speech.audio import SAMPLE_RATE, decode, looks_like_audio, probe, sniff_format


def write_wav(path, samples: np.ndarray, rate: int = 22050) -> None:
    """samples: (channels, n) float in [-1, 1]."""
    data = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(data.shape[0])
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(data.T.tobytes())


def tone(seconds: float, freq: float = 220.0, rate: int = 22050) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 0.3 * np.sin(2 * np.pi * freq * t)


def encode(src, dst, codec: str, fmt: str | None = None) -> None:
    import av

    rate = 48000 if codec == "libopus" else 16000
    with av.open(str(src)) as inp, av.open(str(dst), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        frames = [f for frame in inp.decode(audio=0) for f in resampler.resample(frame)]
        frames += resampler.resample(None)
        for frame in frames:
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
        (b"fLaC\x00", "flac"),
        (b"OggS" + b"\x00" * 24 + b"OpusHead", "opus"),
        (b"OggS" + b"\x00" * 24 + b"\x01vorbis", "ogg"),
        (b"\x00\x00\x00\x20ftypM4A ", "m4a"),
        (b"ID3\x04\x00", "mp3"),
        (b"\xff\xfb\x90\x00", "mp3"),
        (b"\x1a\x45\xdf\xa3", "webm"),
        (b"hello world", None),
        (b"%PDF-1.7", None),
    ],
)
def test_speech_audio_sniffs_containers_by_bytes(head, kind):
    assert sniff_format(head) == kind


def test_speech_audio_decodes_stereo_to_16k_channels(tmp_path):
    path = tmp_path / "call.wav"
    write_wav(path, np.stack([tone(2.0, 200), np.zeros(44100)]))
    info = probe(path)
    assert (info.format, info.channels, info.sample_rate) == ("wav", 2, 22050)
    audio = decode(path, info)
    assert audio.samples.shape[0] == 2 and audio.samples.dtype == np.int16
    assert abs(audio.duration - 2.0) < 0.02
    assert np.abs(audio.channel(0)).max() > 0.2 and np.abs(audio.channel(1)).max() < 0.01
    assert audio.samples.shape[1] == pytest.approx(2 * SAMPLE_RATE, abs=200)


@pytest.mark.parametrize(
    ("name", "codec", "fmt", "kind"),
    [
        ("call.flac", "flac", None, "flac"),
        ("call.opus", "libopus", "ogg", "opus"),
        ("call.mp3", "mp3", None, "mp3"),
        ("call.m4a", "aac", "mp4", "m4a"),
    ],
)
def test_speech_audio_reads_every_intake_format(tmp_path, name, codec, fmt, kind):
    source = tmp_path / "source.wav"
    write_wav(source, tone(1.5, rate=16000)[None, :], rate=16000)
    target = tmp_path / name
    encode(source, target, codec, fmt)
    renamed = tmp_path / "no_extension.bin"  # sniffed, not trusted by extension
    renamed.write_bytes(target.read_bytes())
    assert looks_like_audio(renamed)
    info = probe(renamed)
    assert info.format == kind
    assert abs(decode(renamed, info).duration - 1.5) < 0.15


def test_speech_audio_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty\.wav: the file is empty"):
        probe(path)


def test_speech_audio_not_audio(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("Agent: hello\n")
    with pytest.raises(AudioError, match="not an audio file") as info:
        probe(path)
    assert info.value.code == "E600" and "notes.mp3" in info.value.format()


def test_speech_audio_silent(tmp_path):
    path = tmp_path / "silent.wav"
    write_wav(path, np.zeros((1, 22050 * 2)))
    with pytest.raises(AudioError, match="silent"):
        decode(path)


def test_speech_audio_truncated(tmp_path):
    path = tmp_path / "cut.flac"
    source = tmp_path / "source.wav"
    write_wav(source, tone(6.0, rate=16000)[None, :], rate=16000)
    encode(source, path, "flac")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 4])
    with pytest.raises(AudioError, match="truncated|corrupt|decod"):
        decode(path)


def test_speech_audio_corrupt_header(tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4)
    with pytest.raises(AudioError) as info:
        decode(path)
    assert "garbage.wav" in info.value.format()


def test_speech_audio_too_long(tmp_path, monkeypatch):
    path = tmp_path / "long.wav"
    write_wav(path, tone(3.0)[None, :])
    monkeypatch.setenv("TRAINER_MAX_AUDIO_MINUTES", "0.03")  # 1.8 s
    with pytest.raises(AudioError, match="over the .* min limit .*TRAINER_MAX_AUDIO_MINUTES"):
        probe(path)


def test_speech_audio_buffer_grows_past_the_announced_duration():
    from trainer.speech.audio import _SampleBuffer

    rng = np.random.default_rng(1)
    blocks = [rng.integers(-3000, 3000, (2, 1024), dtype=np.int16) for _ in range(40)]
    buffer = _SampleBuffer(2, seconds=0.0)  # a container that announced no duration
    for block in blocks:
        buffer.append(block)
    assert np.array_equal(buffer.samples(), np.concatenate(blocks, axis=1))


def test_speech_audio_mono_pcm_mixes_channels_without_a_float_copy():
    from trainer.speech.audio import DecodedAudio, as_float

    left = np.array([1000, -2000, 30000, -32768], dtype=np.int16)
    right = np.array([3000, 2000, 30000, -32768], dtype=np.int16)
    audio = DecodedAudio(None, np.stack([left, right]))  # type: ignore[arg-type]
    mixed = audio.mono_pcm()
    assert mixed.dtype == np.int16 and mixed.tolist() == [2000, 0, 30000, -32768]
    assert np.allclose(audio.mono(), as_float(mixed))
    single = DecodedAudio(None, left[None, :])  # type: ignore[arg-type]
    assert np.shares_memory(single.mono_pcm(), single.samples)
